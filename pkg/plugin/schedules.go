package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/attest/auditlog/pkg/alerting"
	"github.com/attest/auditlog/pkg/jobs"
	"github.com/attest/auditlog/pkg/report"
	"github.com/attest/auditlog/pkg/selfaudit"
)

// scheduleRequest is a report definition that repeats: the report as POST /reports takes it, without
// its period, plus how often, whom to tell, and whether the period that has just ended runs at once.
type scheduleRequest struct {
	report.Spec
	Every         string   `json:"every"`
	ContactPoints []string `json:"contactPoints"`
	RunLastPeriod bool     `json:"runLastPeriod"`
}

// maxScheduleRuns is how many runs of a schedule its listing shows.
const maxScheduleRuns = 6

func (a *App) scheduleStore() (*jobs.Runner, jobs.ScheduleStore, error) {
	rn, err := a.jobRunner()
	if err != nil {
		return nil, nil, err
	}
	return rn, rn.Store, nil
}

func (a *App) handleScheduleCreate(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req scheduleRequest
	if err := decodeBody(r, &req, "{type, name, every: monthly|quarterly, contactPoints: [name], runLastPeriod, …}"); err != nil {
		return err
	}
	if !req.From.IsZero() || !req.To.IsZero() {
		return badRequest("a schedule's runs each cover the period that has just ended: leave out from and to")
	}
	if !report.IsEvery(req.Every) {
		return &APIError{http.StatusBadRequest, "invalid_every", "every must be monthly or quarterly"}
	}
	m, days, err := a.reportRules(c.Tenant)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	spec := req.Spec
	spec.From, spec.To = now.Add(-time.Hour), now
	var ve *report.ValidationError
	if err := spec.Validate(m, now, days, 0); errors.As(err, &ve) {
		return &APIError{http.StatusBadRequest, "invalid_" + ve.Field, ve.Message}
	} else if err != nil {
		return err
	}
	spec.From, spec.To = time.Time{}, time.Time{}
	svc, err := a.alerts(r.Context(), c)
	if err != nil {
		return err
	}
	if len(req.ContactPoints) == 0 {
		def, err := svc.Client.DefaultContactPoint(r.Context())
		if err != nil {
			return err
		}
		req.ContactPoints = []string{def}
	}
	if err := svc.CheckContactPoints(r.Context(), req.ContactPoints); err != nil {
		return err
	}
	_, store, err := a.scheduleStore()
	if err != nil {
		return err
	}
	params, _ := json.Marshal(spec)
	sc := &jobs.Schedule{ID: uuid.NewString(), OrgID: c.OrgID, Tenant: c.Tenant, Kind: reportKind, Name: spec.Name, Every: req.Every,
		Params: string(params), ContactPoints: req.ContactPoints, CreatedBy: c.User.Login, Created: now,
		NextFrom: report.FirstPeriod(req.Every, now, req.RunLastPeriod)}
	if err := a.record(r.Context(), c, scheduleEvent(c.User.Login, sc, "create", "scheduled", map[string]any{
		"type": spec.Type, "every": sc.Every, "contact_points": sc.ContactPoints, "first_period": report.PeriodLabel(sc.Every, sc.NextFrom)})); err != nil {
		return err
	}
	if err := store.CreateSchedule(r.Context(), sc); err != nil {
		return err
	}
	a.svc.wakeSchedules()
	writeJSON(w, http.StatusCreated, a.scheduleView(r.Context(), store, *sc))
	return nil
}

func scheduleEvent(by string, sc *jobs.Schedule, action, verb string, meta map[string]any) selfaudit.Event {
	return selfaudit.Event{
		Type: "audit.report.schedule." + verb, Category: "COMPLIANCE", Action: action,
		Description: fmt.Sprintf("Report schedule %s by %s", verb, by),
		TargetType:  "report_schedule", TargetID: sc.ID, TargetName: sc.Name, Metadata: meta,
	}
}

// schedulesOf is the caller's org's schedules and their store.
func (a *App) schedulesOf(r *http.Request, c *caller) (jobs.ScheduleStore, []jobs.Schedule, error) {
	_, store, err := a.scheduleStore()
	if err != nil {
		return nil, nil, err
	}
	list, err := store.Schedules(r.Context(), c.OrgID)
	return store, list, err
}

func (a *App) handleScheduleList(w http.ResponseWriter, r *http.Request, c *caller) error {
	store, list, err := a.schedulesOf(r, c)
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(list))
	for _, sc := range list {
		out = append(out, a.scheduleView(r.Context(), store, sc))
	}
	writeJSON(w, http.StatusOK, map[string]any{"schedules": out})
	return nil
}

