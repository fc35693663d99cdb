package retention

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/attest/auditlog/pkg/export"
	"github.com/attest/auditlog/pkg/loki"
)

// Archiver counts and archives what a retention run removes from one tenant.
type Archiver struct {
	Client *loki.Client
	// Dir is the tenant's local archive directory.
	Dir string
	// Sign signs an archive's manifest (the app's export signer).
	Sign func(*export.Manifest) (body []byte, sig string, err error)
	// S3 is where archives go when configured; they stay in Dir otherwise.
	S3 S3Target
}

// CountAndArchive counts what the run removes, per segment past its window, and when the policy
// archives, reads all of it into one gzip JSON Lines file in Dir, which must hold exactly what Loki
// counted, signs its manifest beside it, and moves all three to the bucket when one is configured.
func (ar *Archiver) CountAndArchive(ctx context.Context, tenant string, p Policy, run *Run) error {
	client := ar.Client
	for i := range run.Segments {
		s := &run.Segments[i]
		var n int64
		if s.CutoffNs > s.FromNs {
			var err error
			if n, err = client.CountLogQuery(ctx, p.Selector(s.Category), loki.Range{StartNs: s.FromNs, EndNs: s.CutoffNs}); err != nil {
				return err
			}
		}
		s.Rows = n
		run.Rows += n
	}
	if !p.Archive || run.Rows == 0 {
		return nil
	}
	name := fmt.Sprintf("attest-archive-%s-%s-%s", tenant, run.At.Format("20060102T150405Z"), run.ID[:8])
	path := filepath.Join(ar.Dir, name+".jsonl.gz")
	w, err := Create(path)
	if err != nil {
		return fmt.Errorf("the archive cannot be written: %w", err)
	}
	chains := export.ChainTracker{}
	for _, s := range run.Segments {
		if s.Rows == 0 {
			continue
		}
		if _, err := export.Stream(ctx, client, p.Selector(s.Category), loki.Range{StartNs: s.FromNs, EndNs: s.CutoffNs},
			&export.Tracking{Writer: w, Chains: chains}, func(int64) {}); err != nil {
			w.Abort()
			return err
		}
	}
	sha, size, err := w.Close()
	if err != nil {
		os.Remove(path)
		return err
	}
	if w.Rows != run.Rows {
		return fmt.Errorf("the archive holds %d entries but Loki counted %d past the window; kept for inspection at %s", w.Rows, run.Rows, path)
	}
	first, last := run.Segments[0], run.Segments[0]
	for _, s := range run.Segments {
		first.FromNs, last.CutoffNs = min(first.FromNs, s.FromNs), max(last.CutoffNs, s.CutoffNs)
	}
	body, sig, err := ar.Sign(&export.Manifest{Version: 1, ExportID: run.ID,
		File:    export.ManifestFile{Name: filepath.Base(path), Format: "jsonl.gz", SHA256: sha, Size: size, Rows: w.Rows},
		Filters: map[string]string{"retention": "entries past the window"}, From: fmt.Sprint(first.FromNs), To: fmt.Sprint(last.CutoffNs),
		ExportedAt: run.At.Format(time.RFC3339Nano), Chains: chains.Ranges()})
	if err != nil {
		return err
	}
	manifest := filepath.Join(filepath.Dir(path), name+".manifest.json")
	if err := os.WriteFile(manifest, body, 0o600); err != nil {
		return err
	}
	sigFile := filepath.Join(filepath.Dir(path), name+".manifest.sig")
	if err := os.WriteFile(sigFile, []byte(sig+"\n"), 0o600); err != nil {
		return err
	}
	run.Archive = &ArchiveFile{Location: path, Manifest: manifest, SHA256: sha, Size: size, Rows: w.Rows}
	if ar.S3.Configured() {
		return upload(ctx, ar.S3, tenant, run.Archive, path, manifest, sigFile)
	}
	return nil
}

// upload puts the archive, its manifest and signature in the bucket, then removes the local copies
// (kept when an upload fails, for the next attempt to be made by hand).
func upload(ctx context.Context, t S3Target, tenant string, a *ArchiveFile, files ...string) error {
	var locations []string
	for _, f := range files {
		loc, err := t.Upload(ctx, f, t.Key(tenant, filepath.Base(f)))
		if err != nil {
			return err
		}
		locations = append(locations, loc)
	}
	a.Location, a.Manifest = locations[0], locations[1]
	for _, f := range files {
		os.Remove(f)
	}
	return nil
}
