// Package retention holds each tenant's retention window, applies it to Loki through Loki's runtime
// overrides (Loki's compactor does the deleting; nothing edits an entry), and works out what each
// nightly run covers.
package retention

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/attest/auditlog/pkg/schema"
)

const (
	// FloorDays is the hard minimum window: nothing shorter is stored, applied or run.
	FloorDays = 30
	// MaxDays is the longest window accepted (ten years).
	MaxDays = 3650
	// DefaultDays is the window of a tenant nobody has set one for.
	DefaultDays = 365
	// ArchiveGraceDays: with the archive on, Loki keeps entries this much longer than the window, so
	// the nightly run has archived them before the compactor may delete them.
	ArchiveGraceDays = 2
)

// Policy is one tenant's retention.
type Policy struct {
	Days int `json:"days"`
	// Categories keep some audit categories (an index label) for a window of their own.
	Categories map[string]int `json:"categories,omitempty"`
	// Archive streams entries past the window to the archive store before Loki deletes them.
	Archive bool `json:"archive"`
}

// Default is the policy of a tenant nobody has set one for.
func Default() Policy { return Policy{Days: DefaultDays, Categories: map[string]int{}} }

// ValidationError names the field that is wrong and why.
type ValidationError struct{ Field, Message string }

func (e *ValidationError) Error() string { return e.Message }

func checkDays(field string, d int) error {
	switch {
	case d < FloorDays:
		return &ValidationError{field, fmt.Sprintf("%s: %d days is below the %d-day minimum; retention cannot be set shorter", field, d, FloorDays)}
	case d > MaxDays:
		return &ValidationError{field, fmt.Sprintf("%s: %d days is above the %d-day maximum", field, d, MaxDays)}
	}
	return nil
}

// Validate refuses windows under the floor or over the maximum, and categories that are not audit
// categories.
func (p Policy) Validate() error {
	if err := checkDays("days", p.Days); err != nil {
		return err
	}
	for c, d := range p.Categories {
		if !slices.Contains(schema.Categories, c) {
			return &ValidationError{"categories", fmt.Sprintf("categories: %q is not an audit category (%s)", c, strings.Join(schema.Categories, ", "))}
		}
		if err := checkDays("categories."+c, d); err != nil {
			return err
		}
	}
	return nil
}

// CategoryNames are the categories with a window of their own, sorted.
func (p Policy) CategoryNames() []string {
	out := make([]string, 0, len(p.Categories))
	for c := range p.Categories {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// LokiDays is the window Loki keeps: the policy's, plus the grace when archiving.
func (p Policy) LokiDays(days int) int {
	if p.Archive {
		return days + ArchiveGraceDays
	}
	return days
}

// Days as a duration.
func Days(d int) time.Duration { return time.Duration(d) * 24 * time.Hour }
