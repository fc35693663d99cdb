package plugin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/attest/auditlog/pkg/retention"
	"github.com/attest/auditlog/pkg/selfaudit"
)

var (
	retentionStores sync.Map // data dir → *retention.Store
	retentionRuns   sync.Map // tenant → struct{}: one run at a time per tenant
)

func (a *App) retentionStore() *retention.Store {
	s, _ := retentionStores.LoadOrStore(a.settings.DataDir, retention.NewStore(a.settings.DataDir).In(a.sharedDB()))
	return s.(*retention.Store)
}

func (a *App) archiveDir() string {
	if a.settings.ArchiveDir != "" {
		return a.settings.ArchiveDir
	}
	return filepath.Join(a.settings.DataDir, "archive")
}

// applyRetention writes every mapped tenant's stored window into Loki's runtime overrides file.
func (a *App) applyRetention() error {
	if a.settings.LokiOverridesFile == "" {
		return nil
	}
	policies := map[string]retention.Policy{}
	for _, t := range a.settings.Tenants() {
		st, err := a.retentionStore().Load(t)
		if err != nil {
			return err
		}
		if st.Policy == nil {
			continue
		}
		// A window the store should never hold (edited by hand) stays out; Loki keeps its own.
		if err := st.Policy.Validate(); err != nil {
			log.DefaultLogger.Error("retention window not applied", "tenant", t, "error", err.Error())
			continue
		}
		policies[t] = *st.Policy
	}
	return retention.WriteOverrides(a.settings.LokiOverridesFile, policies)
}

// retentionView is what GET retention answers.
type retentionView struct {
	Tenant    string           `json:"tenant"`
	Policy    retention.Policy `json:"policy"`
	Stored    bool             `json:"stored"`
	UpdatedBy string           `json:"updatedBy,omitempty"`
	UpdatedAt *time.Time       `json:"updatedAt,omitempty"`
	Applied   bool             `json:"applied"`
	LokiDays  int              `json:"lokiDays"`
	FloorDays int              `json:"floorDays"`
	MaxDays   int              `json:"maxDays"`
	PruneAt   string           `json:"pruneAt"`
	Archive   string           `json:"archiveLocation"`
	Runs      []retention.Run  `json:"runs"`
	Running   bool             `json:"running"`
	// LokiRetention is the retention_period Loki applies to the tenant now, as Loki says it.
	LokiRetention string `json:"lokiRetention,omitempty"`
}

func (a *App) retentionView(tenant string) (*retentionView, error) {
	st, err := a.retentionStore().Load(tenant)
	if err != nil {
		return nil, err
	}
	p := st.Effective()
	v := &retentionView{Tenant: tenant, Policy: p, Stored: st.Policy != nil, UpdatedBy: st.UpdatedBy,
		Applied: a.settings.LokiOverridesFile != "", LokiDays: p.LokiDays(p.Days), FloorDays: retention.FloorDays,
		MaxDays: retention.MaxDays, PruneAt: a.settings.PruneAt, Archive: filepath.Join(a.archiveDir(), tenant), Runs: st.Runs}
	if t := a.settings.ArchiveS3; t.Configured() {
		v.Archive = fmt.Sprintf("s3://%s/%s", t.Bucket, t.Key(tenant, ""))
	}
	if !st.UpdatedAt.IsZero() {
		v.UpdatedAt = &st.UpdatedAt
	}
	_, v.Running = retentionRuns.Load(tenant)
	return v, nil
}

