// Package keyfile keeps the backend's secret keys as files in the server's data directory: 32 random
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
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		// The other process made it first.
		b, rerr := os.ReadFile(path)
		if rerr != nil {
			return nil, rerr
		}
		return decode(name, b)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
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
