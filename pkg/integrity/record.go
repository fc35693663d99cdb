// Package integrity verifies the hash chains of audit records as Loki returns them: the Go twin of the
// package's verifyChain (instrumentation/src/verifyChain.ts), pinned by the same test vectors
// (instrumentation/test-vectors/chain-verify.json).
package integrity

import (
	"strconv"
	"strings"

	"github.com/attest/auditlog/pkg/schema"
	"github.com/attest/auditlog/pkg/selfaudit"
)

// Record is one audit record with the fields its hash covers, under Loki's names (labels and
// structured metadata merged; dots in attribute names are underscores).
type Record struct {
	TimeUnixNano int64
	Line         string
	Labels       map[string]string
}

var lokiPrefixes = []string{"audit_", "user_", "client_", "session_"}

// Covered is the record's fields as the canonical form reads them: every covered label but the hash,
// under a name whose dots-to-underscores form is the Loki name (docs/hash-chain.md).
func (r Record) covered() map[string]any {
	attrs := map[string]any{}
	for k, v := range r.Labels {
		if k == schema.MetaChainHash {
			continue
		}
		for _, p := range lokiPrefixes {
			if strings.HasPrefix(k, p) {
				attrs[strings.Replace(k, "_", ".", 1)] = v
				break
			}
		}
	}
	return attrs
}

// Hash recomputes the record's hash from its content: HMAC under secret when the record is keyed.
func (r Record) Hash(secret []byte) string {
	if secret != nil {
		return selfaudit.KeyedHash(secret, r.TimeUnixNano, r.Labels[schema.LabelSeverity], r.Line, r.covered())
	}
	return selfaudit.Hash(r.TimeUnixNano, r.Labels[schema.LabelSeverity], r.Line, r.covered())
}

// identity is the whole record as covered, plus its stored hash: equal identities are the same record.
func (r Record) identity() string {
	return string(selfaudit.Canonical(r.TimeUnixNano, r.Labels[schema.LabelSeverity], r.Line, r.covered())) +
		"\x00" + r.Labels[schema.MetaChainHash]
}

// moved says where the record was moved from: the stream its hash names, when it was read from
// another (both known).
func (r Record) moved() string {
	for _, p := range []struct{ what, own, read string }{
		{"service", r.Labels[schema.MetaChainService], r.Labels[schema.LabelService]},
		{"environment", r.Labels[schema.MetaChainEnvironment], r.Labels[schema.LabelEnvironment]},
	} {
		if p.own != "" && p.read != "" && p.own != p.read {
			return "recorded in " + p.what + " " + p.own + ", read from " + p.what + " " + p.read
		}
	}
	return ""
}

func (r Record) chain() (string, int64, bool) {
	id := r.Labels[schema.MetaChainID]
	seq, err := strconv.ParseInt(r.Labels[schema.MetaChainSeq], 10, 64)
	return id, seq, id != "" && err == nil && seq >= 1
}
