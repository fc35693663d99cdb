package attestdays

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

type dayKey struct {
	tenant string
	day    int64
}

type counter struct {
	header  string
	records metric.Int64Counter
	mu      sync.Mutex
	// The attribute sets are made once per tenant and day: the counting costs a map lookup per record.
	sets map[dayKey]metric.AddOption
}

func newCounter(mp metric.MeterProvider, header string) (*counter, error) {
	records, err := mp.Meter("attestdays").Int64Counter("attest_records",
		metric.WithDescription("Log records that passed the Collector, by tenant and UTC day of their timestamp"))
	if err != nil {
		return nil, err
	}
	return &counter{header: header, records: records, sets: map[dayKey]metric.AddOption{}}, nil
}

// tenantOf is the request's tenant as attest_auth put it in the metadata ("" when there is none).
func tenantOf(ctx context.Context, header string) string {
	if v := client.FromContext(ctx).Metadata.Get(header); len(v) > 0 {
		return v[0]
	}
	return ""
}

func (c *counter) processLogs(ctx context.Context, ld plog.Logs) (plog.Logs, error) {
	tenant := tenantOf(ctx, c.header)
	perDay := map[int64]int64{}
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		sls := rls.At(i).ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				lr := lrs.At(k)
				ts := lr.Timestamp()
				if ts == 0 {
					ts = lr.ObservedTimestamp()
				}
				perDay[int64(ts)/int64(24*time.Hour)]++
			}
		}
	}
	for day, n := range perDay {
		c.records.Add(ctx, n, c.set(dayKey{tenant, day}))
	}
	return ld, nil
}

func (c *counter) set(k dayKey) metric.AddOption {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.sets[k]; ok {
		return s
	}
	s := metric.WithAttributeSet(attribute.NewSet(attribute.String("tenant", k.tenant),
		attribute.String("day", time.Unix(k.day*86400, 0).UTC().Format("2006-01-02"))))
	c.sets[k] = s
	return s
}
