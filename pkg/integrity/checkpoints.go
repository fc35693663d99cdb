package integrity

import (
	"fmt"
	"time"

	"github.com/attest/auditlog/pkg/sqldb"
	"github.com/attest/auditlog/pkg/tenantfile"
)

// Head is where a chain had got to when the backend last saw it: kept off the producer and off Loki,
// so that records later cut from the end of the chain, or rewritten, are found.
type Head struct {
	Service string `json:"service,omitempty"`
	Seq     int64  `json:"seq"`
	Hash    string `json:"hash"`
	TimeNs  int64  `json:"timeNs"`
	SeenAt  string `json:"seenAt"`
}

// OfService keeps the heads of one service's chains ("" keeps all).
func (h Heads) OfService(service string) Heads {
	if service == "" {
		return h
	}
	out := Heads{Chains: map[string]Head{}, VerifiedToNs: h.VerifiedToNs}
	for id, c := range h.Chains {
		if c.Service == service {
			out.Chains[id] = c
		}
	}
	return out
}

// Except keeps the heads that other does not hold at the same position with the same hash.
func (h Heads) Except(other Heads) Heads {
	out := Heads{Chains: map[string]Head{}, VerifiedToNs: h.VerifiedToNs}
	for id, c := range h.Chains {
		if o, ok := other.Chains[id]; !ok || o.Seq != c.Seq || o.Hash != c.Hash {
			out.Chains[id] = c
		}
	}
	return out
}

// Heads are the chain heads of one tenant, and when its trail was last verified up to.
type Heads struct {
	Chains       map[string]Head `json:"chains"`
	VerifiedToNs int64           `json:"verifiedToNs"`
	// CollectedToNs is how far producers' checkpoints have been collected.
	CollectedToNs int64 `json:"collectedToNs,omitempty"`
}

// HeadStore keeps Heads per tenant as files in the backend's data directory.
type HeadStore struct{ files *tenantfile.Store[Heads] }

// NewHeadStore keeps heads in dir (chain-heads-<tenant>.json).
func NewHeadStore(dir string) *HeadStore {
	return &HeadStore{files: &tenantfile.Store[Heads]{Dir: dir, Prefix: "chain-heads-",
		Empty: func() Heads { return Heads{Chains: map[string]Head{}} }}}
}

// In keeps the heads in the shared database instead (an HA install).
func (s *HeadStore) In(db *sqldb.DB) *HeadStore { s.files.DB = db; return s }

// Load reads a tenant's heads (empty when none yet).
func (s *HeadStore) Load(tenant string) (Heads, error) {
	h, err := s.files.Load(tenant)
	if h.Chains == nil {
		h.Chains = map[string]Head{}
	}
	return h, err
}

// Advance records the heads a verification saw (only ever forward) and how far it verified.
func (s *HeadStore) Advance(tenant string, seen map[string]Head, verifiedToNs int64) error {
	return s.update(tenant, seen, func(h *Heads) { h.VerifiedToNs = max(h.VerifiedToNs, verifiedToNs) })
}

// Collected records the heads of checkpoints collected up to toNs.
func (s *HeadStore) Collected(tenant string, seen map[string]Head, toNs int64) error {
	return s.update(tenant, seen, func(h *Heads) { h.CollectedToNs = max(h.CollectedToNs, toNs) })
}

func (s *HeadStore) update(tenant string, seen map[string]Head, mark func(*Heads)) error {
	_, err := s.files.Update(tenant, func(h *Heads) error {
		if h.Chains == nil {
			h.Chains = map[string]Head{}
		}
		for id, nh := range seen {
			if old, ok := h.Chains[id]; !ok || nh.Seq > old.Seq {
				h.Chains[id] = nh
			}
		}
		mark(h)
		return nil
	})
	return err
}

// CheckpointResult compares what Loki holds with the heads kept earlier.
type CheckpointResult struct {
	Checked int       `json:"checked"`
	Matched int       `json:"matched"`
	Missing []Problem `json:"missing"`
}

// Kinds of checkpoint failure.
const (
	// Truncated: the chain in Loki ends before a position the backend saw earlier.
	Truncated = "truncated"
	// Rewritten: the record at a position the backend saw earlier has another hash now.
	Rewritten = "rewritten"
	// Deleted: a position the backend saw earlier is missing inside the chain.
	Deleted = "deleted"
)

