// Package counts answers count queries over the audit trail: numbers of matching events, over time or
// over a whole range, optionally grouped. It never returns an event or a free-text field, so what it
// serves may be shown to anyone who can see a dashboard. Used by the counts datasource (Grafana
// panels and alert rules) and by the app's alert rules.
package counts

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/attest/auditlog/pkg/loki"
	"github.com/attest/auditlog/pkg/schema"
)

// Modes of a query.
const (
	// ModeRange counts per interval over the time range (a time series per group).
	ModeRange = "range"
	// ModeInstant counts once over the whole time range (one point per group, at its end).
	ModeInstant = "instant"
	// ModeSilence gives, for every service that sent events in the lookback, its count over the time
	// range: 0 means a service went quiet.
	ModeSilence = "silence"
)

// GroupBy names the fields a query can group by and the Loki names behind them.
var GroupBy = map[string][]string{
	"category": {schema.LabelCategory},
	"severity": {schema.LabelSeverity},
	"event":    {schema.MetaEvent},
	"service":  {schema.LabelService},
	"outcome":  {schema.MetaOutcome},
	"actor":    {schema.MetaUserID, schema.MetaUserEmail},
}

// Query is the model of one datasource query (a panel target or an alert rule's query).
type Query struct {
	Mode       string   `json:"mode,omitempty"`
	Categories []string `json:"categories,omitempty"`
	// Severity counts events at or above this severity.
	Severity   string   `json:"severity,omitempty"`
	EventTypes []string `json:"eventTypes,omitempty"`
	Service    string   `json:"service,omitempty"`
	Outcome    string   `json:"outcome,omitempty"`
	Actor      string   `json:"actor,omitempty"`
	ChangedTo  string   `json:"changedTo,omitempty"`
	GroupBy    []string `json:"groupBy,omitempty"`
	// Lookback is how far back ModeSilence looks for services that should be sending (default 24h).
	Lookback string `json:"lookback,omitempty"`
	// Step is the bucket of ModeRange (a duration, e.g. 5m); the panel's interval when empty.
	Step string `json:"step,omitempty"`
	// Signature is the app's signature of a sensitive query in one of its alert rules (see signing.go).
	Signature string `json:"signature,omitempty"`
	// ActorStored are the stored (encrypted) forms of Actor, matched besides it (pkg/subjects).
	ActorStored []string `json:"-"`
}

// Error is a query that cannot be run as asked; its message says why.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

// ParseQuery reads a query model, refusing unknown values.
func ParseQuery(raw json.RawMessage) (Query, error) {
	var q Query
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &q); err != nil {
			return q, &Error{"the query is not valid JSON: " + err.Error()}
		}
	}
	return q, q.Validate()
}

// Validate checks every field names something that exists.
func (q *Query) Validate() error {
	if q.Mode == "" {
		q.Mode = ModeRange
	}
	if !slices.Contains([]string{ModeRange, ModeInstant, ModeSilence}, q.Mode) {
		return &Error{fmt.Sprintf("mode must be range, instant or silence, not %q", q.Mode)}
	}
	for _, c := range q.Categories {
		if !schema.IsCategory(c) {
			return &Error{fmt.Sprintf("unknown category %q", c)}
		}
	}
	if q.Severity != "" && !schema.IsSeverity(q.Severity) {
		return &Error{fmt.Sprintf("severity must be one of %s, not %q", strings.Join(schema.Severities, ", "), q.Severity)}
	}
	if q.Outcome != "" && !schema.IsOutcome(q.Outcome) {
		return &Error{fmt.Sprintf("outcome must be one of %s, not %q", strings.Join(schema.Outcomes, ", "), q.Outcome)}
	}
	for _, g := range q.GroupBy {
		if _, ok := GroupBy[g]; !ok {
			return &Error{fmt.Sprintf("cannot group by %q (category, severity, event, service, outcome or actor)", g)}
		}
	}
	if q.Mode == ModeSilence {
		if _, err := q.lookback(); err != nil {
			return err
		}
	}
	if _, err := q.step(); err != nil {
		return err
	}
	return nil
}

func (q Query) step() (time.Duration, error) {
	if q.Step == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(q.Step)
	if err != nil || d < time.Second || d > 31*24*time.Hour {
		return 0, &Error{fmt.Sprintf("step must be a duration between 1s and 744h, not %q", q.Step)}
	}
	return d, nil
}

// Sensitive reports whether the query singles out people or matches content (grouping or filtering by
// actor, matching changed values): such queries are for org admins and alert evaluation only.
func (q Query) Sensitive() bool {
	return q.Actor != "" || q.ChangedTo != "" || slices.Contains(q.GroupBy, "actor")
}

func (q Query) lookback() (time.Duration, error) {
	if q.Lookback == "" {
		return 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(q.Lookback)
	if err != nil || d < time.Minute || d > 31*24*time.Hour {
		return 0, &Error{fmt.Sprintf("lookback must be a duration between 1m and 744h, not %q", q.Lookback)}
	}
	return d, nil
}

// AtOrAbove lists the severities at or above s (all when s is empty).
func AtOrAbove(s string) []string {
	i := slices.Index(schema.Severities, s)
	if i < 0 {
		return nil
	}
	return slices.Clone(schema.Severities[:i+1])
}

func (q Query) filters() loki.Filters {
	return loki.Filters{
		Categories:  q.Categories,
		Severities:  AtOrAbove(q.Severity),
		EventTypes:  q.EventTypes,
		Service:     q.Service,
		Outcome:     q.Outcome,
		Actor:       q.Actor,
		ActorStored: q.ActorStored,
		ChangedTo:   q.ChangedTo,
	}
}

func (q Query) labels() []string {
	var out []string
	for _, g := range q.GroupBy {
		for _, l := range GroupBy[g] {
			if !slices.Contains(out, l) {
				out = append(out, l)
			}
		}
	}
	if q.Mode == ModeSilence && !slices.Contains(out, schema.LabelService) {
		out = append(out, schema.LabelService)
	}
	return out
}

// LogQL is the metric query counting q's events per rangeMs window.
func (q Query) LogQL(rangeMs int64) (string, error) {
	return loki.CountByQuery(q.filters(), rangeMs, q.labels())
}