func (a *App) handleRetentionGet(w http.ResponseWriter, r *http.Request, c *caller) error {
	v, err := a.retentionView(c.Tenant)
	if err != nil {
		return err
	}
	v.LokiRetention = a.lokiRetention(r.Context(), c.Tenant)
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (a *App) handleRetentionPut(w http.ResponseWriter, r *http.Request, c *caller) error {
	var p retention.Policy
	if err := decodeBody(r, &p, "{days, categories?: {CATEGORY: days}, archive}"); err != nil {
		return err
	}
	if p.Categories == nil {
		p.Categories = map[string]int{}
	}
	if err := p.Validate(); err != nil {
		var ve *retention.ValidationError
		if errors.As(err, &ve) {
			return &APIError{http.StatusBadRequest, "invalid_retention", ve.Message}
		}
		return err
	}
	if a.settings.LokiOverridesFile == "" {
		return &APIError{http.StatusConflict, "retention_not_applied",
			"the server has no loki_overrides_file ([plugin.attest-auditlog-app]); a window set here would not reach Loki"}
	}
	before, err := a.retentionStore().Load(c.Tenant)
	if err != nil {
		return err
	}
	if err := a.record(r.Context(), c, selfaudit.Event{
		Type: "audit.retention.changed", Category: "COMPLIANCE", Action: "update", Severity: "WARNING",
		Description: fmt.Sprintf("%s set the retention window to %d days", c.User.Login, p.Days),
		TargetType:  "retention_policy", TargetID: c.Tenant,
		Changes: map[string]any{"before": before.Effective(), "after": p},
	}); err != nil {
		return err
	}
	if _, err := a.retentionStore().Update(c.Tenant, func(st *retention.State) error {
		st.Policy, st.UpdatedBy, st.UpdatedAt = &p, c.User.Login, time.Now().UTC()
		return nil
	}); err != nil {
		return err
	}
	if err := a.applyRetention(); err != nil {
		return fmt.Errorf("the window is stored but Loki's overrides file could not be written: %w", err)
	}
	v, err := a.retentionView(c.Tenant)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (a *App) handleRetentionRun(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := a.record(r.Context(), c, selfaudit.Event{
		Type: "audit.retention.run_requested", Category: "COMPLIANCE", Action: "execute",
		Description: fmt.Sprintf("%s started the retention run", c.User.Login),
		TargetType:  "retention_policy", TargetID: c.Tenant,
	}); err != nil {
		return err
	}
	id, err := a.startRetentionRun(c.Tenant, "manual")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"id": id})
	return nil
}

