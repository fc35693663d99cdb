// Package attestloki is the exporter that writes audit records to Loki's native OTLP endpoint
// without losing the ones Loki refuses.
//
// The stock otlphttp exporter drops a request Loki answers with a permanent error (HTTP 400: entry
// too old or too far behind, line or structured metadata too large, ...), and Loki may refuse only
// some records of a request while storing the others. Audit events must never be lost, so this
// exporter sends through an otlphttp exporter of its own (same client settings, no queue, no retry:
// its answer is Loki's), and on a permanent refusal halves the request until each refused record
// stands alone. Each such record is written to a dead-letter directory with the client metadata it
// came with (the tenant), counted (attest_dead_letter_records, attest_dead_letter_pending), announced
// to the tenant by an audit event (audit.delivery.refused) an alert rule can count, and offered to
// Loki again every replay_interval until Loki takes it. Transient errors (429, 5xx, network) are left
// to the exporter's queue and retries, as with otlphttp.
package attestloki

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/otlphttpexporter"
)

var typ = component.MustNewType("attest_loki")

// NewFactory makes the exporter's factory.
func NewFactory() exporter.Factory {
	return exporter.NewFactory(typ, createDefaultConfig, exporter.WithLogs(createLogs, component.StabilityLevelBeta))
}

// createDefaultConfig takes the client, queue and retry defaults from otlphttp's own, so the two
// exporters behave alike where this one adds nothing.
func createDefaultConfig() component.Config {
	o := otlphttpexporter.NewFactory().CreateDefaultConfig().(*otlphttpexporter.Config)
	return &Config{
		ClientConfig: o.ClientConfig,
		QueueConfig:  o.QueueConfig,
		RetryConfig:  o.RetryConfig,
		DeadLetter: DeadLetterConfig{
			ReplayInterval: time.Minute,
			MetadataKeys:   []string{"X-Scope-OrgID"},
			NoticeService:  "attest-collector",
		},
	}
}

func createLogs(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Logs, error) {
	c := cfg.(*Config)
	e, err := newLokiExporter(ctx, set, c)
	if err != nil {
		return nil, err
	}
	return exporterhelper.NewLogs(ctx, set, cfg, e.push,
		exporterhelper.WithStart(e.start),
		exporterhelper.WithShutdown(e.shutdown),
		exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}),
		// No timeout around a push: one push may take several requests (the halving), each bounded
		// by the HTTP client's own timeout, as otlphttp relies on it too.
		exporterhelper.WithTimeout(exporterhelper.TimeoutConfig{Timeout: 0}),
		exporterhelper.WithRetry(c.RetryConfig),
		exporterhelper.WithQueue(c.QueueConfig),
	)
}
