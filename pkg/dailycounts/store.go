// Package dailycounts keeps per-day counts of a tenant's audit events, so the Overview over 30 or 90 days
// reads thousands of rows instead of scanning a million events. A day is counted once it has ended
// (one pair of Loki queries, exact), and the counts are summed with live queries for the part of the
// range no complete day covers.
package dailycounts

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/attest/auditlog/pkg/sqldb"
)

// Key is one combination of the dimensions the Overview filters and groups by.
type Key struct {
	Category, Severity, Service string
}

// EventCount is events of one type under a Key.
type EventCount struct {
	Key
	Event string
	N     int64
}

// ActorCount is events of one human actor (user.id as stored) under a Key.
type ActorCount struct {
	Key
	Actor string
	N     int64
}

// Day is the counts of one UTC day of a tenant.
type Day struct {
	Start    time.Time
	Events   []EventCount
	Actors   []ActorCount
	Computed time.Time
	// Ledger is the Collectors' count of the day's records when it was counted (Ledger.Of): a day
	// whose count there has moved since is read live until it is counted again.
	Ledger int64
}

// Store keeps days in SQL (daily-counts.db in the backend's data directory, or the shared PostgreSQL database).
type Store struct{ db *sqldb.DB }

const schemaSQL = `
CREATE TABLE IF NOT EXISTS days (tenant TEXT NOT NULL, day INTEGER NOT NULL, computed INTEGER NOT NULL,
  ledger INTEGER NOT NULL, PRIMARY KEY (tenant, day));
CREATE TABLE IF NOT EXISTS event_counts (tenant TEXT NOT NULL, day INTEGER NOT NULL, category TEXT NOT NULL,
  severity TEXT NOT NULL, service TEXT NOT NULL, event TEXT NOT NULL, n INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS event_counts_day ON event_counts (tenant, day);
CREATE TABLE IF NOT EXISTS actor_counts (tenant TEXT NOT NULL, day INTEGER NOT NULL, category TEXT NOT NULL,
  severity TEXT NOT NULL, service TEXT NOT NULL, actor TEXT NOT NULL, n INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS actor_counts_day ON actor_counts (tenant, day);
`

// Open opens the daily-count tables: in the shared PostgreSQL database when url is set, else in the SQLite
// file at path.
func Open(ctx context.Context, url, path string) (*Store, error) {
	db, err := sqldb.OpenSchema(ctx, url, path, schemaSQL, "daily-count tables")
	if err != nil {
		return nil, err
	}
	return &Store{db: db}, nil
}

// Put replaces one day's counts.
func (s *Store) Put(ctx context.Context, tenant string, d Day) error {
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	day := d.Start.Unix()
	for _, q := range []string{`DELETE FROM days WHERE tenant=? AND day=?`, `DELETE FROM event_counts WHERE tenant=? AND day=?`,
		`DELETE FROM actor_counts WHERE tenant=? AND day=?`} {
		if _, err := tx.Exec(ctx, q, tenant, day); err != nil {
			return err
		}
	}
	for _, e := range d.Events {
		if _, err := tx.Exec(ctx, `INSERT INTO event_counts VALUES (?,?,?,?,?,?,?)`, tenant, day, e.Category, e.Severity, e.Service, e.Event, e.N); err != nil {
			return err
		}
	}
	for _, a := range d.Actors {
		if _, err := tx.Exec(ctx, `INSERT INTO actor_counts VALUES (?,?,?,?,?,?,?)`, tenant, day, a.Category, a.Severity, a.Service, a.Actor, a.N); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO days VALUES (?,?,?,?)`, tenant, day, d.Computed.UnixMilli(), d.Ledger); err != nil {
		return err
	}
	return tx.Commit()
}

// Have lists the days from..to (UTC day starts, inclusive) that are kept, without their counts.
func (s *Store) Have(ctx context.Context, tenant string, from, to time.Time) (map[int64]*Day, error) {
	rows, err := s.db.Query(ctx, `SELECT day, computed, ledger FROM days WHERE tenant=? AND day>=? AND day<=?`, tenant, from.Unix(), to.Unix())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]*Day{}
	for rows.Next() {
		var d, computed, ledger int64
		if err := rows.Scan(&d, &computed, &ledger); err != nil {
			return nil, err
		}
		out[d] = &Day{Start: time.Unix(d, 0).UTC(), Computed: time.UnixMilli(computed), Ledger: ledger}
	}
	return out, rows.Err()
}

// Load reads the days from..to (UTC day starts, inclusive) that are kept.
func (s *Store) Load(ctx context.Context, tenant string, from, to time.Time) (map[int64]*Day, error) {
	out, err := s.Have(ctx, tenant, from, to)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT day, category, severity, service, event, n FROM event_counts WHERE tenant=? AND day>=? AND day<=?`,
		tenant, from.Unix(), to.Unix())
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var d int64
		var e EventCount
		if err := rows.Scan(&d, &e.Category, &e.Severity, &e.Service, &e.Event, &e.N); err != nil {
			rows.Close()
			return nil, err
		}
		if day := out[d]; day != nil {
			day.Events = append(day.Events, e)
		}
	}
	rows.Close()
	rows, err = s.db.Query(ctx, `SELECT day, category, severity, service, actor, n FROM actor_counts WHERE tenant=? AND day>=? AND day<=?`,
		tenant, from.Unix(), to.Unix())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var d int64
		var a ActorCount
		if err := rows.Scan(&d, &a.Category, &a.Severity, &a.Service, &a.Actor, &a.N); err != nil {
			return nil, err
		}
		if day := out[d]; day != nil {
			day.Actors = append(day.Actors, a)
		}
	}
	return out, rows.Err()
}

// Forget drops the days before cutoff (past the tenant's retention, so Loki no longer has them).
func (s *Store) Forget(ctx context.Context, tenant string, cutoff time.Time) error {
	for _, q := range []string{`DELETE FROM days WHERE tenant=? AND day<?`, `DELETE FROM event_counts WHERE tenant=? AND day<?`,
		`DELETE FROM actor_counts WHERE tenant=? AND day<?`} {
		if _, err := s.db.Exec(ctx, q, tenant, cutoff.Unix()); err != nil {
			return err
		}
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// ForgetActor replaces every actor entry of the tenant that match says is the erased person's by one
// random token, the same for all of them and tied to nothing else: the distinct-actor counts stay
// right while the stored id no longer names or singles out the person. The old text leaves the
// write-ahead log too. Returns how many distinct stored actors were replaced.
func (s *Store) ForgetActor(ctx context.Context, tenant string, match func(actor string) bool) (int, error) {
	rows, err := s.db.Query(ctx, `SELECT DISTINCT actor FROM actor_counts WHERE tenant=?`, tenant)
	if err != nil {
		return 0, err
	}
	var hits []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			rows.Close()
			return 0, err
		}
		if match(a) {
			hits = append(hits, a)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(hits) == 0 {
		return 0, err
	}
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return 0, err
	}
	token := "erased:" + hex.EncodeToString(b[:])
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	for _, a := range hits {
		if _, err := tx.Exec(ctx, `UPDATE actor_counts SET actor=? WHERE tenant=? AND actor=?`, token, tenant, a); err != nil {
			return 0, err
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	return len(hits), s.db.Purge(ctx, "actor_counts")
}
