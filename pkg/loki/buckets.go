package loki

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"strings"
)

// Bucket is one part of a range with a count of what it holds.
type Bucket struct {
	Range
	Count int64
}

// Selector is the stream selector a query starts with ({…}), or "" when it starts otherwise.
func Selector(query string) string {
	query = strings.TrimSpace(query)
	if !strings.HasPrefix(query, "{") {
		return ""
	}
	var quote byte
	for i := 1; i < len(query); i++ {
		switch ch := query[i]; {
		case quote == '"' && ch == '\\':
			i++
		case quote != 0:
			if ch == quote {
				quote = 0
			}
		case ch == '"' || ch == '`':
			quote = ch
		case ch == '}':
			return query[:i+1]
		}
	}
	return ""
}

// Volume is how many bytes the streams of selector hold in r, from Loki's index (no entry is read),
// in buckets of about r's length / n (whole seconds), oldest first. Loki aligns the buckets to
// multiples of their length, so their edges are approximate: good for cutting a range into parts of
// about equal size, never for counting.
func (c *Client) Volume(ctx context.Context, selector string, r Range, n int) ([]Bucket, error) {
	step := (r.EndNs - r.StartNs) / int64(max(n, 1)) / 1_000_000_000
	step = max(step, 1)
	p := url.Values{"query": {selector}, "start": {fmt.Sprint(r.StartNs)}, "end": {fmt.Sprint(r.EndNs)},
		"step": {fmt.Sprint(step)}, "aggregateBy": {"labels"}}
	var res Response
	if err := c.Get(ctx, "/loki/api/v1/index/volume_range", p, &res); err != nil {
		return nil, err
	}
	m, err := res.Matrix()
	if err != nil {
		return nil, err
	}
	// Loki's points end buckets at multiples of the step (the last at r's end): point t counts
	// (t-step, t]. Buckets here are the same, clipped to r, oldest first.
	stepMs := step * 1000
	first := r.StartNs / 1_000_000 / stepMs
	last := (r.EndNs/1_000_000 - 1) / stepMs
	out := make([]Bucket, last-first+1)
	for i := range out {
		k := first + int64(i)
		out[i].Range = Range{StartNs: max(k*stepMs*1_000_000, r.StartNs), EndNs: min((k+1)*stepMs*1_000_000, r.EndNs)}
	}
	for _, s := range m {
		for _, v := range s.Values {
			k := (int64(v[0]) - 1) / stepMs // the bucket (k·step, (k+1)·step] ms holds t
			if i := k - first; i >= 0 && i < int64(len(out)) {
				out[i].Count += int64(math.Round(v[1]))
			}
		}
	}
	return out, nil
}
