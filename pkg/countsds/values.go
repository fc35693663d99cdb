package countsds

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/attest/auditlog/pkg/counts"
)

const maxValuesRange = 400 * 24 * time.Hour

// Value is one value present in a time range, with how many events carry it.
type Value struct {
	Value string `json:"value"`
	Count int64  `json:"count"`
}

// valueLabel is the series label each groupable field comes back under (counts.Frames' names).
var valueLabel = map[string]string{"category": "category", "severity": "severity", "event": "event",
	"service": "service", "outcome": "outcome", "actor": "actor_email"}

// handleValues answers GET values?field=…&from=…&to=… (ms): the values of one field present in the
// range, most frequent first, for the query editor's pickers and template variables. Actors only for
// org Admins, like an actor breakdown.
func (d *Datasource) handleValues(w http.ResponseWriter, r *http.Request) {
	pc := backend.PluginConfigFromContext(r.Context())
	q := r.URL.Query()
	field := q.Get("field")
	if _, ok := valueLabel[field]; !ok {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad_request",
			"message": fmt.Sprintf("field must be category, severity, event, service, outcome or actor, not %q", field)})
		return
	}
	if field == "actor" && (pc.User == nil || pc.User.Login == "" || pc.User.Role != "Admin") {
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "forbidden",
			"message": "listing actors needs the Admin role in this organization"})
		return
	}
	to := time.Now()
	from := to.Add(-24 * time.Hour)
	for name, t := range map[string]*time.Time{"from": &from, "to": &to} {
		if s := q.Get(name); s != "" {
			ms, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad_request", "message": name + " must be epoch milliseconds"})
				return
			}
			*t = time.UnixMilli(ms)
		}
	}
	if !to.After(from) || to.Sub(from) > maxValuesRange {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad_request", "message": "from must be before to, at most 400 days apart"})
		return
	}
	c, err := d.client(pc.OrgID)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "no_tenant", "message": err.Error()})
		return
	}
	if field == "actor" {
		who := caller{orgID: pc.OrgID, user: pc.User, admin: true}
		if err := d.record(r.Context(), who, c.Tenant, "audit.counts.actors.listed", "Actors present in the audit trail listed through the counts datasource",
			map[string]any{"from": from.UnixMilli(), "to": to.UnixMilli()}); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "audit_unavailable", "message": err.Error()})
			return
		}
	}
	series, err := counts.Run(r.Context(), c, counts.Query{Mode: counts.ModeInstant, GroupBy: []string{field}}, from, to, 0)
	if err != nil {
		res := errorResponse(err)
		writeJSON(w, int(res.Status), map[string]string{"error": "query_failed", "message": res.Error.Error()})
		return
	}
	byValue := map[string]int64{}
	for _, s := range series {
		d.revealActor(s.Labels, c.Tenant)
		if v := s.Labels[valueLabel[field]]; v != "" && len(s.Points) > 0 {
			// Erased people all show as [erased]: one value.
			byValue[v] += s.Points[0][1]
		}
	}
	out := []Value{}
	for v, n := range byValue {
		out = append(out, Value{Value: v, Count: n})
	}
	slices.SortFunc(out, func(a, b Value) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Value, b.Value))
	})
	writeJSON(w, http.StatusOK, map[string]any{"values": out})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":"internal","message":"unencodable answer"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
