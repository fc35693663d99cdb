package retention

import (
	"strings"
	"time"
)

// firstLookback is how far back the first run of a tenant counts, and the most one segment covers.
const firstLookback = 30 * 24 * time.Hour

// LastScheduled is the latest time of day hh:mm (UTC) at or before now.
func LastScheduled(now time.Time, hhmm string) time.Time {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		t, _ = time.Parse("15:04", "03:00")
	}
	now = now.UTC()
	at := time.Date(now.Year(), now.Month(), now.Day(), t.Hour(), t.Minute(), 0, 0, time.UTC)
	if at.After(now) {
		at = at.Add(-24 * time.Hour)
	}
	return at
}

// Due says whether a run is owed at now: none has run since the latest scheduled time. A night the
// process was down is thereby caught up at the next start.
func Due(now time.Time, hhmm string, st State) bool {
	last := LastScheduled(now, hhmm)
	for _, r := range st.Runs {
		if r.Trigger != "manual" && !r.At.Before(last) {
			return false
		}
	}
	return true
}

// Segments is what a run at now covers under p: for the default window and each category's, from
// where the last good run's cutoff was (the first run looks back 30 days) to the new cutoff.
func Segments(p Policy, last *Run, now time.Time) []Segment {
	prev := map[string]int64{}
	if last != nil {
		for _, s := range last.Segments {
			prev[s.Category] = s.CutoffNs
		}
	}
	seg := func(category string, days int) Segment {
		cutoff := now.Add(-Days(days)).Truncate(time.Millisecond).UnixNano()
		from, ok := prev[category]
		switch {
		case !ok:
			from = cutoff - int64(firstLookback)
		case from > cutoff:
			from = cutoff // the window grew: nothing new is past it
		case cutoff-from > int64(firstLookback):
			from = cutoff - int64(firstLookback) // the window shrank: Loki answers at most ~30 days at once
		}
		return Segment{Category: category, Days: days, FromNs: from, CutoffNs: cutoff}
	}
	out := []Segment{seg("", p.Days)}
	for _, c := range p.CategoryNames() {
		out = append(out, seg(c, p.Categories[c]))
	}
	return out
}

// Selector is the LogQL stream selector of a segment: one category, or (the default window) every
// category without a window of its own. Categories are validated names, safe to place in a regex.
func (p Policy) Selector(category string) string {
	if category != "" {
		return `{service_name=~".+", audit_category="` + category + `"}`
	}
	if own := p.CategoryNames(); len(own) > 0 {
		return `{service_name=~".+", audit_category!~"` + strings.Join(own, "|") + `"}`
	}
	return `{service_name=~".+"}`
}
