// Package rules is the one implementation of Attest's redaction rules in Go: the Collector's
// attest_redaction processor and the app's backend (which redacts its own records before it hashes
// them, so the Collector has nothing left to change) both call Value. Pinned by the shared planted
// secrets (instrumentation/test-vectors/secrets.json), like the package's redaction.
package rules

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
)

// redactString replaces every secret the patterns find in s by its marker, percent-encoded query
// values included.
func redactString(s string) string {
	s = redactQueries(s)
	var lower string
	digits := -1
	for _, p := range patterns {
		if len(p.hints) > 0 {
			if lower == "" {
				lower = strings.ToLower(s)
			}
			if !containsAny(lower, p.hints) {
				continue
			}
		}
		if p.digits > 0 {
			if digits < 0 {
				digits = countDigits(s)
			}
			if digits < p.digits {
				continue
			}
		}
		ms := p.re.FindAllStringSubmatchIndex(s, -1)
		if len(ms) == 0 {
			continue
		}
		var b strings.Builder
		last := 0
		for _, m := range ms {
			b.WriteString(s[last:m[0]])
			if strings.Contains(s[m[0]:m[1]], "[REDACTED:") {
				// Already redacted (by the producer, or an earlier pattern): kept as is, so redacting
				// twice changes nothing and a chained record's hash still verifies.
				b.WriteString(s[m[0]:m[1]])
			} else if p.keep != nil {
				b.WriteString(p.keep(s, m, marker(p.kind)))
			} else {
				b.WriteString(marker(p.kind))
			}
			last = m[1]
		}
		b.WriteString(s[last:])
		if out := b.String(); out != s {
			s, lower, digits = out, "", -1
		}
	}
	return s
}

// queryParam is one parameter of a URL query string whose value is encoded (%XX, or + for a space).
var queryParam = regexp.MustCompile(`([?&;][^=&#\s"']{1,128}=)([^&#\s"']*(?:%[0-9A-Fa-f]{2}|\+)[^&#\s"']*)`)

// redactQueries decodes each percent-encoded query value, and where the decoded text holds a secret,
// writes the redacted text back, encoded: a token escaped into a URL is still a token.
func redactQueries(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	return queryParam.ReplaceAllStringFunc(s, func(m string) string {
		sub := queryParam.FindStringSubmatch(m)
		decoded, err := url.QueryUnescape(sub[2])
		if err != nil {
			return m
		}
		if red := redactString(decoded); red != decoded {
			return sub[1] + url.QueryEscape(red)
		}
		return m
	})
}

// jsonToken: a string (a key when followed by a colon), a number, or an opening bracket.
var jsonToken = regexp.MustCompile(`("(?:[^"\\]|\\.)*")(\s*:)?|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|[\[{]`)

