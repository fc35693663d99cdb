package counts

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/attest/auditlog/pkg/loki"
	"github.com/attest/auditlog/pkg/schema"
)

// maxPoints bounds a range query's points per series (Loki refuses more than 11,000).
const maxPoints = 11_000

// MaxSeries and MaxTotalPoints bound one answer, for every role: a grouping that splits into more
// series, or more points in all, is refused with a message saying so.
const (
	MaxSeries      = 1_000
	MaxTotalPoints = 500_000
)

func tooMany(series, points int) error {
	if series > MaxSeries {
		return &Error{fmt.Sprintf("the query splits into %d series, more than %d: group by fewer fields or filter first", series, MaxSeries)}
	}
	if series*points > MaxTotalPoints {
		return &Error{fmt.Sprintf("the query returns %d points, more than %d: widen the interval or shorten the range", series*points, MaxTotalPoints)}
	}
	return nil
}

// Series is one group's counts: Labels name the group (Grafana-style names), Points are [ms, count].
type Series struct {
	Labels map[string]string
	Points [][2]int64
}

// Run answers q over [from, to) with interval as the wished step of a range query.
func Run(ctx context.Context, c *loki.Client, q Query, from, to time.Time, interval time.Duration) ([]Series, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	if !to.After(from) {
		return nil, &Error{"the time range is empty"}
	}
	switch q.Mode {
	case ModeInstant:
		return instant(ctx, c, q, from, to)
	case ModeSilence:
		return silence(ctx, c, q, from, to)
	}
	return series(ctx, c, q, from, to, interval)
}

func instant(ctx context.Context, c *loki.Client, q Query, from, to time.Time) ([]Series, error) {
	samples, err := instantSamples(ctx, c, q, to.Sub(from), to)
	if err != nil {
		return nil, err
	}
	if err := tooMany(len(samples), 1); err != nil {
		return nil, err
	}
	out := make([]Series, 0, len(samples))
	for _, s := range samples {
		out = append(out, Series{Labels: names(s.Metric), Points: [][2]int64{{to.UnixMilli(), int64(s.Value)}}})
	}
	if len(out) == 0 && len(q.GroupBy) == 0 {
		out = append(out, Series{Labels: map[string]string{}, Points: [][2]int64{{to.UnixMilli(), 0}}})
	}
	return out, nil
}

func instantSamples(ctx context.Context, c *loki.Client, q Query, window time.Duration, at time.Time) ([]loki.Sample, error) {
	rangeMs := max(window.Milliseconds(), 1)
	logql, err := q.LogQL(rangeMs)
	if err != nil {
		return nil, err
	}
	res, err := c.Instant(ctx, logql, at.UnixNano()-1)
	if err != nil {
		return nil, err
	}
	return res.Vector()
}

func silence(ctx context.Context, c *loki.Client, q Query, from, to time.Time) ([]Series, error) {
	lookback, _ := q.lookback()
	lookback = max(lookback, to.Sub(from))
	seen, err := instantSamples(ctx, c, q, lookback, to)
	if err != nil {
		return nil, err
	}
	now, err := instantSamples(ctx, c, q, to.Sub(from), to)
	if err != nil {
		return nil, err
	}
	counts := map[string]int64{}
	for _, s := range now {
		counts[key(s.Metric)] = int64(s.Value)
	}
	if err := tooMany(len(seen), 1); err != nil {
		return nil, err
	}
	out := make([]Series, 0, len(seen))
	for _, s := range seen {
		out = append(out, Series{Labels: names(s.Metric), Points: [][2]int64{{to.UnixMilli(), counts[key(s.Metric)]}}})
	}
	return out, nil
}

func series(ctx context.Context, c *loki.Client, q Query, from, to time.Time, interval time.Duration) ([]Series, error) {
	if s, _ := q.step(); s > 0 {
		interval = s
	}
	step := max(interval.Truncate(time.Second), time.Second)
	if span := to.Sub(from); span/step > maxPoints {
		step = (span/maxPoints + time.Second).Truncate(time.Second)
	}
	logql, err := q.LogQL(step.Milliseconds())
	if err != nil {
		return nil, err
	}
	// Loki evaluates a range query at multiples of the step; the point at t counts (t-step, t]. The
	// buckets are aligned the same way and cover the whole range: (floor(from), ceil(to)].
	floor := func(t time.Time) time.Time { return time.Unix(0, t.UnixNano()-t.UnixNano()%int64(step)) }
	start := floor(from).Add(step)
	end := floor(to)
	if end.Before(to) {
		end = end.Add(step)
	}
	res, err := c.QueryRange(ctx, logql, start.UnixNano(), end.UnixNano(), 0, "", int64(step/time.Second))
	if err != nil {
		return nil, err
	}
	matrix, err := res.Matrix()
	if err != nil {
		return nil, err
	}
	var times []int64
	for t := start; !t.After(end); t = t.Add(step) {
		times = append(times, t.UnixMilli())
	}
	if err := tooMany(len(matrix), len(times)); err != nil {
		return nil, err
	}
	out := make([]Series, 0, len(matrix))
	for _, m := range matrix {
		got := map[int64]int64{}
		for _, p := range m.Values {
			got[int64(p[0])] = int64(p[1])
		}
		s := Series{Labels: names(m.Metric), Points: make([][2]int64, len(times))}
		for i, t := range times {
			s.Points[i] = [2]int64{t, got[t]}
		}
		out = append(out, s)
	}
	if len(out) == 0 && len(q.GroupBy) == 0 {
		s := Series{Labels: map[string]string{}, Points: make([][2]int64, len(times))}
		for i, t := range times {
			s.Points[i] = [2]int64{t, 0}
		}
		out = append(out, s)
	}
	return out, nil
}

// labelNames are the names a series' labels get in Grafana (what a user writes in a notification
// template or a legend).
var labelNames = map[string]string{
	schema.LabelCategory: "category",
	schema.LabelSeverity: "severity",
	schema.MetaEvent:     "event",
	schema.LabelService:  "service",
	schema.MetaOutcome:   "outcome",
	schema.MetaUserID:    "actor_id",
	schema.MetaUserEmail: "actor_email",
}

func names(metric map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range metric {
		if n, ok := labelNames[k]; ok && v != "" {
			out[n] = v
		}
	}
	return out
}

func key(metric map[string]string) string {
	keys := slices.Sorted(maps.Keys(metric))
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%q,", k, metric[k])
	}
	return b.String()
}

// Frames turns series into Grafana data frames, one frame per series (time and count fields).
func Frames(refID string, series []Series) data.Frames {
	frames := make(data.Frames, 0, len(series))
	for _, s := range series {
		times := make([]time.Time, len(s.Points))
		values := make([]float64, len(s.Points))
		for i, p := range s.Points {
			times[i] = time.UnixMilli(p[0]).UTC()
			values[i] = float64(p[1])
		}
		f := data.NewFrame("count",
			data.NewField("time", nil, times),
			data.NewField("count", data.Labels(s.Labels), values))
		f.RefID = refID
		f.Meta = &data.FrameMeta{Type: data.FrameTypeTimeSeriesMulti, TypeVersion: data.FrameTypeVersion{0, 1}}
		frames = append(frames, f)
	}
	return frames
}
