package report

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attest/auditlog/pkg/export"
	"github.com/attest/auditlog/pkg/loki"
)

func mapping(t *testing.T) *Mapping {
	t.Helper()
	m, err := LoadMapping("")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMappingHasEveryTypeAndOverrides(t *testing.T) {
	m := mapping(t)
	want := []string{"SOX", "GDPR", "HIPAA", "ISO27001", "PCI_DSS", "SOC2", "NIS2", Custom}
	if got := m.Types(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("types %v, want %v", got, want)
	}
	for _, ty := range want[:len(want)-1] {
		if len(m.Frameworks[ty].Controls) == 0 {
			t.Errorf("%s has no controls", ty)
		}
	}
	path := filepath.Join(t.TempDir(), "controls.json")
	os.WriteFile(path, []byte(`{"frameworks":{"SOX":{"title":"Our SOX","controls":[{"id":"FIN-1","title":"Ledger changes","eventTypes":["ledger.*"]}]},"DORA":{"title":"DORA","controls":[]}}}`), 0o600)
	o, err := LoadMapping(path)
	if err != nil {
		t.Fatal(err)
	}
	if c := o.Frameworks["SOX"].Controls; len(c) != 1 || c[0].ID != "FIN-1" {
		t.Fatalf("SOX not replaced: %+v", c)
	}
	if o.Frameworks["SOX"].Name != "SOX" || len(o.Frameworks["GDPR"].Controls) == 0 {
		t.Fatal("override lost the name or the other frameworks")
	}
	if got := o.Types(); got[len(got)-2] != "DORA" || got[len(got)-1] != Custom {
		t.Fatalf("an added type goes before Custom: %v", got)
	}
	os.WriteFile(path, []byte(`{"frameworks":`), 0o600)
	if _, err := LoadMapping(path); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Fatalf("a broken file must say so, got %v", err)
	}
}

func TestMatch(t *testing.T) {
	e := &loki.Event{Category: "PERMISSION", EventType: "user.role.changed", Outcome: "success"}
	cases := []struct {
		m    Match
		want bool
	}{
		{Match{}, false},
		{Match{Categories: []string{"PERMISSION"}}, true},
		{Match{Categories: []string{"AUTH"}}, false},
		{Match{EventTypes: []string{"*.role.*"}}, true},
		{Match{EventTypes: []string{"role.*"}}, false},
		{Match{Categories: []string{"PERMISSION"}, Outcomes: []string{"failure", "denied"}}, false},
		{Match{Categories: []string{"PERMISSION"}, EventTypes: []string{"user.*"}}, true},
	}
	for i, c := range cases {
		if got := c.m.Matches(e); got != c.want {
			t.Errorf("case %d %+v: %v, want %v", i, c.m, got, c.want)
		}
	}
}

func TestValidate(t *testing.T) {
	m := mapping(t)
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	ok := Spec{Type: "SOX", Name: " Q4 SOX ", From: now.AddDate(0, 0, -90), To: now}
	if err := ok.Validate(m, now, 365, 0); err != nil || ok.Name != "Q4 SOX" {
		t.Fatalf("valid spec refused: %v (name %q)", err, ok.Name)
	}
	bad := []struct {
		s     Spec
		field string
	}{
		{Spec{Type: "SOC3", Name: "x", From: now.AddDate(0, 0, -1), To: now}, "type"},
		{Spec{Type: "SOX", Name: "  ", From: now.AddDate(0, 0, -1), To: now}, "name"},
		{Spec{Type: "SOX", Name: "x", From: now, To: now.AddDate(0, 0, -1)}, "to"},
		{Spec{Type: "SOX", Name: "x", From: now.AddDate(0, 0, -1), To: now.Add(time.Hour)}, "to"},
		{Spec{Type: "SOX", Name: "x", From: now.AddDate(0, 0, -400), To: now}, "from"},
		{Spec{Type: "SOX", Name: "x", To: now}, "from"},
		{Spec{Type: "SOX", Name: "x", From: now.AddDate(0, 0, -1), To: now, Categories: []string{"AUTH"}}, "type"},
		{Spec{Type: Custom, Name: "x", From: now.AddDate(0, 0, -1), To: now, Categories: []string{"NOPE"}}, "categories"},
		{Spec{Type: "SOX", Name: "x", From: now.AddDate(0, 0, -1), To: now, TargetID: "INC-1"}, "type"},
		{Spec{Type: Custom, Name: "x", From: now.AddDate(0, 0, -1), To: now, Related: true}, "related"},
	}
	for i, b := range bad {
		err := b.s.Validate(m, now, 365, 0)
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != b.field {
			t.Errorf("case %d: got %v, want a %s error", i, err, b.field)
		}
	}
}

