package rules

import (
	"encoding/json"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
)

type secretCase struct{ Kind, Text, Secret string }

func sharedCases(t *testing.T) []secretCase {
	t.Helper()
	raw, err := os.ReadFile("../../../instrumentation/test-vectors/secrets.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Cases []secretCase }
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) < 20 {
		t.Fatalf("only %d cases", len(f.Cases))
	}
	return f.Cases
}

// Every kind the package removes, as a plain value, inside a JSON string and inside a URL query.
func TestTheSharedSecretsAreRemovedInEveryShape(t *testing.T) {
	for _, c := range sharedCases(t) {
		out := redactValue("audit.description", c.Text)
		if strings.Contains(out, c.Secret) || !strings.Contains(out, marker(c.Kind)) {
			t.Errorf("plain %s: %q", c.Kind, out)
		}
		u := "https://api.example.com/v1/items?page=2&note=" + url.QueryEscape(c.Text) + "&sort=name"
		out = redactValue("url.full", u)
		if plain, _ := url.QueryUnescape(out); strings.Contains(plain, c.Secret) || !strings.Contains(out, "page=2&") {
			t.Errorf("URL %s: %s", c.Kind, out)
		}
		js, _ := json.Marshal(map[string]any{"after": map[string]any{"note": c.Text}, "n": 1})
		out = redactValue("audit.changes", string(js))
		if !json.Valid([]byte(out)) {
			t.Errorf("JSON %s: no longer JSON: %s", c.Kind, out)
		}
		var back map[string]any
		_ = json.Unmarshal([]byte(out), &back)
		if flat, _ := json.Marshal(back); strings.Contains(string(flat), c.Secret) || strings.Contains(out, c.Secret) {
			t.Errorf("JSON %s: %s", c.Kind, out)
		}
	}
}

func TestSecretNamedFieldsInsideJSONAtAnyDepth(t *testing.T) {
	in := `{"before":{"db_password":"hunter2","status":"idle"},"after":{"nested":{"apiKey":42,"clientSecret":"s3"},"pin":"1234","cardNumber":4111111111111111,"tokensUsed":7}}`
	// Secret-named fields lose their value whatever its type.
	out := redactValue("audit.changes", in)
	for _, secret := range []string{"hunter2", `"apiKey":42`, `"s3"`, `"1234"`, "4111111111111111"} {
		if strings.Contains(out, secret) {
			t.Errorf("%s kept: %s", secret, out)
		}
	}
	if !strings.Contains(out, `"tokensUsed":7`) || !strings.Contains(out, `"status":"idle"`) || !json.Valid([]byte(out)) {
		t.Errorf("too much removed or broken: %s", out)
	}
	if strings.Index(out, `"before"`) > strings.Index(out, `"after"`) {
		t.Errorf("order changed: %s", out)
	}
}

func TestAURLQueryAndACardNumberStoredAsANumber(t *testing.T) {
	out := redactValue("url.full", "https://api.example.com/cb?state=1&access_token=ya29.A0abc&client_secret=xyz")
	if strings.Contains(out, "ya29.A0abc") || strings.Contains(out, "xyz") || !strings.Contains(out, "state=1") {
		t.Errorf("url: %s", out)
	}
	// Card numbers are looked for in strings, as the package does; numbers are data (timestamps).
	out = redactValue("audit.metadata", `{"pan":"4111 1111 1111 1111","ts":1767225603000000000}`)
	if strings.Contains(out, "4111 1111") || !strings.Contains(out, "1767225603000000000") || !json.Valid([]byte(out)) {
		t.Errorf("numbers: %s", out)
	}
}

func TestWhatIsNotSecretStaysByteForByte(t *testing.T) {
	for _, s := range []string{
		`{"before":{"status":"idle"},"after":{"status":"busy"}}`,
		"Invoice 2291 approved by ana@example.com",
		"passenger list updated; tokensUsed=12",
		"order 4111111111111112 shipped",
		"https://example.com/a?page=2&sort=name",
	} {
		if out := redactValue("audit.metadata", s); out != s {
			t.Errorf("changed: %q -> %q", s, out)
		}
	}
	if out := redactValue("db.password", "hunter2"); out != "[REDACTED:password]" {
		t.Errorf("a secret-named attribute: %q", out)
	}
}

