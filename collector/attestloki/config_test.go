package attestloki

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/config/configcompression"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/exporter/otlphttpexporter"
)

// The defaults are otlphttp's where the keys are otlphttp's, and the dead-letter queue's own.
func TestDefaultConfig(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	o := otlphttpexporter.NewFactory().CreateDefaultConfig().(*otlphttpexporter.Config)
	if cfg.ClientConfig.Timeout != 30*time.Second || cfg.ClientConfig.Compression != configcompression.TypeGzip ||
		cfg.RetryConfig != o.RetryConfig || !reflect.DeepEqual(cfg.QueueConfig, o.QueueConfig) {
		t.Errorf("client, queue or retry defaults differ from otlphttp's: %+v", cfg)
	}
	d := cfg.DeadLetter
	if d.ReplayInterval != time.Minute || !slices.Equal(d.MetadataKeys, []string{"X-Scope-OrgID"}) || d.NoticeService != "attest-collector" {
		t.Errorf("dead_letter defaults %+v", d)
	}
}

func TestConfigKeys(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	conf := confmap.NewFromStringMap(map[string]any{
		"endpoint":         "http://127.0.0.1:3100/otlp",
		"logs_endpoint":    "http://127.0.0.1:3100/otlp/v1/logs",
		"compression":      "none",
		"timeout":          "10s",
		"headers":          map[string]any{"X-Extra": "1"},
		"retry_on_failure": map[string]any{"max_elapsed_time": 0},
		"sending_queue":    map[string]any{"num_consumers": 4, "queue_size": 5000},
		"dead_letter": map[string]any{"directory": "/var/lib/attest/dead-letter", "replay_interval": "30s",
			"metadata_keys": []any{"X-Scope-OrgID", "X-Producer"}, "notice_service": "collector-eu"},
	})
	if err := conf.Unmarshal(cfg); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	d := cfg.DeadLetter
	if cfg.LogsEndpoint == "" || cfg.ClientConfig.Compression != configcompression.Type("none") || cfg.ClientConfig.Timeout != 10*time.Second ||
		cfg.RetryConfig.MaxElapsedTime != 0 || cfg.QueueConfig.Get().QueueSize != 5000 ||
		d.Directory != "/var/lib/attest/dead-letter" || d.ReplayInterval != 30*time.Second ||
		!slices.Equal(d.MetadataKeys, []string{"X-Scope-OrgID", "X-Producer"}) || d.NoticeService != "collector-eu" {
		t.Errorf("unmarshalled %+v", cfg)
	}
}

func TestValidateRefusesAConfigWithoutDirectory(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.ClientConfig.Endpoint = "http://127.0.0.1:3100/otlp"
	err := cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), "dead_letter::directory") {
		t.Errorf("Validate without a directory: %v", err)
	}
	cfg.DeadLetter.Directory = t.TempDir()
	if err := cfg.Validate(); err != nil {
		t.Errorf("Validate with a directory: %v", err)
	}
	cfg.ClientConfig.Endpoint = ""
	if err := cfg.Validate(); err == nil {
		t.Error("Validate without an endpoint passed")
	}
}
