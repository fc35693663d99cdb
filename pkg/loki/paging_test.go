package loki

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"testing"
)

var idFilter = regexp.MustCompile(`\| audit_id=~?("(?:[^"\\]|\\.)*")`)

// fakeLoki serves query_range over entries like Loki (interval [start, end), limit, direction),
// sending every entry at dupTs twice, as Loki does from overlapping chunks.
func fakeLoki(t *testing.T, entries []Event, dupTs int64) *Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		start, _ := strconv.ParseInt(q.Get("start"), 10, 64)
		end, _ := strconv.ParseInt(q.Get("end"), 10, 64)
		limit, _ := strconv.Atoi(q.Get("limit"))
		// The audit id filters the group reader adds, evaluated like Loki (anchored RE2).
		var idFilters []*regexp.Regexp
		for _, m := range idFilter.FindAllStringSubmatch(q.Get("query"), -1) {
			re, err := strconv.Unquote(m[1])
			if err != nil {
				t.Errorf("filter %s: %v", m[1], err)
			}
			idFilters = append(idFilters, regexp.MustCompile("^(?:"+re+")$"))
		}
		var hits []Event
		for _, e := range entries {
			if e.tsNs >= start && e.tsNs < end && !slices.ContainsFunc(idFilters, func(re *regexp.Regexp) bool { return !re.MatchString(e.ID) }) {
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

// 12,000 events on one nanosecond (a producer's burst): every one is read, once, in order, by
// splitting the group on its audit ids; entries without an id come along too.
func TestAGroupOfTwelveThousandOnOneTimestampIsReadWhole(t *testing.T) {
	ts := int64(1_700_000_000_000_000_000)
	var entries []Event
	for i := 0; i < 12_000; i++ {
		id := fmt.Sprintf("0190a1b2-c3d4-7e5f-8a9b-%012x", uint64(i)*2654435761%(1<<48))
		entries = append(entries, NewEvent(ts, fmt.Sprintf("burst %d", i), map[string]string{"audit_id": id}))
	}
	for i := 0; i < 3; i++ {
		entries = append(entries, NewEvent(ts, fmt.Sprintf("no id %d", i), map[string]string{}))
	}
	entries = append(entries, NewEvent(ts-1_000_000, "older", map[string]string{"audit_id": "older"}))
	c := fakeLoki(t, entries, 0)
	seen := map[string]int{}
	var cursor *Cursor
	for pages := 0; pages < 1000; pages++ {
		p, err := c.FetchPage(context.Background(), `{service_name="s"}`, Range{StartNs: ts - 10_000_000, EndNs: ts + 1}, cursor, 500)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range p.Events {
			seen[e.Description]++
		}
		if p.Older == "" {
			break
		}
		next, _ := DecodeCursor(p.Older)
		cursor = &next
	}
	if len(seen) != len(entries) {
		t.Fatalf("read %d distinct of %d", len(seen), len(entries))
	}
	for d, n := range seen {
		if n != 1 {
			t.Fatalf("%s read %d times", d, n)
		}
	}
}

// An entry Loki stores twice is counted twice and handed out once: IdenticalCopies finds it through
// the ids counted more than once; a different entry sharing an id (a forged copy) is not a copy.
func TestIdenticalCopiesAreTheEntriesCountedTwiceAndReadOnce(t *testing.T) {
	ts := int64(1_700_000_000_000_000_000)
	entries := []Event{
		NewEvent(ts, "stored twice", map[string]string{"audit_id": "a"}),
		NewEvent(ts+1, "genuine", map[string]string{"audit_id": "b"}),
		NewEvent(ts+2, "forged copy", map[string]string{"audit_id": "b"}),
	}
	read := fakeLoki(t, entries, ts) // sends the entry at ts twice, as Loki's chunks would
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/loki/api/v1/query" {
			json.NewEncoder(w).Encode(map[string]any{"status": "success", "data": map[string]any{"resultType": "vector",
				"result": []any{
					map[string]any{"metric": map[string]string{"audit_id": "a"}, "value": []any{1, "2"}},
					map[string]any{"metric": map[string]string{"audit_id": "b"}, "value": []any{1, "2"}},
				}}})
			return
		}
		http.Redirect(w, r, read.BaseURL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}))
	t.Cleanup(srv.Close)
	c := &Client{BaseURL: srv.URL, Tenant: "t"}
	copies, err := c.IdenticalCopies(context.Background(), `{service_name="s"}`, Range{StartNs: ts - 1_000_000, EndNs: ts + 1_000_000})
	if err != nil || copies != 1 {
		t.Fatalf("copies %d, %v", copies, err)
	}
}
