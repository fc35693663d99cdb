package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/attest/auditlog/pkg/sqldb"
)

// SQLStore keeps jobs and schedules in SQL (pkg/sqldb): a SQLite file of one Grafana server, or the
// PostgreSQL database the Grafana servers of an HA install share. Each job names the server that runs
// it; a job whose server is gone (SQLite: any other process than this one; PostgreSQL: a server not
// seen for ServerTimeout) is failed or adopted by another (Interrupted, Adopt).
type SQLStore struct {
	db     *sqldb.DB
	server string
	stop   context.CancelFunc
	done   chan struct{}
}

// ServerTimeout is how long a server of a shared database may go unseen before its jobs are another's.
var ServerTimeout = 20 * time.Second

// heartbeatEvery is how often a server says it is alive.
var heartbeatEvery = 5 * time.Second

const schemaSQL = `
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  org_id INTEGER NOT NULL,
  tenant TEXT NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  format TEXT NOT NULL,
  params TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  created INTEGER NOT NULL,
  updated INTEGER NOT NULL,
  status TEXT NOT NULL,
  rows INTEGER NOT NULL DEFAULT 0,
  size INTEGER NOT NULL DEFAULT 0,
  sha256 TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  file TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS jobs_org_kind ON jobs (org_id, kind, created);
CREATE TABLE IF NOT EXISTS job_servers (id TEXT PRIMARY KEY, seen INTEGER NOT NULL);
`

// OpenSQLite opens (creating if needed) the job database of one server at path.
func OpenSQLite(path string) (*SQLStore, error) { return Open(context.Background(), "", path) }

// Open opens the job store: the shared PostgreSQL database when url is set, else the SQLite file at path.
func Open(ctx context.Context, url, path string) (*SQLStore, error) {
	db, err := sqldb.OpenSchema(ctx, url, path, schemaSQL+scheduleSchemaSQL, "job tables")
	if err != nil {
		return nil, err
	}
	// Job stores made before these columns get them (an empty server name is a gone server's).
	for _, col := range []string{`server TEXT NOT NULL DEFAULT ''`, `cancel_requested BOOLEAN NOT NULL DEFAULT FALSE`} {
		if db.Postgres() {
			_, err = db.Exec(ctx, `ALTER TABLE jobs ADD COLUMN IF NOT EXISTS `+col)
		} else if _, err = db.Exec(ctx, `ALTER TABLE jobs ADD COLUMN `+col); err != nil && strings.Contains(err.Error(), "duplicate column") {
			err = nil
		}
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("adding a column to the job table: %w", err)
		}
	}
	s := &SQLStore{db: db, server: uuid.NewString(), done: make(chan struct{})}
	var hctx context.Context
	hctx, s.stop = context.WithCancel(context.Background())
	// Only servers of a shared database are judged by their heartbeat (gone); SQLite needs none.
	if !db.Postgres() {
		close(s.done)
		return s, nil
	}
	if err := s.beat(ctx); err != nil {
		db.Close()
		return nil, err
	}
	go s.heartbeat(hctx)
	return s, nil
}

// Server is the name this process's jobs carry.
func (s *SQLStore) Server() string { return s.server }

func (s *SQLStore) beat(ctx context.Context) error {
	now := time.Now().UnixMilli()
	if _, err := s.db.Exec(ctx, `UPDATE job_servers SET seen = ? WHERE id = ?`, now, s.server); err != nil {
		return err
	}
	_, err := s.db.Exec(ctx, `INSERT INTO job_servers (id, seen) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM job_servers WHERE id = ?)`,
		s.server, now, s.server)
	return err
}

func (s *SQLStore) heartbeat(ctx context.Context) {
	defer close(s.done)
	t := time.NewTicker(heartbeatEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = s.beat(ctx)
			// Names of servers long gone.
			_, _ = s.db.Exec(ctx, `DELETE FROM job_servers WHERE seen < ?`, time.Now().Add(-24*time.Hour).UnixMilli())
		}
	}
}

// gone is the SQL condition "the job's server is not running" and its arguments.
func (s *SQLStore) gone() (string, []any) {
	if !s.db.Postgres() {
		return `server <> ?`, []any{s.server}
	}
	return `server NOT IN (SELECT id FROM job_servers WHERE seen > ?)`, []any{time.Now().Add(-ServerTimeout).UnixMilli()}
}

const columns = `id, org_id, tenant, kind, name, format, params, requested_by, created, updated, status, rows, size, sha256, error, file`

