// Package countsds is the counts datasource nested in the app: Grafana panels and alert rules query it
// for numbers of audit events. It answers counts only (see pkg/counts), so a Viewer who can query it
// learns how many events matched, never what they said; queries that single out people are for org
// admins and Grafana's alert evaluation.
package countsds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
	"github.com/grafana/grafana-plugin-sdk-go/backend/resource/httpadapter"

	"github.com/attest/auditlog/collector/attestredaction/rules"
	"github.com/attest/auditlog/pkg/counts"
	"github.com/attest/auditlog/pkg/keyfile"
	"github.com/attest/auditlog/pkg/loki"
	"github.com/attest/auditlog/pkg/seal"
	"github.com/attest/auditlog/pkg/selfaudit"
	"github.com/attest/auditlog/pkg/subjects"
	"github.com/attest/auditlog/pkg/tenancy"
)

// PluginID is the datasource's plugin id (src/datasource/plugin.json).
const PluginID = "attest-auditcounts-datasource"

var (
	_ backend.QueryDataHandler      = (*Datasource)(nil)
	_ backend.CheckHealthHandler    = (*Datasource)(nil)
	_ instancemgmt.InstanceDisposer = (*Datasource)(nil)
)

// Settings of one datasource instance. The tenant comes from the server-level map
// ([plugin.attest-auditcounts-datasource] tenants) like the app's; jsonData's tenant only counts in
// a single-org install without a map.
type Settings struct {
	LokiURL  string `json:"lokiUrl"`
	LokiUser string `json:"lokiUser"`
	Tenant   string `json:"tenant"`

	lokiPassword     string
	lokiToken        string
	lokiPasswordFile string
	serverStore      bool
	tenantMap        map[int64]string
	dataDir          string
	// databaseURL: the app's shared PostgreSQL database (HA), where its sealed values' keys are.
	databaseURL string
	// subjects is the per-subject key directory the app's backend reads (nil: none configured).
	subjects *subjects.Store
}

// Datasource is one instance of the counts datasource.
type Datasource struct {
	backend.CallResourceHandler
	settings Settings
	http     *http.Client
	// audit records what the datasource reveals about people before it answers (nil: no Collector
	// configured, and such answers are refused).
	audit *selfaudit.Emitter
}

// New builds an instance from the datasource's settings and the server environment.
func New(_ context.Context, s backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
	return newDatasource(s, os.Getenv)
}

func newDatasource(s backend.DataSourceInstanceSettings, env func(string) string) (*Datasource, error) {
	var st Settings
	if len(s.JSONData) > 0 && string(s.JSONData) != "null" {
		if err := json.Unmarshal(s.JSONData, &st); err != nil {
			return nil, fmt.Errorf("the datasource's jsonData is not valid: %w", err)
		}
	}
	st.lokiPassword = s.DecryptedSecureJSONData["lokiPassword"]
	st.lokiToken = s.DecryptedSecureJSONData["lokiToken"]
	m, err := tenancy.ParseMap(env("GF_PLUGIN_TENANTS"))
	if err != nil {
		return nil, err
	}
	st.tenantMap = m
	// The store is the server's whenever the server names one; a datasource's own only in a
	// single-org install without a tenant map (org 1, checked per query in client).
	if u := env("GF_PLUGIN_LOKI_URL"); u != "" {
		st.LokiURL, st.LokiUser, st.lokiPassword = u, env("GF_PLUGIN_LOKI_USER"), env("GF_PLUGIN_LOKI_PASSWORD")
		st.lokiToken, st.lokiPasswordFile, st.serverStore = env("GF_PLUGIN_LOKI_TOKEN"), env("GF_PLUGIN_LOKI_PASSWORD_FILE"), true
	}
	st.dataDir = env("GF_PLUGIN_DATA_DIR")
	st.databaseURL = env("GF_PLUGIN_DATABASE_URL")
	if dir := env("GF_PLUGIN_SUBJECT_KEYS_DIR"); dir != "" {
		st.subjects = subjects.NewStore(dir)
	}
	d := &Datasource{settings: st, http: &http.Client{Timeout: 60 * time.Second}}
	if u := env("GF_PLUGIN_COLLECTOR_URL"); u != "" {
		d.audit = selfaudit.NewEmitter(u, env("GF_PLUGIN_ENVIRONMENT"))
		d.audit.Token = env("GF_PLUGIN_COLLECTOR_TOKEN")
		if secret, err := keyfile.Load(st.dataDir, "self-audit-chain.key"); err == nil && st.dataDir != "" {
			d.audit.Key, d.audit.KeyID = secret, keyfile.ID("attest-app-", secret)
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /values", d.handleValues)
	d.CallResourceHandler = httpadapter.New(mux)
	return d, nil
}

// Dispose is called when Grafana replaces the instance (settings changed).
func (d *Datasource) Dispose() { d.http.CloseIdleConnections() }

func (d *Datasource) client(orgID int64) (*loki.Client, error) {
	tenant, ok := tenancy.For(d.settings.tenantMap, orgID, d.settings.Tenant)
	if !ok {
		return nil, errors.New("this organization has no audit tenant configured")
	}
	if !d.settings.serverStore && (d.settings.tenantMap != nil || orgID != 1) {
		return nil, errors.New("no audit store: set loki_url in [plugin.attest-auditcounts-datasource] (grafana.ini)")
	}
	if d.settings.LokiURL == "" {
		return nil, errors.New("no Loki URL: set the server-level loki_url")
	}
	pass := d.settings.lokiPassword
	if f := d.settings.lokiPasswordFile; f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("the store's password file cannot be read: %w", err)
		}
		pass = strings.TrimSpace(string(b))
	}
	return &loki.Client{BaseURL: d.settings.LokiURL, Tenant: tenant, BasicUser: d.settings.LokiUser,
		BasicPass: pass, BearerToken: d.settings.lokiToken, HTTP: d.http}, nil
}

