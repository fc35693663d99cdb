package plugin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// HealthDetails is what /api/plugins/<id>/health shows beside the status.
type HealthDetails struct {
	Tenant         string `json:"tenant"`
	TenantSource   string `json:"tenantSource"`
	LokiURL        string `json:"lokiUrl"`
	StoreSource    string `json:"storeSource"`
	IgnoredLokiURL string `json:"ignoredLokiUrl,omitempty"`
	LokiReachable  bool   `json:"lokiReachable"`
	LokiError      string `json:"lokiError,omitempty"`
	CollectorURL   string `json:"collectorUrl"`
	CollectorOK    bool   `json:"collectorReachable"`
	CollectorError string `json:"collectorError,omitempty"`
	// DeadLetter counts this tenant's events Loki refused, held by the Collector to be replayed.
	DeadLetter int64 `json:"deadLetter"`
	// AlertingConfigured: the backend can manage audit alert rules (a service account token and
	// grafana_url, or Grafana's own app client secret).
	AlertingConfigured bool   `json:"alertingConfigured"`
	ReadRole           string `json:"readRole"`
	SelfAuditFailOn    string `json:"selfAuditOnWriteFailure"`
	// State is where the backend keeps its state: "this server" (SQLite and files in data_dir) or
	// "shared PostgreSQL" (an HA install); Leading says whether this server does the background work.
	State         string `json:"state"`
	DatabaseError string `json:"databaseError,omitempty"`
	Leading       bool   `json:"leading"`
	FilesBucket   string `json:"filesBucket,omitempty"`
}

// CheckHealth answers Grafana's health check: is Loki reachable for this org's tenant, is the
// Collector (where the backend records its own actions) reachable.
func (a *App) CheckHealth(ctx context.Context, req *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	s := a.settings
	store := a.svc.sys().settings
	d := HealthDetails{LokiURL: store.LokiURL, StoreSource: s.StoreSource, IgnoredLokiURL: s.IgnoredLokiURL, CollectorURL: s.CollectorURL, ReadRole: s.ReadRole, SelfAuditFailOn: "refuse"}
	if s.SelfAuditFailOpen {
		d.SelfAuditFailOn = "serve"
	}
	d.TenantSource = "app settings"
	if s.TenantMap != nil {
		d.TenantSource = "server (GF_PLUGIN_TENANTS)"
	}
	tenant, ok := s.TenantFor(req.PluginContext.OrgID)
	d.Tenant = tenant
	var problems []string
	if !ok {
		problems = append(problems, fmt.Sprintf("org %d has no audit tenant", req.PluginContext.OrgID))
	}
	if store.LokiURL == "" {
		d.LokiError = errNoStore.Error()
	} else if ok {
		c := a.lokiFor(&caller{Tenant: tenant})
		// /ready says Loki is up; a labels call proves the tenant and credentials are accepted.
		err := c.Ready(ctx)
		if err == nil {
			err = c.Get(ctx, "/loki/api/v1/labels", nil, nil)
		}
		if err != nil {
			d.LokiError = err.Error()
		} else {
			d.LokiReachable = true
		}
	}
	if !d.LokiReachable {
		problems = append(problems, "Loki: "+d.LokiError)
	}
	d.State, d.FilesBucket = "this server", store.FilesS3.Bucket
	if store.DatabaseURL != "" {
		d.State = "shared PostgreSQL"
		if db := a.sharedDB(); db == nil {
			d.DatabaseError = "the database URL is not valid"
		} else if err := db.SQL().PingContext(ctx); err != nil {
			d.DatabaseError = err.Error()
		}
		if d.DatabaseError != "" {
			problems = append(problems, "shared database: "+d.DatabaseError)
		}
	}
	d.Leading = a.svc.leading()
	if err := a.collectorOK(ctx, tenant); err != nil {
		d.CollectorError = err.Error()
		problems = append(problems, "Collector: "+err.Error())
	} else {
		d.CollectorOK = true
	}
	if ok {
		if ledger, err := a.ledger(ctx); err == nil && ledger != nil {
			if d.DeadLetter = ledger.DeadLetter[tenant]; d.DeadLetter > 0 {
				problems = append(problems, fmt.Sprintf("Loki refused %d audit events of tenant %s: the Collector holds them in its dead-letter queue and replays them when Loki takes them (its log says why)", d.DeadLetter, tenant))
			}
		}
	}
	alerting := ""
	if _, err := a.alerts(ctx, &caller{}); err != nil {
		alerting = "; alerting is not configured: " + err.Error()
	} else {
		d.AlertingConfigured = true
	}
	details, _ := json.Marshal(d)
	if len(problems) > 0 {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: strings.Join(problems, "; "), JSONDetails: details}, nil
	}
	return &backend.CheckHealthResult{Status: backend.HealthStatusOk,
		Message: fmt.Sprintf("Loki reachable for tenant %s; Collector reachable%s", tenant, alerting), JSONDetails: details}, nil
}

// collectorOK posts an empty OTLP request: accepted, it writes nothing.
func (a *App) collectorOK(ctx context.Context, tenant string) error {
	if a.settings.CollectorURL == "" {
		return fmt.Errorf("no Collector URL configured (GF_PLUGIN_COLLECTOR_URL)")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(a.settings.CollectorURL, "/")+"/v1/logs",
		bytes.NewReader([]byte(`{"resourceLogs":[]}`)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if tenant != "" {
		req.Header.Set("X-Scope-OrgID", tenant)
	}
	if a.settings.CollectorToken != "" {
		req.Header.Set("Authorization", "Bearer "+a.settings.CollectorToken)
	}
	res, err := a.httpClient.Do(req)
	if err != nil {
		return fmt.Errorf("unreachable: %w", err)
	}
	res.Body.Close()
	if res.StatusCode == http.StatusUnauthorized {
		return fmt.Errorf("refused the backend's producer credential (HTTP 401): set collector_token to a token of a tenant \"*\" producer in the Collector's credentials file")
	}
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("answered HTTP %d", res.StatusCode)
	}
	return nil
}