func (s *SQLStore) Create(ctx context.Context, j *Job) error {
	_, err := s.db.Exec(ctx, `INSERT INTO jobs (`+columns+`, server) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		j.ID, j.OrgID, j.Tenant, j.Kind, j.Name, j.Format, j.Params, j.RequestedBy, j.Created.UnixMilli(), j.Updated.UnixMilli(),
		string(j.Status), j.Rows, j.Size, j.SHA256, j.Error, j.File, s.server)
	return err
}

type scanner interface{ Scan(dest ...any) error }

func scanJob(r scanner) (*Job, error) {
	var j Job
	var created, updated int64
	var status string
	if err := r.Scan(&j.ID, &j.OrgID, &j.Tenant, &j.Kind, &j.Name, &j.Format, &j.Params, &j.RequestedBy, &created, &updated,
		&status, &j.Rows, &j.Size, &j.SHA256, &j.Error, &j.File); err != nil {
		return nil, err
	}
	j.Created, j.Updated, j.Status = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC(), Status(status)
	return &j, nil
}

func (s *SQLStore) Get(ctx context.Context, orgID int64, id string) (*Job, error) {
	j, err := scanJob(s.db.QueryRow(ctx, `SELECT `+columns+` FROM jobs WHERE org_id = ? AND id = ?`, orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return j, err
}

func (s *SQLStore) List(ctx context.Context, orgID int64, kind string) ([]Job, error) {
	return s.query(ctx, `SELECT `+columns+` FROM jobs WHERE org_id = ? AND kind = ? ORDER BY created DESC LIMIT 500`, orgID, kind)
}

func (s *SQLStore) ListAll(ctx context.Context, orgID int64) ([]Job, error) {
	return s.query(ctx, `SELECT `+columns+` FROM jobs WHERE org_id = ? ORDER BY created DESC`, orgID)
}

func (s *SQLStore) CompletedBefore(ctx context.Context, t time.Time) ([]Job, error) {
	return s.query(ctx, `SELECT `+columns+` FROM jobs WHERE status = ? AND created < ?`, string(Completed), t.UnixMilli())
}

func (s *SQLStore) query(ctx context.Context, q string, args ...any) ([]Job, error) {
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Job{}
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *j)
	}
	return out, rows.Err()
}

func (s *SQLStore) Update(ctx context.Context, j *Job) error {
	j.Updated = time.Now().UTC()
	res, err := s.db.Exec(ctx, `UPDATE jobs SET status = ?, rows = ?, size = ?, sha256 = ?, error = ?, file = ?, updated = ? WHERE id = ?`,
		string(j.Status), j.Rows, j.Size, j.SHA256, j.Error, j.File, j.Updated.UnixMilli(), j.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

func (s *SQLStore) Progress(ctx context.Context, j *Job) (bool, error) {
	j.Updated = time.Now().UTC()
	var cancel bool
	err := s.db.QueryRow(ctx, `UPDATE jobs SET rows = ?, size = ?, updated = ? WHERE id = ? RETURNING cancel_requested`,
		j.Rows, j.Size, j.Updated.UnixMilli(), j.ID).Scan(&cancel)
	if errors.Is(err, sql.ErrNoRows) {
		return true, ErrNotFound
	}
	return cancel, err
}

func (s *SQLStore) RequestCancel(ctx context.Context, orgID int64, id string) (bool, error) {
	res, err := s.db.Exec(ctx, `UPDATE jobs SET cancel_requested = TRUE WHERE org_id = ? AND id = ? AND status IN (?, ?)`,
		orgID, id, string(Pending), string(Running))
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

func (s *SQLStore) UpdateRequest(ctx context.Context, id, name, params string) error {
	if _, err := s.db.Exec(ctx, `UPDATE jobs SET name = ?, params = ? WHERE id = ?`, name, params, id); err != nil {
		return err
	}
	// The old text must not outlive the change in the engine's files either.
	return s.db.Purge(ctx, "jobs")
}

func (s *SQLStore) Delete(ctx context.Context, orgID int64, id string) error {
	res, err := s.db.Exec(ctx, `DELETE FROM jobs WHERE org_id = ? AND id = ?`, orgID, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

func (s *SQLStore) Interrupted(ctx context.Context, reason string, resumable []string) (int64, error) {
	cond, args := s.gone()
	q := `UPDATE jobs SET status = ?, error = ?, updated = ? WHERE status IN (?, ?) AND ` + cond
	args = append([]any{string(Failed), reason, time.Now().UnixMilli(), string(Pending), string(Running)}, args...)
	for _, k := range resumable {
		q += ` AND kind <> ?`
		args = append(args, k)
	}
	res, err := s.db.Exec(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (s *SQLStore) Adopt(ctx context.Context, kind string) ([]Job, error) {
	cond, args := s.gone()
	return s.query(ctx, `UPDATE jobs SET server = ? WHERE kind = ? AND status IN (?, ?) AND `+cond+` RETURNING `+columns,
		append([]any{s.server, kind, string(Pending), string(Running)}, args...)...)
}

// Close stops the heartbeat; in a shared database the server's name goes, so its jobs are adopted at once.
func (s *SQLStore) Close() error {
	s.stop()
	<-s.done
	if s.db.Postgres() {
		_, _ = s.db.Exec(context.Background(), `DELETE FROM job_servers WHERE id = ?`, s.server)
	}
	return s.db.Close()
}
