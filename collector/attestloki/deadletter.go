package attestloki

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/plog"
)

// A dead-letter file is one JSON header line, then the records as an OTLP ExportLogsServiceRequest
// in protobuf (plog.ProtoMarshaler). Its name is a UUIDv7, so names sort oldest first.
const (
	fileSuffix = ".dlq"
	tempPrefix = ".tmp-"
	version    = 1
)

// letter is the header of a dead-letter file.
type letter struct {
	Version int       `json:"version"`
	Time    time.Time `json:"time"`
	// Reason is the error Loki's answer gave when the records were sent alone.
	Reason string `json:"reason"`
	// Metadata is the client metadata (metadata_keys) the records came with, restored on replay.
	Metadata map[string][]string `json:"metadata,omitempty"`
	Records  int                 `json:"records"`
}

// deadLetters is the directory of refused records.
type deadLetters struct {
	dir string
}

// prepare creates the directory and removes temporary files a crash left behind (their records
// were never acknowledged, so the queue still holds them).
func (d deadLetters) prepare() error {
	if err := os.MkdirAll(d.dir, 0o700); err != nil {
		return fmt.Errorf("the dead-letter directory: %w", err)
	}
	entries, err := os.ReadDir(d.dir)
	if err != nil {
		return fmt.Errorf("the dead-letter directory: %w", err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix) {
			_ = os.Remove(filepath.Join(d.dir, e.Name()))
		}
	}
	return nil
}

// write stores ld under h atomically: a file is there whole, or not at all, once write returns.
func (d deadLetters) write(h letter, ld plog.Logs) (name string, err error) {
	h.Version, h.Records = version, ld.LogRecordCount()
	head, err := json.Marshal(h)
	if err != nil {
		return "", err
	}
	body, err := (&plog.ProtoMarshaler{}).MarshalLogs(ld)
	if err != nil {
		return "", err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return "", err
	}
	name = id.String() + fileSuffix

	f, err := os.CreateTemp(d.dir, tempPrefix+"*")
	if err != nil {
		return "", err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	_, err = f.Write(append(append(head, '\n'), body...))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	if err = os.Rename(tmp, filepath.Join(d.dir, name)); err != nil {
		return "", err
	}
	return name, d.syncDir()
}

// list gives the names of the dead-letter files, oldest first.
func (d deadLetters) list() ([]string, error) {
	entries, err := os.ReadDir(d.dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), fileSuffix) {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names, nil
}

// header reads a file's header only.
func (d deadLetters) header(name string) (letter, error) {
	f, err := os.Open(filepath.Join(d.dir, name))
	if err != nil {
		return letter{}, err
	}
	defer f.Close()
	h, _, err := readHeader(bufio.NewReader(f))
	return h, err
}

// read reads a file's header and records.
func (d deadLetters) read(name string) (letter, plog.Logs, error) {
	raw, err := os.ReadFile(filepath.Join(d.dir, name))
	if err != nil {
		return letter{}, plog.Logs{}, err
	}
	h, r, err := readHeader(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return letter{}, plog.Logs{}, err
	}
	body, err := io.ReadAll(r)
	if err != nil {
		return letter{}, plog.Logs{}, err
	}
	ld, err := (&plog.ProtoUnmarshaler{}).UnmarshalLogs(body)
	if err != nil {
		return letter{}, plog.Logs{}, fmt.Errorf("%s: the records: %w", name, err)
	}
	return h, ld, nil
}

func readHeader(r *bufio.Reader) (letter, *bufio.Reader, error) {
	line, err := r.ReadBytes('\n')
	if err != nil {
		return letter{}, nil, fmt.Errorf("the header: %w", err)
	}
	var h letter
	if err := json.Unmarshal(line, &h); err != nil {
		return letter{}, nil, fmt.Errorf("the header: %w", err)
	}
	if h.Version != version {
		return letter{}, nil, fmt.Errorf("the header: version %d, this exporter reads %d", h.Version, version)
	}
	return h, r, nil
}

// remove deletes a file for good.
func (d deadLetters) remove(name string) error {
	if err := os.Remove(filepath.Join(d.dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return d.syncDir()
}

func (d deadLetters) syncDir() error {
	dir, err := os.Open(d.dir)
	if err != nil {
		return err
	}
	defer dir.Close()
	return dir.Sync()
}

// tenantOf is the first value of key in md (keys compare case-insensitively, as client metadata do).
func tenantOf(md map[string][]string, key string) string {
	for k, v := range md {
		if strings.EqualFold(k, key) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}
