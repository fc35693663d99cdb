// Package tenancy maps Grafana organizations to Loki tenants, from the server-level setting both the app
// and the counts datasource read (GF_PLUGIN_TENANTS, "1=acme,2=globex").
package tenancy

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseMap reads "1=acme,2=globex" (Grafana org id = Loki tenant). Empty is no map (nil).
func ParseMap(s string) (map[int64]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	m := map[int64]string{}
	for _, part := range strings.Split(s, ",") {
		org, tenant, ok := strings.Cut(strings.TrimSpace(part), "=")
		id, err := strconv.ParseInt(strings.TrimSpace(org), 10, 64)
		tenant = strings.TrimSpace(tenant)
		if !ok || err != nil || id < 1 || !Valid(tenant) {
			return nil, fmt.Errorf("GF_PLUGIN_TENANTS: %q is not org=tenant", part)
		}
		m[id] = tenant
	}
	return m, nil
}

// Valid reports whether t is a Loki tenant id: printable, no slash, at most 150 bytes.
func Valid(t string) bool {
	if t == "" || len(t) > 150 || t == "." || t == ".." {
		return false
	}
	return !strings.ContainsFunc(t, func(r rune) bool { return r < 0x21 || r > 0x7e || r == '/' || r == '|' })
}

// For gives the Loki tenant of a Grafana org. With a server-level map, the map decides and any tenant
// named in per-org settings is ignored, so an org admin cannot point Attest at another org's trail.
// Without a map only org 1 (a single-org install) may name its tenant in its settings; any other
// org reads nothing until the server administrator maps it.
func For(m map[int64]string, orgID int64, orgSetting string) (string, bool) {
	if m != nil {
		t, ok := m[orgID]
		return t, ok
	}
	if orgID != 1 {
		return "", false
	}
	return orgSetting, Valid(orgSetting)
}
