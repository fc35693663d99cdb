package selfaudit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/attest/auditlog/collector/attestredaction/rules"
	"github.com/attest/auditlog/pkg/schema"
)

// ServiceName is service.name of every event the backend records about itself.
const ServiceName = "attest-grafana-app"

// Event is one action of the backend, in the terms of the audit schema (docs/schema.md).
type Event struct {
	Type        string // audit.event, e.g. audit.log.viewed
	Category    string
	Action      string
	Outcome     string
	Severity    string // INFO, WARNING, ERROR, CRITICAL
	Description string
	ActorID     string
	ActorEmail  string
	ActorName   string
	ActorRole   string
	ActorType   string // default user
	TargetType  string
	TargetID    string
	TargetName  string
	RequestID   string
	UserAgent   string
	ClientAddr  string
	Metadata    map[string]any
	// Changes is the before and after state of what the action changed ({"before": …, "after": …}).
	Changes map[string]any
}

// Emitter sends events to the Collector and waits for its acknowledgement.
type Emitter struct {
	Endpoint string // Collector base URL, e.g. http://127.0.0.1:4318
	// Token is the backend's producer credential at the Collector (a multi-tenant one: it names the
	// tenant of each record), sent as a Bearer token when set.
	Token       string
	Environment string
	HTTP        *http.Client
	Now         func() time.Time
	// KeyID and Key key the chain (HMAC, audit.chain.key_id); unkeyed SHA-256 when Key is nil.
	KeyID string
	Key   []byte

	mu     sync.Mutex             // guards chains (the map); each chain has its own lock
	chains map[string]*chainState // by tenant
}

type chainState struct {
	turn chan struct{} // one write at a time per chain, in seq order; taken with a deadline
	id   string
	seq  int64
	prev string
}

// ChainWait bounds how long a record waits for the records of its chain ahead of it.
var ChainWait = 15 * time.Second

// NewEmitter makes an emitter for the Collector at endpoint.
func NewEmitter(endpoint, environment string) *Emitter {
	return &Emitter{Endpoint: strings.TrimRight(endpoint, "/"), Environment: environment,
		HTTP: &http.Client{Timeout: 5 * time.Second}, Now: time.Now, chains: map[string]*chainState{}}
}

// WriteError means the event could not be recorded (the Collector is unreachable or refused it).
type WriteError struct{ Err error }

func (e *WriteError) Error() string { return "the audit record could not be written: " + e.Err.Error() }
func (e *WriteError) Unwrap() error { return e.Err }

