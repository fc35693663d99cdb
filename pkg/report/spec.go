package report

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/attest/auditlog/pkg/loki"
	"github.com/attest/auditlog/pkg/schema"
)

// Spec is what a report is asked for; it is kept as the job's parameters, so a report can be generated
// again (after a restart, or retried) from it alone.
type Spec struct {
	Type string    `json:"type"`
	Name string    `json:"name"`
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Custom reports only: what they select (all events of the period when all are empty).
	Categories []string `json:"categories,omitempty"`
	EventTypes []string `json:"eventTypes,omitempty"`
	Actors     []string `json:"actors,omitempty"`
	// Resource packs (Custom only): every event on this target; with Related also every event that
	// shares a request id with one of them. RequestIDs are those ids, found when generation starts.
	TargetType string   `json:"targetType,omitempty"`
	TargetID   string   `json:"targetId,omitempty"`
	Related    bool     `json:"related,omitempty"`
	RequestIDs []string `json:"requestIds,omitempty"`
	// StoredActors are the stored (encrypted) forms of Actors, found when generation starts
	// (pkg/subjects); never kept with the job.
	StoredActors []string `json:"-"`
}

// MaxRelatedRequests bounds the request ids a resource pack follows.
const MaxRelatedRequests = 500

// IsResource: the pack is about one resource.
func (s *Spec) IsResource() bool { return s.TargetType != "" || s.TargetID != "" }

// ValidationError names the field that is wrong and why.
type ValidationError struct{ Field, Message string }

func (e *ValidationError) Error() string { return e.Message }

// MaxNameLength bounds a report's name.
const MaxNameLength = 200

// Validate checks the request as the Reports page does: a known type, a name, start before end, end not
// in the future, start within the tenant's retention window (older events are gone) and a period of at
// most maxDays.
func (s *Spec) Validate(m *Mapping, now time.Time, retentionDays, maxDays int) error {
	s.Name = strings.TrimSpace(s.Name)
	if _, ok := m.Frameworks[s.Type]; !ok {
		return &ValidationError{"type", fmt.Sprintf("report type must be one of %s", strings.Join(m.Types(), ", "))}
	}
	if s.Name == "" {
		return &ValidationError{"name", "a report name is required"}
	}
	if len(s.Name) > MaxNameLength {
		return &ValidationError{"name", fmt.Sprintf("the name is longer than %d characters", MaxNameLength)}
	}
	if s.From.IsZero() || s.To.IsZero() {
		return &ValidationError{"from", "start and end dates are required"}
	}
	if !s.From.Before(s.To) {
		return &ValidationError{"to", "the end date must be after the start date"}
	}
	// A minute of slack for clocks: "today" as an end date is now.
	if s.To.After(now.Add(time.Minute)) {
		return &ValidationError{"to", "the end date is in the future"}
	}
	if oldest := now.AddDate(0, 0, -retentionDays); s.From.Before(oldest) {
		return &ValidationError{"from", fmt.Sprintf("the start date is before the %d-day retention window (earliest %s): those events are no longer kept",
			retentionDays, oldest.Format("2006-01-02"))}
	}
	if maxDays > 0 && s.To.Sub(s.From) > time.Duration(maxDays)*24*time.Hour {
		return &ValidationError{"to", fmt.Sprintf("a report covers at most %d days", maxDays)}
	}
	s.TargetType, s.TargetID, s.RequestIDs = strings.TrimSpace(s.TargetType), strings.TrimSpace(s.TargetID), nil
	if s.Type != Custom && (len(s.Categories) > 0 || len(s.EventTypes) > 0 || len(s.Actors) > 0 || s.IsResource()) {
		return &ValidationError{"type", "categories, event types, actors and a resource are for Custom reports; a framework selects by its compliance tag"}
	}
	if s.Related && !s.IsResource() {
		return &ValidationError{"related", "related events follow a resource: name its type and id"}
	}
	if len(s.TargetType) > MaxNameLength || len(s.TargetID) > MaxNameLength {
		return &ValidationError{"targetId", fmt.Sprintf("a resource's type and id are at most %d characters", MaxNameLength)}
	}
	for _, c := range s.Categories {
		if !schema.IsCategory(c) {
			return &ValidationError{"categories", fmt.Sprintf("%q is not an audit category", c)}
		}
	}
	s.EventTypes = trimAll(s.EventTypes)
	s.Actors = trimAll(s.Actors)
	return nil
}

func trimAll(xs []string) []string {
	var out []string
	for _, x := range xs {
		if x = strings.TrimSpace(x); x != "" && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// Range is the report's period as a Loki range (end exclusive).
func (s *Spec) Range() loki.Range {
	return loki.Range{StartNs: s.From.UnixNano(), EndNs: s.To.UnixNano()}
}

// Filters select the report's events in LogQL: a framework by its compliance tag, Custom by what it
// was given.
func (s *Spec) Filters() loki.Filters {
	if s.Type == Custom {
		return loki.Filters{Categories: s.Categories, EventTypes: s.EventTypes, Actors: append(slices.Clone(s.Actors), s.StoredActors...),
			TargetType: s.TargetType, TargetID: s.TargetID, RelatedRequests: s.RequestIDs}
	}
	return loki.Filters{Compliance: s.Type}
}

// Selects is Filters evaluated on one event read from Loki; the two must agree, which every report
// checks by counting both.
func (s *Spec) Selects(e *loki.Event) bool {
	if s.Type != Custom {
		return slices.Contains(e.Compliance, s.Type)
	}
	return (len(s.Categories) == 0 || slices.Contains(s.Categories, e.Category)) &&
		(len(s.EventTypes) == 0 || slices.Contains(s.EventTypes, e.EventType)) &&
		(len(s.Actors) == 0 || s.byActor(e)) &&
		(s.onTarget(e) || (s.IsResource() && slices.Contains(s.RequestIDs, e.RequestID)))
}

// byActor: the event's actor, as revealed to readers, is one of Actors (by user id, or by e-mail in
// any case).
func (s *Spec) byActor(e *loki.Event) bool {
	return slices.Contains(s.Actors, e.ActorID) ||
		slices.ContainsFunc(s.Actors, func(a string) bool { return e.ActorEmail != "" && strings.EqualFold(a, e.ActorEmail) })
}

func (s *Spec) onTarget(e *loki.Event) bool {
	return (s.TargetType == "" || e.TargetType == s.TargetType) && (s.TargetID == "" || e.TargetID == s.TargetID)
}
