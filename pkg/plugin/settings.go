package plugin

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/attest/auditlog/pkg/retention"
	"github.com/attest/auditlog/pkg/tenancy"
)

// Settings of the app in one Grafana organization: jsonData and secureJsonData from the app's
// configuration page, plus the server-level settings Grafana passes to the backend as GF_PLUGIN_*
// environment variables ([plugin.attest-auditlog-app] in grafana.ini), which org admins cannot change.
type Settings struct {
	// The store (Loki, behind its gateway) and the backend's credential there: server level
	// (GF_PLUGIN_LOKI_URL, _USER, _PASSWORD, _PASSWORD_FILE, _TOKEN) whenever the server names a store;
	// an org's own only in a single-org install without one (see Service.placeStore).
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

	// AlertInterval is how often Grafana evaluates the app's alert rules (Go duration, multiple of 10s).
	AlertInterval string `json:"alertInterval"`

	LokiPassword string `json:"-"`
	LokiToken    string `json:"-"`
	// LokiPasswordFile is read at every use, so a rotated password reaches the running backend.
	LokiPasswordFile string `json:"-"`
	// StoreSource says where the store settings came from (StoreFromServer, StoreFromOrg, StoreNone).
	StoreSource string `json:"-"`
	// IgnoredLokiURL is a store the org named that the server settings overrule (shown in health).
	IgnoredLokiURL string `json:"-"`
	// GrafanaToken is a service account token (Admin) the backend manages alert rules with.
	GrafanaToken string `json:"-"`
	// GrafanaURL is where the backend reaches Grafana's API, server level (GF_PLUGIN_GRAFANA_URL).
	GrafanaURL string `json:"-"`
	// ChainKeysFile holds the producers' chain keys, {"key id": "hex secret"} (GF_PLUGIN_CHAIN_KEYS_FILE).
	ChainKeysFile string `json:"-"`
	// VerifyAt is the time of day (UTC, hh:mm) of the daily verification (GF_PLUGIN_VERIFY_AT).
	VerifyAt string `json:"-"`
	// LokiOverridesFile is the runtime overrides file the backend writes retention windows to; Loki
	// lists it last in runtime_config.file (GF_PLUGIN_LOKI_OVERRIDES_FILE).
	LokiOverridesFile string `json:"-"`
	// PruneAt is the time of day (UTC, hh:mm) of the nightly retention run (GF_PLUGIN_PRUNE_AT).
	PruneAt string `json:"-"`
	// ArchiveDir is where retention archives go (GF_PLUGIN_ARCHIVE_DIR; data_dir/archive unless set).
	ArchiveDir string `json:"-"`
	// ArchiveS3 is the S3-compatible bucket archives go to instead, when archive_s3_bucket is set
	// (GF_PLUGIN_ARCHIVE_S3_ENDPOINT, _REGION, _BUCKET, _PREFIX, _ACCESS_KEY, _SECRET_KEY).
	ArchiveS3 retention.S3Target `json:"-"`
	// SubjectKeysDir is the per-subject key directory the producers encrypt identities with
	// (GF_PLUGIN_SUBJECT_KEYS_DIR): readers see identities while a key exists; erasure deletes it.
	SubjectKeysDir string `json:"-"`
	// ReportControlsFile overrides the control mapping of compliance reports (GF_PLUGIN_REPORT_CONTROLS_FILE;
	// the format of pkg/report/controls.json, frameworks replaced whole by report type).
	ReportControlsFile string `json:"-"`
	// CheckpointEvery is how often producers' chain checkpoints are collected (GF_PLUGIN_CHECKPOINT_EVERY).
	CheckpointEvery time.Duration `json:"-"`
	// ScheduleEvery is how often report schedules are looked at for periods that have ended and runs
	// to announce (GF_PLUGIN_SCHEDULE_EVERY, 1m unless set).
	ScheduleEvery time.Duration `json:"-"`
	// DigestS3 is the write-once bucket signed chain-head digests go to (GF_PLUGIN_DIGEST_S3_BUCKET; the
	// archive's endpoint and credentials). Created with S3 object lock when missing.
	DigestS3 retention.S3Target `json:"-"`
	// ReadWorkers is how many shards of a range long jobs read from Loki at once
	// (GF_PLUGIN_READ_WORKERS, 4 unless set; pkg/export.Stream).
	ReadWorkers int `json:"-"`
	// ReadShardRows is about how many rows one shard holds (GF_PLUGIN_READ_SHARD_ROWS, 25000 unless set).
	ReadShardRows int64 `json:"-"`
	// DigestEvery is the period of one digest (GF_PLUGIN_DIGEST_EVERY, 1h unless set).
	DigestEvery time.Duration `json:"-"`
	// DigestRetainDays is how long each digest is locked (GF_PLUGIN_DIGEST_RETAIN_DAYS, 400 unless set).
	DigestRetainDays int `json:"-"`

	// Server level.
	CollectorURL string `json:"-"`
	// CollectorToken is the backend's producer credential at the Collector (GF_PLUGIN_COLLECTOR_TOKEN;
	// a credential with tenant "*" in the Collector's credentials file).
	CollectorToken string `json:"-"`
	// CollectorMetricsURL is the Collector's Prometheus endpoint (GF_PLUGIN_COLLECTOR_METRICS_URL; a
	// comma-separated list with several Collectors): its attest_records_total tells which days received
	// entries since they were counted. Without it the Overview reads Loki live.
	CollectorMetricsURL string `json:"-"`
	DataDir             string `json:"-"`
	// DatabaseURL is the PostgreSQL database every Grafana server of an HA install shares
	// (GF_PLUGIN_DATABASE_URL, postgres://…): jobs, schedules, daily counts, sealed values' keys, chain
	// heads and retention state go there instead of SQLite and files in DataDir; background work runs
	// on one server at a time.
	DatabaseURL string `json:"-"`
	// KeysDir holds the keys every server must share: export signing, alert query signing and the
	// backend's own chain (GF_PLUGIN_KEYS_DIR; DataDir unless set). Made on first use when missing.
	KeysDir string `json:"-"`
	// FilesS3 is the bucket export and report files go to, so any server serves them
	// (GF_PLUGIN_FILES_S3_BUCKET; the archive's endpoint and credentials). Unset: DataDir/files.
	FilesS3   retention.S3Target `json:"-"`
	TenantMap map[int64]string   `json:"-"`
}

