package report

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attest/auditlog/pkg/export"
	"github.com/attest/auditlog/pkg/integrity"
	"github.com/attest/auditlog/pkg/loki"
	"github.com/attest/auditlog/pkg/loki/lokitest"
)

// A Custom pack over a Loki of 30 events (10 of them AUTH): one read verifies and selects, the ZIP
// holds the selection and checks against its signed manifest, and a selection Loki counts otherwise
// is an error, never a short pack.
func TestAPackHoldsExactlyItsSelectionAndVerifies(t *testing.T) {
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var entries []lokitest.Entry
	for i := 0; i < 30; i++ {
		cat := "DATA_MODIFY"
		if i%3 == 0 {
			cat = "AUTH"
		}
		entries = append(entries, lokitest.Entry{TsNs: from.Add(time.Duration(i) * time.Hour).UnixNano(), Line: fmt.Sprintf("event %02d", i),
			Labels: map[string]string{"service_name": "billing", "audit_category": cat, "severity_text": "INFO",
				"audit_id": fmt.Sprintf("id-%02d", i), "audit_event": "e", "audit_actor_type": "user", "user_id": "u1"}})
	}
	signer, err := export.LoadSigner(filepath.Join(t.TempDir(), "signing.key"))
	if err != nil {
		t.Fatal(err)
	}
	client := lokitest.Serve(t, entries)
	verify := &integrity.Run{Client: client, Heads: integrity.NewHeadStore(t.TempDir()), SpillDir: t.TempDir()}
	pack := &Pack{Client: client, Mapping: mapping(t), Dir: filepath.Join(t.TempDir(), "r1"), Signer: signer,
		Verify: func(ctx context.Context, rng loki.Range, progress func(int64), also export.Writer) (*integrity.Summary, error) {
			return verify.Verify(ctx, "acme", "", rng, progress, also)
		}}
	// lokitest counts every entry for every query: a selection narrower than the period is counted
	// as the whole period by it, so the pack must refuse to end short.
	auth := Spec{Type: Custom, Name: "AUTH in November", From: from, To: from.AddDate(0, 0, 2), Categories: []string{"AUTH"}}
	var short bytes.Buffer
	_, err = pack.Generate(context.Background(), "r0", "acme", "ann", auth, &short, func(int64) {})
	var mismatch *CountMismatchError
	if !errors.As(err, &mismatch) || mismatch.Read != 10 || mismatch.Counted != 30 {
		t.Fatalf("a selection Loki counts otherwise: %v", err)
	}

	all := Spec{Type: Custom, Name: "November", From: from, To: from.AddDate(0, 0, 2)}
	var out bytes.Buffer
	got, err := pack.Generate(context.Background(), "r1", "acme", "ann", all, &out, func(int64) {})
	if err != nil {
		t.Fatal(err)
	}
	if got.Selected != 30 || got.PeriodEvents != 30 || !got.Integrity.OK {
		t.Fatalf("%+v %+v", got, got.Integrity)
	}
	m, err := VerifyPack(bytes.NewReader(out.Bytes()), int64(out.Len()), signer.PublicKey())
	if err != nil || m.Selected != 30 || m.ReportID != "r1" {
		t.Fatalf("the pack does not check against its signed manifest: %+v %v", m, err)
	}
	z, _ := zip.NewReader(bytes.NewReader(out.Bytes()), int64(out.Len()))
	for _, f := range z.File {
		if f.Name == "events.jsonl" {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			if n := strings.Count(string(b), "\n"); n != 30 || !strings.Contains(string(b), "event 29") {
				t.Errorf("events.jsonl holds %d lines", n)
			}
		}
	}
}
