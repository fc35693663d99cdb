// Package lokitest serves entries as Loki's HTTP API does, for unit tests of what reads through
// pkg/loki: query_range over [start, end) with limit and direction, and the instant counts the
// readers take (sum(count_over_time(… [Nms])) at a time, as (time-N ms, time]), and the copies query
// (sum by (audit_id) (count_over_time(…)) > 1). Every entry matches the query's stream selector: a
// test gives the entries its selector would select; the audit_id line filters the readers add
// (| audit_id="…", | audit_id=~"…") are evaluated as Loki does (RE2, anchored).
package lokitest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
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
	// Stored is how many identical copies Loki holds (0 is 1): counted each, handed out once.
	Stored int
	// SentTwice: query_range hands it out twice, as Loki does from overlapping chunks.
	SentTwice bool
}

func (e Entry) stored() int { return max(e.Stored, 1) }

var (
	countRange = regexp.MustCompile(`\[(\d+)ms\]\)\)( > 1)?$`)
	idFilter   = regexp.MustCompile(`\| audit_id(=~?)("(?:[^"\\]|\\.)*")`)
)

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
	byID := strings.HasPrefix(query, "sum by (audit_id) (count_over_time(") && m != nil && m[2] != ""
	if m != nil && (byID || strings.HasPrefix(query, "sum(count_over_time(")) {
		ms, _ := strconv.ParseInt(m[1], 10, 64)
		end, _ := strconv.ParseInt(at, 10, 64)
		n := map[string]int{}
		for _, e := range entries {
			if e.TsNs > end-ms*1_000_000 && e.TsNs <= end {
				key := ""
				if byID {
					key = e.Labels["audit_id"]
				}
				n[key] += e.stored()
			}
		}
		for key, c := range n {
			if byID && c < 2 {
				continue
			}
			metric := map[string]string{}
			if byID {
				metric["audit_id"] = key
			}
			result = append(result, map[string]any{"metric": metric, "value": []any{float64(end) / 1e9, strconv.Itoa(c)}})
		}
	}
	json.NewEncoder(w).Encode(map[string]any{"status": "success", "data": map[string]any{"resultType": "vector", "result": result}})
}

// idMatchers are the query's audit_id line filters, as Loki evaluates them.
func idMatchers(query string) ([]func(string) bool, error) {
	var out []func(string) bool
	for _, m := range idFilter.FindAllStringSubmatch(query, -1) {
		v, err := strconv.Unquote(m[2])
		if err != nil {
			return nil, err
		}
		if m[1] == "=" {
			out = append(out, func(id string) bool { return id == v })
			continue
		}
		re, err := regexp.Compile("^(?:" + v + ")$")
		if err != nil {
			return nil, err
		}
		out = append(out, re.MatchString)
	}
	return out, nil
}

func streams(w http.ResponseWriter, q map[string][]string, entries []Entry) {
	start, _ := strconv.ParseInt(first(q, "start"), 10, 64)
	end, _ := strconv.ParseInt(first(q, "end"), 10, 64)
	limit, _ := strconv.Atoi(first(q, "limit"))
	match, err := idMatchers(first(q, "query"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var hits []Entry
	for _, e := range entries {
		if e.TsNs < start || e.TsNs >= end || slices.ContainsFunc(match, func(m func(string) bool) bool { return !m(e.Labels["audit_id"]) }) {
			continue
		}
		hits = append(hits, e)
		if e.SentTwice {
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
