// Package export writes audit events to files (CSV, JSON, JSON Lines, Excel) as they stream from
// Loki, one row at a time, so memory does not grow with the export.
package export

import (
	"strings"
	"time"

	"github.com/attest/auditlog/pkg/loki"
)

// Column is one column of the tabular formats.
type Column struct {
	Name  string
	Value func(e *loki.Event) string
}

// Columns are every field the viewer shows, the users' documents' first and in their order.
var Columns = []Column{
	{"Entry ID", func(e *loki.Event) string { return e.ID }},
	{"Timestamp", func(e *loki.Event) string { return Timestamp(e).Format(time.RFC3339Nano) }},
	{"Category", func(e *loki.Event) string { return e.Category }},
	{"Event", func(e *loki.Event) string { return e.EventType }},
	{"Description", func(e *loki.Event) string { return e.Description }},
	{"Severity", func(e *loki.Event) string { return e.Severity }},
	{"Outcome", func(e *loki.Event) string { return e.Outcome }},
	{"Actor email", func(e *loki.Event) string { return e.ActorEmail }},
	{"Actor ID", func(e *loki.Event) string { return e.ActorID }},
	{"Actor type", func(e *loki.Event) string { return e.ActorType }},
	{"Target type", func(e *loki.Event) string { return e.TargetType }},
	{"Target ID", func(e *loki.Event) string { return e.TargetID }},
	{"Target name", func(e *loki.Event) string { return e.TargetName }},
	{"IP address", func(e *loki.Event) string { return e.ClientAddr }},
	{"User agent", func(e *loki.Event) string { return e.UserAgent }},
	{"Request ID", func(e *loki.Event) string { return e.RequestID }},
	{"Compliance tags", func(e *loki.Event) string { return strings.Join(e.Compliance, ",") }},
	{"Changes", func(e *loki.Event) string { return e.Changes }},
	{"Service", func(e *loki.Event) string { return e.Service }},
	{"Environment", func(e *loki.Event) string { return e.Environment }},
	{"Actor name", func(e *loki.Event) string { return e.ActorName }},
	{"Actor roles", func(e *loki.Event) string { return strings.Join(e.ActorRoles, ",") }},
	{"Action", func(e *loki.Event) string { return e.Action }},
	{"Session ID", func(e *loki.Event) string { return e.SessionID }},
	{"Stack", func(e *loki.Event) string { return e.Stack }},
	{"Region", func(e *loki.Event) string { return e.Region }},
	{"Data classification", func(e *loki.Event) string { return strings.Join(e.Classification, ",") }},
	{"Trace ID", func(e *loki.Event) string { return e.TraceID }},
	{"Metadata", func(e *loki.Event) string { return e.Metadata }},
	{"Chain ID", func(e *loki.Event) string { return e.ChainID }},
	{"Chain seq", func(e *loki.Event) string { return e.ChainSeq }},
	{"Chain hash", func(e *loki.Event) string { return e.ChainHash }},
}

// Timestamp is the event's time (UTC).
func Timestamp(e *loki.Event) time.Time {
	ns, _ := parseInt(e.TsNs)
	return time.Unix(0, ns).UTC()
}

func parseInt(s string) (int64, bool) {
	var n int64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, s != ""
}

// Neutralise defuses spreadsheet formulas (formula injection): a cell starting with = + - @, a tab or a
// carriage return gets a leading apostrophe, so spreadsheet programs show it as text.
func Neutralise(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
