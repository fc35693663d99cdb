// Package attestscope holds each audit producer to the service names its credential names
// (attest_auth's credentials file, `services:`): a request that writes records of any other service
// is refused whole (HTTP 403 to the producer) and counted (attest_scope_refused{producer, service}).
// A credential without a list may write any service but the ones only a credential naming them may
// write (Reserved: the app's backend), so no producer can write records that claim to be the backend's.
package attestscope

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"
)

// Config of the processor.
type Config struct {
	// Reserved services may be written only by a credential that names them (the backend's by default).
	Reserved []string `mapstructure:"reserved"`
}

var typ = component.MustNewType("attest_scope")

// NewFactory makes the processor's factory.
func NewFactory() processor.Factory {
	return processor.NewFactory(typ, func() component.Config { return &Config{Reserved: []string{"attest-grafana-app"}} },
		processor.WithLogs(createLogs, component.StabilityLevelBeta))
}

func createLogs(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	s, err := newScope(set.TelemetrySettings.MeterProvider, cfg.(*Config).Reserved)
	if err != nil {
		return nil, err
	}
	return processorhelper.NewLogs(ctx, set, cfg, next, s.processLogs,
		processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}))
}
