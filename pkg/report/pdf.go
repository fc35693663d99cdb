package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/attest/auditlog/pkg/schema"
)

// Meta is what the PDF says about the report itself.
type Meta struct {
	ID          string
	Spec        Spec
	Framework   Framework
	Tenant      string
	RequestedBy string
	GeneratedAt time.Time
	KeyID       string
	Integrity   Integrity
}

// Integrity is the chain verification of the tenant's whole trail over the report's period.
type Integrity struct {
	Records, Chains, Duplicates, Problems int
	// Unchained events come from producers that do not hash-chain: counted, not verifiable, not breaks.
	Unchained                            int
	CheckpointsChecked, CheckpointsMatch int
	// Listed are the first problems, readable ("gap at chain X seq 41"); Unlisted how many more there are.
	Listed   []string
	Unlisted int
}

// OK says the period verified clean.
func (i Integrity) OK() bool { return i.Problems == 0 }

const (
	pageW, margin = 210.0, 15.0
	bodyW         = pageW - 2*margin
	rowH          = 5.5
)

var (
	ink    = [3]int{33, 37, 41}
	muted  = [3]int{108, 117, 125}
	band   = [3]int{241, 243, 245}
	good   = [3]int{26, 127, 55}
	bad    = [3]int{196, 43, 28}
	accent = [3]int{61, 113, 217}
)

type doc struct {
	*fpdf.Fpdf
	tr func(string) string
}

// RenderPDF writes the report's summary as a PDF (A4, core fonts).
func RenderPDF(w io.Writer, m *Meta, s *Summary) error {
	p := fpdf.New("P", "mm", "A4", "")
	d := &doc{Fpdf: p, tr: p.UnicodeTranslatorFromDescriptor("")}
	p.SetMargins(margin, margin, margin)
	p.SetAutoPageBreak(true, 18)
	p.SetTitle(m.Spec.Name, true)
	p.SetSubject(m.Framework.Title+" compliance report", true)
	p.SetCreator("Attest", true)
	p.SetCreationDate(m.GeneratedAt)
	p.AliasNbPages("{nb}")
	p.SetFooterFunc(func() {
		p.SetY(-12)
		d.font("", 7.5, muted)
		d.CellFormat(bodyW/2, 4, d.tr(fmt.Sprintf("Report %s · manifest signed with Ed25519 key %s", m.ID, m.KeyID)), "", 0, "L", false, 0, "")
		d.CellFormat(bodyW/2, 4, fmt.Sprintf("Page %d of {nb}", p.PageNo()), "", 0, "R", false, 0, "")
	})
	p.AddPage()

	d.font("B", 8, accent)
	d.CellFormat(bodyW, 5, d.tr("ATTEST · COMPLIANCE REPORT"), "", 1, "L", false, 0, "")
	d.font("B", 18, ink)
	d.MultiCell(bodyW, 8, d.tr(m.Spec.Name), "", "L", false)
	d.font("", 11, muted)
	d.MultiCell(bodyW, 6, d.tr(m.Framework.Title+" — "+m.Framework.Description), "", "L", false)
	d.Ln(3)

	d.facts([][2]string{
		{"Report type", m.Framework.Name},
		{"Period (UTC)", fmt.Sprintf("%s to %s", stamp(m.Spec.From), stamp(m.Spec.To))},
		{"Selection", selection(&m.Spec)},
		{"Tenant", m.Tenant},
		{"Requested by", m.RequestedBy},
		{"Generated", stamp(m.GeneratedAt)},
	})
	d.Ln(3)
	d.integrity(m.Integrity)
	d.Ln(3)

	d.heading("Totals")
	d.facts([][2]string{
		{"Events selected", fmt.Sprintf("%s (of %s events recorded in the period)", formatCount(s.Selected), formatCount(s.PeriodEvents))},
		{"Distinct actors", formatCount(int64(s.DistinctActors()))},
		{"Failed and denied", formatCount(s.Failed.Count)},
		{"Privileged changes", formatCount(s.Privileged.Count)},
	})
	d.Ln(2)
	d.countTable("By category", "Category", s.ByCategory, schema.Categories)
	d.countTable("By outcome", "Outcome", s.ByOutcome, schema.Outcomes)
	d.countTable("By severity", "Severity", s.BySeverity, schema.Severities)

	d.heading("Top actors")
	var actors [][]string
	for _, a := range s.TopActors(10) {
		actors = append(actors, []string{orDash(a.ID), orDash(a.Name), formatCount(a.Count)})
	}
	d.table([]string{"Actor", "Name", "Events"}, []float64{80, 70, 30}, []string{"L", "L", "R"}, actors, "No events selected.")

	if len(s.Controls) > 0 {
		d.heading("Controls and the events that evidence them")
		var rows [][]string
		for _, c := range s.Controls {
			status := "Evidenced"
			if c.Events == 0 {
				status = "No events in period"
			}
			rows = append(rows, []string{c.ID, c.Title, evidencedBy(c.Match), formatCount(c.Events), status})
		}
		d.table([]string{"Control", "What it requires", "Evidenced by", "Events", "Status"}, []float64{26, 60, 46, 18, 30},
			[]string{"L", "L", "L", "R", "L"}, rows, "")
	}

	d.listed("Failed and denied actions", s.Failed, "No failed or denied actions in the period.")
	d.listed("Privileged changes", s.Privileged, "No privileged changes in the period.")
	d.listed("Exports and reports of the trail made during the period", s.Exports, "No exports or reports were made during the period.")

	d.heading("About this report")
	d.font("", 8.5, muted)
	d.MultiCell(bodyW, 4.5, d.tr(
		"Every figure counts the events read from the audit store for the period; the store's own count of the selection was "+
			"taken before reading and matched. The evidence pack (ZIP) holds this PDF, events.jsonl and events.csv with every "+
			"selected event, and manifest.json with each file's SHA-256, signed (manifest.sig) with the Ed25519 key "+m.KeyID+
			" shown on the app's configuration page. Lists above show at most "+fmt.Sprint(MaxListed)+" rows; the event files hold all."), "", "L", false)
	return p.Output(w)
}

