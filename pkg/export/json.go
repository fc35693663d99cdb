package export

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/attest/auditlog/pkg/loki"
)

// JSON: {"exported_at", "filters", "entries": [...], "count"}, written as a stream.
type jsonWriter struct {
	w     io.Writer
	h     Header
	first bool
}

func (j *jsonWriter) Begin() error {
	at, _ := json.Marshal(j.h.ExportedAt)
	f, _ := json.Marshal(j.h.Filters)
	j.first = true
	_, err := fmt.Fprintf(j.w, "{\"exported_at\":%s,\"filters\":%s,\"entries\":[\n", at, f)
	return err
}

func (j *jsonWriter) Write(e *loki.Event) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if !j.first {
		if _, err := j.w.Write([]byte(",\n")); err != nil {
			return err
		}
	}
	j.first = false
	_, err = j.w.Write(b)
	return err
}

func (j *jsonWriter) End(count int64) error {
	_, err := fmt.Fprintf(j.w, "\n],\"count\":%d}\n", count)
	return err
}

// JSON Lines: one event per line.
type jsonLinesWriter struct{ w io.Writer }

func (j *jsonLinesWriter) Begin() error { return nil }

func (j *jsonLinesWriter) Write(e *loki.Event) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = j.w.Write(append(b, '\n'))
	return err
}

func (j *jsonLinesWriter) End(int64) error { return nil }
