package selfaudit

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/attest/auditlog/collector/attestredaction/rules"
)

// Every planted secret a person can type into what the backend records (search text, filter values,
// export and report names, a Grafana user's name) is gone before the record is hashed, and the
// Collector's redaction then finds nothing to change: the record reaches Loki as it was hashed.
func TestSecretsAreRedactedBeforeTheHashAndTheCollectorChangesNothing(t *testing.T) {
	raw, err := os.ReadFile("../../instrumentation/test-vectors/secrets.json")
	if err != nil {
		t.Fatal(err)
	}
	var vectors struct {
		Cases []struct{ Kind, Text, Secret string }
	}
	if err := json.Unmarshal(raw, &vectors); err != nil || len(vectors.Cases) < 20 {
		t.Fatalf("vectors: %v", err)
	}
	var bodies [][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, b)
	}))
	defer srv.Close()
	em := NewEmitter(srv.URL, "test")
	em.Key, em.KeyID = []byte("0123456789abcdef0123456789abcdef"), "k1"
	for _, c := range vectors.Cases {
		ev := Event{Type: "audit.log.viewed", Category: "COMPLIANCE", Action: "read", Outcome: "success", Severity: "INFO",
			Description: "searched for " + c.Text, ActorID: "ann", ActorName: "Ann " + c.Text, TargetName: "export " + c.Text,
			Metadata: map[string]any{"search": c.Text, "actor": c.Text}, Changes: map[string]any{"after": map[string]any{"name": c.Text}}}
		if _, err := em.Record(context.Background(), "acme", ev); err != nil {
			t.Fatal(err)
		}
	}
	for i, b := range bodies {
		c := vectors.Cases[i]
		var doc struct {
			ResourceLogs []struct {
				ScopeLogs []struct {
					LogRecords []struct {
						TimeUnixNano string `json:"timeUnixNano"`
						Body         struct {
							StringValue string `json:"stringValue"`
						} `json:"body"`
						Attributes []struct {
							Key   string `json:"key"`
							Value struct {
								StringValue *string `json:"stringValue"`
							} `json:"value"`
						} `json:"attributes"`
					} `json:"logRecords"`
				} `json:"scopeLogs"`
			} `json:"resourceLogs"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		lr := doc.ResourceLogs[0].ScopeLogs[0].LogRecords[0]
		if strings.Contains(lr.Body.StringValue, c.Secret) || rules.Value("", lr.Body.StringValue) != lr.Body.StringValue {
			t.Errorf("%s: body %q", c.Kind, lr.Body.StringValue)
		}
		for _, a := range lr.Attributes {
			if a.Value.StringValue == nil {
				continue
			}
			v := *a.Value.StringValue
			if strings.Contains(v, c.Secret) {
				t.Errorf("%s: %s holds the secret: %q", c.Kind, a.Key, v)
			}
			if !slices.Contains(rules.IgnoredKeys, a.Key) && rules.Value(a.Key, v) != v {
				t.Errorf("%s: the Collector would change %s after the hash: %q", c.Kind, a.Key, v)
			}
		}
	}
}
