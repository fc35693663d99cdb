package export

import (
	"io"

	"github.com/xuri/excelize/v2"

	"github.com/attest/auditlog/pkg/loki"
)

// Excel through excelize's StreamWriter (rows go to a temporary file, not memory): a styled header
// row, timestamps as real dates, formulas neutralised.
type xlsxWriter struct {
	out       io.Writer
	f         *excelize.File
	sw        *excelize.StreamWriter
	row       int
	dateStyle int
	cells     []any
}

const sheet = "Audit log"

func newXLSX(w io.Writer) *xlsxWriter { return &xlsxWriter{out: w} }

func (x *xlsxWriter) Begin() error {
	x.f = excelize.NewFile()
	if err := x.f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := x.f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	x.sw = sw
	head, err := x.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F4E79"}}})
	if err != nil {
		return err
	}
	if x.dateStyle, err = x.f.NewStyle(&excelize.Style{CustomNumFmt: strPtr("yyyy-mm-dd hh:mm:ss.000")}); err != nil {
		return err
	}
	_ = sw.SetColWidth(1, 1, 38)
	_ = sw.SetColWidth(2, 2, 24)
	_ = sw.SetColWidth(5, 5, 60)
	header := make([]any, len(Columns))
	for i, c := range Columns {
		header[i] = excelize.Cell{StyleID: head, Value: c.Name}
	}
	x.row = 1
	x.cells = make([]any, len(Columns))
	return sw.SetRow("A1", header)
}

func strPtr(s string) *string { return &s }

func (x *xlsxWriter) Write(e *loki.Event) error {
	for i, c := range Columns {
		if c.Name == "Timestamp" {
			x.cells[i] = excelize.Cell{StyleID: x.dateStyle, Value: Timestamp(e)}
			continue
		}
		x.cells[i] = Neutralise(c.Value(e))
	}
	x.row++
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return err
	}
	return x.sw.SetRow(cell, x.cells)
}

func (x *xlsxWriter) End(int64) error {
	if err := x.sw.Flush(); err != nil {
		return err
	}
	_, err := x.f.WriteTo(x.out)
	if cerr := x.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Abort drops a half-written workbook and its temporary files.
func (x *xlsxWriter) Abort() {
	if x.f != nil {
		_ = x.f.Close()
	}
}
