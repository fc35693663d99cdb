package plugin

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"time"

	"github.com/google/uuid"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/attest/auditlog/pkg/export"
	"github.com/attest/auditlog/pkg/integrity"
	"github.com/attest/auditlog/pkg/jobs"
	"github.com/attest/auditlog/pkg/loki"
	"github.com/attest/auditlog/pkg/report"
	"github.com/attest/auditlog/pkg/selfaudit"
)

const reportKind = "report"

// reportLimits: reports are long reads; a user may run two at once, an organization three.
var reportLimits = jobs.Limits{PerOwner: 2, PerGroup: 3}

func (a *App) reportMapping() (*report.Mapping, error) {
	return report.LoadMapping(a.settings.ReportControlsFile)
}

// handleReportTypes answers the report types and their controls, for the Generate form.
func (a *App) handleReportTypes(w http.ResponseWriter, _ *http.Request, c *caller) error {
	m, days, err := a.reportRules(c.Tenant)
	if err != nil {
		return err
	}
	types := []map[string]any{}
	for _, t := range m.Types() {
		f := m.Frameworks[t]
		types = append(types, map[string]any{"id": t, "name": f.Name, "title": f.Title, "description": f.Description, "controls": f.Controls})
	}
	writeJSON(w, http.StatusOK, map[string]any{"types": types, "retentionDays": days})
	return nil
}

// reportRules are what a report request is checked against: the control mapping and the tenant's
// retention window in days (events older are gone).
func (a *App) reportRules(tenant string) (*report.Mapping, int, error) {
	m, err := a.reportMapping()
	if err != nil {
		return nil, 0, err
	}
	st, err := a.retentionStore().Load(tenant)
	if err != nil {
		return nil, 0, err
	}
	return m, st.Effective().Days, nil
}

func (a *App) handleReportCreate(w http.ResponseWriter, r *http.Request, c *caller) error {
	var spec report.Spec
	if err := decodeBody(r, &spec, "{type, name, from, to} (from and to as RFC 3339 times)"); err != nil {
		return err
	}
	m, days, err := a.reportRules(c.Tenant)
	if err != nil {
		return err
	}
	var ve *report.ValidationError
	if err := spec.Validate(m, time.Now(), days, 0); errors.As(err, &ve) {
		return &APIError{http.StatusBadRequest, "invalid_" + ve.Field, ve.Message}
	} else if err != nil {
		return err
	}
	rn, err := a.jobRunner()
	if err != nil {
		return err
	}
	params, _ := json.Marshal(spec)
	job := &jobs.Job{ID: uuid.NewString(), OrgID: c.OrgID, Tenant: c.Tenant, Kind: reportKind, Name: spec.Name,
		Format: "zip", Params: string(params), RequestedBy: c.User.Login}
	// Recorded before it starts: a report nobody can see requested is never generated.
	if err := a.record(r.Context(), c, reportEvent(c.User.Login, job, "create", "requested", map[string]any{
		"type": spec.Type, "from": spec.From, "to": spec.To, "categories": spec.Categories, "event_types": spec.EventTypes, "actors": spec.Actors,
		"target_type": spec.TargetType, "target_id": spec.TargetID, "related": spec.Related})); err != nil {
		return err
	}
	if err := a.startReport(r.Context(), rn, job, spec, false); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, job)
	return nil
}

// startReport runs (resume: runs again) a report job within the limits.
func (a *App) startReport(ctx context.Context, rn *jobs.Runner, j *jobs.Job, spec report.Spec, resume bool) error {
	work := a.reportWork(rn, j, spec)
	owner, group := fmt.Sprintf("%d/%s", j.OrgID, j.RequestedBy), fmt.Sprint(j.OrgID)
	var err error
	if resume {
		err = rn.Resume(ctx, j, owner, group, reportLimits, work, nil)
	} else {
		err = rn.Start(ctx, j, owner, group, reportLimits, work, nil)
	}
	var busy *jobs.BusyError
	if errors.As(err, &busy) {
		return &APIError{http.StatusTooManyRequests, "reports_busy", "too many reports are being generated; wait for one to finish"}
	}
	return err
}

