package retention

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/attest/auditlog/pkg/export"
	"github.com/attest/auditlog/pkg/loki/lokitest"
)

const day = int64(24 * time.Hour)

// A Loki holding one entry a day for 60 days, newest yesterday, and the segment of a 30-day window.
func pastTheWindow(t *testing.T, archive bool) (*Archiver, Policy, *Run, string) {
	t.Helper()
	now := time.Date(2026, 12, 6, 3, 0, 0, 0, time.UTC).UnixNano()
	var entries []lokitest.Entry
	for d := int64(1); d <= 60; d++ {
		entries = append(entries, lokitest.Entry{TsNs: now - d*day, Line: fmt.Sprintf("event %d days ago", d),
			Labels: map[string]string{"service_name": "billing", "audit_id": fmt.Sprintf("id-%02d", d)}})
	}
	signer, err := export.LoadSigner(filepath.Join(t.TempDir(), "signing.key"))
	if err != nil {
		t.Fatal(err)
	}
	ar := &Archiver{Client: lokitest.Serve(t, entries), Dir: filepath.Join(t.TempDir(), "acme"), Sign: signer.Sign}
	p := Policy{Days: 30, Archive: archive}
	// Everything up to 30.5 days ago: the 30 entries from 31 to 60 days ago.
	run := &Run{ID: "0123456789abcdef", At: time.Unix(0, now).UTC(),
		Segments: []Segment{{Days: 30, FromNs: now - 90*day, CutoffNs: now - 30*day - day/2}}}
	return ar, p, run, signer.PublicKey()
}

func TestARunCountsAndArchivesExactlyWhatIsPastTheWindow(t *testing.T) {
	ar, p, run, key := pastTheWindow(t, true)
	if err := ar.CountAndArchive(context.Background(), "acme", p, run); err != nil {
		t.Fatal(err)
	}
	if run.Rows != 30 || run.Segments[0].Rows != 30 || run.Archive == nil || run.Archive.Rows != 30 {
		t.Fatalf("rows %d, segment %d, archive %+v; want 30 each", run.Rows, run.Segments[0].Rows, run.Archive)
	}
	raw, err := os.ReadFile(run.Archive.Location)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	if hex.EncodeToString(sum[:]) != run.Archive.SHA256 || int64(len(raw)) != run.Archive.Size {
		t.Fatal("the recorded hash or size is not the file's")
	}
	gz, err := gzip.NewReader(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for sc := bufio.NewScanner(gz); sc.Scan(); {
		var e struct{ Description string }
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, e.Description)
	}
	if len(lines) != 30 || lines[0] != "event 31 days ago" || lines[29] != "event 60 days ago" {
		t.Fatalf("archived, newest first: %d lines, %q … %q", len(lines), lines[0], lines[len(lines)-1])
	}
	manifest, err := os.ReadFile(run.Archive.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	var m export.Manifest
	if err := json.Unmarshal(manifest, &m); err != nil || m.File.SHA256 != run.Archive.SHA256 || m.File.Rows != 30 {
		t.Fatalf("manifest %s: %v", manifest, err)
	}
	sig, err := os.ReadFile(strings.TrimSuffix(run.Archive.Manifest, ".json") + ".sig")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := export.Verify(strings.NewReader(string(raw)), manifest, strings.TrimSpace(string(sig)), key); err != nil {
		t.Fatalf("the archive does not check against its signed manifest: %v", err)
	}
}

func TestARunWithoutArchiveOnlyCounts(t *testing.T) {
	ar, p, run, _ := pastTheWindow(t, false)
	if err := ar.CountAndArchive(context.Background(), "acme", p, run); err != nil {
		t.Fatal(err)
	}
	if run.Rows != 30 || run.Archive != nil {
		t.Fatalf("rows %d, archive %+v", run.Rows, run.Archive)
	}
	if _, err := os.Stat(ar.Dir); !os.IsNotExist(err) {
		t.Fatal("an archive directory was made with the archive off")
	}
}
