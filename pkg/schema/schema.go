// Package schema holds the audit event's vocabularies and the names Loki gives its attributes,
// generated from schema/audit-event.json (schema_gen.go), and checks over them.
package schema

//go:generate node ../../scripts/schema/generate.mjs

import "slices"

func IsCategory(s string) bool { return slices.Contains(Categories, s) }
func IsSeverity(s string) bool { return slices.Contains(Severities, s) }
func IsOutcome(s string) bool  { return slices.Contains(Outcomes, s) }

// IsClassification is a known kind of data (pii, phi, …).
func IsClassification(s string) bool { return slices.Contains(DataClassifications, s) }
