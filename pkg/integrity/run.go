package integrity

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/attest/auditlog/pkg/export"
	"github.com/attest/auditlog/pkg/loki"
)

const (
	maxProblems = 200
	// silenceAfter is how long a heartbeating producer may send nothing before it counts as silent.
	silenceAfter = 10 * time.Minute
)

// ErrHeadsNotKept: the verification ran and its summary stands, but the heads it saw could not be
// kept for the next one.
var ErrHeadsNotKept = errors.New("the chain heads could not be kept")

// Run verifies one tenant's trail: its store, the chain keys, the heads kept between verifications,
// where sorted records wait while a verification runs, and the signed digests of the write-once bucket.
type Run struct {
	Client   *loki.Client
	Keys     map[string][]byte
	Heads    *HeadStore
	SpillDir string
	// Digests reads the digest heads of a range (nil: no bucket configured).
	Digests func(ctx context.Context, service string, fromNs, toNs int64) (Heads, DigestResult, error)
}

func (r *Run) digests(ctx context.Context, service string, fromNs, toNs int64) (Heads, DigestResult, error) {
	if r.Digests == nil {
		return Heads{Chains: map[string]Head{}}, DigestResult{Missing: []Problem{}, Keys: []string{}}, nil
	}
	return r.Digests(ctx, service, fromNs, toNs)
}

// Summary is what a verification found, kept as its job's file.
type Summary struct {
	OK         bool   `json:"ok"`
	Service    string `json:"service,omitempty"`
	FromNs     string `json:"from"`
	ToNs       string `json:"to"`
	Records    int    `json:"records"`
	Chains     int    `json:"chains"`
	Duplicates int    `json:"duplicates"`
	// Unchained counts events without chain fields (producers that do not chain): shown, not breaks.
	Unchained    int `json:"unchained"`
	ProblemCount int `json:"problemCount"`
	// ByKind counts the problems of each kind (Problems lists only the first).
	ByKind      map[string]int   `json:"byKind"`
	Problems    []Problem        `json:"problems"`
	Checkpoints CheckpointResult `json:"checkpoints"`
	// Digests: the same checks against the signed digests in the write-once bucket, which hold even
	// when the data directory (and its heads) is lost or rewritten.
	Digests DigestResult `json:"digests"`
	// Silent are heartbeating producers that stopped without closing their chain (not breaks).
	Silent     []SilentChain `json:"silent"`
	FirstBreak *Break        `json:"firstBreak,omitempty"`
}

// Break is the first break found, with where to see it.
type Break struct {
	Problem
	TsNs string `json:"tsNs,omitempty"`
}

// feed hands every record a verification reads, compacted (its hash recomputed), to a
// spill sorted by chain and position: memory stays flat however many records the range holds.
type feed struct {
	keys   map[string][]byte
	intern Interner
	v      *Verifier
	spill  *Spill
}

func (f *feed) Begin() error      { return nil }
func (f *feed) End(_ int64) error { return nil }
func (f *feed) Write(e *loki.Event) error {
	ns, err := strconv.ParseInt(e.TsNs, 10, 64)
	if err != nil {
		return err
	}
	if e.ChainID == "" && e.ChainSeq == "" {
		f.v.Admit(Entry{Unchained: true})
		return nil
	}
	entry := Compact(Record{TimeUnixNano: ns, Line: e.Description, Labels: e.Labels}, f.keys, f.intern)
	if !f.v.Admit(entry) {
		return nil
	}
	return f.spill.Add(entry)
}

