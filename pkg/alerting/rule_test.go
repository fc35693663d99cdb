package alerting

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/attest/auditlog/pkg/counts"
)

func validRule() Rule {
	return Rule{RuleSpec: RuleSpec{Name: "Critical auth", Categories: []string{"SECURITY", "AUTH"}, Severity: "CRITICAL",
		ContactPoints: []string{"ops"}, Active: true}}
}

func TestNormalizeRefusesWhatTheFormMustFix(t *testing.T) {
	cases := map[string]func(*Rule){
		"name":          func(r *Rule) { r.Name = "  " },
		"categories":    func(r *Rule) { r.Categories = nil },
		"severity":      func(r *Rule) { r.Severity = "LOUD" },
		"outcome":       func(r *Rule) { r.Outcome = "maybe" },
		"threshold":     func(r *Rule) { r.Threshold = -3 },
		"windowMinutes": func(r *Rule) { r.WindowMinutes = 24*60 + 1 },
		"contactPoints": func(r *Rule) { r.ContactPoints = []string{" "} },
		"kind":          func(r *Rule) { r.Kind = "sometimes" },
		"perActor":      func(r *Rule) { r.Kind, r.PerActor = KindSilence, true },
	}
	for field, spoil := range cases {
		r := validRule()
		spoil(&r)
		var v *ValidationError
		if err := r.Normalize(); !errors.As(err, &v) || v.Field != field {
			t.Errorf("%s: got %v, want a ValidationError on %s", field, err, field)
		}
	}
	r := validRule()
	r.Categories = append(r.Categories, "NOPE")
	if err := r.Normalize(); err == nil {
		t.Error("an unknown category passed")
	}
}

func TestRuleRoundTripsThroughGrafanasShape(t *testing.T) {
	for _, r := range []Rule{
		func() Rule {
			r := validRule()
			r.Threshold, r.WindowMinutes, r.PerActor, r.Outcome = 5, 10, true, "failure"
			return r
		}(),
		func() Rule {
			r := validRule()
			r.EventTypes, r.ChangedTo, r.Starter = []string{"role.updated"}, "admin", "x"
			return r
		}(),
		func() Rule { r := validRule(); r.Kind, r.WindowMinutes, r.Active = KindSilence, 30, false; return r }(),
	} {
		if err := r.Normalize(); err != nil {
			t.Fatal(err)
		}
		r.UID = "attest-1"
		p := r.toGrafana(FolderUID, Group, DatasourceUID, 1, []byte("k"))
		if p.IsPaused == r.Active || p.Labels[LabelRuleUID] != "attest-1" || p.Data[0].RelativeTimeRange.From != int64(r.WindowMinutes*60) {
			t.Fatalf("grafana rule %+v", p)
		}
		back := fromGrafana(p)
		back.ContactPoints = r.ContactPoints
		if !reflect.DeepEqual(ruleFields(back), ruleFields(r)) {
			t.Errorf("round trip:\n got %+v\nwant %+v", ruleFields(back), ruleFields(r))
		}
	}
}

func ruleFields(r Rule) Rule {
	r.Updated = ""
	if r.EventTypes == nil {
		r.EventTypes = []string{}
	}
	return r
}

func TestSilenceRulesFireBelowOneAndCountRulesAtTheThreshold(t *testing.T) {
	r := validRule()
	r.Threshold = 5
	_ = r.Normalize()
	if got := thresholdOf(r.toGrafana("f", "g", "d", 1, nil).Data[2].Model); got != 4 {
		t.Errorf("count rule compares > %d, want > 4", got)
	}
	r.Kind = KindSilence
	ev := r.toGrafana("f", "g", "d", 1, nil).Data[2].Model["conditions"].([]any)[0].(map[string]any)["evaluator"].(map[string]any)
	if ev["type"] != "lt" {
		t.Errorf("silence rule evaluator %v", ev)
	}
}

func TestTheWindowCoversTheEvaluationInterval(t *testing.T) {
	r := validRule()
	r.WindowMinutes = 1
	var v *ValidationError
	if err := CheckWindow(r, 2*time.Minute); !errors.As(err, &v) || v.Field != "windowMinutes" {
		t.Errorf("a 1 min window at a 2 min interval: %v", err)
	}
	if err := CheckWindow(r, time.Minute); err != nil {
		t.Error(err)
	}
}

func TestSensitiveRulesCarryASignatureTheDatasourceAccepts(t *testing.T) {
	r := validRule()
	r.PerActor = true
	r.UID = "rule-3"
	_ = r.Normalize()
	key := []byte("0123456789abcdef0123456789abcdef")
	p := r.toGrafana(FolderUID, Group, DatasourceUID, 3, key)
	raw, _ := json.Marshal(p.Data[0].Model)
	q, err := counts.ParseQuery(raw)
	if err != nil || !q.SignedBy(key, 3, r.UID) {
		t.Fatalf("signed query %s: %v", raw, err)
	}
	if q.SignedBy(key, 4, r.UID) || q.SignedBy([]byte("another key"), 3, r.UID) {
		t.Error("a signature for org 3 and this key only")
	}
	if q.SignedBy(key, 3, "another-rule") || q.SignedBy(key, 3, "") {
		t.Error("a signed query copied into another rule kept its signature")
	}
	q.GroupBy = nil
	q.Actor = "alice"
	if q.SignedBy(key, 3, r.UID) {
		t.Error("a changed query kept its signature")
	}
	if _, ok := p.Annotations["events"]; !ok {
		t.Error("a per-actor rule links to the Event viewer by actor reference")
	}
}
