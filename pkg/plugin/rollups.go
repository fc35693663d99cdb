package plugin

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/attest/auditlog/pkg/loki"
	"github.com/attest/auditlog/pkg/rollup"
)

const (
	// rollupDays is how far back daily counts are kept: the Overview's longest preset (90 days) and a margin.
	rollupDays = 92
	// rollupEvery is how often the daily counts are brought up to date.
	rollupEvery = 10 * time.Minute
	// rollupRecount: a day is counted again on each pass during this long after it ended, so entries
	// that arrive late (a producer's spool replayed after an outage) are in its counts.
	rollupRecount = 48 * time.Hour
	// rollupInFlight is how long a pass waits for the Collectors to send what they have taken in.
	rollupInFlight = 30 * time.Second
)

var (
	rollupStores  sync.Map // data dir → *rollup.Store
	rollupFilling sync.Map // tenant → struct{}
)

// rollups is the daily-count store of the data directory (nil when it cannot be opened).
func (a *App) rollups() *rollup.Store {
	if s, ok := rollupStores.Load(a.settings.DataDir); ok {
		return s.(*rollup.Store)
	}
	s, err := rollup.Open(context.Background(), a.settings.DatabaseURL, filepath.Join(a.settings.DataDir, "rollups.db"))
	if err != nil {
		log.DefaultLogger.Error("the Overview's daily counts are unavailable", "error", err.Error())
		return nil
	}
	actual, loaded := rollupStores.LoadOrStore(a.settings.DataDir, s)
	if loaded {
		s.Close()
	}
	return actual.(*rollup.Store)
}

// ledger reads the Collectors' records per tenant and day; nil when no Collector metrics URL is set.
func (a *App) ledger(ctx context.Context) (*rollup.Ledger, error) {
	if a.settings.CollectorMetricsURL == "" {
		return nil, nil
	}
	var urls []string
	for _, u := range strings.Split(a.settings.CollectorMetricsURL, ",") {
		if u = strings.TrimSpace(u); u != "" {
			urls = append(urls, u)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return rollup.ReadLedger(ctx, a.httpClient, urls)
}

// overview answers from the daily counts where it can (exact, and in seconds at any range) and from
// live queries otherwise. Without the Collectors' ledger the daily counts cannot be trusted to be
// current, so the Overview is read live.
func (a *App) overview(ctx context.Context, c *caller, f loki.Filters, r loki.Range) (*loki.Overview, error) {
	client := a.lokiFor(c)
	if s := a.rollups(); s != nil && rollup.Eligible(f) && time.Duration(r.EndNs-r.StartNs) >= 2*24*time.Hour {
		ledger, err := a.ledger(ctx)
		if err != nil {
			log.DefaultLogger.Warn("the Overview is read live: no Collector ledger", "error", err.Error())
		}
		if ledger != nil {
			o, stale, err := rollup.Overview(ctx, client, s, c.Tenant, f, r, time.Now(), ledger)
			if len(stale) > 0 {
				go a.fillRollups(a.svc.ctx, c.Tenant)
			}
			var tooStale *rollup.ErrStale
			if !errors.As(err, &tooStale) {
				return o, err
			}
		}
	}
	return client.FetchOverview(ctx, f, r)
}

// rollupPass brings every tenant's daily counts up to date (every rollupEvery).
func (a *App) rollupPass(ctx context.Context) {
	if a.settings.CollectorMetricsURL == "" {
		return
	}
	for _, tenant := range a.settings.Tenants() {
		a.fillRollups(ctx, tenant)
	}
}

// fillRollups brings the tenant's daily counts up to date (rollup.Filler), forgetting the days past its
// retention. One pass per tenant at a time.
func (a *App) fillRollups(ctx context.Context, tenant string) {
	if _, running := rollupFilling.LoadOrStore(tenant, struct{}{}); running {
		return
	}
	defer rollupFilling.Delete(tenant)
	s := a.rollups()
	if s == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, time.Hour)
	defer cancel()
	shortest := 0
	if st, err := a.retentionStore().Load(tenant); err == nil {
		p := st.Effective()
		shortest = p.Days
		for _, d := range p.Categories {
			shortest = min(shortest, d)
		}
	}
	client := a.tenantClient(tenant)
	f := &rollup.Filler{Store: s, Ledger: a.ledger, Days: rollupDays, InFlight: rollupInFlight, Recount: rollupRecount,
		Count: func(ctx context.Context, startNs, endNs int64) ([]rollup.EventCount, []rollup.ActorCount, error) {
			return rollup.Count(ctx, client, loki.Filters{}, startNs, endNs)
		}}
	switch err := f.Fill(ctx, tenant, shortest, time.Now()); {
	case errors.Is(err, rollup.ErrInFlight):
		log.DefaultLogger.Info("rollups: "+err.Error(), "tenant", tenant)
	case err != nil:
		log.DefaultLogger.Error("rollups", "tenant", tenant, "error", err.Error())
	}
}
