package rules

import (
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
)

// The secret kinds of the @attest/otel-audit package (instrumentation/src/redaction/patterns.ts),
// in RE2: where the package uses a lookahead, the character after the secret is captured and put
// back. Both are checked against instrumentation/test-vectors/secrets.json.
type pattern struct {
	kind string
	re   *regexp.Regexp
	// keep builds the replacement of one match (its submatches as indexes into s); nil: the marker.
	keep func(s string, m []int, marker string) string
	// hints: a match contains one of these literals (lowercase), so a value with none skips the regex.
	hints []string
	// digits: a match holds at least this many digits, so a value with fewer skips the regex.
	digits int
}

func marker(kind string) string { return "[REDACTED:" + kind + "]" }

// prefix keeps group 1 and puts the marker after it, then group `tail` when the pattern has one.
func prefix(tail int) func(string, []int, string) string {
	return func(s string, m []int, mk string) string {
		out := s[m[2]:m[3]] + mk
		if tail > 0 && m[2*tail] >= 0 {
			out += s[m[2*tail]:m[2*tail+1]]
		}
		return out
	}
}

var patterns = []pattern{
	{kind: "private_key", hints: []string{"private key"}, re: regexp.MustCompile(`-----BEGIN[A-Z0-9 ]{0,40} PRIVATE KEY( BLOCK)?-----(?s:.*?)(?:-----END[A-Z0-9 ]{0,40} PRIVATE KEY( BLOCK)?-----|$)`)},
	{kind: "password", hints: []string{"://"}, re: regexp.MustCompile(`(?i)(://[^\s:/@?#"']{0,256}:)[^\s@/?#"']{1,512}(@)`), keep: prefix(2)},
	{kind: "url_token", hints: []string{"="}, re: regexp.MustCompile(`(?i)([?&;](?:access_token|id_token|refresh_token|auth_token|token|api_key|apikey|key|secret|client_secret|password|passwd|pwd|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|code)=)[^&#\s"']+`), keep: prefix(0)},
	{kind: "cookie", hints: []string{"cookie"}, re: regexp.MustCompile(`(?i)\b((?:set-)?cookie\s*:\s*)[^\r\n"]+`), keep: prefix(0)},
	{kind: "jwt", hints: []string{"eyj"}, re: regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*`)},
	{kind: "bearer_token", hints: []string{"bearer"}, re: regexp.MustCompile(`(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}`), keep: prefix(0)},
	{kind: "basic_auth", hints: []string{"basic"}, re: regexp.MustCompile(`(?i)\b(basic\s+)[A-Za-z0-9+/]{8,}={0,2}`), keep: prefix(0)},
	{kind: "aws_access_key", hints: []string{"akia", "asia", "agpa", "aida", "aroa", "anpa", "anva", "aipa"}, re: regexp.MustCompile(`\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\b`)},
	{kind: "github_token", hints: []string{"gh", "github_pat_"}, re: regexp.MustCompile(`\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b`)},
	{kind: "slack_token", hints: []string{"xox"}, re: regexp.MustCompile(`\bxox[abposr]-[A-Za-z0-9-]{10,}`)},
	{kind: "slack_webhook", hints: []string{"hooks.slack.com"}, re: regexp.MustCompile(`https://hooks\.slack\.com/services/[A-Za-z0-9/_-]+`)},
	{kind: "stripe_key", hints: []string{"_live_", "_test_", "whsec_"}, re: regexp.MustCompile(`\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}\b|\bwhsec_[A-Za-z0-9]{20,}\b`)},
	{kind: "google_api_key", hints: []string{"aiza"}, re: regexp.MustCompile(`\bAIza[0-9A-Za-z_-]{35}\b`)},
	{kind: "npm_token", hints: []string{"npm_"}, re: regexp.MustCompile(`\bnpm_[A-Za-z0-9]{36}\b`)},
	{kind: "api_key", hints: []string{"sk-"}, re: regexp.MustCompile(`\bsk-(?:proj-|ant-api\d\d-)?[A-Za-z0-9_-]{20,}`)},
	// NAME=value / NAME: value where NAME holds a password or secret word not followed by a letter.
	{kind: "secret", hints: []string{"pass", "pwd", "secret", "token", "key", "credential"}, re: regexp.MustCompile(`(?i)((password|passwd|pwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credentials?)(?:[0-9_.-][A-Za-z0-9_.-]{0,39})?["']?\s{0,4}[=:]\s{0,4}["']?)[^\s"'&,;]+`),
		keep: func(s string, m []int, _ string) string {
			word := strings.ToLower(s[m[4]:m[5]])
			kind := "secret"
			if strings.Contains(word, "pass") || strings.Contains(word, "pwd") {
				kind = "password"
			}
			return s[m[2]:m[3]] + marker(kind)
		}},
	// Payment card numbers start with 2 to 6 (ISO/IEC 7812): a nanosecond or millisecond timestamp
	// (which starts with 1 until 2033) is data even when its digits pass Luhn.
	// Nor is a run of digit groups inside a UUID (a job or event id whose first groups are all digits).
	{kind: "card_number", digits: 13, re: regexp.MustCompile(`\b[2-6](?:[ -]?\d){12,18}\b`),
		keep: func(s string, m []int, mk string) string {
			if luhnValid(s[m[0]:m[1]]) && !insideUUID(s, m[0], m[1]) {
				return mk
			}
			return s[m[0]:m[1]]
		}},
}

var uuidRE = regexp.MustCompile(`[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}`)

// insideUUID says whether s[from:to] lies within a UUID (8-4-4-4-12 hex digits).
func insideUUID(s string, from, to int) bool {
	lo, hi := max(0, from-36), min(len(s), to+36)
	for _, u := range uuidRE.FindAllStringIndex(s[lo:hi], -1) {
		if lo+u[0] <= from && to <= lo+u[1] {
			return true
		}
	}
	return false
}

// luhnValid: the Luhn checksum over the digits of s (spaces and dashes ignored), 13 to 19 digits.
func luhnValid(s string) bool {
	sum, digits, double := 0, 0, false
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if c < '0' || c > '9' {
			continue
		}
		d := int(c - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
		digits++
	}
	return digits >= 13 && digits <= 19 && sum%10 == 0
}

// secretWords and secretPairs name secret fields (any naming style), as the package's
// SECRET_FIELD_WORDS and SECRET_FIELD_PAIRS.
var secretWords = map[string]string{
	"password": "password", "passwd": "password", "pwd": "password", "passphrase": "password",
	"secret": "secret", "secrets": "secret", "token": "token", "apikey": "api_key",
	"credential": "credential", "credentials": "credential", "cookie": "cookie", "cookies": "cookie",
	"authorization": "authorization", "privatekey": "private_key", "cvv": "card_cvv", "cvc": "card_cvv",
	"pin": "pin", "otp": "otp", "mfa": "otp", "totp": "otp",
}

var secretPairs = map[string]string{
	"api key": "api_key", "private key": "private_key", "access key": "api_key", "secret key": "secret",
	"client secret": "secret", "card number": "card_number", "set cookie": "cookie",
}

var (
	camel1  = regexp.MustCompile(`([a-z0-9])([A-Z])`)
	camel2  = regexp.MustCompile(`([A-Z]+)([A-Z][a-z])`)
	nonWord = regexp.MustCompile(`[^a-z0-9]+`)
)

// fieldWords splits a field name into lowercase words: userPassword → user password, api_key → api key.
func fieldWords(name string) []string {
	s := camel2.ReplaceAllString(camel1.ReplaceAllString(name, "$1 $2"), "$1 $2")
	var out []string
	for _, w := range nonWord.Split(strings.ToLower(s), -1) {
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}

// fieldKinds caches secretFieldKind: field names repeat from event to event (bounded: names are
// producer data).
var (
	fieldKinds     sync.Map
	fieldKindCount atomic.Int64
)

const maxFieldKinds = 10_000

// secretFieldKind is the kind of secret a field name denotes, or "".
func secretFieldKind(name string) string {
	if k, ok := fieldKinds.Load(name); ok {
		return k.(string)
	}
	k := classifyField(name)
	if len(name) <= 128 && fieldKindCount.Load() < maxFieldKinds {
		fieldKindCount.Add(1)
		fieldKinds.Store(name, k)
	}
	return k
}

func classifyField(name string) string {
	words := fieldWords(name)
	for i, w := range words {
		if k, ok := secretWords[w]; ok {
			return k
		}
		if i+1 < len(words) {
			if k, ok := secretPairs[w+" "+words[i+1]]; ok {
				return k
			}
		}
	}
	return ""
}
