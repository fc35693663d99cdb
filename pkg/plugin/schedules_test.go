package plugin

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attest/auditlog/pkg/jobs"
	"github.com/attest/auditlog/pkg/report"
	"github.com/attest/auditlog/pkg/retention"
)

// A run whose period has left the retention window fails with that reason, and its contact points are
// told once, with its status and a link; a second pass sends nothing more. (The completed path runs
// against the real Grafana in tests/grafana/resources.test.mjs.)
func TestAScheduledRunPastTheWindowFailsAndIsAnnouncedOnce(t *testing.T) {
	ctx := context.Background()
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
	}))
	defer collector.Close()
	var mu sync.Mutex
	var notices []map[string]any
	grafana := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/alertmanager/grafana/config/api/v1/alerts":
			_, _ = io.WriteString(w, `{"alertmanager_config":{"receivers":[{"name":"ops","grafana_managed_receiver_configs":[{"uid":"u1","name":"ops","type":"webhook","settings":{}}]}]}}`)
		case "/api/alertmanager/grafana/config/api/v1/receivers/test":
			var body map[string]any
			_ = json.NewDecoder(r.Body).Decode(&body)
			mu.Lock()
			notices = append(notices, body)
			mu.Unlock()
			_, _ = io.WriteString(w, `{"receivers":[{"name":"ops","grafana_managed_receiver_configs":[{"name":"ops","uid":"u1","status":"ok"}]}]}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer grafana.Close()

	dir := t.TempDir()
	base := Settings{DataDir: dir, ReadRole: "Admin", CollectorURL: collector.URL, Environment: "test", Tenant: "acme"}
	svc := newService(&base, nil)
	org := base
	org.GrafanaURL, org.GrafanaToken = grafana.URL, "token"
	svc.orgs[1] = newApp(svc, &org)
	rn, err := svc.jobRunner()
	if err != nil {
		t.Fatal(err)
	}
	thirty := retention.Policy{Days: 30}
	if _, err := svc.sys().retentionStore().Update("acme", func(st *retention.State) error { st.Policy = &thirty; return nil }); err != nil {
		t.Fatal(err)
	}
	// The quarter before the running one ended more than 30 days ago.
	q := report.PeriodStart(report.Quarterly, time.Now()).AddDate(0, -3, 0)
	if time.Since(report.PeriodEnd(report.Quarterly, q)) < 31*24*time.Hour {
		t.Skip("the last quarter ended less than 31 days ago: it is still partly kept")
	}
	sc := &jobs.Schedule{ID: "s1", OrgID: 1, Tenant: "acme", Kind: reportKind, Name: "Quarterly SOX", Every: report.Quarterly,
		Params: `{"type":"SOX","name":"Quarterly SOX"}`, ContactPoints: []string{"ops"}, CreatedBy: "admin", Created: time.Now(), NextFrom: q}
	if err := rn.Store.CreateSchedule(ctx, sc); err != nil {
		t.Fatal(err)
	}
	svc.schedulePass(ctx) // starts the run and creates its report, failed
	svc.schedulePass(ctx) // announces it
	svc.schedulePass(ctx) // nothing more
	runs, _ := rn.Store.Runs(ctx, "s1", 10)
	if len(runs) != 1 || !runs[0].Notified {
		t.Fatalf("runs %+v", runs)
	}
	j, err := rn.Store.Get(ctx, 1, runs[0].JobID)
	if err != nil || j.Status != jobs.Failed || j.Name != "Quarterly SOX — "+report.PeriodLabel(report.Quarterly, q) {
		t.Fatalf("job %+v %v", j, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(notices) != 1 {
		t.Fatalf("%d notices", len(notices))
	}
	alert := notices[0]["alert"].(map[string]any)
	labels, annotations := alert["labels"].(map[string]any), alert["annotations"].(map[string]any)
	if labels["attest_report_status"] != "failed" || labels["attest_schedule"] != "Quarterly SOX" {
		t.Fatalf("labels %v", labels)
	}
	if annotations["link"] != grafana.URL+"/a/"+PluginID+"/reports?report="+j.ID {
		t.Fatalf("link %v", annotations["link"])
	}
	if s, _ := annotations["summary"].(string); s == "" || !strings.Contains(s, "retention window") {
		t.Fatalf("summary %q", s)
	}
}
