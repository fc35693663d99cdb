package retention

import (
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"

	"github.com/attest/auditlog/pkg/loki"
)

// ArchiveWriter writes entries as gzip JSON Lines (one event per line, as an export's JSON Lines)
// to a file, hashing what it writes.
type ArchiveWriter struct {
	Path string
	f    *os.File
	gz   *gzip.Writer
	sum  hashCounter
	Rows int64
}

type hashCounter struct {
	h interface {
		io.Writer
		Sum([]byte) []byte
	}
	n int64
}

func (c *hashCounter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return c.h.Write(p)
}

// Create opens the archive file (its directory made as needed).
func Create(path string) (*ArchiveWriter, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	a := &ArchiveWriter{Path: path, f: f, sum: hashCounter{h: sha256.New()}}
	a.gz = gzip.NewWriter(io.MultiWriter(f, &a.sum))
	return a, nil
}

func (a *ArchiveWriter) Begin() error { return nil }

func (a *ArchiveWriter) Write(e *loki.Event) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	a.Rows++
	_, err = a.gz.Write(append(b, '\n'))
	return err
}

func (a *ArchiveWriter) End(int64) error { return nil }

// Close finishes the file and gives its SHA-256 and size.
func (a *ArchiveWriter) Close() (sha string, size int64, err error) {
	if err := a.gz.Close(); err != nil {
		a.f.Close()
		return "", 0, err
	}
	if err := a.f.Sync(); err != nil {
		a.f.Close()
		return "", 0, err
	}
	if err := a.f.Close(); err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(a.sum.h.Sum(nil)), a.sum.n, nil
}

// Abort removes a file not finished.
func (a *ArchiveWriter) Abort() {
	a.gz.Close()
	a.f.Close()
	os.Remove(a.Path)
}
