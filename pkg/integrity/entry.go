package integrity

import (
	"crypto/sha256"

	"github.com/attest/auditlog/pkg/schema"
)

// Entry is what a verification keeps of one record: its position, its stored and recomputed hashes
// and a digest of its whole content, not the content itself, so a range of a million records fits
// in a few hundred megabytes. Made once per record as it is read (Compact).
type Entry struct {
	ChainID string
	Seq     int64
	// Chained is false for a record without a valid audit.chain.id / audit.chain.seq; Unchained is true
	// when it has neither (a producer that does not chain, rather than a damaged record).
	Chained   bool
	Unchained bool
	ID        string
	TimeNs    int64
	Service   string
	Event     string
	Stored    string
	Prev      string
	KeyID     string
	// Moved says where the record was moved from, when it was read from another service's or
	// environment's stream than the one its hash names (audit.chain.service / .environment).
	Moved string
	// Computed is the hash recomputed from content; empty when the record names a key not held.
	Computed string
	// Identity is a digest of the whole record as covered plus its stored hash: equal identities are
	// the same record delivered again.
	Identity [sha256.Size]byte
}

// Interner shares the strings many entries repeat (chain ids, services, event types).
type Interner map[string]string

func (in Interner) of(s string) string {
	if v, ok := in[s]; ok {
		return v
	}
	in[s] = s
	return s
}

// Compact recomputes r's hash (under keys[its key id] when keyed) and keeps what Verify needs.
func Compact(r Record, keys map[string][]byte, in Interner) Entry {
	if in == nil {
		in = Interner{}
	}
	id, seq, ok := r.chain()
	e := Entry{ChainID: in.of(id), Seq: seq, Chained: ok, Unchained: r.Labels[schema.MetaChainID] == "" && r.Labels[schema.MetaChainSeq] == "", ID: r.Labels[schema.MetaID], TimeNs: r.TimeUnixNano,
		Service: in.of(r.Labels[schema.LabelService]), Event: in.of(r.Labels[schema.MetaEvent]),
		Stored: r.Labels[schema.MetaChainHash], Prev: r.Labels[schema.MetaChainPrev], KeyID: in.of(r.Labels[schema.MetaChainKeyID])}
	e.Moved = r.moved()
	if e.KeyID == "" {
		e.Computed = r.Hash(nil)
	} else if secret, ok := keys[e.KeyID]; ok {
		e.Computed = r.Hash(secret)
	}
	e.Identity = sha256.Sum256([]byte(r.identity()))
	return e
}

// CompactAll is Compact over a list.
func CompactAll(records []Record, keys map[string][]byte) []Entry {
	in := Interner{}
	out := make([]Entry, len(records))
	for i, r := range records {
		out[i] = Compact(r, keys, in)
	}
	return out
}