// scheduleView is a schedule as the Reports page lists it: its next run, and its latest runs with
// their reports' states.
func (a *App) scheduleView(ctx context.Context, store jobs.ScheduleStore, sc jobs.Schedule) map[string]any {
	runs, _ := store.Runs(ctx, sc.ID, maxScheduleRuns)
	views := make([]map[string]any, 0, len(runs))
	for _, run := range runs {
		v := map[string]any{"jobId": run.JobID, "from": run.From, "to": run.To, "period": report.PeriodLabel(sc.Every, run.From),
			"notified": run.Notified, "notifyError": run.NotifyError}
		if rn, err := a.jobRunner(); err == nil {
			if j, err := rn.Store.Get(ctx, sc.OrgID, run.JobID); err == nil {
				v["status"], v["error"], v["rows"] = j.Status, j.Error, j.Rows
			}
		}
		views = append(views, v)
	}
	var spec report.Spec
	_ = json.Unmarshal([]byte(sc.Params), &spec)
	return map[string]any{"id": sc.ID, "name": sc.Name, "every": sc.Every, "spec": spec, "contactPoints": sc.ContactPoints,
		"createdBy": sc.CreatedBy, "created": sc.Created, "nextPeriod": report.PeriodLabel(sc.Every, sc.NextFrom),
		"nextRunAt": report.PeriodEnd(sc.Every, sc.NextFrom), "runs": views}
}

