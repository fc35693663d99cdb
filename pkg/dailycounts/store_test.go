package dailycounts

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attest/auditlog/pkg/loki"

	"github.com/attest/auditlog/pkg/sqldb/sqldbtest"
)

func TestPlanSplitsARangeIntoSettledDaysAndLiveSegments(t *testing.T) {
	now := time.Date(2026, 12, 3, 0, 30, 0, 0, time.UTC)
	start := time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)
	p := PlanRange(loki.Range{StartNs: start.UnixNano(), EndNs: now.UnixNano()}, now)
	// 28th 15:00 → 29th live; 29, 30, 1 counted; the 2nd ended 30 minutes ago (not settled): live; the 3rd: live.
	if len(p.Days) != 3 || !p.Days[0].Equal(time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("days %v", p.Days)
	}
	if len(p.Segments) != 3 || p.Segments[0].StartNs != start.UnixNano() ||
		p.Segments[1].StartNs != time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC).UnixNano() || p.Segments[2].EndNs != now.UnixNano() {
		t.Fatalf("segments %+v", p.Segments)
	}
}

func TestSummarizeNarrowsByTheFiltersAndCountsDistinctActors(t *testing.T) {
	d1 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	auth := Key{"AUTH", "INFO", "idp"}
	sec := Key{"SECURITY", "CRITICAL", "idp"}
	segs := []segment{
		{at: d1, events: []EventCount{{auth, "auth.login", 5}, {sec, "sso.changed", 1}},
			actors: []ActorCount{{auth, "alice", 3}, {auth, "bob", 2}, {sec, "carol", 1}}},
		{at: d1.Add(day), events: []EventCount{{auth, "auth.login", 2}}, actors: []ActorCount{{auth, "alice", 2}}},
	}
	o := summarize(segs, loki.Filters{}, day.Milliseconds())
	if o.Total != 8 || o.CriticalAndError != 1 || o.ActiveUsers != 3 || o.TopEventTypes[0].Name != "auth.login" || o.TopEventTypes[0].Count != 7 {
		t.Fatalf("%+v", o)
	}
	if len(o.OverTime.Series) != 2 || len(o.OverTime.Series[0].Points) != 2 {
		t.Fatalf("chart %+v", o.OverTime)
	}
	only := summarize(segs, loki.Filters{Categories: []string{"SECURITY"}}, day.Milliseconds())
	if only.Total != 1 || only.ActiveUsers != 1 || len(only.ByCategory) != 1 {
		t.Fatalf("%+v", only)
	}
}

func TestStoreKeepsDaysWithTheirLedger(t *testing.T) {
	s, err := Open(context.Background(), sqldbtest.URL(t), filepath.Join(t.TempDir(), "daily-counts.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	d := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	k := Key{"AUTH", "INFO", "idp"}
	if err := s.Put(ctx, "acme", Day{Start: d, Events: []EventCount{{k, "auth.login", 4}}, Actors: []ActorCount{{k, "alice", 4}}, Computed: d, Ledger: 4}); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "acme", Day{Start: d, Events: []EventCount{{k, "auth.login", 5}}, Computed: d, Ledger: 5}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load(ctx, "acme", d, d)
	if err != nil || len(got) != 1 || got[d.Unix()].Ledger != 5 || len(got[d.Unix()].Events) != 1 || got[d.Unix()].Events[0].N != 5 || len(got[d.Unix()].Actors) != 0 {
		t.Fatalf("%v %+v", err, got[d.Unix()])
	}
	if err := s.Forget(ctx, "acme", d.Add(day)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Load(ctx, "acme", d, d); len(got) != 0 {
		t.Fatalf("not forgotten: %+v", got)
	}
}

func TestLedgerSumsCollectorsAndReadsTheQueue(t *testing.T) {
	body := "# TYPE attest_records counter\n" +
		"attest_records{day=\"2026-12-01\",tenant=\"acme\"} 7\n" +
		"attest_records{day=\"2026-12-02\",tenant=\"acme\"} 1\n" +
		"# TYPE otelcol_exporter_sent_log_records counter\n" +
		"otelcol_exporter_sent_log_records{exporter=\"attest_loki\"} 6\n" +
		// The inner exporter of attest_loki counts the same records again: not summed.
		"otelcol_exporter_sent_log_records{exporter=\"otlp_http/attest_loki_inner\"} 9\n" +
		"# TYPE attest_dead_letter_pending gauge\n" +
		"attest_dead_letter_pending{tenant=\"acme\"} 2\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(body)) }))
	defer srv.Close()
	l, err := ReadLedger(context.Background(), srv.Client(), []string{srv.URL, srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if l.Of("acme", time.Date(2026, 12, 1, 5, 0, 0, 0, time.UTC)) != 14 || l.Of("globex", time.Now()) != 0 || l.Passed != 16 || l.Sent != 12 || l.Delivered(l) || l.DeadLetter["acme"] != 4 {
		t.Fatalf("%+v", l)
	}
}

func TestForgetActorLeavesNoTraceAndKeepsTheCounts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "daily-counts.db")
	url := sqldbtest.URL(t)
	s, err := Open(context.Background(), url, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	d := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	k := Key{"AUTH", "INFO", "idp"}
	erin := "enc:v1:ref42:c2VjcmV0"
	for i, day := range []time.Time{d, d.Add(24 * time.Hour)} {
		if err := s.Put(ctx, "acme", Day{Start: day, Actors: []ActorCount{{k, erin, int64(2 + i)}, {k, "frank", 1}}, Computed: day}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.ForgetActor(ctx, "acme", func(a string) bool { return strings.Contains(a, "ref42") })
	if err != nil || n != 1 {
		t.Fatalf("%d %v", n, err)
	}
	got, _ := s.Load(ctx, "acme", d, d.Add(24*time.Hour))
	seen := map[string]int64{}
	for _, day := range got {
		for _, a := range day.Actors {
			seen[a.Actor] += a.N
		}
	}
	if len(seen) != 2 || seen["frank"] != 2 {
		t.Fatalf("actors after erasure: %v", seen)
	}
	for a, n := range seen {
		if a != "frank" && (!strings.HasPrefix(a, "erased:") || n != 5) {
			t.Fatalf("the erased actor is one token across days with her counts: %q %d", a, n)
		}
	}
	// SQLite's file and write-ahead log, or PostgreSQL's file of the table, read as text.
	for _, f := range append([]string{path, path + "-wal"}, sqldbtest.TableFiles(t, url, "actor_counts")...) {
		if b, err := os.ReadFile(f); err == nil && bytes.Contains(b, []byte("ref42")) {
			t.Fatalf("%s still holds the stored id", f)
		}
	}
}
