package alerting

import (
	"context"
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

// StatsByRule reads, for the given rules (Grafana's numeric id → uid), every transition into Alerting
// since `since` from Grafana's alert annotations (one request, unlike the per-rule history API, which
// stops at 100), and which rules have a firing instance now from the rules' current state.
func (c *Client) StatsByRule(ctx context.Context, ids map[int64]string, since, until time.Time) (map[string]Stats, error) {
	out := map[string]Stats{}
	q := url.Values{"type": {"alert"}, "limit": {"100000"}, "from": {fmt.Sprint(since.UnixMilli())}, "to": {fmt.Sprint(until.UnixMilli())}}
	var items []struct {
		AlertID  int64  `json:"alertId"`
		NewState string `json:"newState"`
		Time     int64  `json:"time"`
	}
	if err := c.do(ctx, "GET", "/api/annotations?"+q.Encode(), nil, &items); err != nil {
		return nil, err
	}
	for _, it := range items {
		uid, ok := ids[it.AlertID]
		if !ok || !strings.HasPrefix(it.NewState, "Alerting") {
			continue
		}
		s := out[uid]
		s.TriggerCount++
		if t := time.UnixMilli(it.Time).UTC(); s.LastTriggered == nil || t.After(*s.LastTriggered) {
			s.LastTriggered = &t
		}
		out[uid] = s
	}
	var rules struct {
		Data struct {
			Groups []struct {
				Rules []struct {
					State  string            `json:"state"`
					Labels map[string]string `json:"labels"`
				} `json:"rules"`
			} `json:"groups"`
		} `json:"data"`
	}
	if err := c.do(ctx, "GET", "/api/prometheus/grafana/api/v1/rules", nil, &rules); err != nil {
		return out, err
	}
	for _, g := range rules.Data.Groups {
		for _, r := range g.Rules {
			if uid := r.Labels[LabelRuleUID]; uid != "" && r.State == "firing" {
				s := out[uid]
				s.Firing = true
				out[uid] = s
			}
		}
	}
	return out, nil
}