// Verify reads every record of the tenant in rng (one service's, when given), verifies the chains and
// compares them with the heads kept earlier and the signed digests, then keeps the heads of the chains
// it found clean (CleanHeads). Every record read is also handed to also, when set (a report reads its
// period once for both).
func (r *Run) Verify(ctx context.Context, tenant, service string, rng loki.Range, progress func(int64), also export.Writer) (*Summary, error) {
	client, keys := r.Client, r.Keys
	selector, err := loki.EventsQuery(loki.Filters{Service: service})
	if err != nil {
		return nil, err
	}
	heads, err := r.Heads.Load(tenant)
	if err != nil {
		return nil, err
	}
	heads = heads.OfService(service)
	dheads, digests, err := r.digests(ctx, service, rng.StartNs, rng.EndNs)
	if err != nil {
		return nil, err
	}
	spill, err := NewSpill(r.SpillDir, 0)
	if err != nil {
		return nil, err
	}
	defer spill.Close()
	feed := &feed{keys: keys, intern: Interner{}, v: NewVerifier(Options{}), spill: spill}
	var kept []Entry
	feed.v.Keep = func(e Entry) { kept = append(kept, e) }
	feed.v.KeepAt = map[string][]int64{}
	for _, hs := range []Heads{heads, dheads} {
		for id, h := range hs.Chains {
			feed.v.KeepAt[id] = append(feed.v.KeepAt[id], h.Seq)
		}
	}
	var sink export.Writer = feed
	if also != nil {
		sink = export.Multi{feed, also}
	}
	if _, err := export.Stream(ctx, client, selector, rng, sink, progress); err != nil {
		return nil, err
	}
	res, err := feed.v.Ordered(spill.Each)
	if err != nil {
		return nil, err
	}
	cp := CompareHeads(kept, heads, rng.StartNs, rng.EndNs)
	// Heads kept from before the range are looked up one by one: a chain cut off or rewritten after
	// an earlier verification is found by every later one, whatever its range.
	earlier, err := r.lookUpHeads(ctx, heads, rng.StartNs)
	if err != nil {
		return nil, err
	}
	cp.Checked += earlier.Checked
	cp.Matched += earlier.Matched
	cp.Missing = append(cp.Missing, earlier.Missing...)
	dcp := CompareHeads(kept, dheads, rng.StartNs, rng.EndNs)
	// A digest head the local heads already hold was looked up above.
	dearlier, err := r.lookUpHeads(ctx, dheads.Except(heads), rng.StartNs)
	if err != nil {
		return nil, err
	}
	digests.Checked, digests.Matched = dcp.Checked+dearlier.Checked, dcp.Matched+dearlier.Matched
	digests.Missing = append(digests.Missing, dcp.Missing...)
	digests.Missing = append(digests.Missing, dearlier.Missing...)
	all := append(append([]Problem{}, res.Problems...), cp.Missing...)
	all = append(all, NewProblems(cp.Missing, digests.Missing)...)
	sum := &Summary{OK: len(all) == 0, Service: service, FromNs: fmt.Sprint(rng.StartNs), ToNs: fmt.Sprint(rng.EndNs),
		Records: res.Checked, Unchained: res.Unchained, Chains: len(res.Chains), Duplicates: len(res.Duplicates), ProblemCount: len(all), ByKind: map[string]int{},
		Problems: all[:min(len(all), maxProblems)], Checkpoints: cp, Digests: digests,
		Silent: Silent(kept, rng.EndNs, silenceAfter)}
	for _, p := range all {
		sum.ByKind[p.Kind]++
	}
	if first, ok := (Result{Problems: all}).FirstBreak(); ok {
		b := &Break{Problem: first}
		if first.ID != "" {
			b.TsNs = fmt.Sprint(first.TsNs)
		}
		sum.FirstBreak = b
	}
	if err := r.Heads.Advance(tenant, CleanHeads(kept, res, all, time.Now()), rng.EndNs); err != nil {
		return sum, fmt.Errorf("%w: %v", ErrHeadsNotKept, err)
	}
	return sum, nil
}

// headLookback bounds which earlier heads every verification re-checks.
const headLookback = 400 * 24 * time.Hour

// lookUpHeads checks the heads kept from before fromNs: Loki must still hold each of those records,
// with that hash, and the records after it must not all be gone.
func (r *Run) lookUpHeads(ctx context.Context, heads Heads, fromNs int64) (CheckpointResult, error) {
	client := r.Client
	res := CheckpointResult{Missing: []Problem{}}
	oldest := time.Now().Add(-headLookback).UnixNano()
	for id, h := range heads.Chains {
		if h.TimeNs >= fromNs || h.TimeNs < oldest {
			continue
		}
		chainID, err := loki.QuoteString(id)
		if err != nil {
			continue
		}
		q := loki.AllEventsSelector + ` | audit_chain_id=` + chainID + ` | audit_chain_seq="` + fmt.Sprint(h.Seq) + `"`
		page, err := client.QueryRange(ctx, q, h.TimeNs-int64(time.Second), h.TimeNs+int64(time.Second), 10, "forward", 0)
		if err != nil {
			return res, err
		}
		events, err := page.Streams()
		if err != nil {
			return res, err
		}
		var found []Record
		for _, e := range events {
			ns, _ := strconv.ParseInt(e.TsNs, 10, 64)
			found = append(found, Record{TimeUnixNano: ns, Line: e.Description, Labels: e.Labels})
		}
		one := CompareHeads(CompactAll(found, nil), Heads{Chains: map[string]Head{id: h}}, h.TimeNs, h.TimeNs+1)
		if one.Matched == 0 && len(found) == 0 {
			// Not there: truncated unless a later record of the chain exists.
			later := loki.AllEventsSelector + ` | audit_chain_id=` + chainID + ` | audit_chain_seq > ` + fmt.Sprint(h.Seq)
			page, err := client.QueryRange(ctx, later, h.TimeNs-int64(time.Second), time.Now().UnixNano(), 1, "forward", 0)
			if err == nil {
				if evs, _ := page.Streams(); len(evs) > 0 {
					one.Missing[0].Kind = Deleted
					one.Missing[0].Detail = fmt.Sprintf("seq %d, seen on %s, is gone", h.Seq, h.SeenAt)
				}
			}
		}
		res.Checked += one.Checked
		res.Matched += one.Matched
		res.Missing = append(res.Missing, one.Missing...)
	}
	return res, nil
}
