package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/attest/auditlog/pkg/loki"
)

func events() []loki.Event {
	hostile := loki.NewEvent(1767225600123456789, `=HYPERLINK("http://x")`, map[string]string{
		"audit_id": "0190a5c4-1111-7000-8000-000000000001", "audit_event": "user.created", "audit_category": "USER_MGMT",
		"user_email": "+a@b.example", "audit_target_name": "-1+2", "audit_changes": `{"before":{"a":"1,\"2\""},"after":null}`,
		"audit_compliance": "SOX,SOC2", "severity_text": "INFO", "audit_request_id": "@req",
	})
	plain := loki.NewEvent(1767225600000000000, "line two\nwith a newline, and a comma", map[string]string{
		"audit_id": "0190a5c4-1111-7000-8000-000000000002", "audit_event": "auth.logout", "audit_category": "AUTH",
	})
	return []loki.Event{hostile, plain}
}

func write(t *testing.T, format string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(format, &buf, Header{ExportedAt: time.Unix(1767225600, 0).UTC(), Filters: map[string]string{"category": "AUTH"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Begin(); err != nil {
		t.Fatal(err)
	}
	evs := events()
	for i := range evs {
		if err := w.Write(&evs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.End(int64(len(evs))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestCSVHasBOMQuotingAndNoFormulas(t *testing.T) {
	b := write(t, "csv")
	if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) {
		t.Fatal("no UTF-8 BOM")
	}
	rows, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][0] != "Entry ID" || len(rows[0]) != len(Columns) {
		t.Fatalf("rows %v", rows)
	}
	if rows[1][4] != `'=HYPERLINK("http://x")` || rows[1][7] != "'+a@b.example" || rows[1][12] != "'-1+2" || rows[1][15] != "'@req" {
		t.Fatalf("formulas not neutralised: %q", rows[1])
	}
	if rows[2][4] != "line two\nwith a newline, and a comma" || rows[1][17] != `{"before":{"a":"1,\"2\""},"after":null}` {
		t.Fatalf("quoting lost text: %q", rows[2][4])
	}
}

func TestJSONIsOneDocumentWithEntriesAndCount(t *testing.T) {
	var doc struct {
		ExportedAt time.Time         `json:"exported_at"`
		Filters    map[string]string `json:"filters"`
		Count      int               `json:"count"`
		Entries    []loki.Event      `json:"entries"`
	}
	if err := json.Unmarshal(write(t, "json"), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Count != 2 || len(doc.Entries) != 2 || doc.Entries[1].ID != "0190a5c4-1111-7000-8000-000000000002" || doc.Filters["category"] != "AUTH" {
		t.Fatalf("%+v", doc)
	}
	lines := strings.Split(strings.TrimSpace(string(write(t, "jsonl"))), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines", len(lines))
	}
	var e loki.Event
	if err := json.Unmarshal([]byte(lines[0]), &e); err != nil || e.EventType != "user.created" {
		t.Fatalf("%v %+v", err, e)
	}
}

func TestXLSXReadsBackWithDatesAndNoFormulas(t *testing.T) {
	f, err := excelize.OpenReader(bytes.NewReader(write(t, "xlsx")))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][1] != "Timestamp" || rows[1][0] != "0190a5c4-1111-7000-8000-000000000001" {
		t.Fatalf("rows %v", rows)
	}
	if rows[1][4] != `'=HYPERLINK("http://x")` {
		t.Fatalf("formula kept: %q", rows[1][4])
	}
	if formula, _ := f.GetCellFormula(sheet, "E2"); formula != "" {
		t.Fatalf("E2 is a formula %q", formula)
	}
	raw, err := f.GetCellValue(sheet, "B2", excelize.Options{RawCellValue: true})
	if err != nil || !strings.HasPrefix(raw, "46023.") { // 2026-01-01 as an Excel serial date
		t.Fatalf("timestamp not a date: %q %v", raw, err)
	}
}

func TestColumnNamesPastZ(t *testing.T) {
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 27: "AB", 51: "AZ", 52: "BA", 701: "ZZ", 702: "AAA"} {
		if got := colName(i); got != want {
			t.Fatalf("column %d: %s, want %s", i, got, want)
		}
	}
}

func TestJSONNestsActorSubjectAndProperties(t *testing.T) {
	var doc struct {
		Entries []struct {
			ID         string `json:"id"`
			ActorEmail string `json:"actorEmail"`
			Actor      struct {
				Email string   `json:"email"`
				Roles []string `json:"roles"`
			} `json:"actor"`
			Subject struct {
				Name string `json:"name"`
			} `json:"subject"`
			Properties map[string]any `json:"properties"`
		} `json:"entries"`
	}
	if err := json.Unmarshal(write(t, "json"), &doc); err != nil {
		t.Fatal(err)
	}
	e := doc.Entries[0]
	if e.Actor.Email != "+a@b.example" || e.ActorEmail != e.Actor.Email || e.Subject.Name != "-1+2" || e.Actor.Roles == nil {
		t.Fatalf("%+v", e)
	}
	changes, ok := e.Properties["changes"].(map[string]any)
	if !ok || changes["after"] != nil || changes["before"].(map[string]any)["a"] != `1,"2"` {
		t.Fatalf("changes not nested JSON: %#v", e.Properties["changes"])
	}
	if doc.Entries[1].Properties["changes"] != nil {
		t.Fatalf("no changes is null, not %#v", doc.Entries[1].Properties["changes"])
	}
}
