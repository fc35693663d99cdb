package plugin

import (
	"context"
	"os"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/attest/auditlog/pkg/export"
	"github.com/attest/auditlog/pkg/integrity"
	"github.com/attest/auditlog/pkg/loki"
)

// checkpointLag re-reads the last stretch of each collection, for records Loki took in late.
const checkpointLag = 2 * time.Minute

// collectCheckpoints keeps (a pass every CheckpointEvery) the newest checkpoint of each chain in every
// mapped tenant as that chain's head, off the producer and off Loki. Producers record checkpoints
// as heartbeats (heartbeatMillis) and a closing record, in the chain and keyed like any record; the
// backend takes only those whose hash checks. So a chain cut short is found by the next
// verification even when no verification had seen the chain before.
func (a *App) collectCheckpoints(ctx context.Context) {
	for _, tenant := range a.settings.Tenants() {
		tctx, cancel := context.WithTimeout(ctx, a.settings.CheckpointEvery+time.Minute)
		if err := a.collectTenantCheckpoints(tctx, tenant, time.Now()); err != nil {
			log.DefaultLogger.Error("checkpoint collection", "tenant", tenant, "error", err.Error())
		}
		cancel()
	}
}

func (a *App) collectTenantCheckpoints(ctx context.Context, tenant string, now time.Time) error {
	store := a.heads()
	heads, err := store.Load(tenant)
	if err != nil {
		return err
	}
	keys, err := a.chainKeys()
	if err != nil {
		return err
	}
	to := now.UnixNano() - now.UnixNano()%1_000_000
	from := max(heads.CollectedToNs-int64(checkpointLag), now.Add(-MaxVerifyDays*24*time.Hour).UnixNano())
	from -= from % 1_000_000
	client := a.tenantClient(tenant)
	q, err := loki.EventsQuery(loki.Filters{EventTypes: []string{integrity.HeartbeatEvent, integrity.ClosedEvent}})
	if err != nil {
		return err
	}
	got := &entries{keys: keys, intern: integrity.Interner{}}
	if _, err := export.Stream(ctx, client, q, loki.Range{StartNs: from, EndNs: to}, got, func(int64) {}); err != nil {
		return err
	}
	seen, rejected := integrity.CheckpointHeads(got.list, now)
	for _, r := range rejected {
		log.DefaultLogger.Warn("checkpoint not taken: its hash does not check", "tenant", tenant,
			"chain", r.ChainID, "seq", r.Seq, "key", r.KeyID)
	}
	return store.Collected(tenant, seen, to)
}

// tenantClient reaches the store as the backend itself, for one tenant: always with the Service's
// store settings, never an org's.
func (a *App) tenantClient(tenant string) *loki.Client {
	st := a.svc.sys().settings
	pass := st.LokiPassword
	if st.LokiPasswordFile != "" {
		if b, err := os.ReadFile(st.LokiPasswordFile); err == nil {
			pass = strings.TrimSpace(string(b))
		} else {
			log.DefaultLogger.Error("the store's password file cannot be read", "error", err.Error())
		}
	}
	return &loki.Client{BaseURL: st.LokiURL, Tenant: tenant, BasicUser: st.LokiUser,
		BasicPass: pass, BearerToken: st.LokiToken, HTTP: a.httpClient}
}
