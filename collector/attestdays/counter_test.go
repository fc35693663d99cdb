package attestdays

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

func TestCountsRecordsByTenantAndDay(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	c, err := newCounter(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)), "X-Scope-OrgID")
	if err != nil {
		t.Fatal(err)
	}
	day1 := time.Date(2026, 12, 1, 23, 59, 59, 0, time.UTC)
	day2 := day1.Add(2 * time.Second)
	send := func(tenant string, times ...time.Time) {
		ld := plog.NewLogs()
		lrs := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
		for _, ts := range times {
			lrs.AppendEmpty().SetTimestamp(pcommon.NewTimestampFromTime(ts))
		}
		ctx := client.NewContext(context.Background(), client.Info{Metadata: client.NewMetadata(map[string][]string{"X-Scope-OrgID": {tenant}})})
		if _, err := c.processLogs(ctx, ld); err != nil {
			t.Fatal(err)
		}
	}
	send("acme", day1, day1, day2)
	send("globex", day2)
	send("acme", day2)

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
				tenant, _ := dp.Attributes.Value("tenant")
				day, _ := dp.Attributes.Value("day")
				got[tenant.AsString()+" "+day.AsString()] = dp.Value
			}
		}
	}
	want := map[string]int64{"acme 2026-12-01": 2, "acme 2026-12-02": 2, "globex 2026-12-02": 1}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %d, want %d (all: %v)", k, got[k], v, got)
		}
	}
}
