// Package tenantfile keeps one JSON document per tenant: in the backend's data directory
// (<dir>/<prefix><tenant>.json), read and changed under one lock and replaced atomically; or, in an HA
// install, in the shared PostgreSQL database, changed under a row lock every server respects.
package tenantfile

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/attest/auditlog/pkg/sqldb"
)

// Store holds documents of type T; Empty makes the one of a tenant without a file.
type Store[T any] struct {
	Dir    string
	Prefix string
	Empty  func() T
	// DB, when set, is the shared database the documents are kept in instead of Dir.
	DB *sqldb.DB
	mu sync.Mutex
	// made: the table exists (checked once per store).
	made bool
}

// schema makes the documents' table once; s.mu is held.
func (s *Store[T]) schema(ctx context.Context) error {
	if s.made {
		return nil
	}
	err := s.DB.Schema(ctx, schemaSQL)
	s.made = err == nil
	return err
}

const schemaSQL = `CREATE TABLE IF NOT EXISTS tenant_documents (kind TEXT NOT NULL, tenant TEXT NOT NULL, body TEXT NOT NULL,
  PRIMARY KEY (kind, tenant))`

func (s *Store[T]) path(tenant string) string {
	// Tenant ids are validated (pkg/tenancy: printable, no slash).
	return filepath.Join(s.Dir, s.Prefix+tenant+".json")
}

// Load reads a tenant's document (Empty when there is none).
func (s *Store[T]) Load(tenant string) (T, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.load(tenant)
}

func (s *Store[T]) load(tenant string) (T, error) {
	doc := s.Empty()
	if s.DB != nil {
		return s.loadRow(tenant)
	}
	b, err := os.ReadFile(s.path(tenant))
	if errors.Is(err, os.ErrNotExist) {
		return doc, nil
	}
	if err != nil {
		return doc, err
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return s.Empty(), fmt.Errorf("%s is unreadable: %w", s.path(tenant), err)
	}
	return doc, nil
}

// Update changes a tenant's document with fn and writes it, unless fn fails.
func (s *Store[T]) Update(tenant string, fn func(*T) error) (T, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.DB != nil {
		return s.updateRow(tenant, fn)
	}
	doc, err := s.load(tenant)
	if err != nil {
		return doc, err
	}
	if err := fn(&doc); err != nil {
		return doc, err
	}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return doc, err
	}
	b, _ := json.MarshalIndent(doc, "", " ")
	tmp := s.path(tenant) + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return doc, err
	}
	return doc, os.Rename(tmp, s.path(tenant))
}

func (s *Store[T]) loadRow(tenant string) (T, error) {
	ctx := context.Background()
	doc := s.Empty()
	if err := s.schema(ctx); err != nil {
		return doc, err
	}
	var body string
	err := s.DB.QueryRow(ctx, `SELECT body FROM tenant_documents WHERE kind = ? AND tenant = ?`, s.Prefix, tenant).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return doc, nil
	}
	if err != nil {
		return doc, err
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		return s.Empty(), fmt.Errorf("the %s document of tenant %s is unreadable: %w", s.Prefix, tenant, err)
	}
	return doc, nil
}

// updateRow changes a document in one transaction, its row locked (FOR UPDATE) so that two servers'
// changes follow one another.
func (s *Store[T]) updateRow(tenant string, fn func(*T) error) (T, error) {
	ctx := context.Background()
	doc := s.Empty()
	if err := s.schema(ctx); err != nil {
		return doc, err
	}
	tx, err := s.DB.Begin(ctx)
	if err != nil {
		return doc, err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	if _, err := tx.Exec(ctx, `INSERT INTO tenant_documents (kind, tenant, body) VALUES (?, ?, '') ON CONFLICT DO NOTHING`, s.Prefix, tenant); err != nil {
		return doc, err
	}
	var body string
	if err := tx.QueryRow(ctx, `SELECT body FROM tenant_documents WHERE kind = ? AND tenant = ? FOR UPDATE`, s.Prefix, tenant).Scan(&body); err != nil {
		return doc, err
	}
	if body != "" {
		if err := json.Unmarshal([]byte(body), &doc); err != nil {
			return s.Empty(), fmt.Errorf("the %s document of tenant %s is unreadable: %w", s.Prefix, tenant, err)
		}
	}
	if err := fn(&doc); err != nil {
		return doc, err
	}
	b, _ := json.Marshal(doc)
	if _, err := tx.Exec(ctx, `UPDATE tenant_documents SET body = ? WHERE kind = ? AND tenant = ?`, string(b), s.Prefix, tenant); err != nil {
		return doc, err
	}
	return doc, tx.Commit()
}
