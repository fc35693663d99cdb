package plugin

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// Settings of the app in one Grafana organization: jsonData and secureJsonData from the app's
// configuration page, plus the server-level settings Grafana passes to the backend as GF_PLUGIN_*
// environment variables ([plugin.attest-auditlog-app] in grafana.ini), which org admins cannot change.
type Settings struct {
	LokiURL             string `json:"lokiUrl"`
	LokiUser            string `json:"lokiUser"`
	Tenant              string `json:"tenant"`
	TracesDatasourceUID string `json:"tracesDatasourceUid"`
	// ReadRole is the lowest org role that may read the trail (Admin unless set).
	ReadRole string `json:"readRole"`
	// SelfAuditFailOpen serves a request even when its audit record cannot be written (default: refuse).
	SelfAuditFailOpen bool   `json:"selfAuditFailOpen"`
	Environment       string `json:"environment"`
	// ExportMaxDays caps an export's time range (DefaultExportMaxDays unless set).
	ExportMaxDays int `json:"exportMaxDays"`
	// ExportKeepDays is how long export files are kept, server level (GF_PLUGIN_EXPORT_KEEP_DAYS):
	// one expiry pass serves every org.
	ExportKeepDays int `json:"-"`

	LokiPassword string `json:"-"`
	LokiToken    string `json:"-"`

	// Server level.
	CollectorURL string           `json:"-"`
	DataDir      string           `json:"-"`
	TenantMap    map[int64]string `json:"-"`
}

var roleRank = map[string]int{"None": 0, "Viewer": 1, "Editor": 2, "Admin": 3}

// ServerEnv is the environment the backend reads server-level settings from.
type ServerEnv func(string) string

// LoadSettings narrows the app's settings; bad values are an error naming the field.
func LoadSettings(s backend.AppInstanceSettings, env ServerEnv) (*Settings, error) {
	if env == nil {
		env = os.Getenv
	}
	out := &Settings{}
	if len(s.JSONData) > 0 && string(s.JSONData) != "null" {
		if err := json.Unmarshal(s.JSONData, out); err != nil {
			return nil, fmt.Errorf("the app's jsonData is not valid: %w", err)
		}
	}
	out.LokiPassword = s.DecryptedSecureJSONData["lokiPassword"]
	out.LokiToken = s.DecryptedSecureJSONData["lokiToken"]
	if out.LokiURL == "" {
		out.LokiURL = env("GF_PLUGIN_LOKI_URL")
	}
	out.CollectorURL = env("GF_PLUGIN_COLLECTOR_URL")
	out.DataDir = env("GF_PLUGIN_DATA_DIR")
	if v := env("GF_PLUGIN_EXPORT_KEEP_DAYS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("GF_PLUGIN_EXPORT_KEEP_DAYS must be a whole number of days, not %q", v)
		}
		out.ExportKeepDays = n
	}
	if out.ReadRole == "" {
		out.ReadRole = "Admin"
	}
	if _, ok := roleRank[out.ReadRole]; !ok || out.ReadRole == "None" {
		return nil, fmt.Errorf("readRole must be Viewer, Editor or Admin, not %q", out.ReadRole)
	}
	m, err := ParseTenantMap(env("GF_PLUGIN_TENANTS"))
	if err != nil {
		return nil, err
	}
	out.TenantMap = m
	return out, nil
}

// ParseTenantMap reads "1=acme,2=globex" (Grafana org id = Loki tenant).
func ParseTenantMap(s string) (map[int64]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	m := map[int64]string{}
	for _, part := range strings.Split(s, ",") {
		org, tenant, ok := strings.Cut(strings.TrimSpace(part), "=")
		id, err := strconv.ParseInt(strings.TrimSpace(org), 10, 64)
		tenant = strings.TrimSpace(tenant)
		if !ok || err != nil || id < 1 || !validTenant(tenant) {
			return nil, fmt.Errorf("GF_PLUGIN_TENANTS: %q is not org=tenant", part)
		}
		m[id] = tenant
	}
	return m, nil
}

// Loki's tenant ids: printable, no slash, at most 150 bytes.
func validTenant(t string) bool {
	if t == "" || len(t) > 150 || t == "." || t == ".." {
		return false
	}
	return !strings.ContainsFunc(t, func(r rune) bool { return r < 0x21 || r > 0x7e || r == '/' || r == '|' })
}

// TenantFor gives the Loki tenant of a Grafana org. With a server-level map, the map decides and the
// app's own tenant setting is ignored, so an org admin cannot point the app at another org's trail.
// Without a map only org 1 (a single-org install) may name its tenant in the app settings; any other
// org reads nothing until the server administrator maps it.
func (s *Settings) TenantFor(orgID int64) (string, bool) {
	if s.TenantMap != nil {
		t, ok := s.TenantMap[orgID]
		return t, ok
	}
	if orgID != 1 {
		return "", false
	}
	return s.Tenant, validTenant(s.Tenant)
}

// RoleAllows reports whether role reaches at least min.
func RoleAllows(role, min string) bool {
	r, ok := roleRank[role]
	return ok && r >= roleRank[min] && r > 0
}

var readRoles = []string{"Viewer", "Editor", "Admin"}

// ValidReadRole reports whether r may be configured as the read role.
func ValidReadRole(r string) bool { return slices.Contains(readRoles, r) }
