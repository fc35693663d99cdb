// Package report builds compliance reports: evidence packs (a ZIP with a PDF summary, the events the
// framework selects as JSON Lines and CSV, and a signed manifest) generated as jobs.
package report

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"slices"

	"github.com/attest/auditlog/pkg/loki"
)

//go:embed controls.json
var defaultMapping []byte

// Match selects events by category, event type (glob patterns, `*` for any run of characters) and
// outcome; an empty list matches anything. A match with nothing set matches nothing.
type Match struct {
	Categories []string `json:"categories,omitempty"`
	EventTypes []string `json:"eventTypes,omitempty"`
	Outcomes   []string `json:"outcomes,omitempty"`
}

// Control is one control of a framework and the events that evidence it.
type Control struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Match
}

// Framework is a report type: the compliance tag that selects its events and its controls.
type Framework struct {
	Name        string    `json:"name"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Controls    []Control `json:"controls"`
}

// Mapping is the control mapping: frameworks by report type, and what counts as a privileged change.
type Mapping struct {
	Privileged Match                `json:"privileged"`
	Frameworks map[string]Framework `json:"frameworks"`
}

// Custom is the report type without a framework filter.
const Custom = "Custom"

// LoadMapping is the mapping in controls.json, with the frameworks (whole, by report type) and the
// privileged match of the file at overridePath laid over it when that is set.
func LoadMapping(overridePath string) (*Mapping, error) {
	var m Mapping
	if err := json.Unmarshal(defaultMapping, &m); err != nil {
		return nil, fmt.Errorf("the built-in control mapping: %w", err)
	}
	if overridePath == "" {
		return &m, nil
	}
	raw, err := os.ReadFile(overridePath)
	if err != nil {
		return nil, fmt.Errorf("the control mapping file: %w", err)
	}
	var o Mapping
	if err := json.Unmarshal(raw, &o); err != nil {
		return nil, fmt.Errorf("the control mapping file %s is not valid JSON: %w", overridePath, err)
	}
	for id, f := range o.Frameworks {
		if f.Name == "" {
			f.Name = id
		}
		m.Frameworks[id] = f
	}
	if !o.Privileged.empty() {
		m.Privileged = o.Privileged
	}
	return &m, nil
}

// Types are the report types in the order the page offers them.
func (m *Mapping) Types() []string {
	order := []string{"SOX", "GDPR", "HIPAA", "ISO27001", "PCI_DSS", "SOC2", "NIS2"}
	var out []string
	for _, t := range order {
		if _, ok := m.Frameworks[t]; ok {
			out = append(out, t)
		}
	}
	var extra []string
	for t := range m.Frameworks {
		if !slices.Contains(order, t) && t != Custom {
			extra = append(extra, t)
		}
	}
	slices.Sort(extra)
	return append(append(out, extra...), Custom)
}

func (m Match) empty() bool {
	return len(m.Categories) == 0 && len(m.EventTypes) == 0 && len(m.Outcomes) == 0
}

// Matches says whether e is selected: every list that is set must hold e's value.
func (m Match) Matches(e *loki.Event) bool {
	if m.empty() {
		return false
	}
	if len(m.Categories) > 0 && !slices.Contains(m.Categories, e.Category) {
		return false
	}
	if len(m.Outcomes) > 0 && !slices.Contains(m.Outcomes, e.Outcome) {
		return false
	}
	if len(m.EventTypes) > 0 && !slices.ContainsFunc(m.EventTypes, func(p string) bool { return globMatch(p, e.EventType) }) {
		return false
	}
	return true
}

// globMatch: `*` matches any run of characters, dots included.
func globMatch(pattern, s string) bool {
	// path.Match's `*` stops at '/', which event types never hold.
	ok, err := path.Match(pattern, s)
	return err == nil && ok
}
