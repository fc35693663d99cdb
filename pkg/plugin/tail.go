package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/attest/auditlog/pkg/loki"
	"github.com/attest/auditlog/pkg/selfaudit"
)

// A live tail ends after maxTail (the page opens a new one) and says it is alive every tailHeartbeat,
// so a reader can tell a quiet trail from a dead connection.
const (
	maxTail       = 30 * time.Minute
	tailHeartbeat = 10 * time.Second
)

// tailMessage is one line of the tail route's answer (newline-delimited JSON).
type tailMessage struct {
	Type    string       `json:"type"` // open, events, heartbeat, end, error
	Events  []loki.Event `json:"events,omitempty"`
	Dropped int          `json:"dropped,omitempty"`
	Error   string       `json:"error,omitempty"`
	Message string       `json:"message,omitempty"`
}

// handleTail pushes new events matching the filters as Loki receives them: Loki's tail endpoint,
// read by the backend, streamed to the page as newline-delimited JSON, one message per batch. from
// is where it starts (events already there from then come first); to is not used.
func (a *App) handleTail(w http.ResponseWriter, r *http.Request, c *caller) error {
	q, err := parseQuery(r.URL.Query())
	if err != nil {
		return err
	}
	a.withStoredActor(c.Tenant, &q.Filters)
	query, err := loki.EventsQuery(q.Filters)
	if err != nil {
		return badRequest(err.Error())
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		return fmt.Errorf("the response cannot be streamed")
	}
	ctx, cancel := context.WithTimeout(r.Context(), maxTail)
	defer cancel()
	tail, err := recorded(ctx, a, c, selfaudit.Event{
		Type: "audit.log.tailed", Category: "COMPLIANCE", Action: "read",
		Description: fmt.Sprintf("%s followed the audit trail live", c.User.Login),
		TargetType:  "audit_trail", TargetID: c.Tenant, Metadata: filterSummary(q),
	}, func(context.Context) (*loki.Tail, error) {
		// The tail outlives the record's context: it is bound to the request's.
		return a.lokiFor(c).OpenTail(ctx, query, q.Range.StartNs)
	})
	if err != nil {
		if tail != nil {
			tail.Close()
		}
		return err
	}
	defer tail.Close()

	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	var mu sync.Mutex
	enc := json.NewEncoder(w)
	send := func(m tailMessage) {
		mu.Lock()
		defer mu.Unlock()
		_ = enc.Encode(m)
		flusher.Flush()
	}
	send(tailMessage{Type: "open"})
	beat := time.NewTicker(tailHeartbeat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			send(tailMessage{Type: "end"})
			return nil
		case <-beat.C:
			send(tailMessage{Type: "heartbeat"})
		case b, ok := <-tail.Batches():
			if !ok {
				if err := tail.Err(); err != nil && ctx.Err() == nil {
					send(tailMessage{Type: "error", Error: "loki_unavailable", Message: err.Error()})
				} else {
					send(tailMessage{Type: "end"})
				}
				return nil
			}
			a.revealAll(c.Tenant, b.Events)
			send(tailMessage{Type: "events", Events: b.Events, Dropped: b.Dropped})
		}
	}
}
