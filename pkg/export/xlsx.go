package export

import (
	"archive/zip"
	"bufio"
	"encoding/xml"
	"io"
	"strconv"
	"time"

	"github.com/attest/auditlog/pkg/loki"
)

// Excel (.xlsx) written straight into the output as it streams: a zip whose worksheet part is written
// row by row, so memory stays flat however many rows there are. (excelize's StreamWriter streams rows
// too, but its save builds the whole zip in memory first: 592 MiB at 1M rows.) A styled header row,
// timestamps as real dates, strings inline, formulas neutralised. Read back by excelize and exceljs in
// the tests.
type xlsxWriter struct {
	out   io.Writer
	zw    *zip.Writer
	sheet *bufio.Writer
	row   int
}

const sheet = "Audit log"

// MaxXLSXRows is Excel's row limit (1,048,576) minus the header.
const MaxXLSXRows = 1_048_575

func newXLSX(w io.Writer) *xlsxWriter { return &xlsxWriter{out: w} }

var xlsxParts = []struct{ name, body string }{
	{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`},
	{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
	{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="` + sheet + `" sheetId="1" r:id="rId1"/></sheets></workbook>`},
	{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`},
	// Cell styles: 0 default, 1 header (bold white on blue), 2 date-time.
	{"xl/styles.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss.000"/></numFmts><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="Calibri"/></font></fonts><fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FF1F4E79"/></patternFill></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs><cellXfs count="3"><xf/><xf fontId="1" fillId="2" applyFont="1" applyFill="1"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>`},
}

func (x *xlsxWriter) Begin() error {
	x.zw = zip.NewWriter(x.out)
	for _, p := range xlsxParts {
		w, err := x.zw.Create(p.name)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(w, p.body); err != nil {
			return err
		}
	}
	w, err := x.zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		return err
	}
	x.sheet = bufio.NewWriterSize(w, 64<<10)
	x.sheet.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>` +
		`<cols><col min="1" max="1" width="38" customWidth="1"/><col min="2" max="2" width="24" customWidth="1"/><col min="5" max="5" width="60" customWidth="1"/></cols><sheetData>`)
	x.row = 1
	x.sheet.WriteString(`<row r="1">`)
	for i, c := range Columns {
		x.inline(i, c.Name, 1)
	}
	_, err = x.sheet.WriteString(`</row>`)
	return err
}

// colName is the spreadsheet name of the 0-based column i: A … Z, AA, AB, …
func colName(i int) string {
	name := ""
	for i++; i > 0; i = (i - 1) / 26 {
		name = string(rune('A'+(i-1)%26)) + name
	}
	return name
}

func (x *xlsxWriter) inline(col int, s string, style int) {
	x.sheet.WriteString(`<c r="` + colName(col) + strconv.Itoa(x.row) + `" t="inlineStr"`)
	if style != 0 {
		x.sheet.WriteString(` s="` + strconv.Itoa(style) + `"`)
	}
	x.sheet.WriteString(`><is><t xml:space="preserve">`)
	xml.EscapeText(x.sheet, []byte(xmlSafe(s)))
	x.sheet.WriteString(`</t></is></c>`)
}

// xmlSafe drops characters XML 1.0 cannot carry (control characters other than tab, LF, CR).
func xmlSafe(s string) string {
	for _, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0xFFFE || r == 0xFFFF {
			out := make([]rune, 0, len(s))
			for _, r := range s {
				if (r >= 0x20 || r == '\t' || r == '\n' || r == '\r') && r != 0xFFFE && r != 0xFFFF {
					out = append(out, r)
				}
			}
			return string(out)
		}
	}
	return s
}

// excelEpoch is day 0 of Excel's 1900 date system (as Excel counts, past its 1900 leap-year bug).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

func excelDate(t time.Time) string {
	return strconv.FormatFloat(float64(t.Sub(excelEpoch))/float64(24*time.Hour), 'f', -1, 64)
}

// ErrTooManyRows: Excel holds at most MaxXLSXRows rows under its header.
type ErrTooManyRows struct{}

func (ErrTooManyRows) Error() string {
	return "an Excel sheet holds at most 1,048,575 rows: narrow the filters or export CSV or JSON Lines"
}

func (x *xlsxWriter) Write(e *loki.Event) error {
	if x.row > MaxXLSXRows {
		return ErrTooManyRows{}
	}
	x.row++
	x.sheet.WriteString(`<row r="` + strconv.Itoa(x.row) + `">`)
	for i, c := range Columns {
		if c.Name == "Timestamp" {
			x.sheet.WriteString(`<c r="` + colName(i) + strconv.Itoa(x.row) + `" s="2"><v>` + excelDate(Timestamp(e)) + `</v></c>`)
			continue
		}
		if v := c.Value(e); v != "" {
			x.inline(i, Neutralise(v), 0)
		}
	}
	_, err := x.sheet.WriteString(`</row>`)
	return err
}

func (x *xlsxWriter) End(int64) error {
	x.sheet.WriteString(`</sheetData></worksheet>`)
	if err := x.sheet.Flush(); err != nil {
		return err
	}
	return x.zw.Close()
}