// reportWork generates the evidence pack (report.Pack), then records it as a System entry.
func (a *App) reportWork(rn *jobs.Runner, j *jobs.Job, spec report.Spec) jobs.Work {
	return func(ctx context.Context, out io.Writer, progress func(int64)) (int64, error) {
		m, err := a.reportMapping()
		if err != nil {
			return 0, err
		}
		client := a.tenantClient(j.Tenant)
		pack := &report.Pack{Client: client, Mapping: m, Dir: filepath.Join(rn.Dir, j.ID), Signer: a.signer(),
			Verify: func(ctx context.Context, rng loki.Range, progress func(int64), also export.Writer) (*integrity.Summary, error) {
				return a.verify(ctx, client, j.Tenant, "", rng, progress, also)
			},
			Reveal: func(w export.Writer) export.Writer { return &revealing{Writer: w, app: a, tenant: j.Tenant} }}
		if s := a.subjects(); s != nil {
			pack.StoredForms = func(actor string) []string { return s.StoredForms(j.Tenant, actor) }
		}
		got, err := pack.Generate(ctx, j.ID, j.Tenant, j.RequestedBy, spec, out, progress)
		if err != nil {
			return 0, err
		}
		vs := got.Integrity
		e := selfaudit.Event{Type: "audit.report.generated", Category: "COMPLIANCE", Action: "create", Outcome: "success", Severity: "INFO",
			Description: fmt.Sprintf("Compliance report generated: %d events, integrity %s", got.Selected, map[bool]string{true: "verified", false: "problems found"}[vs.OK]),
			ActorID:     "attest-grafana-app", ActorName: "System", ActorType: "system",
			TargetType: "compliance_report", TargetID: j.ID, TargetName: spec.Name,
			Metadata: map[string]any{"type": spec.Type, "events": got.Selected, "period_events": got.PeriodEvents,
				"integrity_problems": vs.ProblemCount, "requested_by": j.RequestedBy, "grafana_org_id": j.OrgID}}
		if !vs.OK {
			e.Severity = "WARNING"
		}
		if err := a.sealPersonal(ctx, j.Tenant, &e); err != nil {
			return 0, fmt.Errorf("recording the report: %w", err)
		}
		if _, err := a.audit.Record(ctx, j.Tenant, e); err != nil {
			return 0, fmt.Errorf("recording the report: %w", err)
		}
		return got.Selected, nil
	}
}

// recoverJobs handles the jobs of servers that are gone (a restart, or a dead server of an HA
// install): reports are adopted and resumed here, any other job is marked failed with the reason.
func (a *App) recoverJobs(ctx context.Context, rn *jobs.Runner) {
	if n, err := rn.Store.Interrupted(ctx, jobs.InterruptedReason, []string{reportKind}); err != nil {
		log.DefaultLogger.Error("marking the jobs of a stopped server failed", "error", err.Error())
	} else if n > 0 {
		log.DefaultLogger.Warn("jobs of a stopped server marked failed", "count", n)
	}
	a.resumeReports(ctx, rn)
}

// resumeReports runs again the reports a restart cut off, as their requesters asked for them.
func (a *App) resumeReports(ctx context.Context, rn *jobs.Runner) {
	list, err := rn.Store.Adopt(ctx, reportKind)
	if err != nil {
		log.DefaultLogger.Error("listing unfinished reports failed", "error", err.Error())
		return
	}
	for i := range list {
		j := &list[i]
		var spec report.Spec
		err := json.Unmarshal([]byte(j.Params), &spec)
		if err == nil {
			err = a.startReport(ctx, rn, j, spec, true)
		}
		if err != nil {
			log.DefaultLogger.Error("resuming a report failed", "report", j.ID, "error", err.Error())
			j.Status, j.Error = jobs.Failed, "interrupted by a restart and could not be resumed; retry it"
			_ = rn.Store.Update(ctx, j)
			continue
		}
		log.DefaultLogger.Info("report resumed after a restart", "report", j.ID)
	}
}

func reportEvent(by string, j *jobs.Job, action, verb string, meta map[string]any) selfaudit.Event {
	if meta == nil {
		meta = map[string]any{}
	}
	if _, ok := meta["type"]; !ok {
		var spec report.Spec
		if json.Unmarshal([]byte(j.Params), &spec) == nil {
			meta["type"] = spec.Type
		}
	}
	return selfaudit.Event{
		Type: "audit.report." + verb, Category: "COMPLIANCE", Action: action,
		Description: fmt.Sprintf("Compliance report %s by %s", verb, by),
		TargetType:  "compliance_report", TargetID: j.ID, TargetName: j.Name, Metadata: meta,
	}
}

func (a *App) handleReportList(w http.ResponseWriter, r *http.Request, c *caller) error {
	return a.listJobs(w, r, c, reportKind, "reports")
}

func (a *App) reportJob(r *http.Request, c *caller, id string) (*jobs.Runner, *jobs.Job, error) {
	return a.jobOf(r, c, reportKind, id)
}

