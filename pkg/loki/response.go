package loki

import (
	json "github.com/goccy/go-json"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/attest/auditlog/pkg/schema"
)

// Response is Loki's query answer; Result is decoded according to ResultType.
type Response struct {
	Status string `json:"status"`
	Data   struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	} `json:"data"`
}

// Event is one audit event as the viewer shows it (the same fields as src/services/auditEvent.ts).
type Event struct {
	Key         string   `json:"key"`
	TsNs        string   `json:"tsNs"`
	TimeMs      int64    `json:"timeMs"`
	ID          string   `json:"id"`
	Description string   `json:"description"`
	Category    string   `json:"category"`
	Severity    string   `json:"severity"`
	EventType   string   `json:"eventType"`
	Action      string   `json:"action"`
	Outcome     string   `json:"outcome"`
	ActorType   string   `json:"actorType"`
	ActorID     string   `json:"actorId"`
	ActorEmail  string   `json:"actorEmail"`
	ActorName   string   `json:"actorName"`
	ActorRoles  []string `json:"actorRoles"`
	TargetType  string   `json:"targetType"`
	TargetID    string   `json:"targetId"`
	TargetName  string   `json:"targetName"`
	Service     string   `json:"service"`
	Environment string   `json:"environment"`
	ClientAddr  string   `json:"clientAddress"`
	UserAgent   string   `json:"userAgent"`
	SessionID   string   `json:"sessionId"`
	RequestID   string   `json:"requestId"`
	Stack       string   `json:"stack"`
	Region      string   `json:"region"`
	// Classification is the kinds of data the event touches (pii, phi, …).
	Classification []string          `json:"classification"`
	TraceID        string            `json:"traceId"`
	SpanID         string            `json:"spanId"`
	Compliance     []string          `json:"compliance"`
	Changes        string            `json:"changes"`
	Metadata       string            `json:"metadata"`
	ChainID        string            `json:"chainId"`
	ChainSeq       string            `json:"chainSeq"`
	ChainPrev      string            `json:"chainPrev"`
	ChainHash      string            `json:"chainHash"`
	Labels         map[string]string `json:"labels"`
	tsNs           int64
}

