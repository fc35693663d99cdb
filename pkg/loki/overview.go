package loki

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/attest/auditlog/pkg/schema"
)

// Overview holds the Overview page's numbers (the same shape as OverviewStats in src/services/overviewStats.ts).
type Overview struct {
	Total              int64            `json:"total"`
	CriticalAndError   int64            `json:"criticalAndError"`
	Warnings           int64            `json:"warnings"`
	ActiveUsers        int64            `json:"activeUsers"`
	ByCategory         []NamedCount     `json:"byCategory"`
	BySeverity         map[string]int64 `json:"bySeverity"`
	TopEventTypes      []NamedCount     `json:"topEventTypes"`
	OverTime           OverTime         `json:"overTime"`
	RecentHighSeverity []Event          `json:"recentHighSeverity"`
	// DailyCountDays is how many whole days came from the backend's daily counts (0: all live).
	DailyCountDays int `json:"dailyCountDays"`
}

// NamedCount is one bar or chip.
type NamedCount struct {
	Name  string `json:"name"`
	Count int64  `json:"count"`
}

// OverTime is events per step by category.
type OverTime struct {
	StepMs int64            `json:"stepMs"`
	Series []CategorySeries `json:"series"`
}

// CategorySeries is one category's counts; points are [ms, count].
type CategorySeries struct {
	Category string       `json:"category"`
	Points   [][2]float64 `json:"points"`
}

// OverviewConcurrency: each metric query scans the whole range, so at most two run at once (long ranges
// would otherwise make Loki time out all of them together).
const OverviewConcurrency = 2

const nsPerMs = 1_000_000

// CategoryOrder is a category's place in display order (unknown ones last).
func CategoryOrder(c string) int {
	if i := slices.Index(schema.Categories, c); i >= 0 {
		return i
	}
	return len(schema.Categories)
}

// RangeMs is the range length; it must be a positive whole number of milliseconds.
func (r Range) RangeMs() (int64, error) {
	d := r.EndNs - r.StartNs
	if d <= 0 || d%nsPerMs != 0 {
		return 0, &BuildError{"the time range must be a positive whole number of milliseconds"}
	}
	return d / nsPerMs, nil
}

// FetchOverview runs the Overview's five queries over r.
func (c *Client) FetchOverview(ctx context.Context, f Filters, r Range) (*Overview, error) {
	rangeMs, err := r.RangeMs()
	if err != nil {
		return nil, err
	}
	stepMs := PickStepMs(rangeMs, 60)
	qCounts, err := CategorySeverityCountsQuery(f, rangeMs)
	if err != nil {
		return nil, err
	}
	qUsers, _ := DistinctActorsQuery(f, rangeMs)
	qTop, _ := TopEventTypesQuery(f, rangeMs, 5)
	qOver, _ := EventsOverTimeQuery(f, stepMs)
	qHigh, _ := HighSeverityQuery(f)
	at := r.EndNs - 1 // (t - range, t] == [start, end)

	// Buckets end on multiples of the step, so that each covers one whole step.
	startMs, endMs := r.StartNs/nsPerMs, r.EndNs/nsPerMs
	firstEnd := ((startMs + 1 + stepMs - 1) / stepMs) * stepMs

	var counts, users, top []Sample
	var over []Series
	var high []Event
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(OverviewConcurrency)
	instant := func(q string, out *[]Sample) func() error {
		return func() error {
			res, err := c.Instant(gctx, q, at)
			if err == nil {
				*out, err = res.Vector()
			}
			return err
		}
	}
	g.Go(instant(qCounts, &counts))
	g.Go(func() error {
		res, err := c.QueryRange(gctx, qHigh, r.StartNs, r.EndNs, 5, "backward", 0)
		if err == nil {
			high, err = res.Streams()
		}
		return err
	})
	g.Go(func() error {
		res, err := c.QueryRange(gctx, qOver, firstEnd*nsPerMs, max(firstEnd, endMs)*nsPerMs, 0, "", stepMs/1000)
		if err == nil {
			over, err = res.Matrix()
		}
		return err
	})
	g.Go(instant(qUsers, &users))
	g.Go(instant(qTop, &top))
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return summarize(counts, users, top, over, high, stepMs), nil
}

