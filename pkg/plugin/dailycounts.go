package plugin

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/attest/auditlog/pkg/dailycounts"
	"github.com/attest/auditlog/pkg/loki"
)

const (
	// dailyCountDays is how far back daily counts are kept: the Overview's longest preset (90 days) and a margin.
	dailyCountDays = 92
	// dailyCountsEvery is how often the daily counts are brought up to date.
	dailyCountsEvery = 10 * time.Minute
	// dailyCountsRecount: a day is counted again on each pass during this long after it ended, so entries
	// that arrive late (a producer's spool replayed after an outage) are in its counts.
	dailyCountsRecount = 48 * time.Hour
	// dailyCountsInFlight is how long a pass waits for the Collectors to send what they have taken in.
	dailyCountsInFlight = 30 * time.Second
)

var (
	dailyCountStores   sync.Map // data dir → *dailycounts.Store
	dailyCountsFilling sync.Map // tenant → struct{}
)

// dailyCounts is the daily-count store of the data directory (nil when it cannot be opened).
func (a *App) dailyCounts() *dailycounts.Store {
	return storeOf(&dailyCountStores, a.settings.DataDir, "the Overview's daily counts", func() (*dailycounts.Store, error) {
		path := filepath.Join(a.settings.DataDir, "daily-counts.db")
		renameLegacy(filepath.Join(a.settings.DataDir, "rollups.db"), path)
		return dailycounts.Open(context.Background(), a.settings.DatabaseURL, path)
	})
}

// renameLegacy moves the store's file from the name earlier versions gave it, with its WAL, so the
// per-actor counts it holds stay where erasure scrubs them. When both exist (an earlier version ran
// again), the old one is removed: the counts are made again from Loki, and no copy escapes erasure.
func renameLegacy(old, path string) {
	_, err := os.Stat(path)
	exists := err == nil
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if exists {
			err = os.Remove(old + suffix)
		} else {
			err = os.Rename(old+suffix, path+suffix)
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			log.DefaultLogger.Error("moving the daily counts", "from", old+suffix, "error", err.Error())
		}
	}
}

// ledger reads the Collectors' records per tenant and day; nil when no Collector metrics URL is set.
func (a *App) ledger(ctx context.Context) (*dailycounts.Ledger, error) {
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
	return dailycounts.ReadLedger(ctx, a.httpClient, urls)
}

// overview answers from the daily counts where it can (exact, and in seconds at any range) and from
// live queries otherwise. Without the Collectors' ledger the daily counts cannot be trusted to be
// current, so the Overview is read live.
func (a *App) overview(ctx context.Context, c *caller, f loki.Filters, r loki.Range) (*loki.Overview, error) {
	client := a.lokiFor(c)
	if s := a.dailyCounts(); s != nil && dailycounts.Eligible(f) && time.Duration(r.EndNs-r.StartNs) >= 2*24*time.Hour {
		ledger, err := a.ledger(ctx)
		if err != nil {
			log.DefaultLogger.Warn("the Overview is read live: no Collector ledger", "error", err.Error())
		}
		if ledger != nil {
			o, stale, err := dailycounts.Overview(ctx, client, s, c.Tenant, f, r, time.Now(), ledger)
			if len(stale) > 0 {
				go a.fillDailyCounts(a.svc.ctx, c.Tenant)
			}
			var tooStale *dailycounts.ErrStale
			if !errors.As(err, &tooStale) {
				return o, err
			}
		}
	}
	return client.FetchOverview(ctx, f, r)
}

// dailyCountsPass brings every tenant's daily counts up to date (every dailyCountsEvery).
func (a *App) dailyCountsPass(ctx context.Context) {
	if a.settings.CollectorMetricsURL == "" {
		return
	}
	for _, tenant := range a.settings.Tenants() {
		a.fillDailyCounts(ctx, tenant)
	}
}

// fillDailyCounts brings the tenant's daily counts up to date (dailycounts.Filler), forgetting the days past its
// retention. One pass per tenant at a time.
func (a *App) fillDailyCounts(ctx context.Context, tenant string) {
	if _, running := dailyCountsFilling.LoadOrStore(tenant, struct{}{}); running {
		return
	}
	defer dailyCountsFilling.Delete(tenant)
	s := a.dailyCounts()
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
	f := &dailycounts.Filler{Store: s, Ledger: a.ledger, Days: dailyCountDays, InFlight: dailyCountsInFlight, Recount: dailyCountsRecount,
		Count: func(ctx context.Context, startNs, endNs int64) ([]dailycounts.EventCount, []dailycounts.ActorCount, error) {
			return dailycounts.Count(ctx, client, loki.Filters{}, startNs, endNs)
		}}
	switch err := f.Fill(ctx, tenant, shortest, time.Now()); {
	case errors.Is(err, dailycounts.ErrInFlight):
		log.DefaultLogger.Info("daily counts: "+err.Error(), "tenant", tenant)
	case err != nil:
		log.DefaultLogger.Error("daily counts", "tenant", tenant, "error", err.Error())
	}
}
