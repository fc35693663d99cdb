package jobs

import (
	"context"
	"encoding/json"
	"time"
)

// Schedule is work that repeats: one job for each period that has ended, from NextFrom on.
type Schedule struct {
	ID     string `json:"id"`
	OrgID  int64  `json:"orgId"`
	Tenant string `json:"-"`
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	// Every is the period's length in the words of the kind (reports: monthly, quarterly).
	Every  string `json:"every"`
	Params string `json:"params"` // JSON: what each run works on, without its period
	// ContactPoints are told when a run completes or fails.
	ContactPoints []string  `json:"contactPoints"`
	CreatedBy     string    `json:"createdBy"`
	Created       time.Time `json:"created"`
	// NextFrom is the start of the next period to run.
	NextFrom time.Time `json:"nextFrom"`
}

// Run is one period of a schedule and the job that covers it; Notified once its contact points were told
// how it ended.
type Run struct {
	ScheduleID  string    `json:"scheduleId"`
	JobID       string    `json:"jobId"`
	From        time.Time `json:"from"`
	To          time.Time `json:"to"`
	Notified    bool      `json:"notified"`
	NotifyError string    `json:"notifyError,omitempty"`
}

// ScheduleStore keeps schedules and their runs beside the jobs.
type ScheduleStore interface {
	CreateSchedule(ctx context.Context, s *Schedule) error
	// Schedules lists an org's schedules (orgID 0: every org's), oldest first.
	Schedules(ctx context.Context, orgID int64) ([]Schedule, error)
	DeleteSchedule(ctx context.Context, orgID int64, id string) error
	// UpdateScheduleRequest rewrites what a schedule asks for (erasure scrubs a person from it).
	UpdateScheduleRequest(ctx context.Context, id, name, params string) error
	// StartRun records a run and moves the schedule's NextFrom to run.To in one transaction, so a period
	// is started once even when the process dies right after.
	StartRun(ctx context.Context, run Run) error
	// Runs lists a schedule's runs, newest first (at most limit).
	Runs(ctx context.Context, scheduleID string, limit int) ([]Run, error)
	// Unnotified lists the runs whose contact points were not told yet, in every org.
	Unnotified(ctx context.Context) ([]Run, error)
	SetNotified(ctx context.Context, jobID string, notified bool, errText string) error
}

const scheduleSchemaSQL = `
CREATE TABLE IF NOT EXISTS schedules (
  id TEXT PRIMARY KEY,
  org_id INTEGER NOT NULL,
  tenant TEXT NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  every TEXT NOT NULL,
  params TEXT NOT NULL,
  contact_points TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created INTEGER NOT NULL,
  next_from INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS schedule_runs (
  job_id TEXT PRIMARY KEY,
  schedule_id TEXT NOT NULL,
  period_from INTEGER NOT NULL,
  period_to INTEGER NOT NULL,
  notified BOOLEAN NOT NULL DEFAULT FALSE,
  notify_error TEXT NOT NULL DEFAULT '',
  UNIQUE (schedule_id, period_from)
);
`

const scheduleColumns = `id, org_id, tenant, kind, name, every, params, contact_points, created_by, created, next_from`

func (s *SQLStore) CreateSchedule(ctx context.Context, sc *Schedule) error {
	cps, err := json.Marshal(sc.ContactPoints)
	if err != nil {
		return err
	}
	_, err = s.db.Exec(ctx, `INSERT INTO schedules (`+scheduleColumns+`) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
		sc.ID, sc.OrgID, sc.Tenant, sc.Kind, sc.Name, sc.Every, sc.Params, string(cps), sc.CreatedBy,
		sc.Created.UnixMilli(), sc.NextFrom.UnixMilli())
	return err
}

func (s *SQLStore) Schedules(ctx context.Context, orgID int64) ([]Schedule, error) {
	rows, err := s.db.Query(ctx, `SELECT `+scheduleColumns+` FROM schedules WHERE CAST(? AS BIGINT) = 0 OR org_id = ? ORDER BY created, id`, orgID, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Schedule{}
	for rows.Next() {
		var sc Schedule
		var cps string
		var created, next int64
		if err := rows.Scan(&sc.ID, &sc.OrgID, &sc.Tenant, &sc.Kind, &sc.Name, &sc.Every, &sc.Params, &cps, &sc.CreatedBy,
			&created, &next); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(cps), &sc.ContactPoints); err != nil {
			return nil, err
		}
		sc.Created, sc.NextFrom = time.UnixMilli(created).UTC(), time.UnixMilli(next).UTC()
		out = append(out, sc)
	}
	return out, rows.Err()
}

func (s *SQLStore) DeleteSchedule(ctx context.Context, orgID int64, id string) error {
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	res, err := tx.Exec(ctx, `DELETE FROM schedules WHERE org_id = ? AND id = ?`, orgID, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	// The runs' jobs stay (they are reports like any other); their pending notices go with the schedule.
	if _, err := tx.Exec(ctx, `DELETE FROM schedule_runs WHERE schedule_id = ?`, id); err != nil {
		return err
	}
	return tx.Commit()
}

func (s *SQLStore) UpdateScheduleRequest(ctx context.Context, id, name, params string) error {
	if _, err := s.db.Exec(ctx, `UPDATE schedules SET name = ?, params = ? WHERE id = ?`, name, params, id); err != nil {
		return err
	}
	return s.db.Purge(ctx, "schedules")
}

func (s *SQLStore) StartRun(ctx context.Context, run Run) error {
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	res, err := tx.Exec(ctx, `UPDATE schedules SET next_from = ? WHERE id = ? AND next_from = ?`,
		run.To.UnixMilli(), run.ScheduleID, run.From.UnixMilli())
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	if _, err := tx.Exec(ctx, `INSERT INTO schedule_runs (job_id, schedule_id, period_from, period_to) VALUES (?,?,?,?)`,
		run.JobID, run.ScheduleID, run.From.UnixMilli(), run.To.UnixMilli()); err != nil {
		return err
	}
	return tx.Commit()
}

func (s *SQLStore) runs(ctx context.Context, q string, args ...any) ([]Run, error) {
	rows, err := s.db.Query(ctx, `SELECT job_id, schedule_id, period_from, period_to, notified, notify_error FROM schedule_runs `+q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Run{}
	for rows.Next() {
		var r Run
		var from, to int64
		if err := rows.Scan(&r.JobID, &r.ScheduleID, &from, &to, &r.Notified, &r.NotifyError); err != nil {
			return nil, err
		}
		r.From, r.To = time.UnixMilli(from).UTC(), time.UnixMilli(to).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *SQLStore) Runs(ctx context.Context, scheduleID string, limit int) ([]Run, error) {
	return s.runs(ctx, `WHERE schedule_id = ? ORDER BY period_from DESC LIMIT ?`, scheduleID, limit)
}

func (s *SQLStore) Unnotified(ctx context.Context) ([]Run, error) {
	return s.runs(ctx, `WHERE NOT notified ORDER BY period_from`)
}

func (s *SQLStore) SetNotified(ctx context.Context, jobID string, notified bool, errText string) error {
	res, err := s.db.Exec(ctx, `UPDATE schedule_runs SET notified = ?, notify_error = ? WHERE job_id = ?`, notified, errText, jobID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}
