package plugin

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/attest/auditlog/pkg/seal"
	"github.com/attest/auditlog/pkg/selfaudit"
)

// A change that fails is recorded twice. The second record seals the clear values again: a token
// sealed inside a token would show a reader the first token, and hide the person from erasure.
func TestAFailedChangeIsSealedOnce(t *testing.T) {
	stub := &collectorStub{}
	a := appWithData(t, stub)
	c := &caller{User: backend.User{Login: "admin", Role: "Admin"}, OrgID: 1, Tenant: "acme"}
	e := selfaudit.Event{Type: "audit.alert.updated", Category: "COMPLIANCE", Action: "update",
		TargetType: "alert_rule", TargetID: "r1", TargetName: "Logins of jane.doe",
		Metadata: map[string]any{"actors": []string{"jane.doe"}},
		Changes:  map[string]any{"before": map[string]any{"actor": "jane.doe"}, "after": map[string]any{"actor": "john.roe"}}}
	err := a.change(context.Background(), c, e, func() error { return errors.New("Grafana refused it") })
	if err == nil || len(stub.bodies) != 2 {
		t.Fatalf("error %v, %d records", err, len(stub.bodies))
	}
	token := regexp.MustCompile(regexp.QuoteMeta(seal.Prefix) + `[0-9a-f]+:[A-Za-z0-9_-]+`)
	for i, body := range stub.bodies {
		if strings.Contains(body, "jane.doe") || strings.Contains(body, "john.roe") {
			t.Fatalf("record %d holds a name in clear: %s", i, body)
		}
		found := token.FindAllString(body, -1)
		if len(found) < 4 {
			t.Fatalf("record %d: %d sealed values, want 4: %s", i, len(found), body)
		}
		for _, tok := range found {
			if clear := a.seals().Reveal(context.Background(), "acme", tok); strings.HasPrefix(clear, seal.Prefix) || clear == tok {
				t.Fatalf("record %d: %s reveals %q", i, tok, clear)
			}
		}
	}
	if e.Changes["before"].(map[string]any)["actor"] != "jane.doe" {
		t.Fatal("recording changed the caller's event")
	}
}
