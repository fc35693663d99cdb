package alerting

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/attest/auditlog/pkg/counts"
	"github.com/attest/auditlog/pkg/schema"
)

// Kinds of rule.
const (
	// KindCount fires when at least Threshold matching events arrive within Window.
	KindCount = "count"
	// KindSilence fires when a service that sent matching events in the last day sends none within Window.
	KindSilence = "silence"
)

// Rule is an audit alert as the Alerts page shows and edits it. Its source of truth is the Grafana
// rule (query, condition, pause state, labels) and the notification policies that route it.
type Rule struct {
	UID string `json:"uid"`
	RuleSpec
	Starter string `json:"starter,omitempty"`

	// Read from Grafana's alert state history.
	LastTriggered *time.Time `json:"lastTriggered"`
	TriggerCount  int        `json:"triggerCount"`
	Firing        bool       `json:"firing"`
	Updated       string     `json:"updated,omitempty"`
}

// RuleSpec is what a user sets on a rule: the form's fields, nothing read from Grafana.
type RuleSpec struct {
	Name          string   `json:"name"`
	Description   string   `json:"description"`
	Kind          string   `json:"kind"`
	Categories    []string `json:"categories"`
	Severity      string   `json:"severity"`
	EventTypes    []string `json:"eventTypes"`
	Actor         string   `json:"actor"`
	Outcome       string   `json:"outcome"`
	ChangedTo     string   `json:"changedTo"`
	PerActor      bool     `json:"perActor"`
	Threshold     int      `json:"threshold"`
	WindowMinutes int      `json:"windowMinutes"`
	ContactPoints []string `json:"contactPoints"`
	Active        bool     `json:"active"`
}

// ValidationError is a rule or contact point the user must correct; Field names what.
type ValidationError struct {
	Field string
	Msg   string
}

func (e *ValidationError) Error() string { return e.Msg }

const (
	maxNameLen        = 190
	maxDescriptionLen = 2000
	maxWindowMinutes  = 24 * 60
)

// Normalize trims and defaults r, then checks it; contact point names are checked by the caller
// against Grafana's.
func (r *Rule) Normalize() error {
	r.Name = strings.TrimSpace(r.Name)
	r.Description = strings.TrimSpace(r.Description)
	r.Actor = strings.TrimSpace(r.Actor)
	r.ChangedTo = strings.TrimSpace(r.ChangedTo)
	if r.Kind == "" {
		r.Kind = KindCount
	}
	if r.Threshold == 0 {
		r.Threshold = 1
	}
	if r.WindowMinutes == 0 {
		r.WindowMinutes = 5
	}
	r.EventTypes = trimAll(r.EventTypes)
	r.ContactPoints = trimAll(r.ContactPoints)
	switch {
	case r.Name == "":
		return &ValidationError{"name", "a name is required"}
	case len(r.Name) > maxNameLen:
		return &ValidationError{"name", fmt.Sprintf("the name is longer than %d characters", maxNameLen)}
	case len(r.Description) > maxDescriptionLen:
		return &ValidationError{"description", fmt.Sprintf("the description is longer than %d characters", maxDescriptionLen)}
	case r.Kind != KindCount && r.Kind != KindSilence:
		return &ValidationError{"kind", fmt.Sprintf("kind must be count or silence, not %q", r.Kind)}
	case len(r.Categories) == 0:
		return &ValidationError{"categories", "pick at least one event category"}
	case !schema.IsSeverity(r.Severity):
		return &ValidationError{"severity", fmt.Sprintf("the severity threshold must be one of %s, not %q",
			strings.Join(schema.Severities, ", "), r.Severity)}
	case r.Outcome != "" && !schema.IsOutcome(r.Outcome):
		return &ValidationError{"outcome", fmt.Sprintf("outcome must be one of %s, not %q", strings.Join(schema.Outcomes, ", "), r.Outcome)}
	case r.Threshold < 1 || r.Threshold > 1_000_000:
		return &ValidationError{"threshold", "the threshold must be between 1 and 1,000,000 events"}
	case r.WindowMinutes < 1 || r.WindowMinutes > maxWindowMinutes:
		return &ValidationError{"windowMinutes", fmt.Sprintf("the window must be between 1 and %d minutes", maxWindowMinutes)}
	case len(r.ContactPoints) == 0:
		return &ValidationError{"contactPoints", "pick at least one contact point"}
	case r.Kind == KindSilence && r.PerActor:
		return &ValidationError{"perActor", "a silence rule counts per service, not per actor"}
	}
	for _, c := range r.Categories {
		if !schema.IsCategory(c) {
			return &ValidationError{"categories", fmt.Sprintf("unknown category %q", c)}
		}
	}
	slices.Sort(r.Categories)
	r.Categories = slices.Compact(r.Categories)
	return nil
}

