package dailycounts

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/attest/auditlog/pkg/loki"
)

const day = 24 * time.Hour

// Settle is how long after a day ends it is counted: entries still on their way are in by then.
const Settle = time.Hour

// Eligible says whether the Overview for f can be read from daily counts: the days are kept by category,
// severity and service, so only those filters narrow them.
func Eligible(f loki.Filters) bool {
	rest := f
	rest.Categories, rest.Severities, rest.Service = nil, nil, ""
	return rest.Search == "" && rest.EventType == "" && rest.Actor == "" && rest.TargetType == "" && rest.TargetID == "" &&
		rest.Outcome == "" && rest.EventID == "" && rest.RequestID == "" && rest.TraceID == "" && rest.Stack == "" &&
		rest.Region == "" && rest.Classification == "" && len(rest.EventTypes) == 0 && rest.ChangedTo == "" &&
		rest.Compliance == "" && len(rest.Actors) == 0
}

// Plan splits [startNs, endNs) into the complete days daily counts can answer (ended at least Settle
// before now) and the segments live queries must count (each within one day).
type Plan struct {
	Days     []time.Time
	Segments []loki.Range
}

// PlanRange makes the plan of a range at now.
func PlanRange(r loki.Range, now time.Time) Plan {
	var p Plan
	start, end := time.Unix(0, r.StartNs).UTC(), time.Unix(0, r.EndNs).UTC()
	settled := now.Add(-Settle)
	cur := start
	for cur.Before(end) {
		next := cur.Truncate(day).Add(day)
		if next.After(end) {
			next = end
		}
		whole := cur.Equal(cur.Truncate(day)) && next.Sub(cur) == day && !next.After(settled)
		if whole {
			p.Days = append(p.Days, cur)
		} else {
			p.Segments = append(p.Segments, loki.Range{StartNs: cur.UnixNano(), EndNs: next.UnixNano()})
		}
		cur = next
	}
	return p
}

// segment is counts over a span, placed on the chart at its start.
type segment struct {
	at     time.Time
	events []EventCount
	actors []ActorCount
}

// MaxStale is how many days may be read live in one Overview before it is cheaper to read the whole
// range live.
const MaxStale = 3

// ErrStale is a range with more than MaxStale days not counted, or counted before entries arrived.
type ErrStale struct{ Days []time.Time }

func (e *ErrStale) Error() string {
	return fmt.Sprintf("%d days of the range are not counted yet", len(e.Days))
}

