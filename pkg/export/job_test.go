package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/attest/auditlog/pkg/loki"
	"github.com/attest/auditlog/pkg/loki/lokitest"
)

func TestAnExportIsNamedAndCheckedBeforeItRuns(t *testing.T) {
	now := time.Date(2026, 12, 6, 10, 4, 5, 0, time.UTC)
	day := int64(24 * time.Hour)
	for _, c := range []struct {
		job   Job
		field string
	}{
		{Job{Format: "pdf"}, "format"},
		{Job{Format: "csv", Name: strings.Repeat("n", MaxNameLen+1)}, "name"},
		{Job{Format: "csv", Range: loki.Range{StartNs: 0, EndNs: 91 * day}}, "range"},
	} {
		err := c.job.Normalize(now, 90)
		if ve, ok := err.(*ValidationError); !ok || ve.Field != c.field {
			t.Errorf("%+v: %v, want a %s error", c.job, err, c.field)
		}
	}
	unnamed := Job{Format: "jsonl", Name: "  ", Range: loki.Range{StartNs: 0, EndNs: 90 * day}}
	if err := unnamed.Normalize(now, 90); err != nil || unnamed.Name != "audit-log-2026-12-06T10-04-05Z" {
		t.Fatalf("unnamed: %q %v", unnamed.Name, err)
	}
}

// An export writes every event of its range newest first, revealed by its Reveal, and its manifest
// names the file, the rows and the chains it holds.
func TestAnExportWritesEveryEventAndDescribesItsFile(t *testing.T) {
	var entries []lokitest.Entry
	for i := 0; i < 40; i++ {
		entries = append(entries, lokitest.Entry{TsNs: int64(1_800_000_000_000_000_000) + int64(i)*int64(time.Second),
			Line: fmt.Sprintf("event %02d", i),
			Labels: map[string]string{"service_name": "billing", "audit_id": fmt.Sprintf("id-%02d", i), "user_email": "enc:x",
				"audit_chain_id": "c1", "audit_chain_seq": fmt.Sprint(i + 1)}})
	}
	j := &Job{Name: "Q4 / billing", Format: "csv", Client: lokitest.Serve(t, entries), Query: `{service_name="billing"}`,
		Range:  loki.Range{StartNs: 1_800_000_000_000_000_000, EndNs: 1_800_000_000_000_000_000 + 60*int64(time.Second)},
		Header: Header{ExportedAt: time.Unix(1_800_000_100, 0).UTC(), Filters: map[string]string{"service": "billing"}},
		Reveal: func(w Writer) Writer { return revealAs{w, "ann@example.com"} }}
	var out bytes.Buffer
	rows, err := j.Work(context.Background(), &out, func(int64) {})
	if err != nil || rows != 40 {
		t.Fatalf("%d rows, %v", rows, err)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out.String(), "\ufeff"))).ReadAll()
	if err != nil || len(recs) != 41 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	if !strings.Contains(strings.Join(recs[1], ","), "event 39") || !strings.Contains(strings.Join(recs[40], ","), "event 00") {
		t.Errorf("not newest first: %v … %v", recs[1], recs[40])
	}
	if strings.Contains(out.String(), "enc:x") || !strings.Contains(out.String(), "ann@example.com") {
		t.Error("the export is not what Reveal shows")
	}
	m := j.Manifest("exp-1", "ab", int64(out.Len()), rows)
	if m.File.Name != "Q4 _ billing.csv" || m.File.Rows != 40 || m.ExportID != "exp-1" || m.Filters["service"] != "billing" {
		t.Errorf("manifest %+v", m)
	}
	if len(m.Chains) != 1 || m.Chains[0].MinSeq != 1 || m.Chains[0].MaxSeq != 40 || m.Chains[0].Count != 40 {
		t.Errorf("chains %+v", m.Chains)
	}
}

type revealAs struct {
	Writer
	email string
}

func (r revealAs) Write(e *loki.Event) error {
	e.ActorEmail = r.email
	return r.Writer.Write(e)
}
