package loki

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type vectorCase struct {
	Name    string  `json:"name"`
	Kind    string  `json:"kind"`
	Filter  Filters `json:"filter"`
	LogQL   string  `json:"logql"`
	Error   string  `json:"error"`
	RangeMs int64   `json:"rangeMs"`
	StepMs  int64   `json:"stepMs"`
	K       int     `json:"k"`
}

// The TypeScript builder (src/services/logql.ts) replays the same file.
func loadVectors(t *testing.T) (cases, errs []vectorCase) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "logql-vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Cases  []vectorCase `json:"cases"`
		Errors []vectorCase `json:"errors"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v.Cases, v.Errors
}

func build(c vectorCase) (string, error) {
	f := c.Filter.Narrow()
	switch c.Kind {
	case "events":
		return EventsQuery(f)
	case "count":
		return CountQuery(f, c.RangeMs)
	case "categorySeverityCounts":
		return CategorySeverityCountsQuery(f, c.RangeMs)
	case "eventsOverTime":
		return EventsOverTimeQuery(f, c.StepMs)
	case "topEventTypes":
		return TopEventTypesQuery(f, c.RangeMs, c.K)
	case "distinctActors":
		return DistinctActorsQuery(f, c.RangeMs)
	case "highSeverity":
		return HighSeverityQuery(f)
	}
	return "", errors.New("unknown kind " + c.Kind)
}

func TestLogQLVectors(t *testing.T) {
	cases, errs := loadVectors(t)
	if len(cases) < 30 {
		t.Fatalf("only %d vectors", len(cases))
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			got, err := build(c)
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if got != c.LogQL {
				t.Errorf("\n got %s\nwant %s", got, c.LogQL)
			}
		})
	}
	for _, c := range errs {
		t.Run(c.Name, func(t *testing.T) {
			_, err := build(c)
			var be *BuildError
			// Go's JSON decoder turns a lone \ud800 into U+FFFD, which is valid text (vectors README).
			if strings.Contains(c.Error, "surrogate") {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if !errors.As(err, &be) || be.Msg != c.Error {
				t.Fatalf("got %v, want %q", err, c.Error)
			}
		})
	}
}

func TestQuoteStringRefusesInvalidUTF8(t *testing.T) {
	if _, err := QuoteString("a\xffb"); err == nil {
		t.Fatal("invalid UTF-8 accepted")
	}
}

func TestPickStep(t *testing.T) {
	for _, c := range []struct{ rangeMs, want int64 }{
		{3_600_000, 60_000}, {86_400_000, 1_800_000}, {7 * 86_400_000, 10_800_000}, {30 * 86_400_000, 43_200_000},
		{90 * 86_400_000, 172_800_000},
	} {
		if got := PickStepMs(c.rangeMs, 60); got != c.want {
			t.Errorf("range %d: got %d want %d", c.rangeMs, got, c.want)
		}
	}
}

func TestRelatedRequestsWidenTheTarget(t *testing.T) {
	q, err := EventsQuery(Filters{TargetType: "incident", TargetID: "INC-7", RelatedRequests: []string{"r.2", "r1"}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{service_name=~".+"} | (audit_target_type="incident" and audit_target_id="INC-7") or audit_request_id=~"r\\.2|r1"`
	if q != want {
		t.Fatalf("got  %s\nwant %s", q, want)
	}
	if q, _ := EventsQuery(Filters{TargetID: "INC-7"}); q != `{service_name=~".+"} | audit_target_id="INC-7"` {
		t.Fatalf("without related requests: %s", q)
	}
}

func TestSelectorIsTheQuerysStreamSelector(t *testing.T) {
	for q, want := range map[string]string{
		`{service_name=~".+"} | json`:         `{service_name=~".+"}`,
		`{a="x}\"y", b=` + "`}`" + `} |= "}"`: `{a="x}\"y", b=` + "`}`" + `}`,
		`sum(count_over_time({a="b"} [1m]))`:  ``,
		`{a="unterminated`:                    ``,
	} {
		if got := Selector(q); got != want {
			t.Errorf("Selector(%q) = %q, want %q", q, got, want)
		}
	}
}
