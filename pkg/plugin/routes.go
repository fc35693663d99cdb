package plugin

import (
	"context"
	"fmt"
	"net/http"
	"runtime/debug"
	"sync"

	"github.com/google/uuid"
	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/attest/auditlog/pkg/loki"
	"github.com/attest/auditlog/pkg/selfaudit"
)

// caller is who called a route, resolved from the plugin context Grafana sends with every request.
type caller struct {
	User      backend.User
	OrgID     int64
	Tenant    string
	RequestID string
	UserAgent string
	Client    string
}

// access says who may call a route.
type access int

const (
	anyone access = iota // every signed-in user of the org (only for routes that read nothing)
	reader               // the configured read role (Admin by default)
	admin                // org Admin only (alert rules and contact points)
)

type handlerFunc func(w http.ResponseWriter, r *http.Request, c *caller) error

type route struct {
	pattern string
	access  access
	handle  handlerFunc
	// body is the largest body the route takes (noBody: none).
	body int64
}

// Body limits of the routes.
const (
	noBody   int64 = 0
	jsonBody int64 = 64 << 10
	// fileBody: an export file sent back to be checked against its manifest.
	fileBody int64 = 64 << 20
)

// routes is the one route table of the backend.
func (a *App) routes() []route {
	return []route{
		{"GET /me", anyone, a.handleMe, noBody},
		{"GET /events", reader, a.handleEvents, noBody},
		{"GET /events/count", reader, a.handleEventCount, noBody},
		{"GET /events/tail", reader, a.handleTail, noBody},
		{"GET /events/{id}", reader, a.handleEvent, noBody},
		{"GET /overview", reader, a.handleOverview, noBody},
		{"GET /values", reader, a.handleValues, noBody},
		{"POST /exports", reader, a.handleExportCreate, jsonBody},
		{"GET /exports", reader, a.handleExportList, noBody},
		{"GET /exports/{id}", reader, a.handleExportGet, noBody},
		{"GET /exports/{id}/download", reader, a.handleExportDownload, noBody},
		{"GET /exports/{id}/manifest", reader, a.handleExportManifest, noBody},
		{"POST /exports/verify", reader, a.handleExportVerify, fileBody},
		{"GET /signing-key", reader, a.handleSigningKey, noBody},
		{"POST /exports/{id}/cancel", reader, a.handleExportCancel, noBody},
		{"DELETE /exports/{id}", reader, a.handleExportDelete, noBody},
		{"GET /actors/resolve", reader, a.handleActorResolve, noBody},
		{"POST /integrity/verifications", reader, a.handleVerifyCreate, jsonBody},
		{"GET /integrity/verifications", reader, a.handleVerifyList, noBody},
		{"GET /reports/types", reader, a.handleReportTypes, noBody},
		{"POST /reports", reader, a.handleReportCreate, jsonBody},
		{"GET /reports", reader, a.handleReportList, noBody},
		{"POST /reports/delete", reader, a.handleReportBulkDelete, jsonBody},
		{"GET /reports/schedules", admin, a.handleScheduleList, noBody},
		{"POST /reports/schedules", admin, a.handleScheduleCreate, jsonBody},
		{"DELETE /reports/schedules/{id}", admin, a.handleScheduleDelete, noBody},
		{"GET /reports/{id}", reader, a.handleReportGet, noBody},
		{"GET /reports/{id}/download", reader, a.handleReportDownload, noBody},
		{"POST /reports/{id}/retry", reader, a.handleReportRetry, noBody},
		{"DELETE /reports/{id}", reader, a.handleReportDelete, noBody},
		{"POST /subjects/erase", admin, a.handleSubjectErase, jsonBody},
		{"GET /retention", reader, a.handleRetentionGet, noBody},
		{"PUT /retention", admin, a.handleRetentionPut, jsonBody},
		{"POST /retention/runs", admin, a.handleRetentionRun, noBody},
		{"GET /alerts", admin, a.handleAlertList, noBody},
		{"POST /alerts", admin, a.handleAlertCreate, jsonBody},
		{"PUT /alerts/{uid}", admin, a.handleAlertUpdate, jsonBody},
		{"PUT /alerts/{uid}/active", admin, a.handleAlertActive, jsonBody},
		{"DELETE /alerts/{uid}", admin, a.handleAlertDelete, noBody},
		{"POST /alerts/{uid}/test", admin, a.handleAlertTest, noBody},
		{"POST /alert-starters/{id}", admin, a.handleStarterEnable, jsonBody},
		{"GET /alerts/contact-points", admin, a.handleContactPoints, noBody},
		{"POST /alerts/contact-points", admin, a.handleContactPointCreate, jsonBody},
	}
}

func (a *App) newMux() *http.ServeMux {
	mux := http.NewServeMux()
	for _, rt := range a.routes() {
		mux.Handle(rt.pattern, a.wrap(rt))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, notFound(fmt.Sprintf("no route %s %s", r.Method, r.URL.Path)))
	})
	return mux
}

// maxInFlightPerUser bounds concurrent reads of one user; beyond it the answer is 429.
const maxInFlightPerUser = 6

type inFlight struct {
	mu sync.Mutex
	n  map[string]int
}