func splitList(s string) []string {
	out := []string{}
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// NewEvent maps one Loki entry to an Event.
func NewEvent(tsNs int64, line string, labels map[string]string) Event {
	g := func(k string) string { return labels[k] }
	id := g(schema.MetaID)
	ts := strconv.FormatInt(tsNs, 10)
	key := id
	if key == "" {
		key = "~" + ts + ":" + line
	}
	return Event{
		Key: key, TsNs: ts, TimeMs: tsNs / 1_000_000, tsNs: tsNs, ID: id, Description: line,
		Category: g(schema.LabelCategory), Severity: g(schema.LabelSeverity), EventType: g(schema.MetaEvent),
		Action: g(schema.MetaAction), Outcome: g(schema.MetaOutcome), ActorType: g(schema.MetaActorType),
		ActorID: g(schema.MetaUserID), ActorEmail: g(schema.MetaUserEmail), ActorName: g(schema.MetaUserName),
		ActorRoles: splitList(g(schema.MetaUserRoles)), TargetType: g(schema.MetaTargetType),
		TargetID: g(schema.MetaTargetID), TargetName: g(schema.MetaTargetName), Service: g(schema.LabelService),
		Environment: g(schema.LabelEnvironment), ClientAddr: g(schema.MetaClientAddress), UserAgent: g(schema.MetaUserAgent),
		SessionID: g(schema.MetaSessionID), RequestID: g(schema.MetaRequestID),
		Stack: g(schema.MetaStack), Region: g(schema.MetaRegion), Classification: splitList(g(schema.MetaClassification)), TraceID: g(schema.MetaTraceID),
		SpanID: g(schema.MetaSpanID), Compliance: splitList(g(schema.MetaCompliance)), Changes: g(schema.MetaChanges),
		Metadata: g(schema.MetaMetadata), ChainID: g(schema.MetaChainID), ChainSeq: g(schema.MetaChainSeq),
		ChainPrev: g(schema.MetaChainPrev), ChainHash: g(schema.MetaChainHash), Labels: labels,
	}
}

var nanos = regexp.MustCompile(`^\d{1,19}$`)

// Streams parses a streams result; malformed entries are skipped, never fatal.
func (r *Response) Streams() ([]Event, error) {
	if r.Data.ResultType != "streams" {
		return nil, &HTTPError{Status: 502, Body: "unexpected Loki response: " + r.Data.ResultType + ", wanted streams"}
	}
	var streams []struct {
		Stream map[string]string `json:"stream"`
		Values []json.RawMessage `json:"values"`
	}
	if err := json.Unmarshal(r.Data.Result, &streams); err != nil {
		return nil, err
	}
	var events []Event
	for _, s := range streams {
		for _, raw := range s.Values {
			var v []json.RawMessage
			if json.Unmarshal(raw, &v) != nil || len(v) < 2 {
				continue
			}
			var ts, line string
			if json.Unmarshal(v[0], &ts) != nil || json.Unmarshal(v[1], &line) != nil || !nanos.MatchString(ts) {
				continue
			}
			n, err := strconv.ParseInt(ts, 10, 64)
			if err != nil {
				continue
			}
			labels := make(map[string]string, len(s.Stream)+24)
			for k, val := range s.Stream {
				labels[k] = val
			}
			if len(v) > 2 {
				var extra struct {
					StructuredMetadata map[string]any `json:"structuredMetadata"`
					Parsed             map[string]any `json:"parsed"`
				}
				if json.Unmarshal(v[2], &extra) == nil {
					for _, m := range []map[string]any{extra.StructuredMetadata, extra.Parsed} {
						for k, val := range m {
							if sv, ok := val.(string); ok {
								labels[k] = sv
							}
						}
					}
				}
			}
			events = append(events, NewEvent(n, line, labels))
		}
	}
	return events, nil
}

// Sample is one series of an instant vector.
type Sample struct {
	Metric map[string]string
	Value  float64
}

// Series is one series of a range matrix; timestamps in ms.
type Series struct {
	Metric map[string]string
	Values [][2]float64
}

func parseNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
	case float64:
		return x, true
	}
	return 0, false
}

// Vector parses an instant vector result.
func (r *Response) Vector() ([]Sample, error) {
	if r.Data.ResultType != "vector" {
		return nil, &HTTPError{Status: 502, Body: "unexpected Loki response: " + r.Data.ResultType + ", wanted vector"}
	}
	var raw []struct {
		Metric map[string]string `json:"metric"`
		Value  []any             `json:"value"`
	}
	if err := json.Unmarshal(r.Data.Result, &raw); err != nil {
		return nil, err
	}
	out := make([]Sample, 0, len(raw))
	for _, s := range raw {
		if len(s.Value) != 2 {
			continue
		}
		if v, ok := parseNumber(s.Value[1]); ok {
			out = append(out, Sample{Metric: s.Metric, Value: v})
		}
	}
	return out, nil
}

// Matrix parses a range matrix result.
func (r *Response) Matrix() ([]Series, error) {
	if r.Data.ResultType != "matrix" {
		return nil, &HTTPError{Status: 502, Body: "unexpected Loki response: " + r.Data.ResultType + ", wanted matrix"}
	}
	var raw []struct {
		Metric map[string]string `json:"metric"`
		Values [][]any           `json:"values"`
	}
	if err := json.Unmarshal(r.Data.Result, &raw); err != nil {
		return nil, err
	}
	out := make([]Series, 0, len(raw))
	for _, s := range raw {
		ser := Series{Metric: s.Metric}
		for _, p := range s.Values {
			if len(p) != 2 {
				continue
			}
			t, ok1 := parseNumber(p[0])
			v, ok2 := parseNumber(p[1])
			if ok1 && ok2 {
				ser.Values = append(ser.Values, [2]float64{math.Round(t * 1000), v})
			}
		}
		out = append(out, ser)
	}
	return out, nil
}
