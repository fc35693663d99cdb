package loki

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/attest/auditlog/pkg/schema"
)

// BuildError is a filter that cannot be written as LogQL (a NUL, invalid UTF-8, a bad range).
type BuildError struct{ Msg string }

func (e *BuildError) Error() string { return e.Msg }

// MaxLimit is Loki's max_entries_limit_per_query.
const MaxLimit = 5000

// QuoteString writes s as a LogQL double-quoted string (Go string syntax). Control characters, C1
// controls, U+2028/2029 and U+FEFF become \uXXXX; invalid UTF-8 and NUL are refused.
func QuoteString(s string) (string, error) {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return "", &BuildError{"text contains an unpaired surrogate"}
		}
		i += size
		switch {
		case r == 0:
			// Loki re-serialises split queries and then rejects a raw NUL.
			return "", &BuildError{"text contains a NUL character"}
		case r == '\\':
			b.WriteString(`\\`)
		case r == '"':
			b.WriteString(`\"`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == 0x2028 || r == 0x2029 || r == 0xfeff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String(), nil
}

// EscapeRegex escapes RE2 metacharacters (regexp.QuoteMeta's set) and writes C0 controls and DEL as \xHH.
func EscapeRegex(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case strings.ContainsRune(`\.+*?()|[]{}^$`, r):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// AllEventsSelector matches every audit stream (Loki refuses an all-empty selector).
const AllEventsSelector = `{service_name=~".+"}`

const searchLabel = "attest_search_text"

// searchedFields are what the free-text search covers besides the description: the action, the
// resource's name and id, and the actor's name and e-mail (as stored).
var searchedFields = []string{schema.MetaEvent, schema.MetaTargetName, schema.MetaTargetID, schema.MetaUserName, schema.MetaUserEmail}

type builder struct {
	b   strings.Builder
	err error
}

func (w *builder) str(s string) {
	w.b.WriteString(s)
}

func (w *builder) quoted(s string) {
	if w.err != nil {
		return
	}
	q, err := QuoteString(s)
	if err != nil {
		w.err = err
		return
	}
	w.b.WriteString(q)
}

func sortedUnique(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return slices.Compact(out)
}

func regexAlternation(values []string) string {
	esc := make([]string, len(values))
	for i, v := range values {
		esc[i] = EscapeRegex(v)
	}
	return strings.Join(esc, "|")
}

func (w *builder) setMatcher(name string, values []string) {
	values = sortedUnique(values)
	switch len(values) {
	case 0:
		return
	case 1:
		w.str(", " + name + "=")
		w.quoted(values[0])
	default:
		w.str(", " + name + "=~")
		w.quoted(regexAlternation(values))
	}
}

// listItem matches value as one whole item of a comma-separated list.
func (w *builder) listItem(name, value string) {
	if value != "" {
		w.str(" | " + name + "=~")
		w.quoted("(.*,)? *" + EscapeRegex(value) + " *(,.*)?")
	}
}

func (w *builder) selector(f Filters) {
	w.str("{")
	if f.Service != "" {
		w.str(schema.LabelService + "=")
		w.quoted(f.Service)
	} else {
		w.str(schema.LabelService + `=~".+"`)
	}
	w.setMatcher(schema.LabelCategory, f.Categories)
	w.setMatcher(schema.LabelSeverity, f.Severities)
	w.str("}")
}

func (w *builder) pipeline(f Filters) {
	eq := func(name, value string) {
		if value != "" {
			w.str(" | " + name + "=")
			w.quoted(value)
		}
	}
	eq(schema.MetaID, f.EventID)
	eq(schema.MetaEvent, f.EventType)
	if types := sortedUnique(f.EventTypes); len(types) > 0 {
		w.str(" | " + schema.MetaEvent + "=~")
		w.quoted(regexAlternation(types))
	}
	eq(schema.MetaOutcome, f.Outcome)
	if reqs := sortedUnique(f.RelatedRequests); len(reqs) > 0 && (f.TargetType != "" || f.TargetID != "") {
		w.str(" | (")
		and := ""
		for _, m := range [][2]string{{schema.MetaTargetType, f.TargetType}, {schema.MetaTargetID, f.TargetID}} {
			if m[1] != "" {
				w.str(and + m[0] + "=")
				w.quoted(m[1])
				and = " and "
			}
		}
		w.str(") or " + schema.MetaRequestID + "=~")
		w.quoted(regexAlternation(reqs))
	} else {
		eq(schema.MetaTargetType, f.TargetType)
		eq(schema.MetaTargetID, f.TargetID)
	}
	eq(schema.MetaRequestID, f.RequestID)
	eq(schema.MetaTraceID, f.TraceID)
	eq(schema.MetaStack, f.Stack)
	eq(schema.MetaRegion, f.Region)
	w.listItem(schema.MetaClassification, f.Classification)
	if f.Actor != "" {
		// An id matches exactly; an e-mail address matches whole-value, case-insensitively.
		w.str(" | " + schema.MetaUserID + "=")
		w.quoted(f.Actor)
		w.str(" or " + schema.MetaUserEmail + "=~")
		w.quoted("(?i)" + EscapeRegex(f.Actor))
		for _, s := range sortedUnique(f.ActorStored) {
			w.str(" or " + schema.MetaUserID + "=")
			w.quoted(s)
			w.str(" or " + schema.MetaUserEmail + "=")
			w.quoted(s)
		}
	}
	if actors := sortedUnique(f.Actors); len(actors) > 0 {
		// A person given by user id or e-mail (e-mails in any case), in clear or as stored encrypted.
		w.str(" | " + schema.MetaUserID + "=~")
		w.quoted(regexAlternation(actors))
		w.str(" or " + schema.MetaUserEmail + "=~")
		w.quoted("(?i)" + regexAlternation(actors))
	}
	w.listItem(schema.MetaCompliance, f.Compliance)
	if f.Search != "" {
		// A label filter can't see the line: copy it into a temporary label, match with `or`, drop it.
		needle := "(?is).*" + EscapeRegex(f.Search) + ".*"
		w.str(" | label_format " + searchLabel + `="{{__line__}}"`)
		w.str(" | " + searchLabel + "=~")
		w.quoted(needle)
		for _, name := range searchedFields {
			w.str(" or " + name + "=~")
			w.quoted(needle)
		}
		w.str(" | drop " + searchLabel)
	}
	if f.ChangedTo != "" {
		// The after state parsed out of the changes JSON (its keys may come in any order), then the value
		// as a JSON string anywhere in it. Last: it replaces the line.
		w.str(` | line_format "{{.` + schema.MetaChanges + `}}" | json ` + changedLabel + `="after" | __error__=""`)
		w.str(" | " + changedLabel + "=~")
		w.quoted(`(?s).*"` + EscapeRegex(f.ChangedTo) + `".*`)
		w.str(" | drop " + changedLabel)
	}
}

const changedLabel = "attest_changed_after"

// EventsQuery is the log query behind the Event viewer.
func EventsQuery(f Filters) (string, error) {
	var w builder
	w.selector(f)
	w.pipeline(f)
	return w.b.String(), w.err
}

// FormatDurationMs writes a LogQL duration (ms is the finest unit LogQL has).
func FormatDurationMs(ms int64) (string, error) {
	if ms <= 0 {
		return "", &BuildError{fmt.Sprintf("invalid range %d", ms)}
	}
	for _, u := range []struct {
		ms   int64
		name string
	}{{86_400_000, "d"}, {3_600_000, "h"}, {60_000, "m"}, {1000, "s"}} {
		if ms%u.ms == 0 {
			return strconv.FormatInt(ms/u.ms, 10) + u.name, nil
		}
	}
	return strconv.FormatInt(ms, 10) + "ms", nil
}

func countOver(f Filters, rangeMs int64, extra string) (string, error) {
	q, err := EventsQuery(f)
	if err != nil {
		return "", err
	}
	d, err := FormatDurationMs(rangeMs)
	if err != nil {
		return "", err
	}
	return "count_over_time(" + q + extra + " [" + d + "])", nil
}

func wrap(prefix string, inner string, err error, suffix string) (string, error) {
	if err != nil {
		return "", err
	}
	return prefix + inner + suffix, nil
}

// CountQuery counts matching events; evaluate as an instant query at end-1ns with rangeMs = end-start.
func CountQuery(f Filters, rangeMs int64) (string, error) {
	q, err := countOver(f, rangeMs, "")
	return wrap("sum(", q, err, ")")
}

// CategorySeverityCountsQuery gives the total, severity cards and category chips (instant).
func CategorySeverityCountsQuery(f Filters, rangeMs int64) (string, error) {
	q, err := countOver(f, rangeMs, "")
	return wrap("sum by ("+schema.LabelCategory+", "+schema.LabelSeverity+") (", q, err, ")")
}

// EventsOverTimeQuery counts by category per step (range query with step = stepMs).
func EventsOverTimeQuery(f Filters, stepMs int64) (string, error) {
	q, err := countOver(f, stepMs, "")
	return wrap("sum by ("+schema.LabelCategory+") (", q, err, ")")
}

// TopEventTypesQuery gives the k most frequent event types (instant).
func TopEventTypesQuery(f Filters, rangeMs int64, k int) (string, error) {
	if k < 1 || k > 100 {
		return "", &BuildError{fmt.Sprintf("invalid k %d", k)}
	}
	q, err := countOver(f, rangeMs, "")
	return wrap(fmt.Sprintf("topk(%d, sum by (%s) (", k, schema.MetaEvent), q, err, "))")
}

// DistinctActorsQuery counts human actors with at least one event (instant).
func DistinctActorsQuery(f Filters, rangeMs int64) (string, error) {
	q, err := countOver(f, rangeMs, " | "+schema.MetaActorType+`="user" | `+schema.MetaUserID+`!=""`)
	return wrap("count(sum by ("+schema.MetaUserID+") (", q, err, "))")
}

// ValuesQuery counts events by one metadata name, for the filter dropdowns (instant).
func ValuesQuery(f Filters, rangeMs int64, name string) (string, error) {
	q, err := countOver(f, rangeMs, " | "+name+`!=""`)
	return wrap("sum by ("+name+") (", q, err, ")")
}

// HighSeverityQuery selects CRITICAL and ERROR events.
func HighSeverityQuery(f Filters) (string, error) {
	f.Severities = []string{"CRITICAL", "ERROR"}
	return EventsQuery(f)
}

// PickStepMs gives at most maxPoints buckets over the range, from round durations.
func PickStepMs(rangeMs int64, maxPoints int64) int64 {
	steps := []int64{60_000, 300_000, 600_000, 1_800_000, 3_600_000, 10_800_000, 21_600_000, 43_200_000,
		86_400_000, 172_800_000, 604_800_000}
	for _, s := range steps {
		if rangeMs <= maxPoints*s {
			return s
		}
	}
	return steps[len(steps)-1]
}

// CountByQuery counts matching events per window of rangeMs, summed by the given label names (one
// total when none).
func CountByQuery(f Filters, rangeMs int64, by []string) (string, error) {
	q, err := countOver(f, rangeMs, "")
	if len(by) == 0 {
		return wrap("sum(", q, err, ")")
	}
	return wrap("sum by ("+strings.Join(by, ", ")+") (", q, err, ")")
}

// ActorCountsQuery counts events of human actors by user.id and the given label names (instant).
func ActorCountsQuery(f Filters, rangeMs int64, by []string) (string, error) {
	q, err := countOver(f, rangeMs, " | "+schema.MetaActorType+`="user" | `+schema.MetaUserID+`!=""`)
	return wrap("sum by ("+strings.Join(append(slices.Clone(by), schema.MetaUserID), ", ")+") (", q, err, ")")
}
