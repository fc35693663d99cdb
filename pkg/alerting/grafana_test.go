package alerting

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fakeGrafana answers the policy tree like Grafana 10.0 does, and fixed answers by path.
func fakeGrafana(t *testing.T, tree map[string]any, answers map[string]string) (*Client, *map[string]any) {
	t.Helper()
	var put map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			w.WriteHeader(401)
			return
		}
		switch {
		case r.URL.Path == policiesPath && r.Method == "GET":
			if put != nil {
				_ = json.NewEncoder(w).Encode(put)
				return
			}
			_ = json.NewEncoder(w).Encode(tree)
		case r.URL.Path == policiesPath && r.Method == "PUT":
			if r.Header.Get("X-Disable-Provenance") != "true" {
				t.Error("the policy tree must stay editable in Grafana's UI")
			}
			body, _ := io.ReadAll(r.Body)
			_ = json.Unmarshal(body, &put)
			w.WriteHeader(202)
		case answers[r.URL.Path] != "":
			_, _ = io.WriteString(w, answers[r.URL.Path])
		default:
			w.WriteHeader(404)
		}
	}))
	t.Cleanup(srv.Close)
	return &Client{BaseURL: srv.URL, Token: "tok", HTTP: srv.Client()}, &put
}

func TestRoutingReplacesOnlyTheRulesOwnPolicies(t *testing.T) {
	var tree map[string]any
	_ = json.Unmarshal([]byte(`{"receiver":"default","routes":[
		{"receiver":"old","object_matchers":[["attest_rule_uid","=","r1"]],"continue":true},
		{"receiver":"keep","object_matchers":[["attest_rule_uid","=","r2"]],"continue":true},
		{"receiver":"team","object_matchers":[["team","=","db"]],"mute_time_intervals":["nights"]}]}`), &tree)
	c, put := fakeGrafana(t, tree, nil)
	if err := c.setRouting(context.Background(), "r1", []string{"a", "b"}); err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal((*put)["routes"])
	for _, want := range []string{`"receiver":"keep"`, `"mute_time_intervals":["nights"]`, `"receiver":"a"`, `"receiver":"b"`} {
		if !strings.Contains(string(got), want) {
			t.Errorf("routes %s lack %s", got, want)
		}
	}
	if strings.Contains(string(got), `"receiver":"old"`) || (*put)["receiver"] != "default" {
		t.Errorf("routes %s", got)
	}
}

func TestStatsCountTransitionsIntoAlertingAndReadFiringNow(t *testing.T) {
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC).UnixMilli()
	annotations := `[{"alertId":7,"newState":"Alerting","time":` + itoa(at) + `},{"alertId":7,"newState":"Normal","time":` + itoa(at+60_000) + `},
		{"alertId":7,"newState":"Alerting (Error)","time":` + itoa(at+120_000) + `},{"alertId":8,"newState":"Alerting","time":` + itoa(at) + `},
		{"alertId":9,"newState":"Alerting","time":` + itoa(at) + `}]`
	rules := `{"data":{"groups":[{"rules":[{"state":"firing","labels":{"attest_rule_uid":"r7"}},{"state":"inactive","labels":{"attest_rule_uid":"r8"}}]}]}}`
	c, _ := fakeGrafana(t, nil, map[string]string{"/api/annotations": annotations, "/api/prometheus/grafana/api/v1/rules": rules})
	s, err := c.StatsByRule(context.Background(), map[int64]string{7: "r7", 8: "r8"}, time.UnixMilli(0), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if s["r7"].TriggerCount != 2 || !s["r7"].Firing || s["r7"].LastTriggered.UnixMilli() != at+120_000 {
		t.Errorf("r7 %+v", s["r7"])
	}
	if s["r8"].TriggerCount != 1 || s["r8"].Firing {
		t.Errorf("r8 %+v", s["r8"])
	}
	if _, ok := s["r9"]; ok {
		t.Error("a rule that is not the app's was counted")
	}
}

func TestGrafanaRefusalIsTyped(t *testing.T) {
	c, _ := fakeGrafana(t, map[string]any{}, nil)
	c.Token = "wrong"
	_, err := c.contactPointsByRule(context.Background())
	if !IsStatus(err, 401) {
		t.Errorf("got %v", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
