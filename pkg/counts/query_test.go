package counts

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParseQueryRefusesUnknownValues(t *testing.T) {
	for _, raw := range []string{
		`{"mode":"rows"}`, `{"categories":["NOPE"]}`, `{"severity":"LOUD"}`, `{"outcome":"maybe"}`,
		`{"groupBy":["user_email"]}`, `{"mode":"silence","lookback":"10s"}`, `not json`,
	} {
		var qe *Error
		if _, err := ParseQuery(json.RawMessage(raw)); !errors.As(err, &qe) {
			t.Errorf("%s: got %v, want a query error", raw, err)
		}
	}
	q, err := ParseQuery(nil)
	if err != nil || q.Mode != ModeRange {
		t.Errorf("empty query: %+v %v", q, err)
	}
}

func TestSensitiveQueriesSingleOutPeople(t *testing.T) {
	for _, q := range []Query{{Actor: "alice"}, {ChangedTo: "admin"}, {GroupBy: []string{"category", "actor"}}} {
		if !q.Sensitive() {
			t.Errorf("%+v should be sensitive", q)
		}
	}
	if (Query{GroupBy: []string{"category", "service"}, Severity: "ERROR"}).Sensitive() {
		t.Error("a category/service breakdown is not sensitive")
	}
}

func TestLogQLCountsAtOrAboveTheSeverityGroupedByLokiNames(t *testing.T) {
	q := Query{Mode: ModeInstant, Categories: []string{"AUTH"}, Severity: "ERROR", EventTypes: []string{"b.x", "a.y"},
		GroupBy: []string{"actor", "severity"}}
	got, err := q.LogQL(300_000)
	if err != nil {
		t.Fatal(err)
	}
	want := `sum by (user_id, user_email, severity_text) (count_over_time({service_name=~".+", audit_category="AUTH", ` +
		`severity_text=~"CRITICAL|ERROR"} | audit_event=~"a\\.y|b\\.x" [5m]))`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	silence, _ := Query{Mode: ModeSilence}.LogQL(60_000)
	if !strings.HasPrefix(silence, "sum by (service_name) (") {
		t.Errorf("a silence query counts per service: %s", silence)
	}
	total, _ := Query{}.LogQL(60_000)
	if !strings.HasPrefix(total, "sum(count_over_time(") {
		t.Errorf("no group-by is one total: %s", total)
	}
}

func TestChangedToMatchesTheAfterState(t *testing.T) {
	got, _ := Query{ChangedTo: "admin"}.LogQL(60_000)
	if !strings.Contains(got, `| line_format "{{.audit_changes}}" | json attest_changed_after="after" | __error__="" | attest_changed_after=~"(?s).*\"admin\".*" | drop attest_changed_after [1m]`) {
		t.Errorf("got %s", got)
	}
}

func TestAnswersAreCappedInSeriesAndPoints(t *testing.T) {
	if tooMany(MaxSeries, 1) != nil || tooMany(MaxSeries+1, 1) == nil {
		t.Fatal("series cap")
	}
	if tooMany(100, MaxTotalPoints/100) != nil || tooMany(100, MaxTotalPoints/100+1) == nil {
		t.Fatal("points cap")
	}
}
