package countsds

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/attest/auditlog/pkg/counts"
)

// lokiCounting answers every count query with one sample of 4 and counts the calls.
func lokiCounting(t *testing.T) (string, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Header.Get("X-Scope-OrgID") != "acme" {
			t.Errorf("tenant %q", r.Header.Get("X-Scope-OrgID"))
		}
		_, _ = w.Write([]byte(`{"status":"success","data":{"resultType":"vector","result":[{"metric":{"audit_category":"AUTH"},"value":[1,"4"]}]}}`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &calls
}

func query(role string, model string) *backend.QueryDataRequest {
	now := time.Now()
	return &backend.QueryDataRequest{
		PluginContext: backend.PluginContext{OrgID: 1, User: &backend.User{Login: "u", Role: role}},
		Queries: []backend.DataQuery{{RefID: "A", JSON: json.RawMessage(model),
			TimeRange: backend.TimeRange{From: now.Add(-time.Hour), To: now}, Interval: time.Minute}},
	}
}

// collectorRecording stands in for the Collector; status 0 accepts, anything else refuses.
func collectorRecording(t *testing.T, status int) (string, *atomic.Int32) {
	var records atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if status != 0 {
			w.WriteHeader(status)
			return
		}
		records.Add(1)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &records
}

func TestViewersGetCountsButNoActorBreakdown(t *testing.T) {
	url, calls := lokiCounting(t)
	collector, records := collectorRecording(t, 0)
	env := map[string]string{"GF_PLUGIN_LOKI_URL": url, "GF_PLUGIN_TENANTS": "1=acme", "GF_PLUGIN_COLLECTOR_URL": collector}
	ds, err := newDatasource(backend.DataSourceInstanceSettings{}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	res, _ := ds.QueryData(context.Background(), query("Viewer", `{"mode":"instant","groupBy":["category"]}`))
	if r := res.Responses["A"]; r.Error != nil || len(r.Frames) != 1 || r.Frames[0].Fields[1].Labels["category"] != "AUTH" {
		t.Fatalf("viewer counts: %+v", r)
	}
	before := calls.Load()
	for _, model := range []string{`{"groupBy":["actor"]}`, `{"actor":"alice"}`, `{"changedTo":"admin"}`} {
		r := must(ds.QueryData(context.Background(), query("Viewer", model))).Responses["A"]
		if r.Status != backend.StatusForbidden || len(r.Frames) != 0 {
			t.Errorf("%s by a Viewer: %+v", model, r)
		}
	}
	if calls.Load() != before {
		t.Error("a refused query reached Loki")
	}
	if r := must(ds.QueryData(context.Background(), query("Admin", `{"mode":"instant","groupBy":["actor"]}`))).Responses["A"]; r.Error != nil {
		t.Errorf("admin by actor: %v", r.Error)
	}
	if records.Load() != 1 {
		t.Errorf("an Admin's per-actor breakdown wrote %d audit records, want 1", records.Load())
	}
	other := query("Admin", `{}`)
	other.PluginContext.OrgID = 2
	if r := must(ds.QueryData(context.Background(), other)).Responses["A"]; r.Error == nil {
		t.Error("an org without a tenant got counts")
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Grafana's alert scheduler evaluates every rule as an Admin: a sensitive query runs for it only when
// the app signed it, and its alert labels name actors by reference, never by identity.
func TestTheSchedulerRunsOnlySignedSensitiveQueriesAndSeesNoIdentities(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"status":"success","data":{"resultType":"vector","result":[{"metric":{"user_id":"u-1","user_email":"alice@acme.example"},"value":[1,"6"]}]}}`))
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	env := map[string]string{"GF_PLUGIN_LOKI_URL": srv.URL, "GF_PLUGIN_TENANTS": "1=acme", "GF_PLUGIN_DATA_DIR": dir}
	ds, err := newDatasource(backend.DataSourceInstanceSettings{}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	key, err := counts.LoadKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	// What Grafana's rule evaluator sends: its headers, no signed-in person.
	asRule := func(q counts.Query, uid string) backend.DataResponse {
		raw, _ := json.Marshal(q)
		req := query("Admin", string(raw))
		req.PluginContext.User = nil
		req.Headers = map[string]string{"FromAlert": "true", "X-Rule-Uid": uid, "X-Grafana-Org-Id": "1"}
		return must(ds.QueryData(context.Background(), req)).Responses["A"]
	}
	asScheduler := func(q counts.Query) backend.DataResponse { return asRule(q, "rule-1") }
	perActor := counts.Query{Mode: counts.ModeInstant, GroupBy: []string{"actor"}}
	if r := asScheduler(perActor); r.Status != backend.StatusForbidden {
		t.Errorf("an unsigned per-actor rule (an Editor's, say) ran: %+v", r)
	}
	noUser := query("Admin", `{"mode":"instant","groupBy":["actor"]}`)
	noUser.PluginContext.User = nil
	if r := must(ds.QueryData(context.Background(), noUser)).Responses["A"]; r.Status != backend.StatusForbidden {
		t.Errorf("an unsigned per-actor query without a user (Grafana 10.0's alert evaluation) ran: %+v", r)
	}
	if r := asScheduler(perActor.Sign(key, 2, "rule-1")); r.Status != backend.StatusForbidden {
		t.Errorf("another org's signature was accepted: %+v", r)
	}
	if r := asRule(perActor.Sign(key, 1, "rule-1"), "rule-2"); r.Status != backend.StatusForbidden {
		t.Errorf("a signed query copied into another rule ran: %+v", r)
	}
	// A rule preview (FromAlert, no rule), backtesting's made-up uid, another org's header, or the
	// headers with a user: not the scheduler.
	for _, h := range []map[string]string{
		{"FromAlert": "true"},
		{"FromAlert": "true", "X-Rule-Uid": "backtesting-1", "X-Grafana-Org-Id": "1"},
		{"FromAlert": "true", "X-Rule-Uid": "rule-1", "X-Grafana-Org-Id": "2"},
		{"http_FromAlert": "true", "http_X-Rule-Uid": "rule-1", "X-Grafana-Org-Id": "1"},
	} {
		raw, _ := json.Marshal(perActor.Sign(key, 1, "rule-1"))
		req := query("Admin", string(raw))
		req.PluginContext.User = nil
		req.Headers = h
		if r := must(ds.QueryData(context.Background(), req)).Responses["A"]; r.Status != backend.StatusForbidden {
			t.Errorf("headers %v ran a signed per-actor query: %+v", h, r)
		}
	}
	// Neither an empty login nor a user who calls himself the scheduler is the scheduler.
	for _, login := range []string{"", "grafana_scheduler"} {
		raw, _ := json.Marshal(perActor.Sign(key, 1, "rule-1"))
		req := query("Viewer", string(raw))
		req.PluginContext.User.Login = login
		if r := must(ds.QueryData(context.Background(), req)).Responses["A"]; r.Status != backend.StatusForbidden {
			t.Errorf("a Viewer with login %q ran a signed per-actor query: %+v", login, r)
		}
	}
	r := asScheduler(perActor.Sign(key, 1, "rule-1"))
	if r.Error != nil || len(r.Frames) != 1 {
		t.Fatalf("signed: %+v", r)
	}
	labels := r.Frames[0].Fields[1].Labels
	if labels["actor_email"] != "" || labels["actor_id"] != "" || labels["actor_ref"] != counts.ActorRef(key, "acme", "u-1", "alice@acme.example") {
		t.Errorf("labels %v", labels)
	}
}

// An Admin's answer that names people is not given when its audit record cannot be written.
func TestAPerActorAnswerIsRefusedWhenItCannotBeRecorded(t *testing.T) {
	url, calls := lokiCounting(t)
	collector, _ := collectorRecording(t, http.StatusServiceUnavailable)
	for _, env := range []map[string]string{
		{"GF_PLUGIN_LOKI_URL": url, "GF_PLUGIN_TENANTS": "1=acme", "GF_PLUGIN_COLLECTOR_URL": collector},
		{"GF_PLUGIN_LOKI_URL": url, "GF_PLUGIN_TENANTS": "1=acme"},
	} {
		ds, err := newDatasource(backend.DataSourceInstanceSettings{}, func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		before := calls.Load()
		r := must(ds.QueryData(context.Background(), query("Admin", `{"mode":"instant","groupBy":["actor"]}`))).Responses["A"]
		if r.Error == nil || len(r.Frames) != 0 || calls.Load() != before {
			t.Errorf("answered without a record (%v): %+v", env["GF_PLUGIN_COLLECTOR_URL"], r)
		}
	}
}