func (d *doc) font(style string, size float64, c [3]int) {
	d.SetFont("Helvetica", style, size)
	d.SetTextColor(c[0], c[1], c[2])
}

func (d *doc) heading(s string) {
	d.ensure(18)
	d.Ln(3)
	d.font("B", 12, ink)
	d.CellFormat(bodyW, 7, d.tr(s), "B", 1, "L", false, 0, "")
	d.Ln(1.5)
}

// ensure starts a new page unless h mm are left on this one.
func (d *doc) ensure(h float64) {
	_, pageH := d.GetPageSize()
	if d.GetY()+h > pageH-18 {
		d.AddPage()
	}
}

func (d *doc) facts(rows [][2]string) {
	for _, r := range rows {
		d.font("B", 9, muted)
		d.CellFormat(38, rowH, d.tr(r[0]), "", 0, "L", false, 0, "")
		d.font("", 9, ink)
		d.MultiCell(bodyW-38, rowH, d.tr(r[1]), "", "L", false)
	}
}

func (d *doc) integrity(i Integrity) {
	c, title := good, fmt.Sprintf("Integrity verified: %s records in %d chains intact", formatCount(int64(i.Records)), i.Chains)
	if !i.OK() {
		c, title = bad, fmt.Sprintf("Integrity problems found: %s in the period (%s chained records, %d chains)", formatCount(int64(i.Problems)), formatCount(int64(i.Records)), i.Chains)
	}
	d.SetFillColor(c[0], c[1], c[2])
	d.font("B", 10.5, [3]int{255, 255, 255})
	d.CellFormat(bodyW, 8, d.tr("  "+title), "", 1, "L", true, 0, "")
	d.SetFillColor(band[0], band[1], band[2])
	d.font("", 8.5, ink)
	detail := fmt.Sprintf("Every record's hash was recomputed from its content and every link checked; %d of %d kept chain checkpoints matched; %d exact duplicate deliveries.",
		i.CheckpointsMatch, i.CheckpointsChecked, i.Duplicates)
	d.MultiCell(bodyW, 4.5, d.tr(detail), "", "L", true)
	if i.Unchained > 0 {
		d.MultiCell(bodyW, 4.5, d.tr(fmt.Sprintf("%s unchained events (from producers that do not hash-chain) are counted in the totals but cannot be verified.",
			formatCount(int64(i.Unchained)))), "", "L", true)
	}
	for _, p := range i.Listed {
		d.font("", 8.5, bad)
		d.MultiCell(bodyW, 4.5, d.tr("• "+p), "", "L", true)
	}
	if i.Unlisted > 0 {
		d.MultiCell(bodyW, 4.5, d.tr(fmt.Sprintf("… and %d more; the Integrity page lists them all.", i.Unlisted)), "", "L", true)
	}
}

func (d *doc) countTable(title, col string, counts map[string]int64, order []string) {
	var rows [][]string
	for _, k := range order {
		if n := counts[k]; n > 0 {
			rows = append(rows, []string{k, formatCount(n)})
		}
	}
	var other []string
	for k := range counts {
		if !slices.Contains(order, k) {
			other = append(other, k)
		}
	}
	slices.Sort(other)
	for _, k := range other {
		rows = append(rows, []string{orDash(k), formatCount(counts[k])})
	}
	d.heading(title)
	d.table([]string{col, "Events"}, []float64{60, 30}, []string{"L", "R"}, rows, "No events selected.")
}

