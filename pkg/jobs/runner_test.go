package jobs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attest/auditlog/pkg/sqldb/sqldbtest"
)

func waitStatus(t *testing.T, s Store, id string, want Status) *Job {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		j, err := s.Get(context.Background(), 1, id)
		if err == nil && j.Status == want {
			return j
		}
		time.Sleep(10 * time.Millisecond)
	}
	j, _ := s.Get(context.Background(), 1, id)
	t.Fatalf("job %s is %+v, want %s", id, j, want)
	return nil
}

func TestJobLifecycleSurvivesReopenAndRestart(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "jobs.db")
	url := sqldbtest.URL(t)
	store, err := Open(context.Background(), url, db)
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRunner(store, filepath.Join(dir, "files"))
	if err != nil {
		t.Fatal(err)
	}
	ok := &Job{ID: "ok", OrgID: 1, Kind: "export", Name: "n", Format: "csv", Params: "{}"}
	if err := r.Start(context.Background(), ok, "1/ann", "1", Limits{PerOwner: 1}, func(ctx context.Context, w io.Writer, p func(int64)) (int64, error) {
		_, err := w.Write([]byte("a,b\n"))
		p(1)
		return 1, err
	}, nil); err != nil {
		t.Fatal(err)
	}
	done := waitStatus(t, store, "ok", Completed)
	sum := sha256.Sum256([]byte("a,b\n"))
	if done.Rows != 1 || done.Size != 4 || done.SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("%+v", done)
	}
	if b, _ := os.ReadFile(done.File); string(b) != "a,b\n" {
		t.Fatalf("file %q", b)
	}

	bad := &Job{ID: "bad", OrgID: 1, Kind: "export", Name: "n", Format: "csv", Params: "{}"}
	_ = r.Start(context.Background(), bad, "1/ann", "1", Limits{PerOwner: 1}, func(context.Context, io.Writer, func(int64)) (int64, error) {
		return 0, errors.New("Loki answered HTTP 500")
	}, nil)
	if j := waitStatus(t, store, "bad", Failed); j.Error == "" || strings.Contains(j.Error, "HTTP 500") {
		t.Fatalf("%+v", j)
	}

	// One running job per owner; a restart marks a running job failed, never completed.
	block := make(chan struct{})
	slow := &Job{ID: "slow", OrgID: 1, Kind: "export", Name: "n", Format: "csv", Params: "{}"}
	_ = r.Start(context.Background(), slow, "1/ann", "1", Limits{PerOwner: 1}, func(ctx context.Context, w io.Writer, p func(int64)) (int64, error) {
		<-block // the old process never gets further: it was killed
		return 0, errors.New("killed")
	}, nil)
	waitStatus(t, store, "slow", Running)
	var busy *BusyError
	if err := r.Start(context.Background(), &Job{ID: "x", OrgID: 1, Kind: "export", Format: "csv"}, "1/ann", "1", Limits{PerOwner: 1}, nil, nil); !errors.As(err, &busy) || busy.Group {
		t.Fatalf("second running job of one owner accepted: %v", err)
	}
	if err := r.Start(context.Background(), &Job{ID: "y", OrgID: 1, Kind: "export", Format: "csv"}, "1/annabel", "1", Limits{PerOwner: 1, PerGroup: 1}, nil, nil); !errors.As(err, &busy) || !busy.Group {
		t.Fatalf("the org limit did not hold (and owners must match exactly): %v", err)
	}
	died(store)
	store2, err := Open(context.Background(), url, db) // a second process over the same store, as after a restart
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewRunner(store2, filepath.Join(dir, "files")); err != nil {
		t.Fatal(err)
	}
	if j, _ := store2.Get(context.Background(), 1, "slow"); j.Status != Failed || j.Error == "" {
		t.Fatalf("interrupted job is %+v", j)
	}
	t.Cleanup(func() { close(block) })
	if list, _ := store2.List(context.Background(), 1, "export"); len(list) != 3 {
		t.Fatalf("%d jobs listed", len(list))
	}
	if old, _ := r.Expired(context.Background(), -time.Hour); len(old) != 1 || old[0].ID != "ok" {
		t.Fatalf("expired: %+v", old)
	}
	if recent, _ := r.Expired(context.Background(), time.Hour); len(recent) != 0 {
		t.Fatalf("a fresh export counted as expired: %+v", recent)
	}
	if err := r.Remove(context.Background(), 1, "ok"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(done.File); !os.IsNotExist(err) {
		t.Fatal("file kept after delete")
	}
	if _, err := store.Get(context.Background(), 1, "ok"); !errors.Is(err, ErrNotFound) {
		t.Fatal("job kept after delete")
	}
}

// died stops a store's heartbeat as a killed process would, and waits until its server counts as gone.
func died(s *SQLStore) {
	s.stop()
	<-s.done
	if s.db.Postgres() {
		_, _ = s.db.Exec(context.Background(), `UPDATE job_servers SET seen = 0 WHERE id = ?`, s.server)
	}
}
