package export

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/attest/auditlog/pkg/loki"
)

// JSON: {"exported_at", "filters", "entries": [...], "count"}, written as a stream.
type jsonWriter struct {
	w     io.Writer
	h     Header
	first bool
}

func (j *jsonWriter) Begin() error {
	at, _ := json.Marshal(j.h.ExportedAt)
	f, _ := json.Marshal(j.h.Filters)
	j.first = true
	_, err := fmt.Fprintf(j.w, "{\"exported_at\":%s,\"filters\":%s,\"entries\":[\n", at, f)
	return err
}

func (j *jsonWriter) Write(e *loki.Event) error {
	b, err := json.Marshal(nestedOf(e))
	if err != nil {
		return err
	}
	if !j.first {
		if _, err := j.w.Write([]byte(",\n")); err != nil {
			return err
		}
	}
	j.first = false
	_, err = j.w.Write(b)
	return err
}

func (j *jsonWriter) End(count int64) error {
	_, err := fmt.Fprintf(j.w, "\n],\"count\":%d}\n", count)
	return err
}

// JSON Lines: one event per line.
type jsonLinesWriter struct{ w io.Writer }

func (j *jsonLinesWriter) Begin() error { return nil }

func (j *jsonLinesWriter) Write(e *loki.Event) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = j.w.Write(append(b, '\n'))
	return err
}

func (j *jsonLinesWriter) End(int64) error { return nil }

// nestedEntry is one entry of the JSON export: every field of the event, and the same nested the way
// the users' documents show it (actor, subject, properties), changes and metadata as JSON, not strings.
type nestedEntry struct {
	*loki.Event
	Actor      nestedActor    `json:"actor"`
	Subject    nestedSubject  `json:"subject"`
	Properties map[string]any `json:"properties"`
}

type nestedActor struct {
	ID    string   `json:"id"`
	Email string   `json:"email"`
	Name  string   `json:"name"`
	Type  string   `json:"type"`
	Roles []string `json:"roles"`
}

type nestedSubject struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Name string `json:"name"`
}

func nestedOf(e *loki.Event) nestedEntry {
	asJSON := func(raw string) any {
		var v any
		if raw == "" {
			return nil
		}
		if json.Unmarshal([]byte(raw), &v) == nil {
			return v
		}
		return raw
	}
	return nestedEntry{Event: e,
		Actor:   nestedActor{ID: e.ActorID, Email: e.ActorEmail, Name: e.ActorName, Type: e.ActorType, Roles: e.ActorRoles},
		Subject: nestedSubject{Type: e.TargetType, ID: e.TargetID, Name: e.TargetName},
		Properties: map[string]any{
			"changes": asJSON(e.Changes), "metadata": asJSON(e.Metadata), "action": e.Action, "outcome": e.Outcome,
			"service": e.Service, "environment": e.Environment, "client_address": e.ClientAddr,
			"user_agent": e.UserAgent, "session_id": e.SessionID, "request_id": e.RequestID,
			"trace_id": e.TraceID, "span_id": e.SpanID, "stack": e.Stack, "region": e.Region,
			"classification": e.Classification, "compliance": e.Compliance,
			"chain": map[string]string{"id": e.ChainID, "seq": e.ChainSeq, "prev": e.ChainPrev, "hash": e.ChainHash},
		}}
}
