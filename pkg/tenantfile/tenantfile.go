// Package tenantfile keeps one JSON document per tenant in the backend's data directory
// (<dir>/<prefix><tenant>.json), read and changed under one lock and replaced atomically.
package tenantfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// Store holds documents of type T; Empty makes the one of a tenant without a file.
type Store[T any] struct {
	Dir    string
	Prefix string
	Empty  func() T
	mu     sync.Mutex
}

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
