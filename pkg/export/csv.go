package export

import (
	"encoding/csv"
	"io"

	"github.com/attest/auditlog/pkg/loki"
)

// CSV: UTF-8 with a byte-order mark (so spreadsheet programs read it as UTF-8), RFC 4180 quoting
// (encoding/csv), formulas neutralised.
type csvWriter struct {
	raw io.Writer
	w   *csv.Writer
	row []string
}

func newCSV(w io.Writer) *csvWriter {
	return &csvWriter{raw: w, w: csv.NewWriter(w), row: make([]string, len(Columns))}
}

func (c *csvWriter) Begin() error {
	if _, err := c.raw.Write([]byte("\uFEFF")); err != nil {
		return err
	}
	for i, col := range Columns {
		c.row[i] = col.Name
	}
	return c.w.Write(c.row)
}

func (c *csvWriter) Write(e *loki.Event) error {
	for i, col := range Columns {
		c.row[i] = Neutralise(col.Value(e))
	}
	return c.w.Write(c.row)
}

func (c *csvWriter) End(int64) error {
	c.w.Flush()
	return c.w.Error()
}
