package seal

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attest/auditlog/pkg/sqldb/sqldbtest"
)

func TestSealedValuesRevealUntilForgotten(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "seals.db")
	url := sqldbtest.URL(t)
	s, err := Open(context.Background(), url, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	erin, err := s.Seal(ctx, "acme", `erin@example.com`)
	if err != nil || !strings.HasPrefix(erin, Prefix) || strings.Contains(erin, "erin") {
		t.Fatalf("token %q %v", erin, err)
	}
	other, _ := s.Seal(ctx, "acme", `invoices "Q4"`)
	meta, _ := json.Marshal(map[string]any{"filters": map[string]any{"actor": erin, "search": other}})
	got := s.RevealJSON(ctx, "acme", string(meta))
	var back map[string]map[string]string
	if err := json.Unmarshal([]byte(got), &back); err != nil || back["filters"]["actor"] != "erin@example.com" || back["filters"]["search"] != `invoices "Q4"` {
		t.Fatalf("revealed %s %v", got, err)
	}
	if s.Reveal(ctx, "globex", "by "+erin) != "by "+Erased {
		t.Fatal("another tenant opened the value")
	}
	n, err := s.Forget(ctx, "acme", []string{"ERIN@example.com"})
	if err != nil || n != 1 {
		t.Fatalf("forgot %d %v", n, err)
	}
	if s.Reveal(ctx, "acme", erin) != Erased || s.Reveal(ctx, "acme", other) != `invoices "Q4"` {
		t.Fatal("only the value naming her is gone")
	}
	// SQLite's file and write-ahead log, or PostgreSQL's file of the table, read as text.
	for _, f := range append([]string{path, path + "-wal"}, sqldbtest.TableFiles(t, url, "seals")...) {
		if b, err := os.ReadFile(f); err == nil && bytes.Contains(b, []byte(strings.TrimPrefix(erin, Prefix)[:32])) {
			t.Fatalf("%s still holds the forgotten key's row", f)
		}
	}
}
