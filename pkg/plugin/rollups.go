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
	s, err := rollup.Open(filepath.Join(a.settings.DataDir, "rollups.db"))
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

// fillRollups counts the tenant's settled days that are not counted yet, counted before entries
// arrived for them, or recently ended; newest first. It forgets the days past the tenant's retention.
// One pass per tenant at a time.
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
	now := time.Now().UTC()
	oldest := now.Truncate(24*time.Hour).AddDate(0, 0, -rollupDays)
	if st, err := a.retentionStore().Load(tenant); err == nil {
		p := st.Effective()
		shortest := p.Days
		for _, d := range p.Categories {
			shortest = min(shortest, d)
		}
		cutoff := now.Truncate(24*time.Hour).AddDate(0, 0, -shortest+1)
		if err := s.Forget(ctx, tenant, cutoff); err != nil {
			log.DefaultLogger.Error("rollups: forgetting days past retention", "tenant", tenant, "error", err.Error())
		}
		if cutoff.After(oldest) {
			oldest = cutoff
		}
	}
	have, err := s.Have(ctx, tenant, oldest, now)
	if err != nil {
		log.DefaultLogger.Error("rollups", "tenant", tenant, "error", err.Error())
		return
	}
	// The ledger before the counts, and a wait until the Collectors have sent every record it counts:
	// then those records are in Loki. Entries arriving during the pass make the ledger move past what
	// is stored, so their days are counted again.
	ledger, err := a.ledger(ctx)
	if err != nil || ledger == nil {
		return
	}
	for deadline := time.Now().Add(rollupInFlight); ; {
		later, err := a.ledger(ctx)
		if err != nil {
			return
		}
		if ledger.Delivered(later) {
			break
		}
		if time.Now().After(deadline) {
			log.DefaultLogger.Info("rollups: the Collector has not sent everything yet; counting later", "tenant", tenant,
				"passed", ledger.Passed, "sent", later.Sent)
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	client := a.tenantClient(tenant)
	for d := now.Truncate(24 * time.Hour).Add(-24 * time.Hour); !d.Before(oldest); d = d.Add(-24 * time.Hour) {
		end := d.Add(24 * time.Hour)
		kept := have[d.Unix()]
		if end.After(now.Add(-rollup.Settle)) ||
			(kept != nil && kept.Ledger == ledger.Of(tenant, d) && now.Sub(end) > rollupRecount) {
			continue
		}
		events, actors, err := rollup.Count(ctx, client, loki.Filters{}, d.UnixNano(), end.UnixNano())
		if err == nil {
			err = s.Put(ctx, tenant, rollup.Day{Start: d, Events: events, Actors: actors, Computed: time.Now(), Ledger: ledger.Of(tenant, d)})
		}
		if err != nil {
			log.DefaultLogger.Error("rollups: counting a day", "tenant", tenant, "day", d.Format("2006-01-02"), "error", err.Error())
			return
		}
	}
}