// Where the store settings of an instance came from.
const (
	StoreFromServer = "server (GF_PLUGIN_LOKI_URL)"
	StoreFromOrg    = "app settings (single-org install)"
	StoreNone       = "none: the server settings name no store"
)

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
	out.GrafanaToken = s.DecryptedSecureJSONData["grafanaToken"]
	out.GrafanaURL = env("GF_PLUGIN_GRAFANA_URL")
	out.ChainKeysFile = env("GF_PLUGIN_CHAIN_KEYS_FILE")
	out.VerifyAt = env("GF_PLUGIN_VERIFY_AT")
	if out.VerifyAt == "" {
		out.VerifyAt = DefaultVerifyAt
	}
	if _, err := time.Parse("15:04", out.VerifyAt); err != nil {
		return nil, fmt.Errorf("GF_PLUGIN_VERIFY_AT must be a time of day hh:mm (UTC), not %q", out.VerifyAt)
	}
	out.LokiOverridesFile = env("GF_PLUGIN_LOKI_OVERRIDES_FILE")
	out.ArchiveDir = env("GF_PLUGIN_ARCHIVE_DIR")
	out.ReportControlsFile = env("GF_PLUGIN_REPORT_CONTROLS_FILE")
	out.SubjectKeysDir = env("GF_PLUGIN_SUBJECT_KEYS_DIR")
	out.ArchiveS3 = retention.S3Target{Endpoint: env("GF_PLUGIN_ARCHIVE_S3_ENDPOINT"), Region: env("GF_PLUGIN_ARCHIVE_S3_REGION"),
		Bucket: env("GF_PLUGIN_ARCHIVE_S3_BUCKET"), Prefix: env("GF_PLUGIN_ARCHIVE_S3_PREFIX"),
		AccessKey: env("GF_PLUGIN_ARCHIVE_S3_ACCESS_KEY"), SecretKey: env("GF_PLUGIN_ARCHIVE_S3_SECRET_KEY")}
	out.DigestS3 = out.ArchiveS3
	out.DigestS3.Bucket = env("GF_PLUGIN_DIGEST_S3_BUCKET")
	out.DigestEvery = time.Hour
	if v := env("GF_PLUGIN_DIGEST_EVERY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second || d > 24*time.Hour {
			return nil, fmt.Errorf("GF_PLUGIN_DIGEST_EVERY must be a duration from 1s to 24h, not %q", v)
		}
		out.DigestEvery = d
	}
	out.DigestRetainDays = 400
	out.ReadWorkers = 4
	if v := env("GF_PLUGIN_READ_WORKERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 64 {
			return nil, fmt.Errorf("GF_PLUGIN_READ_WORKERS must be a whole number from 1 to 64, not %q", v)
		}
		out.ReadWorkers = n
	}
	out.ReadShardRows = 25_000
	if v := env("GF_PLUGIN_READ_SHARD_ROWS"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 100 {
			return nil, fmt.Errorf("GF_PLUGIN_READ_SHARD_ROWS must be a whole number of at least 100, not %q", v)
		}
		out.ReadShardRows = n
	}
	if v := env("GF_PLUGIN_DIGEST_RETAIN_DAYS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("GF_PLUGIN_DIGEST_RETAIN_DAYS must be a whole number of days, not %q", v)
		}
		out.DigestRetainDays = n
	}
	out.PruneAt = env("GF_PLUGIN_PRUNE_AT")
	if out.PruneAt == "" {
		out.PruneAt = DefaultPruneAt
	}
	if _, err := time.Parse("15:04", out.PruneAt); err != nil {
		return nil, fmt.Errorf("GF_PLUGIN_PRUNE_AT must be a time of day hh:mm (UTC), not %q", out.PruneAt)
	}
	out.CheckpointEvery = DefaultCheckpointEvery
	if v := env("GF_PLUGIN_CHECKPOINT_EVERY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second || d > time.Hour {
			return nil, fmt.Errorf("GF_PLUGIN_CHECKPOINT_EVERY must be a duration from 1s to 1h, not %q", v)
		}
		out.CheckpointEvery = d
	}
	out.ScheduleEvery = DefaultScheduleEvery
	if v := env("GF_PLUGIN_SCHEDULE_EVERY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second || d > time.Hour {
			return nil, fmt.Errorf("GF_PLUGIN_SCHEDULE_EVERY must be a duration from 1s to 1h, not %q", v)
		}
		out.ScheduleEvery = d
	}
	if _, err := out.alertInterval(); err != nil {
		return nil, err
	}
	if u := env("GF_PLUGIN_LOKI_URL"); u != "" {
		if out.LokiURL != "" && out.LokiURL != u {
			out.IgnoredLokiURL = out.LokiURL
		}
		out.LokiURL, out.LokiUser, out.LokiPassword = u, env("GF_PLUGIN_LOKI_USER"), env("GF_PLUGIN_LOKI_PASSWORD")
		out.LokiToken, out.LokiPasswordFile = env("GF_PLUGIN_LOKI_TOKEN"), env("GF_PLUGIN_LOKI_PASSWORD_FILE")
		out.StoreSource = StoreFromServer
	} else {
		out.StoreSource = StoreFromOrg
	}
	out.CollectorURL = env("GF_PLUGIN_COLLECTOR_URL")
	out.CollectorToken = env("GF_PLUGIN_COLLECTOR_TOKEN")
	out.CollectorMetricsURL = env("GF_PLUGIN_COLLECTOR_METRICS_URL")
	out.DataDir = env("GF_PLUGIN_DATA_DIR")
	out.DatabaseURL = env("GF_PLUGIN_DATABASE_URL")
	if u := out.DatabaseURL; u != "" && !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") {
		return nil, fmt.Errorf("GF_PLUGIN_DATABASE_URL must be a PostgreSQL URL (postgres://user:password@host:5432/db), not %q", redactURL(u))
	}
	out.KeysDir = env("GF_PLUGIN_KEYS_DIR")
	if out.KeysDir == "" {
		out.KeysDir = out.DataDir
	}
	out.FilesS3 = out.ArchiveS3
	out.FilesS3.Bucket, out.FilesS3.Prefix = env("GF_PLUGIN_FILES_S3_BUCKET"), env("GF_PLUGIN_FILES_S3_PREFIX")
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
	m, err := tenancy.ParseMap(env("GF_PLUGIN_TENANTS"))
	if err != nil {
		return nil, err
	}
	out.TenantMap = m
	return out, nil
}

