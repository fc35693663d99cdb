package report

import (
	"testing"
	"time"
)

func TestPeriods(t *testing.T) {
	at := time.Date(2026, 11, 17, 9, 30, 0, 0, time.UTC)
	if got := PeriodStart(Monthly, at); !got.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("monthly start %s", got)
	}
	if got := PeriodStart(Quarterly, at); !got.Equal(time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("quarterly start %s", got)
	}
	if got := PeriodEnd(Quarterly, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)); !got.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("quarterly end %s", got)
	}
	if PeriodLabel(Quarterly, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)) != "2026-Q4" || PeriodLabel(Monthly, at) != "2026-11" {
		t.Fatal("labels")
	}
	if got := FirstPeriod(Quarterly, time.Date(2027, 2, 3, 0, 0, 0, 0, time.UTC), true); !got.Equal(time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("the quarter just ended starts %s", got)
	}
}

func TestDueCatchesUpEveryMissedPeriod(t *testing.T) {
	next := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	now := time.Date(2026, 11, 17, 0, 0, 0, 0, time.UTC) // down since July: August, September and October are due
	var ran []string
	for {
		from, to, ok := Due(Monthly, next, now)
		if !ok {
			break
		}
		ran = append(ran, PeriodLabel(Monthly, from))
		next = to
	}
	if len(ran) != 3 || ran[0] != "2026-08" || ran[2] != "2026-10" {
		t.Fatalf("ran %v", ran)
	}
	if _, _, ok := Due(Monthly, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), now); ok {
		t.Fatal("the running month is not due")
	}
	if _, _, ok := Due(Monthly, time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)); !ok {
		t.Fatal("a month is due the moment it ends")
	}
}
