package loki

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"testing"
)

// fakeLoki serves query_range over entries like Loki (interval [start, end), limit, direction),
// sending every entry at dupTs twice, as Loki does from overlapping chunks.
func fakeLoki(t *testing.T, entries []Event, dupTs int64) *Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		start, _ := strconv.ParseInt(q.Get("start"), 10, 64)
		end, _ := strconv.ParseInt(q.Get("end"), 10, 64)
		limit, _ := strconv.Atoi(q.Get("limit"))
		var hits []Event
		for _, e := range entries {
			if e.tsNs >= start && e.tsNs < end {
				hits = append(hits, e)
				if e.tsNs == dupTs {
					hits = append(hits, e)
				}
			}
		}
		sort.SliceStable(hits, func(i, j int) bool {
			if q.Get("direction") == "forward" {
				return hits[i].tsNs < hits[j].tsNs
			}
			return hits[i].tsNs > hits[j].tsNs
		})
		if len(hits) > limit {
			hits = hits[:limit]
		}
		values := [][]any{}
		for _, e := range hits {
			values = append(values, []any{e.TsNs, e.Description, map[string]any{"structuredMetadata": map[string]string{"audit_id": e.ID}}})
		}
		json.NewEncoder(w).Encode(map[string]any{"status": "success", "data": map[string]any{"resultType": "streams",
			"result": []any{map[string]any{"stream": map[string]string{"service_name": "s"}, "values": values}}}})
	}))
	t.Cleanup(srv.Close)
	return &Client{BaseURL: srv.URL, Tenant: "t"}
}

func TestPagingReadsEverythingWhenLokiSendsCopiesAtAPageBoundary(t *testing.T) {
	// 30 events, 5 per millisecond; pages of 7 end inside a group, and Loki sends each entry of one
	// boundary group twice.
	var entries []Event
	for i := 0; i < 30; i++ {
		ts := int64(1_000_000_000 + (i/5)*1_000_000)
		entries = append(entries, NewEvent(ts, fmt.Sprintf("event %d", i), map[string]string{"audit_id": fmt.Sprintf("id-%02d", i)}))
	}
	c := fakeLoki(t, entries, 1_000_000_000+4*1_000_000)
	r := Range{StartNs: 0, EndNs: 2_000_000_000}
	seen := map[string]int{}
	var cursor *Cursor
	for pages := 0; pages < 20; pages++ {
		p, err := c.FetchPage(context.Background(), `{service_name="s"}`, r, cursor, 7)
		if err != nil {
			t.Fatal(err)
		}
		ids := []string{}
		for _, e := range p.Events {
			seen[e.ID]++
			ids = append(ids, e.ID)
		}
		t.Logf("page %d: %v older=%s", pages, ids, p.Older)
		if p.Older == "" {
			break
		}
		next, _ := DecodeCursor(p.Older)
		cursor = &next
	}
	if len(seen) != 30 {
		t.Fatalf("read %d distinct events of 30", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s read %d times", id, n)
		}
	}
}
