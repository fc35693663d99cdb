package export

import (
	"fmt"
	"io"
	"time"

	"github.com/attest/auditlog/pkg/loki"
)

// Writer writes one file: Begin, Write for each event, then End.
type Writer interface {
	Begin() error
	Write(e *loki.Event) error
	End(count int64) error
}

// Header is what the JSON formats say about the export.
type Header struct {
	ExportedAt time.Time         `json:"exported_at"`
	Filters    map[string]string `json:"filters"`
}

// Formats and their file extensions and content types.
var Formats = map[string]struct{ Ext, ContentType string }{
	"csv":   {"csv", "text/csv; charset=utf-8"},
	"json":  {"json", "application/json"},
	"jsonl": {"jsonl", "application/x-ndjson"},
	"xlsx":  {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
}

// NewWriter makes the writer of a format.
func NewWriter(format string, w io.Writer, h Header) (Writer, error) {
	switch format {
	case "csv":
		return newCSV(w), nil
	case "json":
		return &jsonWriter{w: w, h: h}, nil
	case "jsonl":
		return &jsonLinesWriter{w: w}, nil
	case "xlsx":
		return newXLSX(w), nil
	}
	return nil, fmt.Errorf("unknown format %q", format)
}

// Multi writes every event through each of its writers in turn; an abort reaches those that take one.
type Multi []Writer

func (m Multi) Begin() error {
	for _, w := range m {
		if err := w.Begin(); err != nil {
			return err
		}
	}
	return nil
}

func (m Multi) Write(e *loki.Event) error {
	for _, w := range m {
		if err := w.Write(e); err != nil {
			return err
		}
	}
	return nil
}

func (m Multi) End(count int64) error {
	for _, w := range m {
		if err := w.End(count); err != nil {
			return err
		}
	}
	return nil
}

func (m Multi) Abort() {
	for _, w := range m {
		if a, ok := w.(interface{ Abort() }); ok {
			a.Abort()
		}
	}
}
