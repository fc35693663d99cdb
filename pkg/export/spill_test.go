package export

import (
	"encoding/json"
	"testing"

	"github.com/attest/auditlog/pkg/loki"
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

func TestCutCoversTheRangeNewestFirst(t *testing.T) {
	r := loki.Range{StartNs: 1_000_000_000, EndNs: 1_000_000_000 + 10*60_000_000_000}
	s := cut(r, 4)
	if len(s) != 4 || s[0].EndNs != r.EndNs || s[3].StartNs != r.StartNs {
		t.Fatalf("%+v", s)
	}
	for i := 1; i < len(s); i++ {
		if s[i].EndNs != s[i-1].StartNs || s[i].StartNs%1_000_000 != 0 {
			t.Fatalf("not contiguous on whole ms: %+v", s)
		}
	}
	if got := cut(loki.Range{StartNs: 0, EndNs: 2_000_000}, 4); len(got) != 1 {
		t.Fatalf("a range too short to cut stays whole: %+v", got)
	}
}
