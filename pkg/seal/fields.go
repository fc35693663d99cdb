package seal

import (
	"context"
	"encoding/json"
	"slices"
)

// PersonalKeys are the metadata entries of the backend's records that hold what a person typed or
// chose and may name someone: search text, actor and target filters, a Custom report's actors, the
// value a counts query looks for in changes.
var PersonalKeys = []string{"search", "actor", "actors", "targetId", "target_id", "changedTo"}

// SealFields replaces, at any depth of m, the string values (and lists of strings) under keys by
// tokens, after clean (the redaction rules) has run on each. JSON held as json.RawMessage is opened
// and sealed as a map.
func (s *Store) SealFields(ctx context.Context, tenant string, m map[string]any, keys []string, clean func(string) string) error {
	one := func(v string) (string, error) { return s.Seal(ctx, tenant, clean(v)) }
	for k, v := range m {
		hit := slices.Contains(keys, k)
		switch x := v.(type) {
		case string:
			if hit {
				sealed, err := one(x)
				if err != nil {
					return err
				}
				m[k] = sealed
			}
		case []string:
			if hit {
				out := make([]string, len(x))
				for i, y := range x {
					sealed, err := one(y)
					if err != nil {
						return err
					}
					out[i] = sealed
				}
				m[k] = out
			}
		case []any:
			if hit {
				for i, y := range x {
					if str, ok := y.(string); ok {
						sealed, err := one(str)
						if err != nil {
							return err
						}
						x[i] = sealed
					}
				}
			}
		case map[string]any:
			if err := s.SealFields(ctx, tenant, x, keys, clean); err != nil {
				return err
			}
		case map[string]string:
			y := make(map[string]any, len(x))
			for kk, vv := range x {
				y[kk] = vv
			}
			if err := s.SealFields(ctx, tenant, y, keys, clean); err != nil {
				return err
			}
			m[k] = y
		case json.RawMessage:
			var y map[string]any
			if json.Unmarshal(x, &y) == nil {
				if err := s.SealFields(ctx, tenant, y, keys, clean); err != nil {
					return err
				}
				m[k] = y
			}
		}
	}
	return nil
}
