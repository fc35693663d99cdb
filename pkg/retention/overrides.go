package retention

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// lokiLimits is the part of a tenant's Loki limits the app sets.
type lokiLimits struct {
	RetentionPeriod string         `json:"retention_period"`
	RetentionStream []streamPeriod `json:"retention_stream,omitempty"`
}

type streamPeriod struct {
	Selector string `json:"selector"`
	Priority int    `json:"priority"`
	Period   string `json:"period"`
}

// Overrides renders the runtime overrides Loki reads for these tenants' policies: a per-tenant
// retention_period and a retention_stream per category with its own window. JSON is YAML, so Loki
// reads it as written. Loki merges its runtime files left to right; this file is listed last, so
// the app's windows win over the operator's for the tenants it manages, and the operator's other
// limits stay.
func Overrides(policies map[string]Policy) ([]byte, error) {
	out := map[string]lokiLimits{}
	for tenant, p := range policies {
		if err := p.Validate(); err != nil {
			return nil, fmt.Errorf("tenant %s: %w", tenant, err)
		}
		l := lokiLimits{RetentionPeriod: hours(p.LokiDays(p.Days))}
		for _, c := range p.CategoryNames() {
			l.RetentionStream = append(l.RetentionStream, streamPeriod{
				Selector: fmt.Sprintf(`{audit_category="%s"}`, c), Priority: 1, Period: hours(p.LokiDays(p.Categories[c]))})
		}
		out[tenant] = l
	}
	return json.MarshalIndent(map[string]any{"overrides": out}, "", "  ")
}

func hours(days int) string { return fmt.Sprintf("%dh", days*24) }

// WriteOverrides replaces the file atomically (Loki may read it at any moment).
func WriteOverrides(path string, policies map[string]Policy) error {
	b, err := Overrides(policies)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
