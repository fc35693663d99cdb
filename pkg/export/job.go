package export

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/attest/auditlog/pkg/loki"
)

// MaxNameLen bounds an export's name.
const MaxNameLen = 200

// ValidationError is an export request the user must correct; Field names what.
type ValidationError struct {
	Field string
	Msg   string
}

func (e *ValidationError) Error() string { return e.Msg }

// Job is one export: what it reads (LogQL over a range of one tenant's store) and how it writes it.
// Work streams it into the chosen format; Manifest describes the finished file for signing.
type Job struct {
	Name   string
	Format string
	Client *loki.Client
	Query  string
	Range  loki.Range
	Header Header
	// Reveal wraps the format's writer so readers' identities are shown (nil: as stored).
	Reveal func(Writer) Writer

	chains ChainTracker
}

// Normalize trims and names the export (an unnamed one after the moment it was asked for), then
// checks its format, name and range (at most maxDays).
func (j *Job) Normalize(now time.Time, maxDays int) error {
	if _, ok := Formats[j.Format]; !ok {
		return &ValidationError{"format", "format must be csv, json, jsonl or xlsx"}
	}
	j.Name = strings.TrimSpace(j.Name)
	if j.Name == "" {
		j.Name = "audit-log-" + now.UTC().Format("2006-01-02T15-04-05Z")
	}
	if len(j.Name) > MaxNameLen {
		return &ValidationError{"name", fmt.Sprintf("name is at most %d characters", MaxNameLen)}
	}
	if time.Duration(j.Range.EndNs-j.Range.StartNs) > time.Duration(maxDays)*24*time.Hour {
		return &ValidationError{"range", fmt.Sprintf("an export covers at most %d days; narrow the date range", maxDays)}
	}
	return nil
}

// Work writes every selected event, newest first, in the job's format, tracking the chains it holds.
func (j *Job) Work(ctx context.Context, out io.Writer, progress func(int64)) (int64, error) {
	wr, err := NewWriter(j.Format, out, j.Header)
	if err != nil {
		return 0, err
	}
	j.chains = ChainTracker{}
	var w Writer = wr
	if j.Reveal != nil {
		w = j.Reveal(wr)
	}
	return Stream(ctx, j.Client, j.Query, j.Range, &Tracking{Writer: w, Chains: j.chains}, progress)
}

// Manifest describes the finished file (its id, hash, size and rows), the selection and the chains
// it holds, for signing.
func (j *Job) Manifest(id, sha256 string, size, rows int64) *Manifest {
	return &Manifest{
		Version: 1, ExportID: id,
		File:    ManifestFile{Name: SafeFileName(j.Name) + "." + Formats[j.Format].Ext, Format: j.Format, SHA256: sha256, Size: size, Rows: rows},
		Filters: j.Header.Filters, From: fmt.Sprint(j.Range.StartNs), To: fmt.Sprint(j.Range.EndNs),
		ExportedAt: j.Header.ExportedAt.Format(time.RFC3339Nano), Chains: j.chains.Ranges(),
	}
}

// SafeFileName is a name usable as a file name on every system: control and reserved characters become _.
func SafeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, s)
}