// Overview gives the Overview of f over r from the kept days and live counts of the rest, with the
// chart in steps of whole days: exact, the numbers the live queries give. A kept day is used only
// while the Collectors' ledger still shows the count it had when the day was counted; otherwise the
// day is read live and reported in stale, for counting again. Recent high-severity events are read live.
func Overview(ctx context.Context, c *loki.Client, s *Store, tenant string, f loki.Filters, r loki.Range, now time.Time, ledger *Ledger) (o *loki.Overview, stale []time.Time, err error) {
	rangeMs, err := r.RangeMs()
	if err != nil {
		return nil, nil, err
	}
	plan := PlanRange(r, now)
	var days map[int64]*Day
	if len(plan.Days) > 0 {
		days, err = s.Load(ctx, tenant, plan.Days[0], plan.Days[len(plan.Days)-1])
		if err != nil {
			return nil, nil, err
		}
	}
	segs := make([]segment, 0, len(plan.Days)+len(plan.Segments))
	ranges := plan.Segments
	for _, d := range plan.Days {
		kept := days[d.Unix()]
		if kept == nil || kept.Ledger != ledger.Of(tenant, d) {
			stale = append(stale, d)
			ranges = append(ranges, loki.Range{StartNs: d.UnixNano(), EndNs: d.Add(day).UnixNano()})
			continue
		}
		segs = append(segs, segment{at: d, events: kept.Events, actors: kept.Actors})
	}
	if len(stale) > MaxStale {
		return nil, stale, &ErrStale{stale}
	}
	live := make([]segment, len(ranges))
	var high []loki.Event
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(loki.OverviewConcurrency)
	for i, sr := range ranges {
		g.Go(func() error {
			ev, ac, err := Count(gctx, c, f, sr.StartNs, sr.EndNs)
			live[i] = segment{at: time.Unix(0, sr.StartNs), events: ev, actors: ac}
			return err
		})
	}
	g.Go(func() error {
		q, err := loki.HighSeverityQuery(f)
		if err != nil {
			return err
		}
		res, err := c.QueryRange(gctx, q, r.StartNs, r.EndNs, 5, "backward", 0)
		if err == nil {
			high, err = res.Streams()
		}
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, stale, err
	}
	segs = append(segs, live...)
	stepMs := max(loki.PickStepMs(rangeMs, 60), day.Milliseconds())
	o = summarize(segs, f, stepMs)
	slices.SortFunc(high, loki.CompareNewestFirst)
	o.RecentHighSeverity = append([]loki.Event{}, high[:min(5, len(high))]...)
	o.DailyCountDays = len(plan.Days) - len(stale)
	return o, stale, nil
}

func matches(f loki.Filters, k Key) bool {
	return (len(f.Categories) == 0 || slices.Contains(f.Categories, k.Category)) &&
		(len(f.Severities) == 0 || slices.Contains(f.Severities, k.Severity)) &&
		(f.Service == "" || f.Service == k.Service)
}

func summarize(segs []segment, f loki.Filters, stepMs int64) *loki.Overview {
	o := &loki.Overview{BySeverity: map[string]int64{"CRITICAL": 0, "ERROR": 0, "WARNING": 0, "INFO": 0}}
	byCat, byEvent := map[string]int64{}, map[string]int64{}
	actors := map[string]bool{}
	// Points are at the end of each step (as a range query's), counting the step before it.
	points := map[string]map[int64]float64{}
	for _, sg := range segs {
		bucket := (sg.at.UnixMilli()/stepMs + 1) * stepMs
		for _, e := range sg.events {
			if !matches(f, e.Key) {
				continue
			}
			o.Total += e.N
			o.BySeverity[e.Severity] += e.N
			byCat[e.Category] += e.N
			byEvent[e.Event] += e.N
			if points[e.Category] == nil {
				points[e.Category] = map[int64]float64{}
			}
			points[e.Category][bucket] += float64(e.N)
		}
		for _, a := range sg.actors {
			if matches(f, a.Key) && a.N > 0 {
				actors[a.Actor] = true
			}
		}
	}
	o.CriticalAndError = o.BySeverity["CRITICAL"] + o.BySeverity["ERROR"]
	o.Warnings = o.BySeverity["WARNING"]
	o.ActiveUsers = int64(len(actors))
	o.ByCategory = named(byCat, func(a, b loki.NamedCount) int { return loki.CategoryOrder(a.Name) - loki.CategoryOrder(b.Name) })
	o.TopEventTypes = named(byEvent, func(a, b loki.NamedCount) int { return cmp.Compare(a.Name, b.Name) })
	o.TopEventTypes = o.TopEventTypes[:min(5, len(o.TopEventTypes))]
	o.OverTime = loki.OverTime{StepMs: stepMs, Series: []loki.CategorySeries{}}
	for cat, pts := range points {
		s := loki.CategorySeries{Category: cat, Points: [][2]float64{}}
		for _, t := range slices.Sorted(maps.Keys(pts)) {
			s.Points = append(s.Points, [2]float64{float64(t), pts[t]})
		}
		o.OverTime.Series = append(o.OverTime.Series, s)
	}
	slices.SortFunc(o.OverTime.Series, func(a, b loki.CategorySeries) int {
		return loki.CategoryOrder(a.Category) - loki.CategoryOrder(b.Category)
	})
	return o
}

// named sorts counts most first, ties by tie.
func named(m map[string]int64, tie func(a, b loki.NamedCount) int) []loki.NamedCount {
	out := make([]loki.NamedCount, 0, len(m))
	for k, n := range m {
		out = append(out, loki.NamedCount{Name: k, Count: n})
	}
	slices.SortFunc(out, func(a, b loki.NamedCount) int { return cmp.Or(cmp.Compare(b.Count, a.Count), tie(a, b)) })
	return out
}