func (a *App) handleScheduleDelete(w http.ResponseWriter, r *http.Request, c *caller) error {
	store, list, err := a.schedulesOf(r, c)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	for i := range list {
		if list[i].ID != id {
			continue
		}
		if err := a.record(r.Context(), c, scheduleEvent(c.User.Login, &list[i], "delete", "unscheduled",
			map[string]any{"every": list[i].Every})); err != nil {
			return err
		}
		if err := store.DeleteSchedule(r.Context(), c.OrgID, id); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return notFound("no report schedule " + id)
}

// schedulePass starts a report for every period of every schedule that has ended (each missed one in
// turn), then drives the runs not yet told to their contact points: start what is pending, tell how
// what has ended ended.
func (s *Service) schedulePass(ctx context.Context) {
	rn, err := s.jobRunner()
	if err != nil {
		return
	}
	a := s.sys()
	list, err := rn.Store.Schedules(ctx, 0)
	if err != nil {
		log.DefaultLogger.Error("listing report schedules failed", "error", err.Error())
		return
	}
	byID := map[string]jobs.Schedule{}
	now := time.Now().UTC()
	for _, sc := range list {
		byID[sc.ID] = sc
		for {
			from, to, due := report.Due(sc.Every, sc.NextFrom, now)
			if !due {
				break
			}
			if err := rn.Store.StartRun(ctx, jobs.Run{ScheduleID: sc.ID, JobID: uuid.NewString(), From: from, To: to}); err != nil {
				log.DefaultLogger.Error("starting a scheduled report failed", "schedule", sc.ID, "error", err.Error())
				break
			}
			sc.NextFrom = to
		}
	}
	runs, err := rn.Store.Unnotified(ctx)
	if err != nil {
		log.DefaultLogger.Error("listing scheduled report runs failed", "error", err.Error())
		return
	}
	for _, run := range runs {
		if sc, ok := byID[run.ScheduleID]; ok && ctx.Err() == nil {
			s.driveRun(ctx, a, rn, sc, run)
		}
	}
}

// driveRun moves one run on: its report is recorded and created (failed at once when the period can
// no longer be reported on), started when pending (again after a restart or a busy pass), and once
// it has ended its contact points are told.
func (s *Service) driveRun(ctx context.Context, a *App, rn *jobs.Runner, sc jobs.Schedule, run jobs.Run) {
	j, err := rn.Store.Get(ctx, sc.OrgID, run.JobID)
	if errors.Is(err, jobs.ErrNotFound) {
		j, err = a.createScheduledReport(ctx, rn, sc, run)
	}
	if err != nil {
		log.DefaultLogger.Error("a scheduled report could not be created", "schedule", sc.ID, "error", err.Error())
		return
	}
	switch j.Status {
	case jobs.Pending:
		var spec report.Spec
		if err := json.Unmarshal([]byte(j.Params), &spec); err == nil {
			if err := a.startReport(ctx, rn, j, spec, true); err != nil && !errors.As(err, new(*APIError)) {
				log.DefaultLogger.Error("a scheduled report did not start", "report", j.ID, "error", err.Error())
			}
		}
	case jobs.Completed, jobs.Failed, jobs.Canceled:
		notified, errText := s.notifyRun(ctx, sc, run, j)
		if err := rn.Store.SetNotified(ctx, run.JobID, notified, errText); err != nil {
			log.DefaultLogger.Error("saving a schedule's notice failed", "report", j.ID, "error", err.Error())
		}
	}
}

// createScheduledReport records the run's request (by the System, for the schedule) and stores its
// report as Pending, or as Failed with the reason when the period cannot be reported on (the
// mapping changed, or the period left the retention window).
func (a *App) createScheduledReport(ctx context.Context, rn *jobs.Runner, sc jobs.Schedule, run jobs.Run) (*jobs.Job, error) {
	var spec report.Spec
	if err := json.Unmarshal([]byte(sc.Params), &spec); err != nil {
		return nil, err
	}
	m, days, err := a.reportRules(sc.Tenant)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	spec.Name = fmt.Sprintf("%s — %s", sc.Name, report.PeriodLabel(sc.Every, run.From))
	// The part of the period still kept is reported on, from a whole minute inside the window (a
	// report's range is in whole milliseconds).
	spec.From, spec.To = maxTime(run.From, now.AddDate(0, 0, -days).Add(2*time.Minute).Truncate(time.Minute)), run.To
	invalid := spec.Validate(m, now, days, 0)
	if oldest := now.AddDate(0, 0, -days); !run.To.After(oldest) {
		invalid = fmt.Errorf("it ended before the %d-day retention window (earliest %s): its events are no longer kept",
			days, oldest.Format("2006-01-02"))
	}
	params, _ := json.Marshal(spec)
	j := &jobs.Job{ID: run.JobID, OrgID: sc.OrgID, Tenant: sc.Tenant, Kind: reportKind, Name: spec.Name, Format: "zip",
		Params: string(params), RequestedBy: sc.CreatedBy, Created: now, Updated: now, Status: jobs.Pending}
	e := reportEvent("the schedule "+sc.Name, j, "create", "requested", map[string]any{"type": spec.Type,
		"from": spec.From, "to": spec.To, "schedule_id": sc.ID, "period": report.PeriodLabel(sc.Every, run.From), "grafana_org_id": sc.OrgID})
	e.ActorID, e.ActorName, e.ActorType = "attest-grafana-app", "System", "system"
	e.Outcome, e.Severity = "success", "INFO"
	if err := a.sealPersonal(ctx, sc.Tenant, &e); err != nil {
		return nil, fmt.Errorf("recording the scheduled report: %w", err)
	}
	if _, err := a.audit.Record(ctx, sc.Tenant, e); err != nil {
		return nil, fmt.Errorf("recording the scheduled report: %w", err)
	}
	if invalid != nil {
		j.Status, j.Error = jobs.Failed, "the period cannot be reported on: "+invalid.Error()
	}
	if err := rn.Store.Create(ctx, j); err != nil {
		return nil, err
	}
	return j, nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// notifyRun tells the schedule's contact points how its run ended, with a link to the report; it
// needs the org's Grafana service account token, which the backend holds once the org's settings were
// loaded (any request to the app since the start).
func (s *Service) notifyRun(ctx context.Context, sc jobs.Schedule, run jobs.Run, j *jobs.Job) (bool, string) {
	org := s.orgApp(sc.OrgID)
	if org == nil {
		return false, "waiting for the organization's settings (they load with the app's next request)"
	}
	base, token := org.settings.GrafanaURL, org.settings.GrafanaToken
	if base == "" || token == "" {
		return false, "alerting is not configured for the organization (service account token, grafana_url)"
	}
	link := strings.TrimRight(s.publicURL(base), "/") + "/a/" + PluginID + "/reports?report=" + j.ID
	summary := fmt.Sprintf("Scheduled report %q completed: %d events", j.Name, j.Rows)
	if j.Status != jobs.Completed {
		summary = fmt.Sprintf("Scheduled report %q %s: %s", j.Name, j.Status, j.Error)
	}
	client := &alerting.Client{BaseURL: base, Token: token, HTTP: org.httpClient}
	results, err := client.Notify(ctx, sc.ContactPoints,
		map[string]string{"alertname": "Attest scheduled report", "attest_schedule": sc.Name, "attest_report_status": string(j.Status)},
		map[string]string{"summary": summary, "description": summary + ". Open it: " + link, "link": link,
			"period": report.PeriodLabel(sc.Every, run.From), "report_id": j.ID})
	if err != nil {
		return false, err.Error()
	}
	var failed []string
	for _, r := range results {
		if r.Status != "ok" {
			failed = append(failed, fmt.Sprintf("%s/%s: %s", r.ContactPoint, r.Integration, r.Error))
		}
	}
	if len(failed) > 0 {
		return false, strings.Join(failed, "; ")
	}
	log.DefaultLogger.Info("scheduled report notified", "report", j.ID, "status", string(j.Status))
	return true, ""
}
