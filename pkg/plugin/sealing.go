package plugin

import (
	"context"
	"path/filepath"
	"slices"
	"sync"

	"github.com/attest/auditlog/collector/attestredaction/rules"
	"github.com/attest/auditlog/pkg/loki"
	"github.com/attest/auditlog/pkg/seal"
	"github.com/attest/auditlog/pkg/selfaudit"
)

var sealStores sync.Map // data dir → *seal.Store

// seals is the key file of the backend's sealed values (nil without a data directory).
func (a *App) seals() *seal.Store {
	if a.settings.DataDir == "" {
		return nil
	}
	return storeOf(&sealStores, a.settings.DataDir, "the sealed values' keys", func() (*seal.Store, error) {
		return seal.Open(context.Background(), a.settings.DatabaseURL, filepath.Join(a.settings.DataDir, "seals.db"))
	})
}

// namedTargets are the backend's targets whose names people give (and may name someone in).
var namedTargets = []string{"audit_export", "compliance_report", "report_schedule", "alert_rule"}

// changedKeys are the entries of a record's before and after states that may name someone: what a
// person typed (PersonalKeys) and the names and descriptions they gave.
var changedKeys = append(slices.Clone(seal.PersonalKeys), "name", "description")

// sealPersonal replaces, in one of the backend's own records, the values that may name a person by
// sealed tokens (pkg/seal), after the redaction rules have run on them: Loki never holds them in
// clear, readers see them while their keys exist, and erasure forgets the keys of those naming the
// person erased. Without a key file the record is written as it is. The maps are sealed as copies:
// an event recorded again (a change that failed, see change) seals its clear values again, never
// the tokens of its first record.
func (a *App) sealPersonal(ctx context.Context, tenant string, e *selfaudit.Event) error {
	s := a.seals()
	if s == nil {
		return nil
	}
	e.Metadata, _ = deepCopy(e.Metadata).(map[string]any)
	e.Changes, _ = deepCopy(e.Changes).(map[string]any)
	clean := func(v string) string { return rules.Value("", v) }
	if err := s.SealFields(ctx, tenant, e.Metadata, seal.PersonalKeys, clean); err != nil {
		return err
	}
	if err := s.SealFields(ctx, tenant, e.Changes, changedKeys, clean); err != nil {
		return err
	}
	if slices.Contains(namedTargets, e.TargetType) && e.TargetName != "" {
		sealed, err := s.Seal(ctx, tenant, clean(e.TargetName))
		if err != nil {
			return err
		}
		e.TargetName = sealed
	}
	return nil
}

// unseal shows a record's sealed values to a reader (or [erased] once forgotten). The labels keep
// what is stored: hashes are computed from them.
func (a *App) unseal(tenant string, e *loki.Event) {
	s := a.seals()
	if s == nil {
		return
	}
	ctx := context.Background()
	e.Description = s.Reveal(ctx, tenant, e.Description)
	e.TargetName = s.Reveal(ctx, tenant, e.TargetName)
	e.TargetID = s.Reveal(ctx, tenant, e.TargetID)
	e.Metadata = s.RevealJSON(ctx, tenant, e.Metadata)
	e.Changes = s.RevealJSON(ctx, tenant, e.Changes)
}

// deepCopy copies the maps and lists of a record's JSON-like value; other values are shared.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if x == nil {
			return x
		}
		out := make(map[string]any, len(x))
		for k, y := range x {
			out[k] = deepCopy(y)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, y := range x {
			out[i] = deepCopy(y)
		}
		return out
	case []string:
		return slices.Clone(x)
	}
	return v
}
