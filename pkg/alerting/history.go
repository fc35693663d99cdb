package alerting

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Stats is what Grafana's alert state history says about one rule.
type Stats struct {
	LastTriggered *time.Time
	TriggerCount  int
	Firing        bool
}

// historyFrame is the data frame /api/v1/rules/history answers (fields time, text, prev, next, data).
type historyFrame struct {
	Schema struct {
		Fields []struct {
			Name string `json:"name"`
		} `json:"fields"`
	} `json:"schema"`
	Data struct {
		Values [][]json.RawMessage `json:"values"`
	} `json:"data"`
}

// History counts the rule's transitions into Alerting since `since`: each one is a trigger (one per
// alert instance, e.g. per actor).
func (c *Client) History(ctx context.Context, ruleUID string, since, until time.Time) (Stats, error) {
	q := url.Values{"ruleUID": {ruleUID}, "from": {fmt.Sprint(since.UnixMilli())}, "to": {fmt.Sprint(until.UnixMilli())}}
	var f historyFrame
	if err := c.do(ctx, "GET", "/api/v1/rules/history?"+q.Encode(), nil, &f); err != nil {
		return Stats{}, err
	}
	col := func(name string) []json.RawMessage {
		for i, fl := range f.Schema.Fields {
			if fl.Name == name && i < len(f.Data.Values) {
				return f.Data.Values[i]
			}
		}
		return nil
	}
	times, next := col("time"), col("next")
	var s Stats
	var lastAny int64
	for i := range min(len(times), len(next)) {
		var ms int64
		var state string
		if json.Unmarshal(times[i], &ms) != nil || json.Unmarshal(next[i], &state) != nil {
			continue
		}
		// Grafana 10.0's annotation backend builds the time from milliseconds as if they were
		// seconds, so its frame carries milliseconds × 1000.
		if ms > 1e14 {
			ms /= 1000
		}
		if ms >= lastAny {
			lastAny = ms
			s.Firing = strings.HasPrefix(state, "Alerting")
		}
		if !strings.HasPrefix(state, "Alerting") {
			continue
		}
		s.TriggerCount++
		if t := time.UnixMilli(ms).UTC(); s.LastTriggered == nil || t.After(*s.LastTriggered) {
			s.LastTriggered = &t
		}
	}
	return s, nil
}
