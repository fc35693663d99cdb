package plugin

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/attest/auditlog/pkg/loki"
	"github.com/attest/auditlog/pkg/schema"
)

// MaxRange is the longest time range one request may ask for (a year and a day: retention is 365 days).
const MaxRange = 366 * 24 * time.Hour

// maxTextLen bounds every free-text filter.
const maxTextLen = 512

var filterParams = []string{"search", "category", "severity", "eventType", "service", "actor", "targetType",
	"targetId", "outcome", "eventId", "requestId", "traceId", "stack", "region", "classification"}

// query is a parsed, validated request: filters, range, and the route's own parameters.
type query struct {
	Filters loki.Filters
	Range   loki.Range
	Values  url.Values
}

// parseQuery validates the query string: unknown parameters, unknown values, bad or reversed or
// over-long ranges are a 400 with a message naming the parameter.
func parseQuery(v url.Values, extra ...string) (*query, error) {
	for k := range v {
		if !slices.Contains(filterParams, k) && !slices.Contains(extra, k) && k != "from" && k != "to" {
			return nil, badRequest(fmt.Sprintf("unknown parameter %q", k))
		}
	}
	q := &query{Values: v}
	text := func(name string) (string, error) {
		vals := v[name]
		if len(vals) > 1 {
			return "", badRequest(fmt.Sprintf("parameter %q given more than once", name))
		}
		if len(vals) == 0 {
			return "", nil
		}
		s := strings.TrimSpace(vals[0])
		if name == "search" {
			s = vals[0]
		}
		if !utf8.ValidString(s) || len(s) > maxTextLen {
			return "", badRequest(fmt.Sprintf("parameter %q must be valid text of at most %d bytes", name, maxTextLen))
		}
		return s, nil
	}
	list := func(name string, ok func(string) bool) ([]string, error) {
		var out []string
		for _, raw := range v[name] {
			for _, x := range strings.Split(raw, ",") {
				if x = strings.TrimSpace(x); x == "" {
					continue
				}
				if !ok(x) {
					return nil, badRequest(fmt.Sprintf("%s %q is not one of the known values", name, x))
				}
				if !slices.Contains(out, x) {
					out = append(out, x)
				}
			}
		}
		return out, nil
	}
	var err error
	f := &q.Filters
	for _, p := range []struct {
		name string
		dst  *string
	}{{"search", &f.Search}, {"eventType", &f.EventType}, {"service", &f.Service}, {"actor", &f.Actor},
		{"targetType", &f.TargetType}, {"targetId", &f.TargetID}, {"outcome", &f.Outcome}, {"eventId", &f.EventID},
		{"requestId", &f.RequestID}, {"traceId", &f.TraceID}, {"stack", &f.Stack}, {"region", &f.Region},
		{"classification", &f.Classification}} {
		if *p.dst, err = text(p.name); err != nil {
			return nil, err
		}
	}
	if f.Classification != "" && !schema.IsClassification(f.Classification) {
		return nil, badRequest(fmt.Sprintf("classification %q is not one of %s", f.Classification, strings.Join(schema.DataClassifications, ", ")))
	}
	if f.Outcome != "" && !schema.IsOutcome(f.Outcome) {
		return nil, badRequest(fmt.Sprintf("outcome %q is not one of %s", f.Outcome, strings.Join(schema.Outcomes, ", ")))
	}
	if f.Categories, err = list("category", schema.IsCategory); err != nil {
		return nil, err
	}
	if f.Severities, err = list("severity", schema.IsSeverity); err != nil {
		return nil, err
	}
	if q.Range, err = parseRange(v); err != nil {
		return nil, err
	}
	// Surface LogQL refusals (NUL characters) as a 400 before anything runs.
	if _, err := loki.EventsQuery(*f); err != nil {
		return nil, err
	}
	return q, nil
}

func parseNs(v url.Values, name string) (int64, error) {
	s := v.Get(name)
	if s == "" {
		return 0, badRequest(fmt.Sprintf("parameter %q (nanoseconds since the epoch) is required", name))
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, badRequest(fmt.Sprintf("parameter %q must be nanoseconds since the epoch", name))
	}
	return n, nil
}

func parseRange(v url.Values) (loki.Range, error) {
	from, err := parseNs(v, "from")
	if err != nil {
		return loki.Range{}, err
	}
	to, err := parseNs(v, "to")
	if err != nil {
		return loki.Range{}, err
	}
	switch {
	case to <= from:
		return loki.Range{}, badRequest("the time range is reversed or empty: from must be before to")
	case time.Duration(to-from) > MaxRange:
		return loki.Range{}, badRequest(fmt.Sprintf("the time range is longer than %d days", int(MaxRange.Hours()/24)))
	case (to-from)%1_000_000 != 0:
		return loki.Range{}, badRequest("the time range must be a whole number of milliseconds")
	}
	return loki.Range{StartNs: from, EndNs: to}, nil
}

// filterSummary is what a view's audit record says about the filters (non-empty ones only).
func filterSummary(q *query) map[string]any {
	m := map[string]any{"from": q.Range.StartNs, "to": q.Range.EndNs}
	for _, k := range filterParams {
		if vals := q.Values[k]; len(vals) > 0 && strings.Join(vals, "") != "" {
			m[k] = strings.Join(vals, ",")
		}
	}
	return m
}

// listParams may be given more than once (each a comma-separated list); any other parameter once.
var listParams = []string{"category", "severity"}

// checkRequest applies the route's body limit and refuses repeated parameters, before any handler
// runs: a route that takes no body refuses one (an empty body, {} and null excepted), a route that
// takes one gets it capped, as JSON only.
func checkRequest(w http.ResponseWriter, r *http.Request, limit int64) error {
	for k, vals := range r.URL.Query() {
		if len(vals) > 1 && !slices.Contains(listParams, k) {
			return badRequest(fmt.Sprintf("parameter %q given more than once", k))
		}
	}
	if r.Body == nil {
		r.Body = http.NoBody
	}
	if limit == noBody {
		b, err := io.ReadAll(io.LimitReader(r.Body, 65))
		if err != nil {
			return badRequest("the body could not be read")
		}
		if t := strings.TrimSpace(string(b)); t != "" && t != "{}" && t != "null" {
			return badRequest("this route takes no body")
		}
		r.Body = http.NoBody
		return nil
	}
	if r.ContentLength > limit {
		return &APIError{http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("the body is larger than %d bytes", limit)}
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && r.ContentLength != 0 {
		// text/plain is what fetch sends for a string body; the body must still parse as JSON.
		if mt, _, err := mime.ParseMediaType(ct); err != nil || (mt != "application/json" && mt != "text/plain") {
			return &APIError{http.StatusUnsupportedMediaType, "unsupported_media_type", "the body must be sent as application/json"}
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	return nil
}

// decodeBody reads the route's JSON body into v, refusing unknown fields, trailing data and a
// missing body; shape names the expected fields in the error.
func decodeBody(r *http.Request, v any, shape string) error {
	if r.Body == nil || r.Body == http.NoBody {
		return badRequest("a JSON body " + shape + " is required")
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("data after the JSON value")
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return &APIError{http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("the body is larger than %d bytes", tooLarge.Limit)}
	case errors.Is(err, io.EOF):
		return badRequest("a JSON body " + shape + " is required")
	case err != nil:
		return badRequest("the body must be JSON " + shape + ": " + err.Error())
	}
	return nil
}
