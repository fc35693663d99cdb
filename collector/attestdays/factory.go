// Package attestdays counts, per tenant and UTC day of their timestamp, the log records that pass
// through the Collector (attest_records_total{tenant, day}). The app's backend keeps daily counts of
// each tenant's trail for the Overview; a day whose number here moved since it was counted has
// received entries since (a producer's spool replayed, a backfill), so it is read live and counted
// again. Loki cannot tell: its index statistics leave out what its ingesters still hold.
package attestdays

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"
)

// Config: where the tenant is found in the request metadata (set by attest_auth).
type Config struct {
	TenantHeader string `mapstructure:"tenant_header"`
}

var typ = component.MustNewType("attest_days")

// NewFactory makes the processor's factory.
func NewFactory() processor.Factory {
	return processor.NewFactory(typ, func() component.Config { return &Config{TenantHeader: "X-Scope-OrgID"} },
		processor.WithLogs(createLogs, component.StabilityLevelBeta))
}

func createLogs(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	c, err := newCounter(set.TelemetrySettings.MeterProvider, cfg.(*Config).TenantHeader)
	if err != nil {
		return nil, err
	}
	return processorhelper.NewLogs(ctx, set, cfg, next, c.processLogs,
		processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}))
}
