package attestloki

import (
	"errors"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
)

// Config of the exporter: otlphttp's client, queue and retry settings (same keys, same defaults),
// plus the dead-letter queue.
type Config struct {
	ClientConfig confighttp.ClientConfig                                  `mapstructure:",squash"`
	QueueConfig  configoptional.Optional[exporterhelper.QueueBatchConfig] `mapstructure:"sending_queue"`
	RetryConfig  configretry.BackOffConfig                                `mapstructure:"retry_on_failure"`

	// LogsEndpoint is the URL logs are sent to; default: endpoint + "/v1/logs".
	LogsEndpoint string `mapstructure:"logs_endpoint"`

	DeadLetter DeadLetterConfig `mapstructure:"dead_letter"`
}

// DeadLetterConfig is where the records Loki refuses are kept, and how they are offered again.
type DeadLetterConfig struct {
	// Directory holds one file per refused record (required). Give each exporter its own: the
	// replay of one would otherwise send the other's records too.
	Directory string `mapstructure:"directory"`
	// ReplayInterval is how often the held records are offered to Loki again (default 1m).
	ReplayInterval time.Duration `mapstructure:"replay_interval"`
	// MetadataKeys are the client metadata saved with each refused record and restored when it is
	// replayed: the auth extension (headers_setter) reads the tenant from them. The first one's value
	// is the `tenant` attribute of the metrics (default [X-Scope-OrgID]).
	MetadataKeys []string `mapstructure:"metadata_keys"`
	// NoticeService is service.name of the audit event that announces refused records (default
	// attest-collector).
	NoticeService string `mapstructure:"notice_service"`
}

var _ component.Config = (*Config)(nil)

// Validate checks the exporter's own settings; the Collector validates the nested client, queue and
// retry settings itself.
func (cfg *Config) Validate() error {
	var errs []error
	if cfg.ClientConfig.Endpoint == "" && cfg.LogsEndpoint == "" {
		errs = append(errs, errors.New("endpoint or logs_endpoint must be specified"))
	}
	if cfg.DeadLetter.Directory == "" {
		errs = append(errs, errors.New("dead_letter::directory must be specified: refused audit records are kept there"))
	}
	if cfg.DeadLetter.ReplayInterval <= 0 {
		errs = append(errs, errors.New("dead_letter::replay_interval must be positive"))
	}
	if cfg.DeadLetter.NoticeService == "" {
		errs = append(errs, errors.New("dead_letter::notice_service must not be empty"))
	}
	return errors.Join(errs...)
}