// caller is who a query runs for.
type caller struct {
	orgID int64
	user  *backend.User
	// scheduler is Grafana's alert evaluation of the rule ruleUID: whoever wrote the rule, it runs only
	// queries the app signed for that rule.
	scheduler bool
	ruleUID   string
	admin     bool
}

// callerOf tells who a query runs for. Grafana's rule evaluation is recognised by exactly what its
// scheduler sends: no user, and the raw headers its evaluator sets (FromAlert, the rule's X-Rule-Uid and
// the org). Grafana forwards a user's own headers only under an http_ prefix, never these; a rule
// preview sends FromAlert without a rule, and backtesting a made-up rule uid. A login never makes a
// caller the scheduler. Anonymous and public dashboard viewers are neither Admin nor the scheduler:
// counts only.
func callerOf(pc backend.PluginContext, headers map[string]string) caller {
	who := caller{orgID: pc.OrgID, user: pc.User}
	uid := headers["X-Rule-Uid"]
	who.scheduler = pc.User == nil && headers["FromAlert"] == "true" && uid != "" &&
		!strings.HasPrefix(uid, "backtesting-") && headers["X-Grafana-Org-Id"] == strconv.FormatInt(pc.OrgID, 10)
	if who.scheduler {
		who.ruleUID = uid
	}
	who.admin = pc.User != nil && pc.User.Login != "" && pc.User.Role == "Admin"
	return who
}

// QueryData answers each query with count frames, or an error for that query alone.
func (d *Datasource) QueryData(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	out := backend.NewQueryDataResponse()
	who := callerOf(req.PluginContext, req.Headers)
	c, cerr := d.client(req.PluginContext.OrgID)
	for _, dq := range req.Queries {
		out.Responses[dq.RefID] = d.query(ctx, c, cerr, dq, who)
	}
	return out, nil
}

func (d *Datasource) query(ctx context.Context, c *loki.Client, cerr error, dq backend.DataQuery, who caller) backend.DataResponse {
	q, err := counts.ParseQuery(dq.JSON)
	if err != nil {
		return backend.ErrDataResponse(backend.StatusBadRequest, err.Error())
	}
	var key []byte
	if who.scheduler {
		if key, err = counts.LoadKey(d.settings.dataDir); err != nil {
			log.DefaultLogger.Error("query signing key unavailable", "error", err.Error())
		}
	}
	switch {
	case !q.Sensitive():
	case who.scheduler && !q.SignedBy(key, who.orgID, who.ruleUID):
		return backend.ErrDataResponse(backend.StatusForbidden,
			"an alert rule that groups or filters by actor, or matches changed values, must be made on the Attest Alerts page")
	case !who.scheduler && !who.admin:
		return backend.ErrDataResponse(backend.StatusForbidden,
			"grouping or filtering by actor, and matching changed values, need the Admin role in this organization")
	}
	if cerr != nil {
		return backend.ErrDataResponse(backend.StatusBadRequest, cerr.Error())
	}
	if q.Sensitive() && !who.scheduler {
		if err := d.record(ctx, who, c.Tenant, "audit.counts.queried", "Counts by person read through the counts datasource",
			map[string]any{"query": json.RawMessage(dq.JSON), "ref_id": dq.RefID,
				"from": dq.TimeRange.From.UnixMilli(), "to": dq.TimeRange.To.UnixMilli()}); err != nil {
			return backend.ErrDataResponse(backend.StatusInternal, err.Error())
		}
	}
	if q.Actor != "" && d.settings.subjects != nil {
		q.ActorStored = d.settings.subjects.StoredForms(c.Tenant, q.Actor)
	}
	series, err := counts.Run(ctx, c, q, dq.TimeRange.From, dq.TimeRange.To, dq.Interval)
	if err != nil {
		return errorResponse(err)
	}
	for i := range series {
		if who.scheduler {
			// Alert instances and their labels are listed to every org Viewer: no identities in them.
			hideActor(series[i].Labels, key, c.Tenant)
		} else {
			d.revealActor(series[i].Labels, c.Tenant)
		}
	}
	return backend.DataResponse{Frames: counts.Frames(dq.RefID, series)}
}

