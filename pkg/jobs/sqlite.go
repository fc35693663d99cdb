package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	_ "modernc.org/sqlite" // pure-Go SQLite driver
)

// SQLiteStore keeps jobs in one SQLite file (WAL mode) in the plugin's data directory.
type SQLiteStore struct{ db *sql.DB }

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
`

// OpenSQLite opens (creating if needed) the job database at path.
func OpenSQLite(path string) (*SQLiteStore, error) {
	// secure_delete: a scrubbed or deleted job's old text is overwritten, not left in free pages (erasure).
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=synchronous(FULL)&_pragma=secure_delete(on)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(schemaSQL + scheduleSchemaSQL); err != nil {
		db.Close()
		return nil, fmt.Errorf("creating the job tables in %s: %w", path, err)
	}
	return &SQLiteStore{db: db}, nil
}

const columns = `id, org_id, tenant, kind, name, format, params, requested_by, created, updated, status, rows, size, sha256, error, file`

func (s *SQLiteStore) Create(ctx context.Context, j *Job) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO jobs (`+columns+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		j.ID, j.OrgID, j.Tenant, j.Kind, j.Name, j.Format, j.Params, j.RequestedBy, j.Created.UnixMilli(), j.Updated.UnixMilli(),
		string(j.Status), j.Rows, j.Size, j.SHA256, j.Error, j.File)
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

func (s *SQLiteStore) Get(ctx context.Context, orgID int64, id string) (*Job, error) {
	j, err := scanJob(s.db.QueryRowContext(ctx, `SELECT `+columns+` FROM jobs WHERE org_id = ? AND id = ?`, orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return j, err
}

func (s *SQLiteStore) List(ctx context.Context, orgID int64, kind string) ([]Job, error) {
	return s.query(ctx, `SELECT `+columns+` FROM jobs WHERE org_id = ? AND kind = ? ORDER BY created DESC LIMIT 500`, orgID, kind)
}

func (s *SQLiteStore) ListAll(ctx context.Context, orgID int64) ([]Job, error) {
	return s.query(ctx, `SELECT `+columns+` FROM jobs WHERE org_id = ? ORDER BY created DESC`, orgID)
}

func (s *SQLiteStore) CompletedBefore(ctx context.Context, t time.Time) ([]Job, error) {
	return s.query(ctx, `SELECT `+columns+` FROM jobs WHERE status = ? AND created < ?`, string(Completed), t.UnixMilli())
}

func (s *SQLiteStore) query(ctx context.Context, q string, args ...any) ([]Job, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
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

func (s *SQLiteStore) Update(ctx context.Context, j *Job) error {
	j.Updated = time.Now().UTC()
	res, err := s.db.ExecContext(ctx, `UPDATE jobs SET status = ?, rows = ?, size = ?, sha256 = ?, error = ?, file = ?, updated = ? WHERE id = ?`,
		string(j.Status), j.Rows, j.Size, j.SHA256, j.Error, j.File, j.Updated.UnixMilli(), j.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

func (s *SQLiteStore) UpdateRequest(ctx context.Context, id, name, params string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE jobs SET name = ?, params = ? WHERE id = ?`, name, params, id); err != nil {
		return err
	}
	// The old text must not outlive the change in the write-ahead log either.
	_, err := s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

func (s *SQLiteStore) Delete(ctx context.Context, orgID int64, id string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM jobs WHERE org_id = ? AND id = ?`, orgID, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

func (s *SQLiteStore) Interrupted(ctx context.Context, reason string, resumable []string) (int64, error) {
	q := `UPDATE jobs SET status = ?, error = ?, updated = ? WHERE status IN (?, ?)`
	args := []any{string(Failed), reason, time.Now().UnixMilli(), string(Pending), string(Running)}
	for _, k := range resumable {
		q += ` AND kind <> ?`
		args = append(args, k)
	}
	res, err := s.db.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (s *SQLiteStore) Unfinished(ctx context.Context, kind string) ([]Job, error) {
	return s.query(ctx, `SELECT `+columns+` FROM jobs WHERE kind = ? AND status IN (?, ?) ORDER BY created`, kind, string(Pending), string(Running))
}

func (s *SQLiteStore) Close() error { return s.db.Close() }
