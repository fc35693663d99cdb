package report

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/attest/auditlog/pkg/loki"
)

// MaxListed bounds the rows the PDF lists in full (failed and denied actions, privileged changes,
// exports); the totals always count every event, and the pack's event files hold them all.
const MaxListed = 200

// Summary is what the PDF says about the events the report selects, filled one event at a time as the
// events stream from Loki, so nothing but these figures is held.
type Summary struct {
	// PeriodEvents counts every event of the tenant in the period; Selected those the report selects.
	PeriodEvents int64
	Selected     int64
	ByCategory   map[string]int64
	ByOutcome    map[string]int64
	BySeverity   map[string]int64
	actors       map[string]*ActorCount
	// Failed: failed and denied actions (Outcome failure or denied); Privileged: privileged changes.
	Failed     Listed
	Privileged Listed
	Controls   []ControlEvidence
	// Exports are the trail's own exports and reports made during the period (all events, not only
	// the selected ones: pulling the log is itself evidence).
	Exports Listed

	spec    *Spec
	mapping *Mapping
}

// ActorCount is one actor's number of selected events.
type ActorCount struct {
	ID, Name string
	Count    int64
}

// Listed counts events of one kind and keeps the first MaxListed of them (newest first).
type Listed struct {
	Count int64
	Rows  []Row
}

// Row is one listed event.
type Row struct {
	TimeMs  int64
	Actor   string
	Event   string
	Outcome string
	Target  string
	Detail  string
}

// ControlEvidence is one control and the number of selected events that evidence it.
type ControlEvidence struct {
	Control
	Events int64
}

// NewSummary starts the summary of a report.
func NewSummary(s *Spec, m *Mapping) *Summary {
	sum := &Summary{ByCategory: map[string]int64{}, ByOutcome: map[string]int64{}, BySeverity: map[string]int64{},
		actors: map[string]*ActorCount{}, spec: s, mapping: m}
	for _, c := range m.Frameworks[s.Type].Controls {
		sum.Controls = append(sum.Controls, ControlEvidence{Control: c})
	}
	return sum
}

// Add counts one event of the period and says whether the report selects it.
func (s *Summary) Add(e *loki.Event) bool {
	s.PeriodEvents++
	if strings.HasPrefix(e.EventType, "audit.export.") || strings.HasPrefix(e.EventType, "audit.report.") {
		s.Exports.add(e, exportDetail(e))
	}
	if !s.spec.Selects(e) {
		return false
	}
	s.Selected++
	s.ByCategory[e.Category]++
	s.ByOutcome[e.Outcome]++
	s.BySeverity[e.Severity]++
	key := e.ActorID
	if key == "" {
		key = e.ActorEmail
	}
	a := s.actors[key]
	if a == nil {
		a = &ActorCount{ID: key, Name: e.ActorName}
		s.actors[key] = a
	}
	a.Count++
	if e.Outcome == "failure" || e.Outcome == "denied" {
		s.Failed.add(e, e.Description)
	}
	if privileged(s.mapping.Privileged, e) {
		s.Privileged.add(e, e.Changes)
	}
	for i := range s.Controls {
		if s.Controls[i].Matches(e) {
			s.Controls[i].Events++
		}
	}
	return true
}

// privileged: an event in one of the privileged categories, or of one of the privileged event types
// (either is enough, unlike a control's match).
func privileged(p Match, e *loki.Event) bool {
	if slices.Contains(p.Categories, e.Category) {
		return true
	}
	return len(p.EventTypes) > 0 && Match{EventTypes: p.EventTypes}.Matches(e)
}

func (l *Listed) add(e *loki.Event, detail string) {
	l.Count++
	if len(l.Rows) >= MaxListed {
		return
	}
	actor := e.ActorEmail
	if actor == "" {
		actor = e.ActorID
	}
	target := e.TargetType
	if e.TargetName != "" {
		target += " " + e.TargetName
	} else if e.TargetID != "" {
		target += " " + e.TargetID
	}
	l.Rows = append(l.Rows, Row{TimeMs: e.TimeMs, Actor: actor, Event: e.EventType, Outcome: e.Outcome, Target: strings.TrimSpace(target), Detail: detail})
}

func exportDetail(e *loki.Event) string {
	var meta struct {
		Format string `json:"format"`
		Rows   *int64 `json:"rows"`
		Type   string `json:"type"`
	}
	_ = json.Unmarshal([]byte(e.Metadata), &meta)
	parts := []string{}
	for _, p := range []string{meta.Type, meta.Format} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if meta.Rows != nil {
		parts = append(parts, formatCount(*meta.Rows)+" rows")
	}
	return strings.Join(parts, ", ")
}

// TopActors are the n actors with the most selected events.
func (s *Summary) TopActors(n int) []ActorCount {
	out := make([]ActorCount, 0, len(s.actors))
	for _, a := range s.actors {
		out = append(out, *a)
	}
	slices.SortFunc(out, func(a, b ActorCount) int {
		if a.Count != b.Count {
			return int(b.Count - a.Count)
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out[:min(n, len(out))]
}

// DistinctActors is the number of actors among the selected events.
func (s *Summary) DistinctActors() int { return len(s.actors) }

// CountMismatchError: the events read that the report selects are fewer than Loki counted for the
// selection beforehand; nothing is kept.
type CountMismatchError struct{ Read, Counted int64 }

func (e *CountMismatchError) Error() string {
	return fmt.Sprintf("the report read %d of the %d events Loki counted for its selection; nothing was kept, retry in a few minutes", e.Read, e.Counted)
}
