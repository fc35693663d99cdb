package report

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/attest/auditlog/pkg/export"
	"github.com/attest/auditlog/pkg/integrity"
	"github.com/attest/auditlog/pkg/loki"
	"github.com/attest/auditlog/pkg/schema"
)

// Pack generates an evidence pack: one read of the tenant's whole period verifies the chains and
// streams the selected events into events.jsonl and events.csv while the summary counts them; then
// the PDF, then the ZIP with the signed manifest. The selection's LogQL count, taken before reading,
// must equal what was read.
type Pack struct {
	Client  *loki.Client
	Mapping *Mapping
	// Dir is where the event files wait until they are zipped.
	Dir    string
	Signer *export.Signer
	// Verify verifies the tenant's chains over the period, handing every record read to also.
	Verify func(ctx context.Context, rng loki.Range, progress func(int64), also export.Writer) (*integrity.Summary, error)
	// Reveal wraps the event files' writer so readers' identities are shown (nil: as stored).
	Reveal func(export.Writer) export.Writer
	// StoredForms are the stored (encrypted) forms of an actor (nil: identities are not encrypted).
	StoredForms func(actor string) []string
}

// Generated is what a pack holds: the selected events, all the period's, and the verification.
type Generated struct {
	Selected     int64
	PeriodEvents int64
	Integrity    *integrity.Summary
}

// Generate writes the pack of report id to out.
func (p *Pack) Generate(ctx context.Context, id, tenant, requestedBy string, spec Spec, out io.Writer, progress func(int64)) (*Generated, error) {
	m, client := p.Mapping, p.Client
	if err := relatedRequests(ctx, client, &spec); err != nil {
		return nil, err
	}
	if p.StoredForms != nil {
		for _, actor := range spec.Actors {
			spec.StoredActors = append(spec.StoredActors, p.StoredForms(actor)...)
		}
	}
	query, err := loki.EventsQuery(spec.Filters())
	if err != nil {
		return nil, err
	}
	rng := spec.Range()
	expected, err := client.CountLogQuery(ctx, query, rng)
	if err != nil {
		return nil, err
	}
	sum := NewSummary(&spec, m)
	files := NewEventFiles(p.Dir, sum)
	defer files.Remove()
	var w export.Writer = files
	if p.Reveal != nil {
		w = p.Reveal(files)
	}
	vs, err := p.Verify(ctx, rng, progress, w)
	if err != nil {
		return nil, err
	}
	if !export.Complete(ctx, client, query, rng, sum.Selected, expected) {
		return nil, &CountMismatchError{Read: sum.Selected, Counted: expected}
	}
	now := time.Now().UTC()
	meta := &Meta{ID: id, Spec: spec, Framework: m.Frameworks[spec.Type], Tenant: tenant,
		RequestedBy: requestedBy, GeneratedAt: now, KeyID: p.Signer.KeyID, Integrity: IntegrityOf(vs)}
	var pdf bytes.Buffer
	if err := RenderPDF(&pdf, meta, sum); err != nil {
		return nil, fmt.Errorf("rendering the PDF: %w", err)
	}
	manifest := &PackManifest{Version: 1, ReportID: id, Type: spec.Type, Name: spec.Name,
		From: spec.From.UTC().Format(time.RFC3339), To: spec.To.UTC().Format(time.RFC3339), GeneratedAt: now.Format(time.RFC3339Nano),
		Tenant: tenant, Selected: sum.Selected, PeriodEvents: sum.PeriodEvents, IntegrityOK: vs.OK, Problems: vs.ProblemCount,
		Chains: files.Chains.Ranges(), Resource: ResourceOf(&spec)}
	if err := WritePack(out, pdf.Bytes(), []*PackFile{files.JSONL, files.CSV}, manifest, p.Signer.KeyID, p.Signer.SignBytes, now); err != nil {
		return nil, err
	}
	return &Generated{Selected: sum.Selected, PeriodEvents: sum.PeriodEvents, Integrity: vs}, nil
}

// relatedRequests finds the request ids of a resource pack's events, when it follows them.
func relatedRequests(ctx context.Context, client *loki.Client, spec *Spec) error {
	spec.RequestIDs = nil
	if !spec.Related {
		return nil
	}
	ids, err := client.Values(ctx, loki.Filters{TargetType: spec.TargetType, TargetID: spec.TargetID}, spec.Range(), schema.MetaRequestID)
	if err != nil {
		return fmt.Errorf("finding the resource's requests: %w", err)
	}
	if len(ids) > MaxRelatedRequests {
		return &ValidationError{Field: "related", Message: fmt.Sprintf(
			"the resource's events carry %d request ids, more than the %d a pack follows; choose a shorter period or leave out related events",
			len(ids), MaxRelatedRequests)}
	}
	for _, id := range ids {
		spec.RequestIDs = append(spec.RequestIDs, id.Name)
	}
	slices.Sort(spec.RequestIDs)
	return nil
}

// maxListedProblems bounds the integrity problems a report's PDF spells out.
const maxListedProblems = 20

// IntegrityOf is a verification as the PDF states it.
func IntegrityOf(s *integrity.Summary) Integrity {
	out := Integrity{Records: s.Records, Chains: s.Chains, Duplicates: s.Duplicates, Problems: s.ProblemCount,
		CheckpointsChecked: s.Checkpoints.Checked, CheckpointsMatch: s.Checkpoints.Matched}
	for _, p := range s.Problems[:min(len(s.Problems), maxListedProblems)] {
		out.Listed = append(out.Listed, fmt.Sprintf("%s at chain %s position %d: %s", p.Kind, p.ChainID, p.Seq, p.Detail))
	}
	out.Unlisted = s.ProblemCount - len(out.Listed)
	out.Unchained = s.Unchained
	return out
}