func TestSelectsAgreesWithFilters(t *testing.T) {
	sox := Spec{Type: "SOX"}
	if q, _ := loki.EventsQuery(sox.Filters()); !strings.Contains(q, `audit_compliance=~"(.*,)? *SOX *(,.*)?"`) {
		t.Fatalf("framework query %s", q)
	}
	if !sox.Selects(&loki.Event{Compliance: []string{"GDPR", "SOX"}}) || sox.Selects(&loki.Event{Compliance: []string{"SOX2"}}) {
		t.Fatal("SOX selection wrong")
	}
	c := Spec{Type: Custom, Categories: []string{"AUTH"}, Actors: []string{"u1", "u2"}}
	if q, _ := loki.EventsQuery(c.Filters()); !strings.Contains(q, `audit_category="AUTH"`) || !strings.Contains(q, `user_id=~"u1|u2"`) {
		t.Fatalf("custom query %s", q)
	}
	if !c.Selects(&loki.Event{Category: "AUTH", ActorID: "u2"}) || c.Selects(&loki.Event{Category: "AUTH", ActorID: "u3"}) {
		t.Fatal("custom selection wrong")
	}
	byMail := Spec{Type: Custom, Actors: []string{"Erin@Example.com"}, StoredActors: []string{"enc:v1:ab:cd"}}
	if q, _ := loki.EventsQuery(byMail.Filters()); !strings.Contains(q, `user_id=~"Erin@Example\\.com|enc:v1:ab:cd" or user_email=~"(?i)Erin@Example\\.com|enc:v1:ab:cd"`) {
		t.Fatalf("an actor is matched by id or e-mail, in clear or stored: %s", q)
	}
	if !byMail.Selects(&loki.Event{ActorID: "u-9", ActorEmail: "erin@example.com"}) || byMail.Selects(&loki.Event{ActorID: "u-9", ActorEmail: "frank@example.com"}) {
		t.Fatal("an actor given by e-mail selects their events whatever the case")
	}
	res := Spec{Type: Custom, TargetType: "incident", TargetID: "INC-7", Related: true, RequestIDs: []string{"req-1"}}
	if !res.Selects(&loki.Event{TargetType: "incident", TargetID: "INC-7"}) || !res.Selects(&loki.Event{RequestID: "req-1"}) ||
		res.Selects(&loki.Event{TargetType: "incident", TargetID: "INC-8"}) || res.Selects(&loki.Event{TargetID: "INC-7"}) {
		t.Fatal("resource selection wrong")
	}
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	planted := Spec{Type: Custom, Name: "x", From: now.AddDate(0, 0, -1), To: now, TargetID: "INC-7", RequestIDs: []string{"req-9"}}
	if err := planted.Validate(mapping(t), now, 365, 0); err != nil || planted.RequestIDs != nil {
		t.Fatalf("request ids are found by the backend, never taken from the request: %v %v", err, planted.RequestIDs)
	}
	if !(&Spec{Type: Custom}).Selects(&loki.Event{}) {
		t.Fatal("an empty custom report selects everything")
	}
}

func events() []loki.Event {
	at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC).UnixMilli()
	mk := func(i int, cat, typ, outcome, actor string, tags ...string) loki.Event {
		return loki.Event{TimeMs: at + int64(i)*1000, TsNs: "1", Category: cat, EventType: typ, Outcome: outcome, Severity: "INFO",
			ActorID: actor, ActorEmail: actor + "@example.com", Compliance: tags, Description: typ + " by " + actor}
	}
	return []loki.Event{
		mk(0, "USER_MGMT", "user.created", "success", "ana", "SOX", "SOC2"),
		mk(1, "PERMISSION", "user.role.changed", "success", "ana", "SOX"),
		mk(2, "AUTH", "auth.login", "failure", "bob", "SOC2"),
		mk(3, "DATA_MODIFY", "invoice.updated", "denied", "bob", "SOX"),
		mk(4, "COMPLIANCE", "audit.export.requested", "success", "carl", "SOX"),
	}
}

