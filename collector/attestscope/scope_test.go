package attestscope

import (
	"context"
	"testing"

	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

type authData map[string]string

func (d authData) GetAttribute(name string) any { return d[name] }
func (d authData) GetAttributeNames() []string {
	out := []string{}
	for k := range d {
		out = append(out, k)
	}
	return out
}

func logsOf(services ...string) plog.Logs {
	ld := plog.NewLogs()
	for _, s := range services {
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("service.name", s)
		rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr("x")
	}
	return ld
}

func as(producer, services string) context.Context {
	return client.NewContext(context.Background(), client.Info{Auth: authData{"producer": producer, "services": services}})
}

// A producer writes only the services its credential names; an unbound one anything but the
// backend's; one service it may not write refuses the whole request, counted.
func TestAProducerSpeaksOnlyForItsServices(t *testing.T) {
	reader := metric.NewManualReader()
	s, err := newScope(metric.NewMeterProvider(metric.WithReader(reader)), []string{"attest-grafana-app"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		ctx      context.Context
		services []string
		ok       bool
	}{
		{as("billing", "billing-api"), []string{"billing-api"}, true},
		{as("billing", "billing-api"), []string{"billing-api", "crm"}, false},
		{as("billing", "billing-api"), []string{"attest-grafana-app"}, false},
		{as("demo", ""), []string{"crm", "billing-api"}, true},
		{as("demo", ""), []string{"crm", "attest-grafana-app"}, false},
		{as("backend", "attest-grafana-app"), []string{"attest-grafana-app"}, true},
		{context.Background(), []string{"crm"}, false},
	} {
		_, err := s.processLogs(c.ctx, logsOf(c.services...))
		if (err == nil) != c.ok || (err != nil && status.Code(err) != codes.PermissionDenied) {
			t.Errorf("%v: %v", c.services, err)
		}
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	var refused int64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if sum, ok := m.Data.(metricdata.Sum[int64]); ok && m.Name == "attest_scope_refused" {
				for _, dp := range sum.DataPoints {
					refused += dp.Value
				}
			}
		}
	}
	if refused != 3 {
		t.Errorf("refused %d records, want 3 (the request without a producer is not counted)", refused)
	}
}