// revealActor shows an Admin the person behind an actor stored encrypted per subject ([erased] once
// the subject was erased), as the app's viewer does.
func (d *Datasource) revealActor(labels map[string]string, tenant string) {
	if d.settings.subjects == nil {
		return
	}
	for label, attr := range map[string]string{"actor_id": "user.id", "actor_email": "user.email"} {
		if v, ok := labels[label]; ok {
			labels[label] = d.settings.subjects.Reveal(tenant, attr, v)
		}
	}
}

func hideActor(labels map[string]string, key []byte, tenant string) {
	id, email := labels["actor_id"], labels["actor_email"]
	if id == "" && email == "" {
		return
	}
	delete(labels, "actor_id")
	delete(labels, "actor_email")
	labels["actor_ref"] = counts.ActorRef(key, tenant, id, email)
}

// errorResponse says what went wrong without the internals (Loki's address, its answers); those go to
// the Grafana server log.
func errorResponse(err error) backend.DataResponse {
	var qe *counts.Error
	var be *loki.BuildError
	var ue *loki.UnavailableError
	var he *loki.HTTPError
	switch {
	case errors.As(err, &qe), errors.As(err, &be):
		return backend.ErrDataResponse(backend.StatusBadRequest, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return backend.ErrDataResponse(backend.StatusTimeout, "the audit store took too long to answer")
	case errors.As(err, &ue):
		log.DefaultLogger.Error("Loki unreachable", "error", err.Error())
		return backend.ErrDataResponse(backend.StatusBadGateway, "the audit store (Loki) cannot be reached")
	case errors.As(err, &he):
		log.DefaultLogger.Error("Loki refused a count query", "status", he.Status, "body", he.Body)
		if he.Status == http.StatusTooManyRequests {
			return backend.ErrDataResponse(backend.StatusTooManyRequests, "the audit store is busy; try again shortly")
		}
		return backend.ErrDataResponse(backend.StatusBadGateway, fmt.Sprintf("the audit store answered HTTP %d", he.Status))
	}
	log.DefaultLogger.Error("count query failed", "error", err.Error())
	return backend.ErrDataResponse(backend.StatusInternal, "internal error; see the Grafana server log")
}

// CheckHealth reports whether this org has a tenant and Loki answers as that tenant.
func (d *Datasource) CheckHealth(ctx context.Context, req *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	c, err := d.client(req.PluginContext.OrgID)
	if err != nil {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: err.Error()}, nil
	}
	now := time.Now()
	if _, err := counts.Run(ctx, c, counts.Query{Mode: counts.ModeInstant}, now.Add(-5*time.Minute), now, 0); err != nil {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: "Loki: " + err.Error()}, nil
	}
	return &backend.CheckHealthResult{Status: backend.HealthStatusOk,
		Message: fmt.Sprintf("Counting audit events of tenant %s", c.Tenant)}, nil
}

// record writes, in the tenant's trail, what an Admin is about to see about people, before it is
// answered: a query that cannot be recorded is not answered.
func (d *Datasource) record(ctx context.Context, who caller, tenant, event, what string, meta map[string]any) error {
	if d.audit == nil {
		return errors.New("this answer names people and cannot be recorded: set collector_url in [plugin.attest-auditcounts-datasource]")
	}
	e := selfaudit.Event{Type: event, Category: "COMPLIANCE", Action: "read", Outcome: "success", Severity: "INFO",
		Description: what, TargetType: "audit_trail", TargetID: tenant, Metadata: meta}
	if who.user != nil {
		e.ActorID, e.ActorEmail, e.ActorName, e.ActorRole = who.user.Login, who.user.Email, who.user.Name, who.user.Role
	}
	e.Metadata["grafana_org_id"] = who.orgID
	e.Metadata["via"] = PluginID
	// The actor and value a query looks for are sealed, as in the app's own records (pkg/seal): the
	// data directory and its key file are the app's.
	if s := sealsIn(d.settings.dataDir, d.settings.databaseURL); s != nil {
		if err := s.SealFields(ctx, tenant, e.Metadata, seal.PersonalKeys, func(v string) string { return rules.Value("", v) }); err != nil {
			log.DefaultLogger.Error("counts datasource: sealing the record failed; the answer is refused", "error", err.Error())
			return err
		}
	}
	if _, err := d.audit.Record(ctx, tenant, e); err != nil {
		log.DefaultLogger.Error("counts datasource: the audit record failed; the answer is refused", "error", err.Error())
		return errors.New("this answer names people and its audit record could not be written; try again")
	}
	return nil
}

var sealStores sync.Map // data dir → *seal.Store

// sealsIn is the key file of sealed values in dir (nil without one).
func sealsIn(dir, databaseURL string) *seal.Store {
	if dir == "" {
		return nil
	}
	if s, ok := sealStores.Load(dir); ok {
		return s.(*seal.Store)
	}
	s, err := seal.Open(context.Background(), databaseURL, filepath.Join(dir, "seals.db"))
	if err != nil {
		log.DefaultLogger.Error("counts datasource: the sealed values' keys are unavailable", "error", err.Error())
		return nil
	}
	actual, loaded := sealStores.LoadOrStore(dir, s)
	if loaded {
		s.Close()
	}
	return actual.(*seal.Store)
}