func TestSummaryCountsTheSelection(t *testing.T) {
	m := mapping(t)
	spec := Spec{Type: "SOX"}
	s := NewSummary(&spec, m)
	for _, e := range events() {
		s.Add(&e)
	}
	if s.PeriodEvents != 5 || s.Selected != 4 {
		t.Fatalf("period %d selected %d", s.PeriodEvents, s.Selected)
	}
	if s.Failed.Count != 1 || s.Privileged.Count != 1 || s.Exports.Count != 1 {
		t.Fatalf("failed %d privileged %d exports %d", s.Failed.Count, s.Privileged.Count, s.Exports.Count)
	}
	if top := s.TopActors(1); top[0].ID != "ana" || top[0].Count != 2 {
		t.Fatalf("top actor %+v", top)
	}
	byID := map[string]int64{}
	for _, c := range s.Controls {
		byID[c.ID] = c.Events
	}
	if byID["ITGC-AC-01"] != 1 || byID["ITGC-AC-02"] != 1 || byID["ITGC-AC-03"] != 0 || byID["ITGC-LOG-01"] != 1 {
		t.Fatalf("control evidence %v", byID)
	}
}

func TestPackRoundTripAndTamper(t *testing.T) {
	dir := t.TempDir()
	m := mapping(t)
	spec := Spec{Type: "SOX", Name: "Q4 SOX — Zürich", From: time.Now().Add(-time.Hour), To: time.Now()}
	sum := NewSummary(&spec, m)
	files := NewEventFiles(filepath.Join(dir, "r1"), sum)
	if err := files.Begin(); err != nil {
		t.Fatal(err)
	}
	for _, e := range events() {
		if err := files.Write(&e); err != nil {
			t.Fatal(err)
		}
	}
	if err := files.End(5); err != nil {
		t.Fatal(err)
	}
	if files.JSONL.Rows != 4 || files.CSV.Rows != 4 {
		t.Fatalf("rows %d / %d", files.JSONL.Rows, files.CSV.Rows)
	}
	var pdf bytes.Buffer
	meta := &Meta{ID: "r1", Spec: spec, Framework: m.Frameworks["SOX"], Tenant: "acme", RequestedBy: "admin", GeneratedAt: time.Now(), KeyID: "k1",
		Integrity: Integrity{Records: 5, Chains: 1, Problems: 1, Listed: []string{"gap at chain c position 3"}}}
	if err := RenderPDF(&pdf, meta, sum); err != nil {
		t.Fatal(err)
	}
	pub, priv, _ := ed25519.GenerateKey(nil)
	sign := func(b []byte) string { return base64.StdEncoding.EncodeToString(ed25519.Sign(priv, b)) }
	var zip bytes.Buffer
	man := &PackManifest{Version: 1, ReportID: "r1", Selected: sum.Selected}
	if err := WritePack(&zip, pdf.Bytes(), []*PackFile{files.JSONL, files.CSV}, man, "k1", sign, time.Now()); err != nil {
		t.Fatal(err)
	}
	key := base64.StdEncoding.EncodeToString(pub)
	got, err := VerifyPack(bytes.NewReader(zip.Bytes()), int64(zip.Len()), key)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Files) != 3 || got.Files[1].Rows != 4 {
		t.Fatalf("manifest files %+v", got.Files)
	}
	// Any changed byte fails: flip one inside the stored data.
	raw := bytes.Clone(zip.Bytes())
	raw[100] ^= 0xff
	var ve *export.VerifyError
	if _, err := VerifyPack(bytes.NewReader(raw), int64(len(raw)), key); !errors.As(err, &ve) {
		t.Fatalf("a changed pack verified: %v", err)
	}
	other, _, _ := ed25519.GenerateKey(nil)
	if _, err := VerifyPack(bytes.NewReader(zip.Bytes()), int64(zip.Len()), base64.StdEncoding.EncodeToString(other)); !errors.As(err, &ve) {
		t.Fatalf("another key verified: %v", err)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed")
	}
	path := filepath.Join(dir, "r.pdf")
	os.WriteFile(path, pdf.Bytes(), 0o600)
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{"Q4 SOX — Zürich", "Integrity problems found: 1", "gap at chain c position 3", "Events selected", "4 (of 5 events", "ITGC-AC-02"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q:\n%s", want, text)
		}
	}
}
