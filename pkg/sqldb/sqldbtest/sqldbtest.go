// Package sqldbtest runs the stores' tests on PostgreSQL too: with ATTEST_TEST_DATABASE_URL set
// (`npm test` sets it once its PostgreSQL runs), URL answers that database with a schema of the
// test's own, dropped when the test ends; without it, "" (the store's SQLite file).
package sqldbtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver ("pgx")
)

// EnvURL names the variable that points the tests at a PostgreSQL server.
const EnvURL = "ATTEST_TEST_DATABASE_URL"

// URL is the database URL a store under test opens ("" for SQLite).
func URL(t testing.TB) string {
	base := os.Getenv(EnvURL)
	if base == "" {
		return ""
	}
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("%s: %v", EnvURL, err)
	}
	schema := fmt.Sprintf("test_%d", time.Now().UnixNano())
	if _, err := db.ExecContext(context.Background(), `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("creating a schema for the test: %v", err)
	}
	t.Cleanup(func() {
		_, _ = db.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
		db.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