func (a *App) handleReportGet(w http.ResponseWriter, r *http.Request, c *caller) error {
	_, j, err := a.reportJob(r, c, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, j)
	return nil
}

// handleReportDownload answers the evidence pack (ZIP), or with ?file=pdf the PDF inside it.
func (a *App) handleReportDownload(w http.ResponseWriter, r *http.Request, c *caller) error {
	rn, j, err := a.reportJob(r, c, r.PathValue("id"))
	if err != nil {
		return err
	}
	if j.Status != jobs.Completed {
		return &APIError{http.StatusConflict, "not_ready", fmt.Sprintf("the report is %s", j.Status)}
	}
	what := r.URL.Query().Get("file")
	if what == "" {
		what = "zip"
	}
	if what != "zip" && what != "pdf" {
		return badRequest("file must be zip or pdf")
	}
	release, err := rn.Local(r.Context(), j)
	if err != nil {
		return &APIError{http.StatusGone, "file_gone", "the report's file no longer exists"}
	}
	defer release()
	z, err := zip.OpenReader(j.File)
	if err != nil {
		return &APIError{http.StatusGone, "file_gone", "the report's file no longer exists"}
	}
	defer z.Close()
	if err := a.record(r.Context(), c, reportEvent(c.User.Login, j, "download", "downloaded",
		map[string]any{"file": what, "sha256": j.SHA256, "events": j.Rows})); err != nil {
		return err
	}
	name := export.SafeFileName(j.Name)
	if what == "pdf" {
		f, err := z.Open(report.PDFName)
		if err != nil {
			return &APIError{http.StatusGone, "file_gone", "the report's PDF is missing from its pack"}
		}
		defer f.Close()
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name+".pdf"))
		w.WriteHeader(http.StatusOK)
		_, err = io.Copy(w, f)
		return err
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name+".zip"))
	w.Header().Set("X-Attest-SHA256", j.SHA256)
	w.WriteHeader(http.StatusOK)
	return copyFile(w, j.File)
}

// deleteReport removes one report (a running one is stopped first), recorded first.
func (a *App) deleteReport(r *http.Request, c *caller, id string) error {
	rn, j, err := a.reportJob(r, c, id)
	if err != nil {
		return err
	}
	if err := a.record(r.Context(), c, reportEvent(c.User.Login, j, "delete", "deleted",
		map[string]any{"status": j.Status, "sha256": j.SHA256, "events": j.Rows})); err != nil {
		return err
	}
	return rn.Remove(r.Context(), c.OrgID, j.ID)
}

func (a *App) handleReportDelete(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := a.deleteReport(r, c, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// maxBulkDelete bounds one bulk delete.
const maxBulkDelete = 500

// handleReportBulkDelete deletes the reports whose ids are given; every id must be one of this
// organization's reports, or nothing is deleted.
func (a *App) handleReportBulkDelete(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req struct {
		IDs []string `json:"ids"`
	}
	if err := decodeBody(r, &req, "{ids: [report id, …]}"); err != nil {
		return err
	}
	if len(req.IDs) == 0 || len(req.IDs) > maxBulkDelete {
		return badRequest(fmt.Sprintf("ids must list from 1 to %d reports", maxBulkDelete))
	}
	for _, id := range req.IDs {
		if _, _, err := a.reportJob(r, c, id); err != nil {
			return err
		}
	}
	deleted := 0
	for _, id := range req.IDs {
		if err := a.deleteReport(r, c, id); err != nil && !errors.As(err, new(*APIError)) {
			return err
		}
		deleted++
	}
	writeJSON(w, http.StatusOK, map[string]int{"deleted": deleted})
	return nil
}

// handleReportRetry generates a failed or canceled report again, from the same request.
func (a *App) handleReportRetry(w http.ResponseWriter, r *http.Request, c *caller) error {
	rn, j, err := a.reportJob(r, c, r.PathValue("id"))
	if err != nil {
		return err
	}
	if j.Status != jobs.Failed && j.Status != jobs.Canceled {
		return &APIError{http.StatusConflict, "not_failed", fmt.Sprintf("only a failed report can be retried; this one is %s", j.Status)}
	}
	var spec report.Spec
	if err := json.Unmarshal([]byte(j.Params), &spec); err != nil {
		return err
	}
	if err := a.record(r.Context(), c, reportEvent(c.User.Login, j, "create", "retried", map[string]any{"previous_error": j.Error})); err != nil {
		return err
	}
	if err := a.startReport(r.Context(), rn, j, spec, true); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, j)
	return nil
}
