package integrity

import (
	"cmp"
	"fmt"
	"maps"
	"slices"

	"github.com/attest/auditlog/pkg/selfaudit"
)

// Kinds of break (see instrumentation/src/verifyChain.ts for their meaning).
const (
	HashMismatch  = "hash_mismatch"
	Conflict      = "conflict"
	PrevMismatch  = "prev_mismatch"
	Gap           = "gap"
	MissingFields = "missing_fields"
	UnknownKey    = "unknown_key"
	Unkeyed       = "unkeyed"
	Unchained     = "unchained"
	Moved         = "moved"
)

// maxUnchainedKept bounds the unchained records a verification remembers to report one by one; the
// rest of a larger number are reported in one problem per service.
const maxUnchainedKept = 1000

// Options of a verification.
type Options struct {
	// FromStart false takes the first position present in each chain as given.
	FromStart bool
	// Keys are the producers' chain keys by audit.chain.key_id.
	Keys map[string][]byte
	// RequireKeyed makes every unkeyed record a break.
	RequireKeyed bool
}

// Problem is one break.
type Problem struct {
	ChainID string `json:"chainId"`
	Seq     int64  `json:"seq"`
	Kind    string `json:"problem"`
	Detail  string `json:"detail"`
	ID      string `json:"id,omitempty"`
	// TsNs is the time of the record named by ID.
	TsNs int64 `json:"-"`
}

// Duplicate is the same record delivered more than once: not a break.
type Duplicate struct {
	ChainID string `json:"chainId"`
	Seq     int64  `json:"seq"`
	Copies  int    `json:"copies"`
}

// ChainSummary is what was verified of one chain.
type ChainSummary struct {
	ChainID  string `json:"chainId"`
	First    int64  `json:"first"`
	Last     int64  `json:"last"`
	Records  int    `json:"records"`
	LastHash string `json:"lastHash"`
}

// Result of a verification.
type Result struct {
	OK      bool `json:"ok"`
	Checked int  `json:"checked"`
	// Unchained counts records with no chain fields at all (producers that do not chain): not verifiable,
	// not a break.
	Unchained  int            `json:"unchained"`
	Problems   []Problem      `json:"problems"`
	Duplicates []Duplicate    `json:"duplicates"`
	Chains     []ChainSummary `json:"chains"`
}

type position struct {
	seq        int64
	variants   []Entry
	identities [][32]byte
	copies     int
}

// Verify checks the chains in records (any order, several chains, copies allowed): every hash is
// recomputed from content, links are checked against the previous record's recomputed hash, two
// different records at one position are a conflict, the same record twice a duplicate. With fromStart
// false, the first position present in each chain is taken as given.
func Verify(records []Record, opts Options) Result {
	return VerifyEntries(CompactAll(records, opts.Keys), opts)
}

// VerifyEntries is Verify over records already compacted (Compact, with opts.Keys).
func VerifyEntries(entries []Entry, opts Options) Result {
	v := NewVerifier(opts)
	sorted := make([]Entry, 0, len(entries))
	for _, e := range entries {
		if v.Admit(e) {
			sorted = append(sorted, e)
		}
	}
	SortEntries(sorted)
	res, _ := v.Ordered(Sorted(sorted).Each)
	return res
}

// Verifier verifies entries handed to it in order of chain and position (Ordered), holding one
// position of one chain at a time, so memory does not grow with the range: a million records are
// sorted on disk (Spill) and walked once. Records that cannot be placed in a chain are sorted out
// first (Admit).
type Verifier struct {
	opts    Options
	res     Result
	missing []Problem
	// unchained records (up to maxUnchainedKept) and the services whose records are chained: an
	// unchained record of such a service is a break, found once every record is admitted.
	unchained       []Entry
	unchainedMore   map[string]int
	chainedServices map[string]bool
	// Keep, when set, is given the entries the checks after a verification need: the last record of
	// every chain, its first heartbeat, and the records at the positions in KeepAt.
	Keep   func(Entry)
	KeepAt map[string][]int64
}

