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

// TableFiles answers the files on the database server's disk that hold the tables (their main
// forks), for tests that read them as someone holding the disk would: empty for SQLite (url ""),
// whose files the test knows.
func TableFiles(t testing.TB, url string, tables ...string) []string {
	if url == "" {
		return nil
	}
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	// What is in the server's memory goes to its files first, as it would before anyone copies them.
	if _, err := db.ExecContext(ctx, `CHECKPOINT`); err != nil {
		t.Fatalf("checkpoint: %v", err)
	}
	var dir string
	if err := db.QueryRowContext(ctx, `SHOW data_directory`).Scan(&dir); err != nil {
		t.Fatalf("the database server's directory: %v", err)
	}
	var out []string
	for _, table := range tables {
		var rel string
		if err := db.QueryRowContext(ctx, `SELECT pg_relation_filepath($1::regclass)`, table).Scan(&rel); err != nil {
			t.Fatalf("the file of %s: %v", table, err)
		}
		out = append(out, dir+"/"+rel)
	}
	return out
}
