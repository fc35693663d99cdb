package jobs

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/attest/auditlog/pkg/sqldb/sqldbtest"
)

func TestSchedulesSurviveReopenAndStartEachPeriodOnce(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "jobs.db")
	url := sqldbtest.URL(t)
	store, err := Open(ctx, url, db)
	if err != nil {
		t.Fatal(err)
	}
	oct := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	nov := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	sc := &Schedule{ID: "s1", OrgID: 2, Tenant: "acme", Kind: "report", Name: "Monthly SOX", Every: "monthly", Params: `{"type":"SOX"}`,
		ContactPoints: []string{"ops"}, CreatedBy: "ana", Created: oct, NextFrom: oct}
	if err := store.CreateSchedule(ctx, sc); err != nil {
		t.Fatal(err)
	}
	if err := store.StartRun(ctx, Run{ScheduleID: "s1", JobID: "j1", From: oct, To: nov}); err != nil {
		t.Fatal(err)
	}
	// A second pass that read the schedule before the first advanced it cannot start October again.
	if err := store.StartRun(ctx, Run{ScheduleID: "s1", JobID: "j2", From: oct, To: nov}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second start of the same period: %v", err)
	}
	store.Close()

	store, err = Open(ctx, url, db) // as after a restart
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	list, err := store.Schedules(ctx, 2)
	if err != nil || len(list) != 1 || !list[0].NextFrom.Equal(nov) || list[0].ContactPoints[0] != "ops" {
		t.Fatalf("after reopen: %+v %v", list, err)
	}
	if other, _ := store.Schedules(ctx, 3); len(other) != 0 {
		t.Fatal("another org sees the schedule")
	}
	runs, err := store.Unnotified(ctx)
	if err != nil || len(runs) != 1 || runs[0].JobID != "j1" || !runs[0].To.Equal(nov) {
		t.Fatalf("unnotified: %+v %v", runs, err)
	}
	if err := store.SetNotified(ctx, "j1", true, ""); err != nil {
		t.Fatal(err)
	}
	if runs, _ := store.Unnotified(ctx); len(runs) != 0 {
		t.Fatal("a notified run is still pending")
	}
	if err := store.DeleteSchedule(ctx, 3, "s1"); !errors.Is(err, ErrNotFound) {
		t.Fatal("another org deleted the schedule")
	}
	if err := store.DeleteSchedule(ctx, 2, "s1"); err != nil {
		t.Fatal(err)
	}
	if runs, _ := store.Runs(ctx, "s1", 10); len(runs) != 0 {
		t.Fatal("runs outlive their schedule")
	}
}
