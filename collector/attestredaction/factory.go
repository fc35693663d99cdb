// Package attestredaction is the Collector's second line of redaction: the same secret kinds as the
// @attest/otel-audit package, found in every string attribute and the body, inside JSON strings
// (audit.metadata, audit.changes) and URL query strings, with card numbers checked by Luhn. The
// contrib redaction processor matches whole values against regexes and cannot check a checksum or
// read a field name inside a JSON string, hence this processor.
package attestredaction

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"

	"github.com/attest/auditlog/collector/attestredaction/rules"
)

// Config: attribute keys left as they are, beside rules.IgnoredKeys.
type Config struct {
	IgnoredKeys []string `mapstructure:"ignored_keys"`
}

var typ = component.MustNewType("attest_redaction")

// NewFactory makes the processor's factory.
func NewFactory() processor.Factory {
	return processor.NewFactory(typ, func() component.Config { return &Config{} },
		processor.WithLogs(createLogs, component.StabilityLevelBeta))
}

func createLogs(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Logs) (processor.Logs, error) {
	r := &redactor{ignored: append(append([]string{}, rules.IgnoredKeys...), cfg.(*Config).IgnoredKeys...)}
	return processorhelper.NewLogs(ctx, set, cfg, next, r.processLogs,
		processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true}))
}