// redactJSON redacts a JSON text (audit.metadata, audit.changes) in place: the value of every
// secret-named field at any depth becomes its marker, and secrets inside strings (a URL's query, a
// connection string, a token, a card number) are replaced. Keys, order and everything else stay as
// written, and the text stays valid JSON.
func redactJSON(text string) string {
	var b strings.Builder
	last, pending := 0, ""
	for _, m := range jsonToken.FindAllStringSubmatchIndex(text, -1) {
		tok := text[m[0]:m[1]]
		repl := tok
		switch {
		case m[2] >= 0 && m[4] >= 0: // a key
			key := text[m[2]+1 : m[3]-1]
			if strings.Contains(key, `\`) && json.Unmarshal([]byte(text[m[2]:m[3]]), &key) != nil {
				key = ""
			}
			pending = secretFieldKind(key)
		case tok == "{" || tok == "[":
			// A secret-named object or array: its own keys and values are scanned one by one.
			pending = ""
		case pending != "" && tok != `""`:
			repl, pending = `"`+marker(pending)+`"`, ""
		case m[2] >= 0: // a string value: scanned inside its quotes, which stay
			pending = ""
			repl = `"` + redactString(tok[1:len(tok)-1]) + `"`
		default:
			// A number or a literal, kept: like the package, card numbers are looked for in strings
			// only (a nanosecond timestamp passes Luhn one time in ten).
			pending = ""
		}
		b.WriteString(text[last:m[0]])
		b.WriteString(repl)
		last = m[1]
	}
	b.WriteString(text[last:])
	return b.String()
}

// looksLikeJSON: an object or array, as audit.metadata and audit.changes are.
func looksLikeJSON(s string) bool {
	t := strings.TrimSpace(s)
	return len(t) >= 2 && ((t[0] == '{' && t[len(t)-1] == '}') || (t[0] == '[' && t[len(t)-1] == ']'))
}

// Value redacts one string attribute (key: its name) or a body (key ""): what the rules find is
// replaced by its marker [REDACTED:<kind>]; a value without a secret comes back byte for byte, and
// redacting twice changes nothing.
func Value(key, value string) string { return redactValue(key, value) }

// IgnoredKeys are the attributes a producer sets itself (identifiers, enums, chain fields): left
// exactly as they are by every redactor, so a chain hash reaches Loki as it was computed.
var IgnoredKeys = []string{"audit.id", "audit.event", "audit.category", "audit.action", "audit.outcome",
	"audit.actor.type", "audit.request.id", "audit.compliance", "audit.chain.id", "audit.chain.seq",
	"audit.chain.prev", "audit.chain.hash", "audit.chain.key_id", "audit.target.type", "client.address",
	"session.id", "user.roles", "service.name", "deployment.environment.name"}

// redactValue redacts one string attribute or body: the whole value when its key names a secret,
// else what the JSON walk or the patterns find.
func redactValue(key, value string) string {
	if value == "" {
		return value
	}
	if key != "" {
		if kind := secretFieldKind(key); kind != "" {
			return marker(kind)
		}
	}
	if !mightHoldSecret(value) {
		return value
	}
	if looksLikeJSON(value) && json.Valid([]byte(value)) {
		return redactJSON(value)
	}
	return redactString(value)
}

// fieldHints are the secret field words as they appear in JSON keys, lowercased (apiKey, api_key, …).
var fieldHints = func() []string {
	out := []string{"api_key", "api-key", "private_key", "private-key", "access_key", "access-key", "secret_key",
		"client_secret", "card_number", "cardnumber", "set-cookie"}
	for w := range secretWords {
		out = append(out, w)
	}
	return out
}()

// mightHoldSecret is a cheap test over the whole value: false only when no pattern's literal, no
// secret field word and no run of 13 digits occurs in it, so it cannot hold anything to redact.
// Most values of most events stop here.
func mightHoldSecret(s string) bool {
	// In JSON, numbers are data (timestamps): only digits inside strings can be a card number.
	if digitRun(s, looksLikeJSON(s)) >= 13 {
		return true
	}
	return anyHint.in(s)
}

// anyHint matches every pattern's literals and every secret field word.
var anyHint = func() *matcher {
	words := append([]string{}, fieldHints...)
	for _, p := range patterns {
		words = append(words, p.hints...)
	}
	return newMatcher(words)
}()

// digitRun is the longest run of digits in s, single spaces or dashes between them allowed (the
// shape of a card number); with inStrings, only runs inside JSON string literals count.
func digitRun(s string, inStrings bool) int {
	longest, run, sep, quoted := 0, 0, false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if inStrings {
			if c == '"' {
				quoted, run, sep = !quoted, 0, false
				continue
			}
			if c == '\\' && quoted {
				i++
				run, sep = 0, false
				continue
			}
			if !quoted {
				continue
			}
		}
		switch {
		case c >= '0' && c <= '9':
			run++
			sep = false
			longest = max(longest, run)
		case (c == ' ' || c == '-') && run > 0 && !sep:
			sep = true
		default:
			run, sep = 0, false
		}
	}
	return longest
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}
