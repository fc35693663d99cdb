// Package keyfile keeps the backend's secret keys as files in the server's keys directory (keys_dir,
// shared by every server of an HA install; data_dir unless set): 32 random
// bytes, hex, mode 0600, made on first use. Both backend processes (the app and the counts datasource)
// may read and create them.
package keyfile

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Load reads the key named name in dir, creating it when missing.
func Load(dir, name string) ([]byte, error) {
	if dir == "" {
		return nil, errors.New("no data_dir: set it in [plugin.attest-auditlog-app] and [plugin.attest-auditcounts-datasource]")
	}
	path := filepath.Join(dir, name)
	if b, err := os.ReadFile(path); err == nil {
		return decode(name, b)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	// Written whole under a temporary name and linked into place: a server or process reading at the
	// same moment sees no key or the whole key, and when two make one at once the first link wins.
	tmp, err := os.CreateTemp(dir, "."+name+".*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Link(tmp.Name(), path); errors.Is(err, os.ErrExist) {
		b, rerr := os.ReadFile(path)
		if rerr != nil {
			return nil, rerr
		}
		return decode(name, b)
	} else if err != nil {
		return nil, err
	}
	return key, nil
}

func decode(name string, b []byte) ([]byte, error) {
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("%s is not a 32-byte hex key", name)
	}
	return key, nil
}

// ID names a key without revealing it: the first 12 hex characters of its SHA-256.
func ID(prefix string, key []byte) string {
	sum := sha256.Sum256(key)
	return prefix + hex.EncodeToString(sum[:])[:12]
}
