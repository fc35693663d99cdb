package report

import (
	"fmt"
	"time"
)

// Periods a report can repeat over; each run covers the calendar period (UTC) that has just ended.
const (
	Monthly   = "monthly"
	Quarterly = "quarterly"
)

// IsEvery: a known period.
func IsEvery(every string) bool { return every == Monthly || every == Quarterly }

func months(every string) int {
	if every == Quarterly {
		return 3
	}
	return 1
}

// PeriodStart is the start of the period that holds t: the first of its month, or of its quarter
// (January, April, July, October).
func PeriodStart(every string, t time.Time) time.Time {
	t = t.UTC()
	m := int(t.Month()) - 1
	m -= m % months(every)
	return time.Date(t.Year(), time.Month(m+1), 1, 0, 0, 0, 0, time.UTC)
}

// PeriodEnd is the end (exclusive) of the period that starts at from.
func PeriodEnd(every string, from time.Time) time.Time {
	return from.AddDate(0, months(every), 0)
}

// PeriodLabel names the period that starts at from: 2026-11, or 2026-Q4.
func PeriodLabel(every string, from time.Time) string {
	from = from.UTC()
	if every == Quarterly {
		return fmt.Sprintf("%d-Q%d", from.Year(), (int(from.Month())-1)/3+1)
	}
	return from.Format("2006-01")
}

// FirstPeriod is where a new schedule starts: the period that holds now (its first run once it ends),
// or with lastToo the period that has just ended (run at once).
func FirstPeriod(every string, now time.Time, lastToo bool) time.Time {
	start := PeriodStart(every, now)
	if lastToo {
		return start.AddDate(0, -months(every), 0)
	}
	return start
}

// Due is the next period to run when it has ended by now: every missed period comes due in turn, so a
// server that was down at a period's end catches up when it starts.
func Due(every string, next, now time.Time) (from, to time.Time, ok bool) {
	to = PeriodEnd(every, next)
	return next, to, !to.After(now)
}