// lokiRetention asks Loki which retention_period it applies to the tenant ("" when it cannot say).
func (a *App) lokiRetention(ctx context.Context, tenant string) string {
	limits, err := a.tenantClient(tenant).TenantLimits(ctx)
	if err != nil {
		log.DefaultLogger.Warn("Loki's tenant limits unavailable", "tenant", tenant, "error", err.Error())
		return ""
	}
	for _, line := range strings.Split(limits, "\n") {
		if v, ok := strings.CutPrefix(line, "retention_period: "); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// startRetentionRun runs in the background; one run at a time per tenant.
func (a *App) startRetentionRun(tenant, trigger string) (string, error) {
	if _, busy := retentionRuns.LoadOrStore(tenant, struct{}{}); busy {
		return "", &APIError{http.StatusConflict, "retention_running", "a retention run is already going on"}
	}
	id := uuid.NewString()
	go func() {
		defer retentionRuns.Delete(tenant)
		defer func() {
			if p := recover(); p != nil {
				log.DefaultLogger.Error("panic in a retention run", "tenant", tenant, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			}
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 6*time.Hour)
		defer cancel()
		a.retentionRun(ctx, tenant, id, trigger, time.Now())
	}()
	return id, nil
}

// retentionRun counts what fell past each window since the last run, archives it when the archive is
// on, and records the run as a System entry. Loki's compactor does the deleting.
func (a *App) retentionRun(ctx context.Context, tenant, id, trigger string, now time.Time) retention.Run {
	store := a.retentionStore()
	run := retention.Run{ID: id, Trigger: trigger, At: now.UTC(), Segments: []retention.Segment{}}
	st, err := store.Load(tenant)
	p := st.Effective()
	if err == nil {
		err = p.Validate()
		var ve *retention.ValidationError
		if errors.As(err, &ve) {
			run.Status, run.Message = retention.RunRefused, "refused: "+ve.Message
		}
	}
	if err == nil {
		run.Segments = retention.Segments(p, st.LastOK(), now)
		var ar *retention.Archiver
		if ar, err = a.archiver(tenant); err == nil {
			err = ar.CountAndArchive(ctx, tenant, p, &run)
		}
	}
	if err != nil && run.Status == "" {
		run.Status, run.Message = retention.RunFailed, err.Error()
	} else if run.Status == "" {
		run.Status = retention.RunOK
	}
	if _, err := store.Update(tenant, func(s *retention.State) error {
		s.Runs = append([]retention.Run{run}, s.Runs...)
		return nil
	}); err != nil {
		log.DefaultLogger.Error("retention run not kept", "tenant", tenant, "error", err.Error())
	}
	if _, err := a.audit.Record(ctx, tenant, retentionEvent(tenant, p, run)); err != nil {
		log.DefaultLogger.Error("retention run not recorded", "tenant", tenant, "error", err.Error())
	}
	return run
}

// archiver counts and archives a tenant's run: its archive directory, the app's manifest signer and the
// S3 bucket archives go to.
func (a *App) archiver(tenant string) (*retention.Archiver, error) {
	if _, err := a.jobRunner(); err != nil { // loads the signing key
		return nil, err
	}
	return &retention.Archiver{Client: a.tenantClient(tenant), Dir: filepath.Join(a.archiveDir(), tenant),
		Sign: a.signer().Sign, S3: a.settings.ArchiveS3}, nil
}

func retentionEvent(tenant string, p retention.Policy, run retention.Run) selfaudit.Event {
	cutoffs := map[string]string{}
	for _, s := range run.Segments {
		key := s.Category
		if key == "" {
			key = "default"
		}
		cutoffs[key] = time.Unix(0, s.CutoffNs).UTC().Format(time.RFC3339)
	}
	md := map[string]any{"run": run.ID, "trigger": run.Trigger, "rows": run.Rows, "window_days": p.Days,
		"cutoffs": cutoffs, "segments": run.Segments}
	e := selfaudit.Event{Type: "audit.retention.pruned", Category: "COMPLIANCE", Action: "delete", Outcome: "success",
		Severity: "INFO", ActorID: "attest-grafana-app", ActorName: "System", ActorType: "system",
		TargetType: "retention_policy", TargetID: tenant, Metadata: md}
	switch run.Status {
	case retention.RunOK:
		cutoff := time.Unix(0, run.Segments[0].CutoffNs).UTC().Format("2006-01-02")
		e.Description = fmt.Sprintf("Retention: %d entries past the %d-day window (cutoff %s)", run.Rows, p.Days, cutoff)
		if run.Archive != nil {
			e.Description += ", archived"
			md["archive_file"], md["archive_sha256"], md["archive_rows"] = run.Archive.Location, run.Archive.SHA256, run.Archive.Rows
		}
	case retention.RunRefused:
		e.Type, e.Outcome, e.Severity = "audit.retention.refused", "failure", "ERROR"
		e.Description = "Retention run refused: " + run.Message
	default:
		e.Type, e.Outcome, e.Severity = "audit.retention.failed", "failure", "ERROR"
		e.Description = "Retention run failed: " + run.Message
	}
	return e
}

// retentionPass starts each tenant's run at prune_at (UTC), and catches up a night the process was
// down for.
func (a *App) retentionPass(_ context.Context) {
	now := time.Now()
	for _, t := range a.settings.Tenants() {
		st, err := a.retentionStore().Load(t)
		if err != nil || !retention.Due(now, a.settings.PruneAt, st) {
			continue
		}
		trigger := "schedule"
		if now.Sub(retention.LastScheduled(now, a.settings.PruneAt)) > 10*time.Minute {
			trigger = "catch-up"
		}
		if _, err := a.startRetentionRun(t, trigger); err != nil {
			log.DefaultLogger.Warn("retention run not started", "tenant", t, "error", err.Error())
		}
	}
}