// NewVerifier starts a verification.
func NewVerifier(opts Options) *Verifier {
	return &Verifier{opts: opts, res: Result{Problems: []Problem{}, Duplicates: []Duplicate{}, Chains: []ChainSummary{}}}
}

// Admit counts an unchained record and reports a record with broken chain fields; it is true for a
// record that belongs in the ordered walk.
func (v *Verifier) Admit(e Entry) bool {
	if !e.Unchained && e.Service != "" {
		if v.chainedServices == nil {
			v.chainedServices = map[string]bool{}
		}
		v.chainedServices[e.Service] = true
	}
	switch {
	case e.Unchained:
		v.res.Unchained++
		if len(v.unchained) < maxUnchainedKept {
			v.unchained = append(v.unchained, e)
		} else {
			if v.unchainedMore == nil {
				v.unchainedMore = map[string]int{}
			}
			v.unchainedMore[e.Service]++
		}
		return false
	case !e.Chained:
		v.missing = append(v.missing, Problem{ChainID: e.ChainID, Kind: MissingFields,
			Detail: "record without audit.chain.id / audit.chain.seq", ID: e.ID, TsNs: e.TimeNs})
		return false
	}
	return true
}

// Ordered walks the admitted entries, in order of chain id and position (copies and variants of a
// position in the order they were read), and gives the result.
func (v *Verifier) Ordered(each func(yield func(Entry) error) error) (Result, error) {
	var c *chainWalk
	var p *position
	err := each(func(e Entry) error {
		if c != nil && c.id != e.ChainID {
			v.endPosition(c, p)
			v.endChain(c)
			c, p = nil, nil
		}
		if c == nil {
			c = v.startChain(e.ChainID, e.Seq)
		}
		switch {
		case p == nil || p.seq != e.Seq:
			if p != nil {
				v.endPosition(c, p)
			}
			p = &position{seq: e.Seq, variants: []Entry{e}, identities: [][32]byte{e.Identity}, copies: 1}
		case p.identities[0] == e.Identity:
			p.copies++
		case !slices.Contains(p.identities, e.Identity):
			p.variants = append(p.variants, e)
			p.identities = append(p.identities, e.Identity)
		}
		if v.Keep == nil {
			return nil
		}
		firstBeat := e.Event == HeartbeatEvent && !c.heartbeat
		c.heartbeat = c.heartbeat || firstBeat
		if firstBeat || slices.Contains(v.KeepAt[e.ChainID], e.Seq) {
			v.Keep(e)
		}
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	if c != nil {
		v.endPosition(c, p)
		v.endChain(c)
	}
	v.res.Problems = append(append(v.missing, v.unchainedProblems()...), v.res.Problems...)
	v.res.OK = len(v.res.Problems) == 0
	return v.res, nil
}

// unchainedProblems: a record without chain fields is a break where every record must be keyed, or
// where its service's other records are chained (a producer that chains does not write unchained
// records: someone who could not chain one inserted it).
func (v *Verifier) unchainedProblems() []Problem {
	var out []Problem
	for _, e := range v.unchained {
		switch {
		case v.opts.RequireKeyed:
			out = append(out, Problem{Kind: Unkeyed, Detail: "record without chain fields", ID: e.ID, TsNs: e.TimeNs})
		case e.Service != "" && v.chainedServices[e.Service]:
			out = append(out, Problem{Kind: Unchained, Detail: fmt.Sprintf("record without chain fields in service %s, whose records are chained", e.Service),
				ID: e.ID, TsNs: e.TimeNs})
		}
	}
	for _, service := range slices.Sorted(maps.Keys(v.unchainedMore)) {
		if v.opts.RequireKeyed || service != "" && v.chainedServices[service] {
			out = append(out, Problem{Kind: Unchained, Detail: fmt.Sprintf("%d more records without chain fields in service %s", v.unchainedMore[service], service)})
		}
	}
	return out
}

type chainWalk struct {
	id             string
	first, lastSeq int64
	records        int
	expectedPrev   string
	lastHash       string
	known, keyed   bool
	last           Entry
	heartbeat      bool
}

func (v *Verifier) startChain(id string, firstSeq int64) *chainWalk {
	c := &chainWalk{id: id, first: firstSeq, expectedPrev: selfaudit.GenesisPrev, known: true}
	if !v.opts.FromStart {
		c.known, c.lastSeq = false, firstSeq-1
	}
	return c
}

func (v *Verifier) endChain(c *chainWalk) {
	v.res.Chains = append(v.res.Chains, ChainSummary{ChainID: c.id, First: c.first, Last: c.lastSeq, Records: c.records, LastHash: c.lastHash})
	if v.Keep != nil {
		v.Keep(c.last)
	}
}

func (v *Verifier) problem(c *chainWalk, seq int64, kind, detail string, e *Entry) {
	p := Problem{ChainID: c.id, Seq: seq, Kind: kind, Detail: detail}
	if e != nil {
		p.ID, p.TsNs = e.ID, e.TimeNs
	}
	v.res.Problems = append(v.res.Problems, p)
}

func (v *Verifier) endPosition(c *chainWalk, p *position) {
	id, seq, res := c.id, p.seq, &v.res
	c.records++
	res.Checked += len(p.variants)
	if p.copies > 1 {
		res.Duplicates = append(res.Duplicates, Duplicate{id, seq, p.copies})
	}
	if seq != c.lastSeq+1 {
		v.problem(c, seq, Gap, fmt.Sprintf("seq %d..%d missing", c.lastSeq+1, seq-1), nil)
		c.known = false
	}
	if len(p.variants) > 1 {
		v.problem(c, seq, Conflict, fmt.Sprintf("%d different records at this position", len(p.variants)), &p.variants[0])
	}
	checkable := make([]bool, len(p.variants))
	for i, e := range p.variants {
		if e.KeyID != "" {
			if e.Computed == "" {
				v.problem(c, seq, UnknownKey, "no key "+e.KeyID+" to check it with", &p.variants[i])
				continue
			}
			checkable[i] = true
			continue
		}
		if c.keyed || v.opts.RequireKeyed {
			detail := "unkeyed record"
			if c.keyed {
				detail = "unkeyed record in a keyed chain"
			}
			v.problem(c, seq, Unkeyed, detail, &p.variants[i])
		}
		checkable[i] = true
	}
	for _, e := range p.variants {
		if e.KeyID != "" {
			c.keyed = true
		}
	}
	for i, e := range p.variants {
		if checkable[i] && e.Stored != e.Computed {
			v.problem(c, seq, HashMismatch, fmt.Sprintf("stored %s, content gives %s", e.Stored, e.Computed), &p.variants[i])
		}
		if c.known && e.Prev != c.expectedPrev {
			v.problem(c, seq, PrevMismatch, fmt.Sprintf("prev %s, the record before gives %s", e.Prev, c.expectedPrev), &p.variants[i])
		}
		if e.Moved != "" {
			v.problem(c, seq, Moved, e.Moved, &p.variants[i])
		}
	}
	c.known = len(p.variants) == 1 && checkable[0]
	c.expectedPrev, c.lastHash, c.lastSeq, c.last = p.variants[0].Computed, p.variants[0].Computed, seq, p.variants[0]
}

// FirstBreak is the earliest break by chain and position (missing-field records first), if any.
func (r Result) FirstBreak() (Problem, bool) {
	if len(r.Problems) == 0 {
		return Problem{}, false
	}
	return slices.MinFunc(r.Problems, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.ChainID, b.ChainID), cmp.Compare(a.Seq, b.Seq))
	}), true
}
