package subjects

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/attest/auditlog/pkg/jobs"
)

// A name is found wherever it lies in a stream, also cut across two reads, in any case.
func TestStreamHoldsFindsANameAcrossReads(t *testing.T) {
	names := [][]byte{[]byte("alice@example.com")}
	for _, at := range []int{0, 256<<10 - 5, 256 << 10, 1 << 20} {
		text := strings.Repeat("x", at) + "ALICE@example.com" + strings.Repeat("y", 1000)
		got, err := streamHolds(iotest.HalfReader(strings.NewReader(text)), names)
		if err != nil || !got {
			t.Fatalf("at %d: %v %v", at, got, err)
		}
	}
	if got, _ := streamHolds(bytes.NewReader(bytes.Repeat([]byte("alice@example.co "), 100000)), names); got {
		t.Fatal("found a name that is not there")
	}
}

// Erasing a person scrubs every request and schedule that names them and removes the jobs whose files
// hold them, compressed entries included; other people's jobs are untouched.
func TestScrubJobsForgetsThePersonEverywhereInTheJobStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	store, err := jobs.OpenSQLite(filepath.Join(dir, "jobs.db"))
	if err != nil {
		t.Fatal(err)
	}
	rn, err := jobs.NewRunner(store, filepath.Join(dir, "files"))
	if err != nil {
		t.Fatal(err)
	}
	run := func(id, name, params string, body func(io.Writer) error) {
		t.Helper()
		j := &jobs.Job{ID: id, OrgID: 1, Kind: "export", Name: name, Format: "csv", Params: params}
		if err := rn.Start(ctx, j, "1/ann", "1", jobs.Limits{PerOwner: 5}, func(_ context.Context, w io.Writer, _ func(int64)) (int64, error) {
			return 1, body(w)
		}, nil); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for j, _ := store.Get(ctx, 1, id); j == nil || j.Status != jobs.Completed; j, _ = store.Get(ctx, 1, id) {
			if time.Now().After(deadline) {
				t.Fatalf("job %s did not complete: %+v", id, j)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	text := func(s string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
	}
	zipped := func(w io.Writer) error {
		z := zip.NewWriter(w)
		f, _ := z.Create("events.jsonl")
		io.WriteString(f, strings.Repeat(`{"actorName":"Frank Ode"}`+"\n", 500)+`{"targetName":"Erin Quist"}`)
		return z.Close()
	}
	run("named", "Access of erin@example.com", `{"actor":"ERIN@example.com"}`, text("no one"))
	run("holds", "quarterly", "{}", text("id,actor\n1,u-erin\n"))
	run("pack", "pack", "{}", zipped)
	run("other", "Access of frank@example.com", `{"actor":"frank@example.com"}`, text("1,u-frank\n"))
	sc := &jobs.Schedule{ID: "s1", OrgID: 1, Kind: "report", Name: "Monthly of Erin Quist", Every: "monthly",
		Params: `{"actors":["erin@example.com"]}`, CreatedBy: "1/ann", Created: time.Now(), NextFrom: time.Now()}
	if err := store.CreateSchedule(ctx, sc); err != nil {
		t.Fatal(err)
	}

	scrubbed, deleted, err := ScrubJobs(ctx, rn, 1, []string{"erin@example.com", "u-erin", "Erin Quist"})
	if err != nil {
		t.Fatal(err)
	}
	if scrubbed != 2 || deleted != 2 {
		t.Fatalf("scrubbed %d, deleted %d; want 2 and 2", scrubbed, deleted)
	}
	left, _ := store.ListAll(ctx, 1)
	got := map[string]jobs.Job{}
	for _, j := range left {
		got[j.ID] = j
	}
	if j := got["named"]; j.Name != "Access of [erased]" || j.Params != `{"actor":"[erased]"}` {
		t.Errorf("the request naming her: %q %q", j.Name, j.Params)
	}
	if _, ok := got["holds"]; ok {
		t.Error("the job whose file holds her id is still listed")
	}
	if _, ok := got["pack"]; ok {
		t.Error("the job whose zipped file names her is still listed")
	}
	if j := got["other"]; j.Name != "Access of frank@example.com" || j.File == "" {
		t.Errorf("another person's job changed: %+v", j)
	}
	schedules, _ := store.Schedules(ctx, 1)
	if len(schedules) != 1 || schedules[0].Name != "Monthly of [erased]" || strings.Contains(schedules[0].Params, "erin") {
		t.Errorf("the schedule naming her: %+v", schedules)
	}
}