func (f *inFlight) acquire(key string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n == nil {
		f.n = map[string]int{}
	}
	if f.n[key] >= maxInFlightPerUser {
		return false
	}
	f.n[key]++
	return true
}

func (f *inFlight) release(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n[key]--
}

// wrap turns a handler into one that never panics to the client, resolves the caller, checks the
// caller's org role before anything touches Loki, and records refusals in the trail.
func (a *App) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				log.DefaultLogger.Error("panic in route", "route", rt.pattern, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				writeJSON(w, http.StatusInternalServerError, &APIError{http.StatusInternalServerError, "internal", "internal error; see the Grafana server log"})
			}
		}()
		pc := backend.PluginConfigFromContext(r.Context())
		if pc.User == nil || pc.User.Login == "" {
			writeJSON(w, http.StatusUnauthorized, &APIError{http.StatusUnauthorized, "unauthorized", "sign in to Grafana first"})
			return
		}
		c := &caller{User: *pc.User, OrgID: pc.OrgID, RequestID: uuid.NewString(), UserAgent: r.Header.Get("User-Agent"),
			Client: r.Header.Get("X-Forwarded-For")}
		c.Tenant, _ = a.settings.TenantFor(pc.OrgID)
		// Every route counts against the caller's in-flight limit, /me included.
		held := fmt.Sprintf("%d/%s", c.OrgID, c.User.Login)
		if !a.inFlight.acquire(held) {
			writeJSON(w, http.StatusTooManyRequests, &APIError{http.StatusTooManyRequests, "rate_limited",
				fmt.Sprintf("at most %d requests at once per user", maxInFlightPerUser)})
			return
		}
		defer a.inFlight.release(held)
		if err := checkRequest(w, r, rt.body); err != nil {
			writeError(w, err)
			return
		}
		if rt.access == admin && c.User.Role != "Admin" {
			a.recordDenied(r.Context(), c, rt.pattern, fmt.Sprintf("org role %s is not Admin", c.User.Role))
			writeJSON(w, http.StatusForbidden, forbidden("this needs the Admin role in this organization (audit alerts, retention)"))
			return
		}
		if rt.access != anyone {
			if !RoleAllows(c.User.Role, a.settings.ReadRole) {
				a.recordDenied(r.Context(), c, rt.pattern, fmt.Sprintf("org role %s is below %s", c.User.Role, a.settings.ReadRole))
				writeJSON(w, http.StatusForbidden, forbidden(fmt.Sprintf("reading the audit trail needs the %s role in this organization", a.settings.ReadRole)))
				return
			}
			if c.Tenant == "" {
				writeJSON(w, http.StatusForbidden, forbidden("this organization has no audit tenant configured"))
				return
			}
		}
		if err := rt.handle(w, r, c); err != nil {
			writeError(w, err)
		}
	})
}

// record writes the caller's action into the trail before the action is served. When the record
// cannot be written the action is refused (fail closed) unless the app is set to fail open.
func (a *App) record(ctx context.Context, c *caller, e selfaudit.Event) error {
	e.ActorID, e.ActorEmail, e.ActorName, e.ActorRole = c.User.Login, c.User.Email, c.User.Name, c.User.Role
	e.RequestID, e.UserAgent, e.ClientAddr = c.RequestID, c.UserAgent, c.Client
	if e.Outcome == "" {
		e.Outcome = "success"
	}
	if e.Severity == "" {
		e.Severity = "INFO"
	}
	if e.Metadata == nil {
		e.Metadata = map[string]any{}
	}
	e.Metadata["grafana_org_id"] = c.OrgID
	err := a.sealPersonal(ctx, c.Tenant, &e)
	if err == nil {
		_, err = a.audit.Record(ctx, c.Tenant, e)
	}
	if err != nil {
		log.DefaultLogger.Error("self-audit record failed", "event", e.Type, "user", c.User.Login, "error", err.Error())
		if !a.settings.SelfAuditFailOpen {
			return err
		}
	}
	return nil
}

// recorded runs a read while its audit record is written, and hands out the result only once the
// record is written (or the app fails open): nothing is served unrecorded, and the record's latency
// overlaps the query's instead of adding to it.
func recorded[T any](ctx context.Context, a *App, c *caller, e selfaudit.Event, read func(context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	recErr := make(chan error, 1)
	go func() { recErr <- a.record(ctx, c, e) }()
	result, err := read(ctx)
	if rerr := <-recErr; rerr != nil {
		var zero T
		return zero, rerr
	}
	return result, err
}

func (a *App) recordDenied(ctx context.Context, c *caller, pattern, reason string) {
	if c.Tenant == "" {
		log.DefaultLogger.Warn("access denied (no tenant to record it in)", "user", c.User.Login, "org", c.OrgID, "route", pattern)
		return
	}
	_ = a.record(ctx, c, selfaudit.Event{
		Type: "audit.access.denied", Category: "SECURITY", Action: "read", Outcome: "denied", Severity: "WARNING",
		Description: fmt.Sprintf("%s was refused access to the audit trail (%s)", c.User.Login, pattern),
		TargetType:  "audit_trail", TargetID: c.Tenant,
		Metadata: map[string]any{"route": pattern, "reason": reason},
	})
}

// lokiFor is the Loki client of the caller's tenant.
func (a *App) lokiFor(c *caller) *loki.Client { return a.tenantClient(c.Tenant) }