// TenantFor gives the Loki tenant of a Grafana org (see tenancy.For).
func (s *Settings) TenantFor(orgID int64) (string, bool) {
	return tenancy.For(s.TenantMap, orgID, s.Tenant)
}

// RoleAllows reports whether role reaches at least min.
func RoleAllows(role, min string) bool {
	r, ok := roleRank[role]
	return ok && r >= roleRank[min] && r > 0
}

var readRoles = []string{"Viewer", "Editor", "Admin"}

// ValidReadRole reports whether r may be configured as the read role.
func ValidReadRole(r string) bool { return slices.Contains(readRoles, r) }

// alertInterval is AlertInterval parsed (one minute unless set).
func (s *Settings) alertInterval() (time.Duration, error) {
	if s.AlertInterval == "" {
		return time.Minute, nil
	}
	d, err := time.ParseDuration(s.AlertInterval)
	if err != nil || d < 10*time.Second || d > 24*time.Hour || d%(10*time.Second) != 0 {
		return 0, fmt.Errorf("alertInterval must be a duration from 10s to 24h in steps of 10s, not %q", s.AlertInterval)
	}
	return d, nil
}

// DefaultPruneAt is when the nightly retention run starts unless set (UTC).
const DefaultPruneAt = "03:00"

// DefaultScheduleEvery is how often report schedules are looked at unless set.
const DefaultScheduleEvery = time.Minute

// DefaultCheckpointEvery is how often checkpoints are collected unless set.
const DefaultCheckpointEvery = time.Minute

// DefaultVerifyAt is when the daily verification runs unless set (UTC).
const DefaultVerifyAt = "02:30"

// Tenants are the tenants this server maps, for work that serves them all (the daily verification).
func (s *Settings) Tenants() []string {
	if s.TenantMap == nil {
		if validTenantSetting(s.Tenant) {
			return []string{s.Tenant}
		}
		return nil
	}
	out := []string{}
	for _, t := range s.TenantMap {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

func validTenantSetting(t string) bool { _, ok := tenancy.For(nil, 1, t); return ok }

// redactURL is u without its password, for error messages.
func redactURL(u string) string {
	if p, err := url.Parse(u); err == nil && p.User != nil {
		if _, has := p.User.Password(); has {
			p.User = url.UserPassword(p.User.Username(), "xxxxx")
		}
		return p.String()
	}
	return "(unparsable)"
}
