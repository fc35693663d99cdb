package plugin

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/attest/auditlog/pkg/retention"
	"github.com/attest/auditlog/pkg/tenancy"
)

// Pure route-table behaviour with a recording stand-in for the Collector; the same routes are tried
// against the real Grafana, Loki and Collector in tests/grafana/door.test.mjs.

type collectorStub struct {
	mu     sync.Mutex
	bodies []string
	status int
}

func (c *collectorStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.bodies = append(c.bodies, r.Header.Get("X-Scope-OrgID")+" "+string(b))
	if c.status != 0 {
		w.WriteHeader(c.status)
	}
}

func testApp(t *testing.T, stub *collectorStub, lokiURL string) *App {
	t.Helper()
	srv := httptest.NewServer(stub)
	t.Cleanup(srv.Close)
	st := &Settings{LokiURL: lokiURL, ReadRole: "Admin", CollectorURL: srv.URL, TenantMap: map[int64]string{1: "acme"}}
	return newApp(newService(st, nil), st)
}

// appWithData is an app with a data directory of its own (its stores and key files) recording to stub.
func appWithData(t *testing.T, stub *collectorStub) *App {
	t.Helper()
	srv := httptest.NewServer(stub)
	t.Cleanup(srv.Close)
	st := &Settings{LokiURL: "http://127.0.0.1:1", ReadRole: "Admin", CollectorURL: srv.URL,
		TenantMap: map[int64]string{1: "acme"}, DataDir: t.TempDir()}
	a := newApp(newService(st, nil), st)
	t.Cleanup(a.svc.Stop)
	return a
}

func call(a *App, user *backend.User, org int64, target string) (*httptest.ResponseRecorder, map[string]any) {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req = req.WithContext(backend.WithPluginContext(req.Context(), backend.PluginContext{OrgID: org, User: user}))
	rec := httptest.NewRecorder()
	a.newMux().ServeHTTP(rec, req)
	var body map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	return rec, body
}

const rangeQS = "from=1700000000000000000&to=1700003600000000000"

func TestRefusedRolesGet403AndAreRecorded(t *testing.T) {
	stub := &collectorStub{}
	a := testApp(t, stub, "http://127.0.0.1:1")
	for _, role := range []string{"Viewer", "Editor", "None"} {
		rec, body := call(a, &backend.User{Login: "u-" + role, Role: role}, 1, "/events?"+rangeQS)
		if rec.Code != http.StatusForbidden || body["error"] != "forbidden" {
			t.Fatalf("%s: %d %v", role, rec.Code, body)
		}
	}
	if len(stub.bodies) != 3 {
		t.Fatalf("%d refusals recorded, want 3", len(stub.bodies))
	}
	for _, b := range stub.bodies {
		if !strings.HasPrefix(b, "acme ") || !strings.Contains(b, "audit.access.denied") || !strings.Contains(b, `"denied"`) {
			t.Fatalf("recorded %s", b)
		}
	}
}

func TestNoUserIs401AndUnknownRouteIs404(t *testing.T) {
	a := testApp(t, &collectorStub{}, "")
	if rec, _ := call(a, nil, 1, "/events?"+rangeQS); rec.Code != http.StatusUnauthorized {
		t.Fatalf("got %d", rec.Code)
	}
	rec, body := call(a, &backend.User{Login: "a", Role: "Admin"}, 1, "/nope")
	if rec.Code != http.StatusNotFound || body["error"] != "not_found" {
		t.Fatalf("got %d %v", rec.Code, body)
	}
}

func TestOrgWithoutTenantIsRefused(t *testing.T) {
	a := testApp(t, &collectorStub{}, "")
	rec, body := call(a, &backend.User{Login: "a", Role: "Admin"}, 7, "/events?"+rangeQS)
	if rec.Code != http.StatusForbidden || !strings.Contains(body["message"].(string), "no audit tenant") {
		t.Fatalf("got %d %v", rec.Code, body)
	}
}

