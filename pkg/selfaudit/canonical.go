// Package selfaudit records the backend's own actions (viewing the trail, refusals, exports, settings
// changes) as audit events: OTLP/HTTP to the Collector, in the caller's tenant, hash-chained per
// backend instance and tenant with the canonical form of instrumentation/docs/hash-chain.md.
package selfaudit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
)

// GenesisPrev is audit.chain.prev of seq 1.
var GenesisPrev = strings.Repeat("0", 64)

type pair struct{ name, value string }

var coveredPrefixes = []string{"audit.", "user.", "user_agent.", "client.", "session."}

// Canonical is the byte string a record's hash covers (instrumentation/docs/hash-chain.md, version 1).
// attrs holds string, int64/int and bool values; anything else and empty strings are not covered.
func Canonical(timeUnixNano int64, severityText, body string, attrs map[string]any) []byte {
	pairs := []pair{{"time_unix_nano", strconv.FormatInt(timeUnixNano, 10)}}
	if severityText != "" {
		pairs = append(pairs, pair{"severity_text", severityText})
	}
	if body != "" {
		pairs = append(pairs, pair{"body", body})
	}
	for name, v := range attrs {
		if name == "audit.chain.hash" || !slices.ContainsFunc(coveredPrefixes, func(p string) bool { return strings.HasPrefix(name, p) }) {
			continue
		}
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case int64:
			s = strconv.FormatInt(x, 10)
		case int:
			s = strconv.Itoa(x)
		case bool:
			s = strconv.FormatBool(x)
		default:
			continue
		}
		if s == "" {
			continue
		}
		pairs = append(pairs, pair{strings.ReplaceAll(name, ".", "_"), s})
	}
	slices.SortFunc(pairs, func(a, b pair) int { return strings.Compare(a.name, b.name) })
	var b strings.Builder
	for _, p := range pairs {
		b.WriteString(strconv.Itoa(len(p.name)))
		b.WriteByte(':')
		b.WriteString(p.name)
		b.WriteString(strconv.Itoa(len(p.value)))
		b.WriteByte(':')
		b.WriteString(p.value)
	}
	return []byte(b.String())
}

// Hash is lowercase hex SHA-256 of the canonical form.
func Hash(timeUnixNano int64, severityText, body string, attrs map[string]any) string {
	sum := sha256.Sum256(Canonical(timeUnixNano, severityText, body, attrs))
	return hex.EncodeToString(sum[:])
}

// KeyedHash is lowercase hex HMAC-SHA256 of the canonical form under a chain key (the record must
// carry audit.chain.key_id).
func KeyedHash(secret []byte, timeUnixNano int64, severityText, body string, attrs map[string]any) string {
	m := hmac.New(sha256.New, secret)
	m.Write(Canonical(timeUnixNano, severityText, body, attrs))
	return hex.EncodeToString(m.Sum(nil))
}
