package report

import (
	"archive/zip"
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"hash"
	"io"
	"os"
	"time"

	"github.com/attest/auditlog/pkg/export"
	"github.com/attest/auditlog/pkg/loki"
)

// Names of the files in an evidence pack.
const (
	PDFName       = "report.pdf"
	JSONLName     = "events.jsonl"
	CSVName       = "events.csv"
	ManifestName  = "manifest.json"
	SignatureName = "manifest.sig"
)

// PackManifest lists every file of an evidence pack with its SHA-256; the backend signs its exact
// bytes (manifest.sig, Ed25519) so an auditor can check the pack offline (`attest-verify --pack`).
type PackManifest struct {
	Version      int                   `json:"version"`
	ReportID     string                `json:"report_id"`
	Type         string                `json:"type"`
	Name         string                `json:"name"`
	From         string                `json:"from"`
	To           string                `json:"to"`
	GeneratedAt  string                `json:"generated_at"`
	Tenant       string                `json:"tenant"`
	Selected     int64                 `json:"selected_events"`
	PeriodEvents int64                 `json:"period_events"`
	IntegrityOK  bool                  `json:"integrity_ok"`
	Problems     int                   `json:"integrity_problems"`
	Files        []export.ManifestFile `json:"files"`
	Chains       []export.ChainRange   `json:"chains"`
	KeyID        string                `json:"key_id"`
	Resource     *PackResource         `json:"resource,omitempty"`
}

// PackResource is what a resource pack is about (pkg/report/spec.go).
type PackResource struct {
	Type       string   `json:"type,omitempty"`
	ID         string   `json:"id,omitempty"`
	Related    bool     `json:"related"`
	RequestIDs []string `json:"request_ids,omitempty"`
}

// ResourceOf is the manifest's resource entry of a spec (nil unless it is a resource pack).
func ResourceOf(s *Spec) *PackResource {
	if !s.IsResource() {
		return nil
	}
	return &PackResource{Type: s.TargetType, ID: s.TargetID, Related: s.Related, RequestIDs: s.RequestIDs}
}

// EventFiles is the export writer a report streams its period through: every event is counted in
// the summary, and the selected ones are written to events.jsonl and events.csv (temporary files
// at base+".jsonl.partial" and base+".csv.partial" until the pack is written).
type EventFiles struct {
	Summary *Summary
	Chains  export.ChainTracker
	JSONL   *PackFile
	CSV     *PackFile

	sinks []*sink
}

// PackFile is one file of a pack as written: where it is and what it holds.
type PackFile struct {
	export.ManifestFile
	Path string
}

type sink struct {
	file *PackFile
	f    *os.File
	buf  *bufio.Writer
	h    hash.Hash
	n    int64
	w    export.Writer
}

func (s *sink) Write(p []byte) (int, error) {
	n, err := s.buf.Write(p)
	s.h.Write(p[:n])
	s.n += int64(n)
	return n, err
}

// NewEventFiles prepares the event files of a report.
func NewEventFiles(base string, sum *Summary) *EventFiles {
	return &EventFiles{Summary: sum, Chains: export.ChainTracker{},
		JSONL: &PackFile{ManifestFile: export.ManifestFile{Name: JSONLName, Format: "jsonl"}, Path: base + ".jsonl.partial"},
		CSV:   &PackFile{ManifestFile: export.ManifestFile{Name: CSVName, Format: "csv"}, Path: base + ".csv.partial"}}
}

func (e *EventFiles) Begin() error {
	for _, pf := range []*PackFile{e.JSONL, e.CSV} {
		f, err := os.OpenFile(pf.Path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
		if err != nil {
			return err
		}
		s := &sink{file: pf, f: f, buf: bufio.NewWriterSize(f, 256<<10), h: sha256.New()}
		s.w, err = export.NewWriter(pf.Format, s, export.Header{})
		e.sinks = append(e.sinks, s)
		if err != nil {
			return err
		}
		if err := s.w.Begin(); err != nil {
			return err
		}
	}
	return nil
}

func (e *EventFiles) Write(ev *loki.Event) error {
	if !e.Summary.Add(ev) {
		return nil
	}
	e.Chains.Add(ev)
	for _, s := range e.sinks {
		if err := s.w.Write(ev); err != nil {
			return err
		}
		s.file.Rows++
	}
	return nil
}

func (e *EventFiles) End(int64) error {
	for _, s := range e.sinks {
		if err := s.w.End(s.file.Rows); err != nil {
			return err
		}
		if err := s.buf.Flush(); err != nil {
			return err
		}
		if err := s.f.Close(); err != nil {
			return err
		}
		s.file.SHA256, s.file.Size = hex.EncodeToString(s.h.Sum(nil)), s.n
	}
	return nil
}

// Abort closes and removes the files written so far.
func (e *EventFiles) Abort() {
	for _, s := range e.sinks {
		s.f.Close()
		os.Remove(s.file.Path)
	}
}

// Remove deletes the temporary event files (once the pack holds them).
func (e *EventFiles) Remove() {
	os.Remove(e.JSONL.Path)
	os.Remove(e.CSV.Path)
}

// WritePack writes the ZIP: the PDF, the event files, the manifest (which gets every file's entry
// and the key id) and its signature.
func WritePack(w io.Writer, pdf []byte, files []*PackFile, m *PackManifest, keyID string, sign func([]byte) string, modified time.Time) error {
	z := zip.NewWriter(w)
	sum := sha256.Sum256(pdf)
	m.Files = []export.ManifestFile{{Name: PDFName, Format: "pdf", SHA256: hex.EncodeToString(sum[:]), Size: int64(len(pdf))}}
	if err := addEntry(z, PDFName, modified, func(out io.Writer) error { _, err := out.Write(pdf); return err }); err != nil {
		return err
	}
	for _, f := range files {
		m.Files = append(m.Files, f.ManifestFile)
		err := addEntry(z, f.Name, modified, func(out io.Writer) error {
			in, err := os.Open(f.Path)
			if err != nil {
				return err
			}
			defer in.Close()
			_, err = io.Copy(out, in)
			return err
		})
		if err != nil {
			return err
		}
	}
	m.KeyID = keyID
	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := addEntry(z, ManifestName, modified, func(out io.Writer) error { _, err := out.Write(body); return err }); err != nil {
		return err
	}
	sig := sign(body)
	if err := addEntry(z, SignatureName, modified, func(out io.Writer) error { _, err := io.WriteString(out, sig+"\n"); return err }); err != nil {
		return err
	}
	return z.Close()
}

func addEntry(z *zip.Writer, name string, modified time.Time, write func(io.Writer) error) error {
	out, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: modified})
	if err != nil {
		return err
	}
	return write(out)
}
