package retention

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestValidateRefusesTheFloorTheMaximumAndUnknownCategories(t *testing.T) {
	for _, tc := range []struct {
		p     Policy
		field string
	}{
		{Policy{Days: 29}, "days"},
		{Policy{Days: 3651}, "days"},
		{Policy{Days: 365, Categories: map[string]int{"AUTH": 10}}, "categories.AUTH"},
		{Policy{Days: 365, Categories: map[string]int{"NOPE": 400}}, "categories"},
	} {
		var ve *ValidationError
		if err := tc.p.Validate(); !errors.As(err, &ve) || ve.Field != tc.field {
			t.Errorf("%+v: %v", tc.p, err)
		}
	}
	if err := (Policy{Days: 30, Categories: map[string]int{"AUTH": 730}}).Validate(); err != nil {
		t.Error(err)
	}
}

func TestOverridesCarryEachTenantsWindowWithTheArchiveGrace(t *testing.T) {
	b, err := Overrides(map[string]Policy{
		"acme":  {Days: 365, Categories: map[string]int{"AUTH": 730}},
		"beta":  {Days: 30, Archive: true},
		"gamma": Default(),
	})
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Overrides map[string]lokiLimits `json:"overrides"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if o := got.Overrides["acme"]; o.RetentionPeriod != "8760h" || len(o.RetentionStream) != 1 ||
		o.RetentionStream[0].Selector != `{audit_category="AUTH"}` || o.RetentionStream[0].Period != "17520h" {
		t.Errorf("acme %+v", o)
	}
	if o := got.Overrides["beta"]; o.RetentionPeriod != "768h" {
		t.Errorf("beta %+v (30 days + 2 days of grace)", o)
	}
	if _, err := Overrides(map[string]Policy{"x": {Days: 7}}); err == nil {
		t.Error("a window under the floor was rendered")
	}
}

func TestDueCatchesUpAMissedNightButNotTwice(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	st := State{Runs: []Run{{Trigger: "schedule", At: at("2026-12-01T03:00:05Z"), Status: RunOK}}}
	if Due(at("2026-12-02T02:00:00Z"), "03:00", st) {
		t.Error("due before the night's time")
	}
	if !Due(at("2026-12-03T09:00:00Z"), "03:00", st) {
		t.Error("the missed night of the 2nd and 3rd is not caught up")
	}
	st.Runs = append([]Run{{Trigger: "catch-up", At: at("2026-12-03T09:00:01Z"), Status: RunOK}}, st.Runs...)
	if Due(at("2026-12-03T10:00:00Z"), "03:00", st) {
		t.Error("due again after the catch-up")
	}
	st.Runs = append([]Run{{Trigger: "manual", At: at("2026-12-04T04:00:00Z"), Status: RunOK}}, st.Runs...)
	if !Due(at("2026-12-04T05:00:00Z"), "03:00", st) {
		t.Error("a manual run stood in for the night's")
	}
}

func TestSegmentsContinueFromTheLastCutoff(t *testing.T) {
	now := time.Date(2026, 12, 3, 3, 0, 0, 0, time.UTC)
	p := Policy{Days: 30, Categories: map[string]int{"AUTH": 90}}
	first := Segments(p, nil, now)
	if len(first) != 2 || first[0].CutoffNs != now.Add(-30*24*time.Hour).UnixNano() ||
		first[0].FromNs != first[0].CutoffNs-int64(30*24*time.Hour) || first[1].Category != "AUTH" {
		t.Fatalf("first %+v", first)
	}
	next := Segments(p, &Run{Segments: first}, now.Add(24*time.Hour))
	if next[0].FromNs != first[0].CutoffNs || next[0].CutoffNs-next[0].FromNs != int64(24*time.Hour) {
		t.Errorf("next %+v", next[0])
	}
	grown := Segments(Policy{Days: 60}, &Run{Segments: first}, now.Add(24*time.Hour))
	if grown[0].FromNs != grown[0].CutoffNs {
		t.Errorf("a grown window still counts %+v", grown[0])
	}
	if s := p.Selector(""); !strings.Contains(s, `audit_category!~"AUTH"`) {
		t.Error(s)
	}
}

func TestStoreKeepsPolicyAndRunsNewestFirst(t *testing.T) {
	s := NewStore(t.TempDir())
	_, err := s.Update("acme", func(st *State) error {
		st.Policy = &Policy{Days: 400}
		st.Runs = append([]Run{{ID: "1", Status: RunOK}}, st.Runs...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.Load("acme")
	if err != nil || st.Effective().Days != 400 || st.LastOK().ID != "1" {
		t.Fatalf("%+v %v", st, err)
	}
	if d, _ := NewStore(filepath.Join(t.TempDir(), "none")).Load("x"); d.Effective().Days != DefaultDays {
		t.Error("no default")
	}
}