// CompareHeads checks, for every kept head that falls in [fromNs, toNs), that Loki still holds that
// record with that hash.
func CompareHeads(records []Entry, heads Heads, fromNs, toNs int64) CheckpointResult {
	type pos struct {
		chain string
		seq   int64
	}
	stored := map[pos][]string{}
	last := map[string]int64{}
	for _, r := range records {
		if !r.Chained {
			continue
		}
		stored[pos{r.ChainID, r.Seq}] = append(stored[pos{r.ChainID, r.Seq}], r.Stored)
		last[r.ChainID] = max(last[r.ChainID], r.Seq)
	}
	res := CheckpointResult{Missing: []Problem{}}
	for id, h := range heads.Chains {
		if h.TimeNs < fromNs || h.TimeNs >= toNs {
			continue
		}
		res.Checked++
		hashes, ok := stored[pos{id, h.Seq}]
		switch {
		case ok && contains(hashes, h.Hash):
			res.Matched++
		case ok:
			res.Missing = append(res.Missing, Problem{ChainID: id, Seq: h.Seq, Kind: Rewritten,
				Detail: fmt.Sprintf("seen on %s with hash %s; Loki now holds another record there", h.SeenAt, h.Hash)})
		case last[id] < h.Seq:
			res.Missing = append(res.Missing, Problem{ChainID: id, Seq: h.Seq, Kind: Truncated,
				Detail: fmt.Sprintf("seen on %s up to seq %d; Loki now ends at seq %d", h.SeenAt, h.Seq, last[id])})
		default:
			res.Missing = append(res.Missing, Problem{ChainID: id, Seq: h.Seq, Kind: Deleted,
				Detail: fmt.Sprintf("seq %d, seen on %s, is gone", h.Seq, h.SeenAt)})
		}
	}
	return res
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// HeadsOf gives the last position of every chain in records, with its time, as new heads.
func HeadsOf(records []Entry, res Result, now time.Time) map[string]Head {
	lastSeq := map[string]int64{}
	for _, c := range res.Chains {
		lastSeq[c.ChainID] = c.Last
	}
	times, services := map[string]int64{}, map[string]string{}
	for _, r := range records {
		if r.Chained && lastSeq[r.ChainID] == r.Seq {
			times[r.ChainID], services[r.ChainID] = r.TimeNs, r.Service
		}
	}
	out := map[string]Head{}
	for _, c := range res.Chains {
		out[c.ChainID] = Head{Service: services[c.ChainID], Seq: c.Last, Hash: c.LastHash, TimeNs: times[c.ChainID],
			SeenAt: now.UTC().Format(time.RFC3339)}
	}
	return out
}

// CleanHeads are the heads a verification may keep: the newest record of every chain it read, except
// the chains any problem names. A forged or broken chain never becomes a checkpoint that later
// verifications would trust.
func CleanHeads(records []Entry, res Result, problems []Problem, now time.Time) map[string]Head {
	heads := HeadsOf(records, res, now)
	for _, p := range problems {
		delete(heads, p.ChainID)
	}
	return heads
}

// CheckpointHeads takes, from checkpoint records (heartbeats and closing records), the newest of each
// chain whose stored hash is the one its content gives (under the producer's key when keyed): a
// checkpoint forged without the key is not taken. Rejected are the ones that did not check.
func CheckpointHeads(records []Entry, now time.Time) (heads map[string]Head, rejected []Entry) {
	heads = map[string]Head{}
	for _, r := range records {
		if !r.Chained || (r.Event != HeartbeatEvent && r.Event != ClosedEvent) {
			continue
		}
		if r.Computed == "" || r.Computed != r.Stored {
			rejected = append(rejected, r)
			continue
		}
		if old, ok := heads[r.ChainID]; !ok || r.Seq > old.Seq {
			heads[r.ChainID] = Head{Service: r.Service, Seq: r.Seq, Hash: r.Stored, TimeNs: r.TimeNs,
				SeenAt: now.UTC().Format(time.RFC3339)}
		}
	}
	return heads, rejected
}
