package attestloki

import (
	"context"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// telemetry holds the exporter's metrics, each with the attribute tenant.
type telemetry struct {
	held     metric.Int64Counter
	replayed metric.Int64Counter
	gauge    metric.Int64ObservableGauge
	meter    metric.Meter

	mu      sync.Mutex
	pending map[string]int64 // records held now, by tenant; a tenant stays at 0 once emptied
	reg     metric.Registration
}

func newTelemetry(mp metric.MeterProvider) (*telemetry, error) {
	meter := mp.Meter("attestloki")
	held, err := meter.Int64Counter("attest_dead_letter_records",
		metric.WithDescription("Audit records Loki refused that were put in the Collector's dead-letter queue"))
	if err != nil {
		return nil, err
	}
	replayed, err := meter.Int64Counter("attest_dead_letter_replayed",
		metric.WithDescription("Audit records from the Collector's dead-letter queue that Loki accepted when offered again"))
	if err != nil {
		return nil, err
	}
	gauge, err := meter.Int64ObservableGauge("attest_dead_letter_pending",
		metric.WithDescription("Audit records held in the Collector's dead-letter queue now"))
	if err != nil {
		return nil, err
	}
	return &telemetry{held: held, replayed: replayed, gauge: gauge, meter: meter, pending: map[string]int64{}}, nil
}

// observe starts reporting the pending gauge (from Start: the count of the directory), until
// unobserve.
func (t *telemetry) observe(pending map[string]int64) error {
	t.mu.Lock()
	t.pending = pending
	t.mu.Unlock()
	reg, err := t.meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		t.mu.Lock()
		defer t.mu.Unlock()
		for tenant, n := range t.pending {
			o.ObserveInt64(t.gauge, n, metric.WithAttributes(attribute.String("tenant", tenant)))
		}
		return nil
	}, t.gauge)
	if err != nil {
		return err
	}
	t.mu.Lock()
	t.reg = reg
	t.mu.Unlock()
	return nil
}

func (t *telemetry) unobserve() error {
	t.mu.Lock()
	reg := t.reg
	t.reg = nil
	t.mu.Unlock()
	if reg == nil {
		return nil
	}
	return reg.Unregister()
}

func (t *telemetry) addHeld(ctx context.Context, tenant string, n int64) {
	t.held.Add(ctx, n, metric.WithAttributes(attribute.String("tenant", tenant)))
	t.mu.Lock()
	t.pending[tenant] += n
	t.mu.Unlock()
}

func (t *telemetry) addReplayed(ctx context.Context, tenant string, n int64) {
	t.replayed.Add(ctx, n, metric.WithAttributes(attribute.String("tenant", tenant)))
	t.mu.Lock()
	t.pending[tenant] = max(0, t.pending[tenant]-n)
	t.mu.Unlock()
}
