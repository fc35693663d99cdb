package loki

import (
	"slices"
	"strings"

	"github.com/attest/auditlog/pkg/schema"
)

// Filters select audit events. Empty string / empty slice = no filter. The same filter object as the
// frontend's (src/services/filters.ts) and the test vectors (testdata/logql-vectors.json).
type Filters struct {
	Search     string   `json:"search,omitempty"`
	Categories []string `json:"categories,omitempty"`
	Severities []string `json:"severities,omitempty"`
	EventType  string   `json:"eventType,omitempty"`
	Service    string   `json:"service,omitempty"`
	Actor      string   `json:"actor,omitempty"`
	TargetType string   `json:"targetType,omitempty"`
	TargetID   string   `json:"targetId,omitempty"`
	Outcome    string   `json:"outcome,omitempty"`
	EventID    string   `json:"eventId,omitempty"`
	RequestID  string   `json:"requestId,omitempty"`
	TraceID    string   `json:"traceId,omitempty"`
	Stack      string   `json:"stack,omitempty"`
	Region     string   `json:"region,omitempty"`
	// Classification matches events that touch this kind of data (one item of audit.classification).
	Classification string `json:"classification,omitempty"`
	// EventTypes and ChangedTo are used by the counts datasource only (not in the viewer's filter object).
	EventTypes []string `json:"-"`
	// ChangedTo matches events whose changes carry this text in their after state.
	ChangedTo string `json:"-"`
	// Compliance and Actors are used by reports: events tagged with this framework, and events of any
	// of these actors (user ids or e-mails, e-mails in any case; in clear or in their stored forms).
	Compliance string   `json:"-"`
	Actors     []string `json:"-"`
	// RelatedRequests widen the target filter (TargetType/TargetID) to every event that shares one of
	// these request ids (resource evidence packs).
	RelatedRequests []string `json:"-"`
	// ActorStored are the stored (encrypted) forms of Actor's user id and e-mail, matched exactly
	// besides Actor itself (pkg/subjects).
	ActorStored []string `json:"-"`
}

// Narrow keeps only known values, like narrowFilters in src/services/filters.ts (used by the vectors).
func (f Filters) Narrow() Filters {
	out := f
	out.Categories = keep(f.Categories, schema.IsCategory)
	out.Severities = keep(f.Severities, schema.IsSeverity)
	if !schema.IsOutcome(f.Outcome) {
		out.Outcome = ""
	}
	out.EventType = strings.TrimSpace(f.EventType)
	out.Service = strings.TrimSpace(f.Service)
	out.Actor = strings.TrimSpace(f.Actor)
	out.TargetType = strings.TrimSpace(f.TargetType)
	out.TargetID = strings.TrimSpace(f.TargetID)
	out.EventID = strings.TrimSpace(f.EventID)
	out.RequestID = strings.TrimSpace(f.RequestID)
	out.TraceID = strings.TrimSpace(f.TraceID)
	out.Stack = strings.TrimSpace(f.Stack)
	out.Region = strings.TrimSpace(f.Region)
	if !schema.IsClassification(f.Classification) {
		out.Classification = ""
	}
	return out
}

func keep(xs []string, ok func(string) bool) []string {
	var out []string
	for _, x := range xs {
		if ok(x) && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