func trimAll(xs []string) []string {
	out := []string{}
	for _, x := range xs {
		if x = strings.TrimSpace(x); x != "" && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// Query is the counts datasource query the rule evaluates.
func (r *Rule) Query() counts.Query {
	q := counts.Query{Mode: counts.ModeInstant, Categories: r.Categories, Severity: r.Severity,
		EventTypes: r.EventTypes, Outcome: r.Outcome, Actor: r.Actor, ChangedTo: r.ChangedTo}
	if r.PerActor {
		q.GroupBy = []string{"actor"}
	}
	if r.Kind == KindSilence {
		q.Mode = counts.ModeSilence
		q.GroupBy = []string{"service"}
	}
	return q
}

// Labels and annotations the app puts on its Grafana rules.
const (
	LabelRuleUID  = "attest_rule_uid"
	LabelSeverity = "attest_severity"
	LabelKind     = "attest_kind"
	annStarter    = "attest_starter"
)

// provisionedRule is Grafana's provisioning API shape of an alert rule (the fields the app uses).
type provisionedRule struct {
	ID           int64             `json:"id,omitempty"`
	UID          string            `json:"uid"`
	OrgID        int64             `json:"orgID"`
	FolderUID    string            `json:"folderUID"`
	RuleGroup    string            `json:"ruleGroup"`
	Title        string            `json:"title"`
	Condition    string            `json:"condition"`
	Data         []alertQuery      `json:"data"`
	NoDataState  string            `json:"noDataState"`
	ExecErrState string            `json:"execErrState"`
	For          string            `json:"for"`
	Annotations  map[string]string `json:"annotations"`
	Labels       map[string]string `json:"labels"`
	IsPaused     bool              `json:"isPaused"`
	Updated      string            `json:"updated,omitempty"`
	Provenance   string            `json:"provenance,omitempty"`
}

type alertQuery struct {
	RefID             string            `json:"refId"`
	QueryType         string            `json:"queryType"`
	RelativeTimeRange relativeTimeRange `json:"relativeTimeRange"`
	DatasourceUID     string            `json:"datasourceUid"`
	Model             map[string]any    `json:"model"`
}

type relativeTimeRange struct {
	From int64 `json:"from"`
	To   int64 `json:"to"`
}

const exprUID = "__expr__"

// toGrafana writes r as a Grafana rule: A counts (counts datasource), B reduces to the last value, C
// compares it with the threshold.
func (r *Rule) toGrafana(folderUID, group, dsUID string, orgID int64, key []byte) provisionedRule {
	q := r.Query()
	if q.Sensitive() {
		q = q.Sign(key, orgID, r.UID)
	}
	model := map[string]any{
		"refId": "A", "datasource": map[string]string{"type": "attest-auditcounts-datasource", "uid": dsUID},
		"mode": q.Mode, "categories": q.Categories, "severity": q.Severity, "intervalMs": 1000, "maxDataPoints": 43200,
	}
	set := func(k string, v any, present bool) {
		if present {
			model[k] = v
		}
	}
	set("eventTypes", q.EventTypes, len(q.EventTypes) > 0)
	set("outcome", q.Outcome, q.Outcome != "")
	set("actor", q.Actor, q.Actor != "")
	set("changedTo", q.ChangedTo, q.ChangedTo != "")
	set("groupBy", q.GroupBy, len(q.GroupBy) > 0)
	set("signature", q.Signature, q.Signature != "")
	evaluator := map[string]any{"type": "gt", "params": []any{float64(r.Threshold - 1)}}
	if r.Kind == KindSilence {
		evaluator = map[string]any{"type": "lt", "params": []any{float64(1)}}
	}
	ann := map[string]string{"summary": r.Name, "description": r.Description}
	if r.PerActor {
		// Alert labels name the actor by an opaque reference; the Event viewer resolves it for readers.
		ann["events"] = fmt.Sprintf("/a/attest-auditlog-app/events?actorRef={{ $labels.actor_ref }}&from=now-%dm&to=now", r.WindowMinutes+5)
	}
	if r.Starter != "" {
		ann[annStarter] = r.Starter
	}
	return provisionedRule{
		UID: r.UID, OrgID: orgID, FolderUID: folderUID, RuleGroup: group, Title: r.Name, Condition: "C",
		Data: []alertQuery{
			{RefID: "A", RelativeTimeRange: relativeTimeRange{From: int64(r.WindowMinutes) * 60}, DatasourceUID: dsUID, Model: model},
			{RefID: "B", DatasourceUID: exprUID, Model: map[string]any{"refId": "B", "type": "reduce", "expression": "A", "reducer": "last",
				"datasource": map[string]string{"type": "__expr__", "uid": exprUID}}},
			{RefID: "C", DatasourceUID: exprUID, Model: map[string]any{"refId": "C", "type": "threshold", "expression": "B",
				"conditions": []any{map[string]any{"evaluator": evaluator}},
				"datasource": map[string]string{"type": "__expr__", "uid": exprUID}}},
		},
		NoDataState: "OK", ExecErrState: "Error", For: "0s",
		Annotations: ann,
		Labels:      map[string]string{LabelRuleUID: r.UID, LabelSeverity: r.Severity, LabelKind: r.Kind},
		IsPaused:    !r.Active,
	}
}

// fromGrafana reads a rule the app wrote back into the page's shape (contact points come from routing).
func fromGrafana(p provisionedRule) Rule {
	r := Rule{UID: p.UID, Starter: p.Annotations[annStarter], Updated: p.Updated,
		RuleSpec: RuleSpec{Name: p.Title, Description: p.Annotations["description"], Active: !p.IsPaused, Kind: KindCount,
			Threshold: 1, Categories: []string{}, EventTypes: []string{}}}
	for _, d := range p.Data {
		switch d.RefID {
		case "A":
			r.WindowMinutes = int(d.RelativeTimeRange.From / 60)
			m := d.Model
			r.Categories = strs(m["categories"])
			r.Severity, _ = m["severity"].(string)
			r.EventTypes = strs(m["eventTypes"])
			r.Outcome, _ = m["outcome"].(string)
			r.Actor, _ = m["actor"].(string)
			r.ChangedTo, _ = m["changedTo"].(string)
			if mode, _ := m["mode"].(string); mode == counts.ModeSilence {
				r.Kind = KindSilence
			}
			r.PerActor = slices.Contains(strs(m["groupBy"]), "actor")
		case "C":
			if r.Kind == KindCount {
				r.Threshold = thresholdOf(d.Model) + 1
			}
		}
	}
	return r
}

func strs(v any) []string {
	out := []string{}
	if xs, ok := v.([]any); ok {
		for _, x := range xs {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	}
	if xs, ok := v.([]string); ok {
		out = append(out, xs...)
	}
	return out
}

func thresholdOf(model map[string]any) int {
	conds, _ := model["conditions"].([]any)
	if len(conds) == 0 {
		return 0
	}
	c, _ := conds[0].(map[string]any)
	ev, _ := c["evaluator"].(map[string]any)
	params, _ := ev["params"].([]any)
	if len(params) == 0 {
		return 0
	}
	switch p := params[0].(type) {
	case float64:
		return int(p)
	case string:
		n, _ := strconv.Atoi(p)
		return n
	}
	return 0
}

func allCategories() []string { return append([]string{}, schema.Categories...) }
