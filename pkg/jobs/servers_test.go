package jobs

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

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

// A job running on one server is canceled through another, and one deleted through another stops and
// leaves no file (on either engine; SQLite's "other server" is a second process over the same file).
func TestCancelAndDeleteThroughAnotherServer(t *testing.T) {
	ctx := context.Background()
	url, db := sqldbtest.URL(t), filepath.Join(t.TempDir(), "jobs.db")
	open := func() *Runner {
		s, err := Open(ctx, url, db)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		r, err := NewRunner(s, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a := open()
	b := open()
	slow := func(ctx context.Context, w io.Writer, p func(int64)) (int64, error) {
		for i := int64(1); ; i++ {
			if _, err := w.Write([]byte("row\n")); err != nil {
				return i, err
			}
			p(i)
			select {
			case <-ctx.Done():
				return i, ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	for _, id := range []string{"c", "d"} {
		if err := a.Start(ctx, &Job{ID: id, OrgID: 1, Kind: "export", Format: "csv", Params: "{}"}, "1/ann", "1", Limits{}, slow, nil); err != nil {
			t.Fatal(err)
		}
		waitStatus(t, a.Store, id, Running)
	}
	if ok, err := b.Cancel(ctx, 1, "c"); err != nil || !ok {
		t.Fatalf("cancel through the other server: %v %v", ok, err)
	}
	waitStatus(t, a.Store, "c", Canceled)
	if ok, _ := b.Cancel(ctx, 1, "c"); ok {
		t.Fatal("a canceled job canceled again")
	}
	if err := b.Remove(ctx, 1, "d"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		left, _ := filepath.Glob(filepath.Join(a.Dir, "d.*"))
		a.mu.Lock()
		_, running := a.running["d"]
		a.mu.Unlock()
		if !running && len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the deleted job runs on (%v) or left %v", running, left)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A request rewritten at erasure leaves its old text in none of the engine's files: SQLite's file and
// write-ahead log, or PostgreSQL's file of the table, read as someone holding the disk would.
func TestARewrittenRequestLeavesNoOldText(t *testing.T) {
	ctx := context.Background()
	url, db := sqldbtest.URL(t), filepath.Join(t.TempDir(), "jobs.db")
	s, err := Open(ctx, url, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	j := &Job{ID: "e1", OrgID: 1, Kind: "export", Name: "erin.walsh@example.com logins", Format: "csv",
		Params: `{"actor":"erin.walsh@example.com"}`, Status: Completed}
	if err := s.Create(ctx, j); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateRequest(ctx, "e1", "[erased] logins", `{"actor":"[erased]"}`); err != nil {
		t.Fatal(err)
	}
	for _, f := range append([]string{db, db + "-wal"}, sqldbtest.TableFiles(t, url, "jobs")...) {
		if b, err := os.ReadFile(f); err == nil && bytes.Contains(b, []byte("erin.walsh")) {
			t.Fatalf("%s still holds the old request", f)
		}
	}
}
