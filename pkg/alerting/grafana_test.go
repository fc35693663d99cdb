package alerting

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// fakeGrafana answers the policy tree and the state history like Grafana 10.0 does.
func fakeGrafana(t *testing.T, tree map[string]any, history string) (*Client, *map[string]any) {
	t.Helper()
	var put map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			w.WriteHeader(401)
			return
		}
		switch {
		case r.URL.Path == policiesPath && r.Method == "GET":
			_ = json.NewEncoder(w).Encode(tree)
		case r.URL.Path == policiesPath && r.Method == "PUT":
			if r.Header.Get("X-Disable-Provenance") != "true" {
				t.Error("the policy tree must stay editable in Grafana's UI")
			}
			body, _ := io.ReadAll(r.Body)
			_ = json.Unmarshal(body, &put)
			w.WriteHeader(202)
		case r.URL.Path == "/api/v1/rules/history":
			_, _ = io.WriteString(w, history)
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
	c, put := fakeGrafana(t, tree, "")
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

func TestHistoryCountsTransitionsIntoAlerting(t *testing.T) {
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC).UnixMilli()
	// Grafana 10.0 writes milliseconds × 1000 for annotation history; newer ones milliseconds.
	frame := `{"schema":{"fields":[{"name":"time"},{"name":"text"},{"name":"prev"},{"name":"next"},{"name":"data"}]},
		"data":{"values":[[` + itoa(at*1000) + `,` + itoa(at+60_000) + `,` + itoa(at+120_000) + `],["","",""],
		["Normal","Alerting","Normal"],["Alerting","Normal","Alerting (Error)"],["{}","{}","{}"]]}}`
	c, _ := fakeGrafana(t, nil, frame)
	s, err := c.History(context.Background(), "r1", time.UnixMilli(0), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if s.TriggerCount != 2 || !s.Firing || s.LastTriggered.UnixMilli() != at+120_000 {
		t.Errorf("stats %+v (last %v)", s, s.LastTriggered)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestGrafanaRefusalIsTyped(t *testing.T) {
	c, _ := fakeGrafana(t, map[string]any{}, "")
	c.Token = "wrong"
	_, err := c.contactPointsByRule(context.Background())
	if !IsStatus(err, 401) {
		t.Errorf("got %v", err)
	}
}