func (d *doc) listed(title string, l Listed, none string) {
	d.heading(fmt.Sprintf("%s (%s)", title, formatCount(l.Count)))
	var rows [][]string
	for _, r := range l.Rows {
		rows = append(rows, []string{time.UnixMilli(r.TimeMs).UTC().Format("2006-01-02 15:04:05"), orDash(r.Actor), r.Event, orDash(r.Outcome), orDash(r.Target), r.Detail})
	}
	d.table([]string{"Time (UTC)", "Actor", "Event", "Outcome", "Target", "Detail"}, []float64{29, 36, 34, 16, 30, 35},
		[]string{"L", "L", "L", "L", "L", "L"}, rows, none)
	if n := l.Count - int64(len(l.Rows)); n > 0 {
		d.font("I", 8, muted)
		d.CellFormat(bodyW, 5, d.tr(fmt.Sprintf("… and %s more in events.jsonl and events.csv.", formatCount(n))), "", 1, "L", false, 0, "")
	}
}

// table draws a header and rows; cells too long for their column are cut with an ellipsis, and the
// header is drawn again on each new page.
func (d *doc) table(head []string, widths []float64, align []string, rows [][]string, empty string) {
	header := func() {
		d.SetFillColor(band[0], band[1], band[2])
		d.font("B", 8, muted)
		for i, h := range head {
			d.CellFormat(widths[i], rowH+0.5, d.tr(h), "", 0, align[i], true, 0, "")
		}
		d.Ln(-1)
	}
	if len(rows) == 0 {
		if empty != "" {
			d.font("I", 8.5, muted)
			d.CellFormat(bodyW, rowH, d.tr(empty), "", 1, "L", false, 0, "")
		}
		return
	}
	d.ensure(2 * rowH)
	header()
	d.SetDrawColor(222, 226, 230)
	for _, r := range rows {
		_, pageH := d.GetPageSize()
		if d.GetY()+rowH > pageH-18 {
			d.AddPage()
			header()
		}
		d.font("", 8, ink)
		for i, cell := range r {
			d.CellFormat(widths[i], rowH, d.fit(cell, widths[i]-2), "B", 0, align[i], false, 0, "")
		}
		d.Ln(-1)
	}
}

// fit translates s to the PDF's encoding and cuts it to width mm.
func (d *doc) fit(s string, width float64) string {
	s = strings.Join(strings.Fields(s), " ")
	t := d.tr(s)
	if d.GetStringWidth(t) <= width {
		return t
	}
	r := []rune(s)
	for len(r) > 0 && d.GetStringWidth(d.tr(string(r)+"…")) > width {
		r = r[:len(r)-1]
	}
	return d.tr(string(r) + "…")
}

func evidencedBy(m Match) string {
	var parts []string
	if len(m.Categories) > 0 {
		parts = append(parts, strings.Join(m.Categories, ", "))
	}
	if len(m.EventTypes) > 0 {
		parts = append(parts, strings.Join(m.EventTypes, ", "))
	}
	if len(m.Outcomes) > 0 {
		parts = append(parts, "outcome "+strings.Join(m.Outcomes, "/"))
	}
	return strings.Join(parts, "; ")
}

func selection(s *Spec) string {
	if s.Type != Custom {
		return "Events tagged " + s.Type + " (audit.compliance)"
	}
	var parts []string
	if len(s.Categories) > 0 {
		parts = append(parts, "categories "+strings.Join(s.Categories, ", "))
	}
	if len(s.EventTypes) > 0 {
		parts = append(parts, "event types "+strings.Join(s.EventTypes, ", "))
	}
	if len(s.Actors) > 0 {
		parts = append(parts, "actors "+strings.Join(s.Actors, ", "))
	}
	if s.IsResource() {
		r := "resource " + strings.TrimSpace(s.TargetType+" #"+s.TargetID)
		if s.TargetID == "" {
			r = "resources of type " + s.TargetType
		}
		if s.Related {
			r += fmt.Sprintf(", with every event sharing a request id with them (%d requests)", len(s.RequestIDs))
		}
		parts = append(parts, r)
	}
	if len(parts) == 0 {
		return "Every event of the period"
	}
	return strings.Join(parts, "; ")
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 MST") }

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// formatCount writes n with thousands separators (1,234,567), as the PDF's totals read.
func formatCount(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
