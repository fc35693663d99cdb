package jobs

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/attest/auditlog/pkg/sqldb/sqldbtest"
)

// Two Grafana servers over one PostgreSQL database: neither touches the other's running jobs while
// it lives; once it is gone, its export is failed and its report adopted by exactly one of them.
func TestServersOfASharedDatabase(t *testing.T) {
	url := sqldbtest.URL(t)
	if url == "" {
		t.Skip("needs PostgreSQL (" + sqldbtest.EnvURL + ")")
	}
	ctx := context.Background()
	open := func() *SQLStore {
		s, err := Open(ctx, url, filepath.Join(t.TempDir(), "unused.db"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b, c := open(), open(), open()
	defer b.Close()
	defer c.Close()
	for _, j := range []*Job{{ID: "exp", Kind: "export"}, {ID: "rep", Kind: "report"}} {
		j.OrgID, j.Format, j.Params, j.Status = 1, "csv", "{}", Running
		if err := a.Create(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := b.Interrupted(ctx, InterruptedReason, []string{"report"}); err != nil || n != 0 {
		t.Fatalf("a live server's export was failed by another: %d %v", n, err)
	}
	if got, err := b.Adopt(ctx, "report"); err != nil || len(got) != 0 {
		t.Fatalf("a live server's report was adopted: %+v %v", got, err)
	}
	died(a)
	if n, err := b.Interrupted(ctx, InterruptedReason, []string{"report"}); err != nil || n != 1 {
		t.Fatalf("the dead server's export: %d %v", n, err)
	}
	if j, _ := b.Get(ctx, 1, "exp"); j.Status != Failed || j.Error != InterruptedReason {
		t.Fatalf("export after its server died: %+v", j)
	}
	var mu sync.Mutex
	adopted := map[string]int{}
	var wg sync.WaitGroup
	for _, s := range []*SQLStore{b, c} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := s.Adopt(ctx, "report")
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			adopted[s.Server()] += len(got)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if adopted[b.Server()]+adopted[c.Server()] != 1 {
		t.Fatalf("the report was adopted %v times", adopted)
	}
}
