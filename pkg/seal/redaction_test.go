package seal

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/attest/auditlog/collector/attestredaction/rules"
	"github.com/attest/auditlog/pkg/sqldb/sqldbtest"
)

func TestTokensSurviveRedaction(t *testing.T) {
	s, _ := Open(context.Background(), sqldbtest.URL(t), filepath.Join(t.TempDir(), "s.db"))
	for i := 0; i < 300; i++ {
		tok, _ := s.Seal(context.Background(), "acme", "alice@example.com searched for something long enough")
		for _, k := range []string{"", "audit.metadata", "audit.target.name"} {
			if got := rules.Value(k, tok); got != tok {
				t.Fatalf("key %q: %s -> %s", k, tok, got)
			}
			if got := rules.Value(k, `{"search":"`+tok+`"}`); got != `{"search":"`+tok+`"}` {
				t.Fatalf("json key %q: %s", k, got)
			}
		}
	}
}