func summarize(counts, users, top []Sample, over []Series, high []Event, stepMs int64) *Overview {
	o := &Overview{BySeverity: map[string]int64{"CRITICAL": 0, "ERROR": 0, "WARNING": 0, "INFO": 0}}
	byCat := map[string]int64{}
	for _, s := range counts {
		n := int64(s.Value)
		o.Total += n
		byCat[s.Metric[schema.LabelCategory]] += n
		o.BySeverity[s.Metric[schema.LabelSeverity]] += n
	}
	o.CriticalAndError = o.BySeverity["CRITICAL"] + o.BySeverity["ERROR"]
	o.Warnings = o.BySeverity["WARNING"]
	if len(users) > 0 {
		o.ActiveUsers = int64(users[0].Value)
	}
	o.ByCategory = []NamedCount{}
	for c, n := range byCat {
		o.ByCategory = append(o.ByCategory, NamedCount{c, n})
	}
	slices.SortFunc(o.ByCategory, func(a, b NamedCount) int {
		if a.Count != b.Count {
			return int(b.Count - a.Count)
		}
		return CategoryOrder(a.Name) - CategoryOrder(b.Name)
	})
	o.TopEventTypes = []NamedCount{}
	for _, s := range top {
		o.TopEventTypes = append(o.TopEventTypes, NamedCount{s.Metric[schema.MetaEvent], int64(s.Value)})
	}
	slices.SortFunc(o.TopEventTypes, func(a, b NamedCount) int {
		if a.Count != b.Count {
			return int(b.Count - a.Count)
		}
		return strings.Compare(a.Name, b.Name)
	})
	o.TopEventTypes = o.TopEventTypes[:min(5, len(o.TopEventTypes))]
	o.OverTime = OverTime{StepMs: stepMs, Series: []CategorySeries{}}
	for _, s := range over {
		pts := s.Values
		if pts == nil {
			pts = [][2]float64{}
		}
		o.OverTime.Series = append(o.OverTime.Series, CategorySeries{s.Metric[schema.LabelCategory], pts})
	}
	slices.SortFunc(o.OverTime.Series, func(a, b CategorySeries) int {
		return CategoryOrder(a.Category) - CategoryOrder(b.Category)
	})
	slices.SortFunc(high, CompareNewestFirst)
	o.RecentHighSeverity = append([]Event{}, high[:min(5, len(high))]...)
	return o
}

// CountLogQuery is the number of entries a log query (selector and pipeline) matches in r.
func (c *Client) CountLogQuery(ctx context.Context, query string, r Range) (int64, error) {
	rangeMs, err := r.RangeMs()
	if err != nil {
		return 0, err
	}
	return c.count(ctx, fmt.Sprintf("sum(count_over_time(%s [%dms]))", query, rangeMs), r)
}

// maxCopiedIDs bounds the audit ids IdenticalCopies looks into.
const maxCopiedIDs = 1000

// IdenticalCopies is how many of the entries matching query in r Loki counts but hands out only once:
// the same entry stored twice (a delivery retried after Loki had taken it), which count_over_time
// counts and query_range returns once. Found through the audit ids Loki counts more than once, each
// read back. Different entries sharing an id (a forged copy) are read, so they are not copies.
func (c *Client) IdenticalCopies(ctx context.Context, query string, r Range) (int64, error) {
	rangeMs, err := r.RangeMs()
	if err != nil {
		return 0, err
	}
	res, err := c.Instant(ctx, fmt.Sprintf("sum by (audit_id) (count_over_time(%s [%dms])) > 1", query, rangeMs), r.EndNs-1)
	if err != nil {
		return 0, err
	}
	v, err := res.Vector()
	if err != nil {
		return 0, err
	}
	var copies int64
	for i, s := range v {
		id := s.Metric["audit_id"]
		if id == "" || i >= maxCopiedIDs {
			continue
		}
		q, err := QuoteString(id)
		if err != nil {
			continue
		}
		got, _, err := c.entries(ctx, query+" | audit_id="+q, r.StartNs, r.EndNs, MaxLimit, "backward")
		if err != nil {
			return 0, err
		}
		copies += max(int64(s.Value)-int64(len(got)), 0)
	}
	return copies, nil
}

// Count is the number of events matching f in r.
func (c *Client) Count(ctx context.Context, f Filters, r Range) (int64, error) {
	rangeMs, err := r.RangeMs()
	if err != nil {
		return 0, err
	}
	q, err := CountQuery(f, rangeMs)
	if err != nil {
		return 0, err
	}
	return c.count(ctx, q, r)
}

// count runs a sum(count_over_time(…)) over r as an instant query (0 when nothing matched).
func (c *Client) count(ctx context.Context, q string, r Range) (int64, error) {
	res, err := c.Instant(ctx, q, r.EndNs-1)
	if err != nil {
		return 0, err
	}
	v, err := res.Vector()
	if err != nil || len(v) == 0 {
		return 0, err
	}
	return int64(v[0].Value), nil
}

// Values lists the values of one metadata name present in r, most frequent first, with counts.
func (c *Client) Values(ctx context.Context, f Filters, r Range, name string) ([]NamedCount, error) {
	rangeMs, err := r.RangeMs()
	if err != nil {
		return nil, err
	}
	q, err := ValuesQuery(f, rangeMs, name)
	if err != nil {
		return nil, err
	}
	res, err := c.Instant(ctx, q, r.EndNs-1)
	if err != nil {
		return nil, err
	}
	v, err := res.Vector()
	if err != nil {
		return nil, err
	}
	out := make([]NamedCount, 0, len(v))
	for _, s := range v {
		out = append(out, NamedCount{s.Metric[name], int64(s.Value)})
	}
	slices.SortFunc(out, func(a, b NamedCount) int {
		if a.Count != b.Count {
			return int(b.Count - a.Count)
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, nil
}
