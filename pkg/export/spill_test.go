package export

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/attest/auditlog/pkg/loki"
	"github.com/attest/auditlog/pkg/loki/lokitest"
)

func TestSpillHandsBackNewestFirstAndUnchanged(t *testing.T) {
	sp, err := newSpill(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer sp.close()
	var pages [][]loki.Event
	for p := 0; p < 3; p++ {
		var page []loki.Event
		for i := 1; i >= 0; i-- { // a forward page: pages oldest first, newest first within
			ts := int64(p*10+i) * 1_000_000
			page = append(page, loki.NewEvent(ts, "line", map[string]string{"audit_id": "x", "service_name": "s"}))
		}
		pages = append(pages, page)
		if err := sp.add(page); err != nil {
			t.Fatal(err)
		}
	}
	var got []loki.Event
	n, err := sp.replayNewestFirst(func(e *loki.Event) error { got = append(got, *e); return nil })
	if err != nil || n != 6 {
		t.Fatalf("%d %v", n, err)
	}
	var want []loki.Event
	for p := 2; p >= 0; p-- {
		want = append(want, pages[p]...)
	}
	for i := range want {
		// Every exported field comes back as it was, empty lists as empty lists (not null).
		w, _ := json.Marshal(want[i])
		g, _ := json.Marshal(got[i])
		if string(w) != string(g) {
			t.Fatalf("row %d:\nwant %s\ngot  %s", i, w, g)
		}
	}
}

// The shards join whole counted parts newest first, cover the range, keep every count, and hold
// about equal rows whatever the spread of the entries in time.
func TestJoinMakesShardsOfAboutEqualRows(t *testing.T) {
	var parts []loki.Bucket
	end := int64(1_000_000_000_000)
	var total int64
	for j := 0; j < 256; j++ {
		n := int64(0)
		if j < 80 { // the newest third of the range holds every entry, unevenly
			n = int64(2000 + (j%7)*900)
		}
		parts = append(parts, loki.Bucket{Range: loki.Range{StartNs: end - int64(j+1)*1e9, EndNs: end - int64(j)*1e9}, Count: n})
		total += n
	}
	s := join(parts, shardCount(total))
	if len(s) != shardCount(total) || s[0].EndNs != end || s[len(s)-1].StartNs != parts[255].StartNs {
		t.Fatalf("%d shards for %d rows, want %d: %+v", len(s), total, shardCount(total), s)
	}
	var sum int64
	per := (total + int64(len(s)) - 1) / int64(len(s))
	for i, sh := range s {
		if i > 0 && sh.EndNs != s[i-1].StartNs {
			t.Fatalf("not contiguous: %+v", s)
		}
		if sh.Count > per+5000 {
			t.Fatalf("shard %d holds %d rows, about %d wanted", i, sh.Count, per)
		}
		sum += sh.Count
	}
	if sum != total {
		t.Fatalf("counts %d, want %d", sum, total)
	}
	if got := join(parts[:1], 4); len(got) != 1 || got[0] != parts[0] {
		t.Fatalf("one part is one shard: %+v", got)
	}
}

// The parts are cut where the index's sizes reach each n-th: many short parts where entries are
// dense, one long part where there are none.
func TestCutFollowsTheSizes(t *testing.T) {
	var vol []loki.Bucket // oldest first: 100 empty seconds, then 100 full ones
	for j := 0; j < 200; j++ {
		n := int64(0)
		if j >= 100 {
			n = 1000
		}
		vol = append(vol, loki.Bucket{Range: loki.Range{StartNs: int64(j) * 1e9, EndNs: int64(j+1) * 1e9}, Count: n})
	}
	parts := cut(vol, 4)
	if len(parts) != 4 || parts[0].EndNs != 200e9 || parts[3].StartNs != 0 {
		t.Fatalf("%+v", parts)
	}
	for i := 1; i < len(parts); i++ {
		if parts[i].EndNs != parts[i-1].StartNs {
			t.Fatalf("not contiguous: %+v", parts)
		}
	}
	if parts[0].StartNs != 175e9 || parts[1].StartNs != 150e9 || parts[2].StartNs != 125e9 {
		t.Fatalf("not cut by size: %+v", parts)
	}
	if cut(vol[:100], 4) != nil {
		t.Fatal("an empty index says nothing")
	}
}

func TestEqualTimeCoversTheRangeNewestFirst(t *testing.T) {
	r := loki.Range{StartNs: 1_000_000_000, EndNs: 1_000_000_000 + 10*60_000_000_000}
	s := equalTime(r, 4)
	if len(s) != 4 || s[0].EndNs != r.EndNs || s[3].StartNs != r.StartNs {
		t.Fatalf("%+v", s)
	}
	for i := 1; i < len(s); i++ {
		if s[i].EndNs != s[i-1].StartNs || s[i].StartNs%1_000_000 != 0 {
			t.Fatalf("not contiguous on whole ms: %+v", s)
		}
	}
	if got := equalTime(loki.Range{StartNs: 0, EndNs: 2_000_000}, 4); len(got) != 1 {
		t.Fatalf("a range too short to cut stays whole: %+v", got)
	}
}

// A burst: most entries in a small part of the range. The part that holds them is cut again and
// counted, so no shard holds much more than its share, and every entry is still counted once.
func TestPlanCutsABurstAgain(t *testing.T) {
	defer func(rows int64) { RowsPerShard = rows }(RowsPerShard)
	RowsPerShard = 1000
	start := int64(1_700_000_000_000_000_000)
	var entries []lokitest.Entry
	for i := 0; i < 8000; i++ { // 8,000 in the first second of a minute
		entries = append(entries, lokitest.Entry{TsNs: start + int64(i)*125_000, Line: "burst"})
	}
	for i := 0; i < 590; i++ { // and one every 100 ms after it
		entries = append(entries, lokitest.Entry{TsNs: start + 1_000_000_000 + int64(i)*100_000_000, Line: "steady"})
	}
	r := loki.Range{StartNs: start, EndNs: start + 60_000_000_000}
	shards, err := plan(context.Background(), lokitest.Serve(t, entries), `{service_name="s"}`, r)
	if err != nil {
		t.Fatal(err)
	}
	share := int64(len(entries) / shardCount(int64(len(entries))))
	var total int64
	for i, s := range shards {
		if s.Count > 2*share {
			t.Errorf("shard %d holds %d rows, a share is %d", i, s.Count, share)
		}
		if i > 0 && s.EndNs != shards[i-1].StartNs {
			t.Fatalf("not contiguous: %+v", shards)
		}
		total += s.Count
	}
	if total != int64(len(entries)) || shards[0].EndNs != r.EndNs || shards[len(shards)-1].StartNs != r.StartNs {
		t.Fatalf("%d rows counted of %d: %+v", total, len(entries), shards)
	}
}