func TestReadIsRefusedWhenItCannotBeRecorded(t *testing.T) {
	a := testApp(t, &collectorStub{status: 500}, "http://127.0.0.1:1")
	rec, body := call(a, &backend.User{Login: "a", Role: "Admin"}, 1, "/events?"+rangeQS)
	if rec.Code != http.StatusServiceUnavailable || body["error"] != "audit_unavailable" {
		t.Fatalf("got %d %v", rec.Code, body)
	}
	// Fail open: served (here Loki is unreachable, so 502), not refused.
	a.settings.SelfAuditFailOpen = true
	rec, body = call(a, &backend.User{Login: "a", Role: "Admin"}, 1, "/events?"+rangeQS)
	if rec.Code != http.StatusBadGateway || body["error"] != "loki_unavailable" {
		t.Fatalf("got %d %v", rec.Code, body)
	}
}

func TestPanicIsA500WithoutStack(t *testing.T) {
	a := testApp(t, &collectorStub{}, "")
	h := a.wrap(route{"GET /boom", anyone, func(http.ResponseWriter, *http.Request, *caller) error { panic("boom") }, noBody})
	req := httptest.NewRequest(http.MethodGet, "/boom", nil)
	req = req.WithContext(backend.WithPluginContext(req.Context(), backend.PluginContext{OrgID: 1, User: &backend.User{Login: "a", Role: "Admin"}}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "boom") || !strings.Contains(rec.Body.String(), `"error":"internal"`) {
		t.Fatalf("got %d %s", rec.Code, rec.Body.String())
	}
}

func TestParseQueryRefusesBadInput(t *testing.T) {
	for qs, want := range map[string]string{
		"category=AUTH,NOPE&" + rangeQS:                   `category "NOPE"`,
		"severity=LOUD&" + rangeQS:                        `severity "LOUD"`,
		"outcome=maybe&" + rangeQS:                        "outcome",
		"x=1&" + rangeQS:                                  `unknown parameter "x"`,
		"search=a&search=b&" + rangeQS:                    "more than once",
		"service=a%00b&" + rangeQS:                        "NUL",
		"service=%ff&" + rangeQS:                          "valid text",
		"from=2&to=1":                                     "reversed",
		"from=0&to=1700000000000000000":                   "longer than",
		"from=1&to=1000001":                               "",
		"from=1700000000000000000&to=1700000000000000001": "whole number of milliseconds",
		"to=1": `"from"`,
		"search=" + url.QueryEscape(strings.Repeat("x", 513)) + "&" + rangeQS: "at most 512",
	} {
		v, _ := url.ParseQuery(qs)
		_, err := parseQuery(v)
		if want == "" {
			if err != nil {
				t.Errorf("%s: unexpected %v", qs, err)
			}
			continue
		}
		if err == nil || !strings.Contains(toAPIError(err).Message, want) || toAPIError(err).Status != 400 {
			t.Errorf("%s: got %v, want 400 containing %q", qs, err, want)
		}
	}
}

func TestTenantMapWinsOverAppSetting(t *testing.T) {
	env := map[string]string{"GF_PLUGIN_TENANTS": "1=acme, 2=globex"}
	s, err := LoadSettings(backend.AppInstanceSettings{JSONData: []byte(`{"tenant":"acme","lokiUrl":"http://l"}`)}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.TenantFor(2); got != "globex" {
		t.Fatalf("org 2 -> %q", got)
	}
	if _, ok := s.TenantFor(3); ok {
		t.Fatal("an unmapped org has no tenant, whatever its app settings say")
	}
	for _, bad := range []string{"1=", "x=acme", "1=a/b", "1=a b", "0=acme"} {
		if _, err := tenancy.ParseMap(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := LoadSettings(backend.AppInstanceSettings{JSONData: []byte(`{"readRole":"None"}`)}, func(string) string { return "" }); err == nil {
		t.Fatal("readRole None accepted")
	}
}

func TestRoleAllows(t *testing.T) {
	for _, c := range []struct {
		role, min string
		ok        bool
	}{{"Admin", "Admin", true}, {"Editor", "Admin", false}, {"Viewer", "Viewer", true}, {"None", "Viewer", false}, {"", "Viewer", false}, {"Editor", "Viewer", true}} {
		if RoleAllows(c.role, c.min) != c.ok {
			t.Errorf("%s >= %s", c.role, c.min)
		}
	}
}

func TestRetentionEventOfARefusedRunHasNoCutoff(t *testing.T) {
	e := retentionEvent("acme", retention.Policy{Days: 20}, retention.Run{Status: retention.RunRefused, Message: "refused: below"})
	if e.Type != "audit.retention.refused" || e.Severity != "ERROR" {
		t.Errorf("%+v", e)
	}
}