// Record writes e into tenant's trail and returns its audit id once the Collector has accepted it.
// Records of one tenant are sent one at a time in seq order, and the chain advances only on success,
// so a failed write leaves no gap in the chain.
func (em *Emitter) Record(ctx context.Context, tenant string, e Event) (string, error) {
	if tenant == "" {
		return "", &WriteError{fmt.Errorf("no tenant")}
	}
	st, err := em.chain(tenant)
	if err != nil {
		return "", &WriteError{err}
	}
	wait := time.NewTimer(ChainWait)
	defer wait.Stop()
	select {
	case st.turn <- struct{}{}:
	case <-ctx.Done():
		return "", &WriteError{fmt.Errorf("waiting for the audit chain: %w", ctx.Err())}
	case <-wait.C:
		return "", &WriteError{fmt.Errorf("the audit chain is busy (waited %s for earlier records)", ChainWait)}
	}
	defer func() { <-st.turn }()
	// Once sent, the write completes even if the caller goes away: a record the Collector took must
	// advance the chain, or the next record would reuse its position.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	id, err := uuid.NewV7()
	if err != nil {
		return "", &WriteError{err}
	}
	now := em.Now().UnixNano()
	e, attrs := redacted(e, e.attributes(id.String()))
	attrs["audit.chain.id"] = st.id
	attrs["audit.chain.seq"] = st.seq + 1
	// The stream the record is written to, covered by the hash: moved to another, it no longer matches.
	attrs["audit.chain.service"] = ServiceName
	attrs["audit.chain.environment"] = em.environment()
	attrs["audit.chain.prev"] = st.prev
	hash := ""
	if em.Key != nil {
		attrs["audit.chain.key_id"] = em.KeyID
		hash = KeyedHash(em.Key, now, e.Severity, e.Description, attrs)
	} else {
		hash = Hash(now, e.Severity, e.Description, attrs)
	}
	attrs["audit.chain.hash"] = hash

	body, err := json.Marshal(em.otlp(now, e, attrs))
	if err != nil {
		return "", &WriteError{err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, em.Endpoint+"/v1/logs", bytes.NewReader(body))
	if err != nil {
		return "", &WriteError{err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Scope-OrgID", tenant)
	if em.Token != "" {
		req.Header.Set("Authorization", "Bearer "+em.Token)
	}
	res, err := em.HTTP.Do(req)
	if err != nil {
		return "", &WriteError{err}
	}
	defer res.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(res.Body, 1024))
	if res.StatusCode/100 != 2 {
		return "", &WriteError{fmt.Errorf("Collector answered HTTP %d: %s", res.StatusCode, strings.TrimSpace(string(msg)))}
	}
	st.seq++
	st.prev = hash
	return id.String(), nil
}

func (em *Emitter) chain(tenant string) (*chainState, error) {
	em.mu.Lock()
	defer em.mu.Unlock()
	if st := em.chains[tenant]; st != nil {
		return st, nil
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, err
	}
	st := &chainState{turn: make(chan struct{}, 1), id: id.String(), prev: GenesisPrev}
	em.chains[tenant] = st
	return st, nil
}

func (e Event) attributes(id string) map[string]any {
	a := map[string]any{
		"audit.id":       id,
		"audit.event":    e.Type,
		"audit.category": e.Category,
		"audit.action":   e.Action,
		"audit.outcome":  e.Outcome,
	}
	actorType := e.ActorType
	if actorType == "" {
		actorType = "user"
	}
	a["audit.actor.type"] = actorType
	set := func(k, v string) {
		if v != "" {
			a[k] = v
		}
	}
	set("user.id", e.ActorID)
	set("user.email", e.ActorEmail)
	set("user.name", e.ActorName)
	set("user.roles", e.ActorRole)
	set("audit.target.type", e.TargetType)
	set("audit.target.id", e.TargetID)
	set("audit.target.name", e.TargetName)
	set("audit.request.id", e.RequestID)
	set("user_agent.original", e.UserAgent)
	set("client.address", e.ClientAddr)
	if len(e.Metadata) > 0 {
		if m, err := json.Marshal(e.Metadata); err == nil {
			a["audit.metadata"] = string(m)
		}
	}
	if len(e.Changes) > 0 {
		if m, err := json.Marshal(e.Changes); err == nil {
			a["audit.changes"] = string(m)
		}
	}
	return a
}

type otlpValue struct {
	StringValue *string `json:"stringValue,omitempty"`
	IntValue    *string `json:"intValue,omitempty"`
}

type otlpKV struct {
	Key   string    `json:"key"`
	Value otlpValue `json:"value"`
}

func kv(k string, v any) otlpKV {
	switch x := v.(type) {
	case int64:
		s := fmt.Sprint(x)
		return otlpKV{k, otlpValue{IntValue: &s}}
	default:
		s := fmt.Sprint(x)
		return otlpKV{k, otlpValue{StringValue: &s}}
	}
}

func (em *Emitter) otlp(now int64, e Event, attrs map[string]any) map[string]any {
	list := make([]otlpKV, 0, len(attrs))
	for k, v := range attrs {
		list = append(list, kv(k, v))
	}
	env := em.environment()
	ts := fmt.Sprint(now)
	return map[string]any{"resourceLogs": []any{map[string]any{
		"resource": map[string]any{"attributes": []otlpKV{kv("service.name", ServiceName), kv("deployment.environment.name", env)}},
		"scopeLogs": []any{map[string]any{
			"scope": map[string]any{"name": "attest-grafana-app/selfaudit"},
			"logRecords": []any{map[string]any{
				"timeUnixNano":         ts,
				"observedTimeUnixNano": ts,
				"severityNumber":       schema.SeverityNumbers[e.Severity],
				"severityText":         e.Severity,
				"body":                 map[string]any{"stringValue": e.Description},
				"eventName":            e.Type,
				"attributes":           list,
			}},
		}},
	}}}
}

// redacted applies the Collector's redaction rules (collector/attestredaction/rules) to the
// description and every string attribute a person's text can reach (search text, filter values,
// names), before the record is hashed: the Collector then finds nothing to change, and the record
// reaches Loki exactly as it was hashed. A secret someone typed into a search never reaches Loki.
func redacted(e Event, attrs map[string]any) (Event, map[string]any) {
	e.Description = rules.Value("", e.Description)
	for k, v := range attrs {
		if s, ok := v.(string); ok && !slices.Contains(rules.IgnoredKeys, k) {
			attrs[k] = rules.Value(k, s)
		}
	}
	return e, attrs
}

// environment is deployment.environment.name of the backend's records.
func (em *Emitter) environment() string {
	if em.Environment == "" {
		return "production"
	}
	return em.Environment
}
