// Package jobs runs long server-side work (exports, compliance reports) as jobs whose state survives a
// restart: Pending → Running (with progress) → Completed, or Failed with its reason, or Canceled; and
// keeps report schedules and their runs beside them (schedules.go).
package jobs

import (
	"context"
	"errors"
	"time"
)

// Status of a job.
type Status string

const (
	Pending   Status = "pending"
	Running   Status = "running"
	Completed Status = "completed"
	Failed    Status = "failed"
	Canceled  Status = "canceled"
)

// Job is one unit of work and its outcome.
type Job struct {
	ID          string    `json:"id"`
	OrgID       int64     `json:"orgId"`
	Tenant      string    `json:"-"`
	Kind        string    `json:"kind"`
	Name        string    `json:"name"`
	Format      string    `json:"format"`
	Params      string    `json:"params"` // JSON: what the job works on (filters, range)
	RequestedBy string    `json:"requestedBy"`
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`
	Status      Status    `json:"status"`
	Rows        int64     `json:"rows"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256,omitempty"`
	Error       string    `json:"error,omitempty"`
	File        string    `json:"-"`
}

// ErrNotFound: no job with that id (in that org).
var ErrNotFound = errors.New("no such job")

// Store keeps jobs: in SQLite for one Grafana server, in PostgreSQL for several (sqlstore.go).
type Store interface {
	Create(ctx context.Context, j *Job) error
	Get(ctx context.Context, orgID int64, id string) (*Job, error)
	List(ctx context.Context, orgID int64, kind string) ([]Job, error)
	// ListAll lists every job of an org, of every kind, without List's cap (erasure goes over all).
	ListAll(ctx context.Context, orgID int64) ([]Job, error)
	Update(ctx context.Context, j *Job) error
	// Progress saves a running job's rows and size, and says whether it should stop: a cancel was
	// requested through another server, or the job was deleted (ErrNotFound).
	Progress(ctx context.Context, j *Job) (stop bool, err error)
	// RequestCancel asks the server running a Pending or Running job to cancel it (false: not running).
	RequestCancel(ctx context.Context, orgID int64, id string) (bool, error)
	Delete(ctx context.Context, orgID int64, id string) error
	// UpdateRequest rewrites what a job was asked for (its name and parameters): erasure scrubs a person from them.
	UpdateRequest(ctx context.Context, id, name, params string) error
	// CompletedBefore lists completed jobs created before t, in every org (for expiry).
	CompletedBefore(ctx context.Context, t time.Time) ([]Job, error)
	// Interrupted marks every Pending or Running job whose server is gone Failed with reason (a restart
	// or a dead server cut them off), except those of the resumable kinds.
	Interrupted(ctx context.Context, reason string, resumable []string) (int64, error)
	// Adopt makes this server the owner of the Pending or Running jobs of a kind whose server is gone,
	// in every org, and lists them (to resume). Two servers never adopt the same job.
	Adopt(ctx context.Context, kind string) ([]Job, error)
	ScheduleStore
	Close() error
}
