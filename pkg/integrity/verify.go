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
)

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
	fromStart := opts.FromStart
	res := Result{Problems: []Problem{}, Duplicates: []Duplicate{}, Chains: []ChainSummary{}}
	chains := map[string]map[int64]*position{}
	for _, r := range entries {
		if r.Unchained {
			res.Unchained++
			continue
		}
		if !r.Chained {
			res.Problems = append(res.Problems, Problem{ChainID: r.ChainID, Kind: MissingFields,
				Detail: "record without audit.chain.id / audit.chain.seq", ID: r.ID})
			continue
		}
		id, seq := r.ChainID, r.Seq
		c := chains[id]
		if c == nil {
			c = map[int64]*position{}
			chains[id] = c
		}
		switch p := c[seq]; {
		case p == nil:
			c[seq] = &position{variants: []Entry{r}, identities: [][32]byte{r.Identity}, copies: 1}
		case p.identities[0] == r.Identity:
			p.copies++
		case !slices.Contains(p.identities, r.Identity):
			p.variants = append(p.variants, r)
			p.identities = append(p.identities, r.Identity)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(chains)) {
		c := chains[id]
		seqs := slices.Sorted(maps.Keys(c))
		expectedPrev, lastSeq := selfaudit.GenesisPrev, int64(0)
		known := true
		if !fromStart {
			known, lastSeq = false, seqs[0]-1
		}
		var lastHash string
		keyed := false
		for _, seq := range seqs {
			p := c[seq]
			res.Checked += len(p.variants)
			if p.copies > 1 {
				res.Duplicates = append(res.Duplicates, Duplicate{id, seq, p.copies})
			}
			if seq != lastSeq+1 {
				res.Problems = append(res.Problems, Problem{ChainID: id, Seq: seq, Kind: Gap,
					Detail: fmt.Sprintf("seq %d..%d missing", lastSeq+1, seq-1)})
				known = false
			}
			if len(p.variants) > 1 {
				res.Problems = append(res.Problems, Problem{ChainID: id, Seq: seq, Kind: Conflict,
					Detail: fmt.Sprintf("%d different records at this position", len(p.variants)), ID: p.variants[0].ID})
			}
			checkable := make([]bool, len(p.variants))
			for i, v := range p.variants {
				if v.KeyID != "" {
					if v.Computed == "" {
						res.Problems = append(res.Problems, Problem{ChainID: id, Seq: seq, Kind: UnknownKey,
							Detail: "no key " + v.KeyID + " to check it with", ID: v.ID})
						continue
					}
					checkable[i] = true
					continue
				}
				if keyed || opts.RequireKeyed {
					detail := "unkeyed record"
					if keyed {
						detail = "unkeyed record in a keyed chain"
					}
					res.Problems = append(res.Problems, Problem{ChainID: id, Seq: seq, Kind: Unkeyed, Detail: detail, ID: v.ID})
				}
				checkable[i] = true
			}
			for _, v := range p.variants {
				if v.KeyID != "" {
					keyed = true
				}
			}
			for i, v := range p.variants {
				if checkable[i] && v.Stored != v.Computed {
					res.Problems = append(res.Problems, Problem{ChainID: id, Seq: seq, Kind: HashMismatch,
						Detail: fmt.Sprintf("stored %s, content gives %s", v.Stored, v.Computed), ID: v.ID})
				}
				if known && v.Prev != expectedPrev {
					res.Problems = append(res.Problems, Problem{ChainID: id, Seq: seq, Kind: PrevMismatch,
						Detail: fmt.Sprintf("prev %s, the record before gives %s", v.Prev, expectedPrev), ID: v.ID})
				}
			}
			known = len(p.variants) == 1 && checkable[0]
			expectedPrev, lastHash, lastSeq = p.variants[0].Computed, p.variants[0].Computed, seq
		}
		res.Chains = append(res.Chains, ChainSummary{ChainID: id, First: seqs[0], Last: seqs[len(seqs)-1], Records: len(seqs), LastHash: lastHash})
	}
	res.OK = len(res.Problems) == 0
	return res
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
