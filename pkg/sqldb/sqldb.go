// Package sqldb is the one way the backend's stores reach SQL: an embedded SQLite file per store (one
// Grafana server), or one PostgreSQL database that every Grafana server of an HA install shares
// (GF_PLUGIN_DATABASE_URL). Stores write their SQL once, with ? placeholders and the types both engines
// accept; DB rewrites what differs.
package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver ("pgx")
	_ "modernc.org/sqlite"             // pure-Go SQLite driver
)

// DB is a store's database.
type DB struct {
	db *sql.DB
	pg bool
	// shared: a PostgreSQL pool the process keeps for every store; closing a store leaves it open.
	shared bool
}

// OpenSQLite opens (creating if needed) the SQLite file at path, in WAL mode, with one connection.
// secure_delete overwrites deleted text instead of leaving it in free pages (erasure).
func OpenSQLite(path string) (*DB, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=synchronous(FULL)&_pragma=secure_delete(on)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return &DB{db: db}, nil
}

var pools sync.Map // url -> *DB

// OpenPostgres answers the process's pool for url, made on first use and checked with a ping.
func OpenPostgres(ctx context.Context, url string) (*DB, error) {
	d, err := Pool(url)
	if err != nil {
		return nil, err
	}
	if err := d.db.PingContext(ctx); err != nil {
		return nil, fmt.Errorf("the PostgreSQL database cannot be reached: %w", err)
	}
	return d, nil
}

// Pool answers the process's pool for url without connecting: while the database is down, what is
// asked of it fails (and nothing falls back to a server's own files).
func Pool(url string) (*DB, error) {
	if d, ok := pools.Load(url); ok {
		return d.(*DB), nil
	}
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("the database URL is not valid: %w", err)
	}
	db.SetMaxOpenConns(16)
	d, loaded := pools.LoadOrStore(url, &DB{db: db, pg: true, shared: true})
	if loaded {
		db.Close()
	}
	return d.(*DB), nil
}

// Open opens the store's database: PostgreSQL when url is set, else the SQLite file at path.
func Open(ctx context.Context, url, path string) (*DB, error) {
	if url != "" {
		return OpenPostgres(ctx, url)
	}
	return OpenSQLite(path)
}

// OpenSchema opens as Open does and creates a store's tables (Schema); what names them in the error.
func OpenSchema(ctx context.Context, url, path, ddl, what string) (*DB, error) {
	db, err := Open(ctx, url, path)
	if err != nil {
		return nil, err
	}
	if err := db.Schema(ctx, ddl); err != nil {
		db.Close()
		return nil, fmt.Errorf("creating the %s: %w", what, err)
	}
	return db, nil
}

// Postgres says whether this is the shared PostgreSQL database.
func (d *DB) Postgres() bool { return d.pg }

// SQL is the handle for what DB does not wrap (a dedicated connection for a lock).
func (d *DB) SQL() *sql.DB { return d.db }

// Schema runs a store's CREATE statements (separated by ";"). In PostgreSQL, INTEGER columns become
// BIGINT (times are kept in milliseconds) and BLOB becomes BYTEA.
func (d *DB) Schema(ctx context.Context, ddl string) error {
	if !d.pg {
		for _, stmt := range statements(ddl) {
			if _, err := d.db.ExecContext(ctx, stmt); err != nil {
				return err
			}
		}
		return nil
	}
	// Servers starting together would race on CREATE … IF NOT EXISTS: one at a time, under a lock.
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7)`); err != nil {
		return err
	}
	for _, stmt := range statements(ddl) {
		stmt = strings.NewReplacer(" INTEGER", " BIGINT", " BLOB", " BYTEA").Replace(stmt)
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return tx.Commit()
}

func statements(ddl string) []string {
	var out []string
	for _, stmt := range strings.Split(ddl, ";") {
		if strings.TrimSpace(stmt) != "" {
			out = append(out, stmt)
		}
	}
	return out
}

// bind turns ? placeholders into PostgreSQL's $1, $2, … (no store's SQL has ? inside a literal).
func (d *DB) bind(q string) string {
	if !d.pg || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (d *DB) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return d.db.ExecContext(ctx, d.bind(q), args...)
}

func (d *DB) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return d.db.QueryContext(ctx, d.bind(q), args...)
}

func (d *DB) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return d.db.QueryRowContext(ctx, d.bind(q), args...)
}

// Tx is a transaction with the same placeholders.
type Tx struct {
	tx *sql.Tx
	d  *DB
}

func (d *DB) Begin(ctx context.Context) (*Tx, error) {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &Tx{tx: tx, d: d}, nil
}

func (t *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.d.bind(q), args...)
}

func (t *Tx) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.d.bind(q), args...)
}

func (t *Tx) Commit() error   { return t.tx.Commit() }
func (t *Tx) Rollback() error { return t.tx.Rollback() }

// Purge makes text a store has just deleted or rewritten unreadable in the files the engine keeps:
// SQLite's write-ahead log is checkpointed and truncated; PostgreSQL's tables are rewritten without
// their dead row versions (VACUUM FULL). PostgreSQL keeps a dead version while any transaction that
// began before the change might still see it, so the rewrite waits (up to purgeWait) until every such
// transaction of the database has ended: a server's running export must not keep an erased value.
func (d *DB) Purge(ctx context.Context, tables ...string) error {
	if !d.pg {
		_, err := d.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
		return err
	}
	var after int64
	if err := d.db.QueryRowContext(ctx, `SELECT txid_current() % 4294967296`).Scan(&after); err != nil {
		return err
	}
	deadline := time.Now().Add(purgeWait)
	for {
		var older int
		if err := d.db.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
			AND pid <> pg_backend_pid() AND backend_xmin IS NOT NULL AND age(backend_xmin) >= age($1::text::xid)`,
			strconv.FormatInt(after, 10)).Scan(&older); err != nil {
			return err
		}
		if older == 0 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d transactions older than the change are still open after %s; run VACUUM FULL on %s once they end", older, purgeWait, strings.Join(tables, ", "))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	for _, t := range tables {
		if _, err := d.db.ExecContext(ctx, `VACUUM FULL `+t); err != nil {
			return err
		}
	}
	return nil
}

// purgeWait bounds how long Purge waits for older transactions to end.
var purgeWait = 2 * time.Minute

// Close closes a SQLite file; the shared PostgreSQL pool stays for the process's other stores.
func (d *DB) Close() error {
	if d.shared {
		return nil
	}
	return d.db.Close()
}
