package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/attest/auditlog/pkg/selfaudit"
)

// configSnapshot is what an org's instance enforces; a change of any of it is recorded.
type configSnapshot struct {
	ReadRole          string `json:"readRole"`
	SelfAuditFailOpen bool   `json:"selfAuditFailOpen"`
	Store             string `json:"store"`
	StoreSource       string `json:"storeSource"`
	IgnoredStore      string `json:"ignoredStore,omitempty"`
	Tenant            string `json:"tenant"`
	ExportMaxDays     int    `json:"exportMaxDays"`
}

// configSeenFile keeps, per org, the configuration last recorded (data_dir), so a change made while
// the backend was down is recorded at its next start.
const configSeenFile = "org-config.json"

func (a *App) configSnapshot(orgID int64) configSnapshot {
	tenant, _ := a.settings.TenantFor(orgID)
	return configSnapshot{ReadRole: a.settings.ReadRole, SelfAuditFailOpen: a.settings.SelfAuditFailOpen,
		Store: a.settings.LokiURL, StoreSource: a.settings.StoreSource, IgnoredStore: a.settings.IgnoredLokiURL,
		Tenant: tenant, ExportMaxDays: a.settings.ExportMaxDays}
}

// recordConfigChange records, in the org's tenant, a configuration that differs from the one last
// recorded for the org, before the instance serves anything. A change fails closed: the instance is
// not made until the change is in the trail. The first configuration seen is recorded when it can be.
func (a *App) recordConfigChange(ctx context.Context, orgID int64) error {
	now := a.configSnapshot(orgID)
	if now.Tenant == "" || a.settings.DataDir == "" {
		return nil // nothing to record it in; such an org reads nothing
	}
	a.svc.configMu.Lock()
	defer a.svc.configMu.Unlock()
	file := filepath.Join(a.settings.DataDir, configSeenFile)
	seen := map[string]configSnapshot{}
	b, err := os.ReadFile(file)
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &seen); err != nil {
			return fmt.Errorf("%s is damaged: %w", file, err)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	key := strconv.FormatInt(orgID, 10)
	before, known := seen[key]
	if known && reflect.DeepEqual(before, now) {
		return nil
	}
	e := selfaudit.Event{
		Type: "audit.config.changed", Category: "SECURITY", Action: "update", Outcome: "success", Severity: "WARNING",
		Description: fmt.Sprintf("Attest app settings of org %d changed: %s", orgID, configDiff(before, now, known)),
		ActorID:     "attest-grafana-app", ActorName: "System", ActorType: "system",
		TargetType: "app_settings", TargetID: fmt.Sprintf("attest-auditlog-app/org-%d", orgID),
		Metadata: map[string]any{"grafana_org_id": orgID, "note": "Grafana does not tell the plugin who saved the settings; its server log does"},
		Changes:  map[string]any{"before": nil, "after": now},
	}
	if known {
		e.Changes["before"] = before
	} else {
		e.Type, e.Severity = "audit.config.applied", "INFO"
		e.Description = fmt.Sprintf("Attest app settings of org %d first applied: read role %s, fail-%s, store %s, tenant %s",
			orgID, now.ReadRole, map[bool]string{true: "open", false: "closed"}[now.SelfAuditFailOpen], now.Store, now.Tenant)
	}
	if _, err := a.audit.Record(ctx, now.Tenant, e); err != nil {
		if !known {
			// Nothing changed: the first settings seen are recorded at the next instance instead.
			log.DefaultLogger.Warn("the app's settings could not be recorded yet", "org", orgID, "error", err.Error())
			return nil
		}
		log.DefaultLogger.Error("a settings change could not be recorded; the new settings are not applied", "org", orgID, "error", err.Error())
		return fmt.Errorf("the settings change could not be recorded in the audit trail: %w", err)
	}
	seen[key] = now
	out, _ := json.MarshalIndent(seen, "", "  ")
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, out, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, file)
}

func configDiff(before, after configSnapshot, known bool) string {
	if !known {
		return "first applied"
	}
	bv, av := reflect.ValueOf(before), reflect.ValueOf(after)
	out := ""
	for i := range bv.NumField() {
		if !reflect.DeepEqual(bv.Field(i).Interface(), av.Field(i).Interface()) {
			if out != "" {
				out += ", "
			}
			name := bv.Type().Field(i).Tag.Get("json")
			if c := len(name); c > 10 && name[c-10:] == ",omitempty" {
				name = name[:c-10]
			}
			out += fmt.Sprintf("%s %v → %v", name, bv.Field(i).Interface(), av.Field(i).Interface())
		}
	}
	return out
}
