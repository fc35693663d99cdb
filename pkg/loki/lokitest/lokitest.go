// Package lokitest serves entries as Loki's HTTP API does, for unit tests of what reads through
// pkg/loki: query_range over [start, end) with limit and direction, and the instant counts the
// readers take (sum(count_over_time(… [Nms])) at a time, as (time-N ms, time]). Every entry matches
// every query: a test gives the entries its selector would select. No entry is stored twice, so
// the copies query (sum by (audit_id) … > 1) answers nothing.
package lokitest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/attest/auditlog/pkg/loki"
)

// Entry is one stored log entry: its time, line and labels (index labels and structured metadata).
type Entry struct {
	TsNs   int64
	Line   string
	Labels map[string]string
}

var countRange = regexp.MustCompile(`\[(\d+)ms\]\)\)$`)

// Serve answers as a Loki holding entries, until the test ends; the client reads as tenant "t".
func Serve(t testing.TB, entries []Entry) *loki.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		switch {
		case strings.HasSuffix(r.URL.Path, "/query"):
			count(w, q, entries)
		case strings.HasSuffix(r.URL.Path, "/query_range"):
			streams(w, q, entries)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return &loki.Client{BaseURL: srv.URL, Tenant: "t"}
}

func count(w http.ResponseWriter, q map[string][]string, entries []Entry) {
	query, at := first(q, "query"), first(q, "time")
	result := []any{}
	m := countRange.FindStringSubmatch(query)
	if m != nil && strings.HasPrefix(query, "sum(count_over_time(") {
		ms, _ := strconv.ParseInt(m[1], 10, 64)
		end, _ := strconv.ParseInt(at, 10, 64)
		n := 0
		for _, e := range entries {
			if e.TsNs > end-ms*1_000_000 && e.TsNs <= end {
				n++
			}
		}
		result = append(result, map[string]any{"metric": map[string]string{}, "value": []any{float64(end) / 1e9, strconv.Itoa(n)}})
	}
	json.NewEncoder(w).Encode(map[string]any{"status": "success", "data": map[string]any{"resultType": "vector", "result": result}})
}

func streams(w http.ResponseWriter, q map[string][]string, entries []Entry) {
	start, _ := strconv.ParseInt(first(q, "start"), 10, 64)
	end, _ := strconv.ParseInt(first(q, "end"), 10, 64)
	limit, _ := strconv.Atoi(first(q, "limit"))
	var hits []Entry
	for _, e := range entries {
		if e.TsNs >= start && e.TsNs < end {
			hits = append(hits, e)
		}
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if first(q, "direction") == "forward" {
			return hits[i].TsNs < hits[j].TsNs
		}
		return hits[i].TsNs > hits[j].TsNs
	})
	if limit > 0 && len(hits) > limit {
		hits = hits[:limit]
	}
	result := []any{}
	for _, e := range hits {
		result = append(result, map[string]any{"stream": map[string]string{"service_name": e.Labels["service_name"]},
			"values": [][]any{{strconv.FormatInt(e.TsNs, 10), e.Line, map[string]any{"structuredMetadata": e.Labels}}}})
	}
	json.NewEncoder(w).Encode(map[string]any{"status": "success", "data": map[string]any{"resultType": "streams", "result": result}})
}

func first(q map[string][]string, k string) string {
	if v := q[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}