func TestRedactingTwiceChangesNothing(t *testing.T) {
	for _, c := range sharedCases(t) {
		js, _ := json.Marshal(map[string]any{"after": map[string]any{"note": c.Text, "callback": "https://x.example/cb?access_token=" + c.Secret + "&x=1"}})
		for _, v := range []string{c.Text, string(js), "https://a.example/?note=" + url.QueryEscape(c.Text)} {
			once := redactValue("audit.metadata", v)
			if twice := redactValue("audit.metadata", once); twice != once {
				t.Errorf("%s: redacting again changed\n%s\nto\n%s", c.Kind, once, twice)
			}
		}
	}
}

// The package's own markers are left as they are: its output reaches Loki byte for byte.
func TestThePackagesMarkersAreKept(t *testing.T) {
	for _, v := range []string{
		"https://app.example.com/cb?access_token=[REDACTED:url_token]&x=1",
		"DB_PASSWORD: [REDACTED:password]",
		"SERVICE_SECRET=[REDACTED:secret]",
		"postgres://app:[REDACTED:password]@db:5432/x",
		"Authorization: Bearer [REDACTED:bearer_token]",
		`{"before":{"password":"[REDACTED:password]","nested":{"apiKey":"[REDACTED:api_key]"}},"after":{"callback":"https://a/?token=[REDACTED:url_token]"}}`,
	} {
		if out := redactValue("audit.metadata", v); out != v {
			t.Errorf("changed:\n%s\n%s", v, out)
		}
	}
}

// A typical event's values, for `go test -bench .`: most hold nothing to redact.
func BenchmarkRedactTypicalValues(b *testing.B) {
	values := map[string]string{
		"":           "Invoice INV-2026-0042 amount corrected by eva@initech.example",
		"user.email": "eva@initech.example", "user.name": "Eva Lindqvist", "audit.target.name": "Invoice INV-2026-0042",
		"user_agent.original": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36",
		"audit.changes":       `{"before":{"amount":1200,"status":"draft"},"after":{"amount":1150,"status":"approved"}}`,
		"audit.metadata":      `{"ticket":"OPS-7","ip":"203.0.113.9","ts":1767225603000,"path":"/api/v1/invoices/42"}`,
	}
	for i := 0; i < b.N; i++ {
		for k, v := range values {
			redactValue(k, v)
		}
	}
}

func TestTheHintMatcherFindsEveryWordInAnyCase(t *testing.T) {
	m := newMatcher([]string{"he", "she", "hers", "api_key"})
	for s, want := range map[string]bool{"uSHErs": true, "a HE b": true, "hxrs": false, "": false, "my API_KEY=1": true, "api-key": false} {
		if got := m.in(s); got != want {
			t.Errorf("%q: %v", s, got)
		}
	}
}

// A timestamp is data, not a card number, even when its digits pass Luhn.
func TestATimestampThatPassesLuhnIsNotACard(t *testing.T) {
	ts := "1796570000000000001"
	for !luhnValid(ts) {
		n, _ := strconv.ParseInt(ts, 10, 64)
		ts = strconv.FormatInt(n+1, 10)
	}
	for _, v := range []string{ts, `{"from":"` + ts + `"}`} {
		if out := redactValue("audit.metadata", v); out != v {
			t.Errorf("%s became %s", v, out)
		}
	}
}

// A UUID whose first groups are all digits and pass Luhn is an id, not a card number; a card is still one.
func TestAUUIDIsNotACard(t *testing.T) {
	id := "41424219-6433-4899-9796-c74d7c64e568"
	if !luhnValid("41424219-6433-4899") {
		t.Fatal("the example's first groups must pass Luhn")
	}
	for _, v := range []string{id, "report " + id + " deleted", `{"job":"` + id + `"}`} {
		if out := redactValue("audit.metadata", v); out != v {
			t.Errorf("%s became %s", v, out)
		}
	}
	if out := redactValue("audit.metadata", "card 4111-1111-1111-1111 beside "+id); strings.Contains(out, "4111-1111") || !strings.Contains(out, id) {
		t.Errorf("got %s", out)
	}
}
