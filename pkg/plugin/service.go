package plugin

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/attest/auditlog/pkg/export"
	"github.com/attest/auditlog/pkg/jobs"
	"github.com/attest/auditlog/pkg/sqldb"
)

// PluginID is the app's plugin id.
const PluginID = "attest-auditlog-app"

// Service is the backend's process-level owner. It is built once from the server-level settings
// (GF_PLUGIN_*), holds the job runner and the store's address and credentials, and runs every
// background loop under one context that Stop cancels. Org instances (App) serve the routes with
// their org's settings and reach the store only through it, so no org's settings can redirect the
// backend's own reads of other tenants.
type Service struct {
	env    ServerEnv
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu sync.Mutex
	// system does the backend's own work: server settings, plus org 1's store and tenant in a
	// single-org install whose server settings name neither.
	system  *App
	started bool
	runner  *jobs.Runner
	signer  *export.Signer
	// inFlight outlives org instances, so a settings change does not reset what a user holds.
	inFlight inFlight
	// configMu serialises the record of org settings changes (configchange.go).
	configMu sync.Mutex
	digests  digests
	// orgs are the latest instance of each org (their settings hold what background work needs of an
	// org, e.g. its Grafana token), appURL is Grafana's public address as Grafana last told it.
	orgs   map[int64]*App
	appURL string
	// scheduleWake starts a schedule pass at once (a schedule was just made).
	scheduleWake chan struct{}
	// lease, in an HA install, is held by the one server that does the background work (leading).
	lease *sqldb.Lease
}

// backgroundLease names the advisory lock of the background work in the shared database.
const backgroundLease = 0x617474657374 // "attest"

// NewService reads the server-level settings; a bad value is an error naming it.
func NewService(env ServerEnv) (*Service, error) {
	if env == nil {
		env = os.Getenv
	}
	settings, err := LoadSettings(backend.AppInstanceSettings{}, env)
	if err != nil {
		return nil, err
	}
	return newService(settings, env), nil
}

func newService(settings *Settings, env ServerEnv) *Service {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{env: env, ctx: ctx, cancel: cancel, orgs: map[int64]*App{}, scheduleWake: make(chan struct{}, 1)}
	s.system = newApp(s, settings)
	if db := s.system.sharedDB(); db != nil {
		s.lease = db.Lease(backgroundLease)
	}
	export.Workers, export.RowsPerShard = settings.ReadWorkers, settings.ReadShardRows
	if settings.DataDir != "" {
		export.SpillDir = filepath.Join(settings.DataDir, "read-spill")
	}
	return s
}

// NewApp is Grafana's instance factory: one App per org and settings version. A change of the
// safety switches, the store or the tenant is recorded in the org's tenant before the new settings
// serve anything; when it cannot be recorded, the instance is not made (Grafana asks again).
func (s *Service) NewApp(ctx context.Context, is backend.AppInstanceSettings) (instancemgmt.Instance, error) {
	settings, err := LoadSettings(is, s.env)
	if err != nil {
		return nil, err
	}
	orgID := backend.PluginConfigFromContext(ctx).OrgID
	if orgID == 0 {
		orgID = 1
	}
	s.placeStore(orgID, settings)
	a := newApp(s, settings)
	if err := a.recordConfigChange(ctx, orgID); err != nil {
		a.Dispose()
		return nil, err
	}
	s.mu.Lock()
	s.orgs[orgID] = a
	if cfg := backend.GrafanaConfigFromContext(ctx); cfg != nil {
		if u, err := cfg.AppURL(); err == nil && u != "" {
			s.appURL = u
		}
	}
	s.mu.Unlock()
	s.Start()
	return a, nil
}

// orgApp is the org's latest instance (nil before the org's first request since the start).
func (s *Service) orgApp(orgID int64) *App {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.orgs[orgID]
}

// publicURL is Grafana's address for links people follow: the app URL Grafana gave, else fallback.
func (s *Service) publicURL(fallback string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.appURL != "" {
		return s.appURL
	}
	return fallback
}

// wakeSchedules asks for a schedule pass now.
func (s *Service) wakeSchedules() {
	select {
	case s.scheduleWake <- struct{}{}:
	default:
	}
}

// placeStore decides whose store the org's instance uses. The server's store whenever the server
// settings name one; an org's own only in a single-org install (no tenant map, org 1), where it also
// becomes the store and tenant of the background work. Anything else an org names is ignored.
func (s *Service) placeStore(orgID int64, org *Settings) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sys := s.system.settings
	switch {
	case org.StoreSource == StoreFromServer:
	case sys.TenantMap == nil && orgID == 1:
		adopted := *sys
		adopted.LokiURL, adopted.LokiUser, adopted.LokiPassword, adopted.LokiToken = org.LokiURL, org.LokiUser, org.LokiPassword, org.LokiToken
		adopted.StoreSource, adopted.Tenant = StoreFromOrg, org.Tenant
		s.system = newApp(s, &adopted)
	default:
		org.IgnoredLokiURL = org.LokiURL
		org.LokiURL, org.LokiUser, org.LokiPassword, org.LokiToken = "", "", "", ""
		org.StoreSource = StoreNone
	}
}

// store is the settings the store's clients are built from (the background work's).
func (s *Service) sys() *App {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.system
}

// Start runs the background loops, once per process; it needs a data directory.
func (s *Service) Start() {
	s.mu.Lock()
	if s.started || s.system.settings.DataDir == "" {
		s.mu.Unlock()
		return
	}
	s.started = true
	s.mu.Unlock()
	// Spills of verifications a restart cut off are of no use to anyone.
	_ = os.RemoveAll(filepath.Join(s.sys().settings.DataDir, spillDir))
	for _, l := range s.loops() {
		s.wg.Add(1)
		go s.run(l)
	}
}

// Stop cancels every background loop and waits for them. Jobs are left to the restart rules: a
// report is resumed by the next process, anything else is marked interrupted.
func (s *Service) Stop() {
	s.cancel()
	s.wg.Wait()
	if s.lease != nil {
		s.lease.Release()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.runner != nil {
		s.runner.Store.Close()
	}
	s.system.Dispose()
}

// loop is one background task: wait says how long to wait before the next pass (first: the pass
// after start), pass does the work with the system instance of that moment.
type loop struct {
	name string
	wait func(a *App, now time.Time, first bool) time.Duration
	pass func(a *App, ctx context.Context)
	// everyServer: runs on every server of an HA install, not only on the one holding the lease.
	everyServer bool
}

// loops are every background task of the backend.
func (s *Service) loops() []loop {
	every := func(d func(a *App) time.Duration) func(*App, time.Time, bool) time.Duration {
		return func(a *App, _ time.Time, first bool) time.Duration {
			if first {
				return 0
			}
			return d(a)
		}
	}
	return []loop{
		// The job runner starts with the process, so reports a restart cut off resume at once.
		{"jobs", func(*App, time.Time, bool) time.Duration { return 0 }, func(_ *App, ctx context.Context) {
			if _, err := s.jobRunner(); err != nil {
				log.DefaultLogger.Error("the job runner did not start", "error", err.Error())
			}
			<-ctx.Done()
		}, true},
		// Jobs whose server died: reports are adopted and resumed here, anything else is marked failed.
		{"orphaned jobs", every(func(*App) time.Duration { return orphanCheckEvery }), func(a *App, ctx context.Context) {
			if rn, err := s.jobRunner(); err == nil {
				a.recoverJobs(ctx, rn)
			}
		}, true},
		{"checkpoint collection", every(func(a *App) time.Duration { return a.settings.CheckpointEvery }), (*App).collectCheckpoints, false},
		{"daily verification", func(a *App, now time.Time, _ bool) time.Duration {
			return nextAt(now.UTC(), a.settings.VerifyAt).Sub(now)
		}, (*App).verifyAllTenants, false},
		{"nightly retention", every(func(*App) time.Duration { return time.Minute }), func() func(*App, context.Context) {
			applied := false
			return func(a *App, ctx context.Context) {
				if !applied {
					if err := a.applyRetention(); err != nil {
						log.DefaultLogger.Error("retention windows not applied to Loki", "error", err.Error())
					}
					applied = true
				}
				a.retentionPass(ctx)
			}
		}(), false},
		{"chain-head digests", every(func(a *App) time.Duration { return a.settings.DigestEvery }), (*App).digestPass, false},
		{"daily counts", every(func(*App) time.Duration { return dailyCountsEvery }), (*App).dailyCountsPass, false},
		{"report schedules", func(a *App, _ time.Time, first bool) time.Duration {
			if first {
				return 0
			}
			if a.settings.ScheduleEvery <= 0 {
				return DefaultScheduleEvery
			}
			return a.settings.ScheduleEvery
		}, func(_ *App, ctx context.Context) { s.schedulePass(ctx) }, false},
		{"export expiry", every(func(*App) time.Duration { return time.Hour }), func(a *App, ctx context.Context) {
			if rn, err := s.jobRunner(); err == nil {
				a.expireExports(ctx, rn)
			}
		}, false},
	}
}

func (s *Service) run(l loop) {
	defer s.wg.Done()
	for first := true; ; first = false {
		wait := l.wait(s.sys(), time.Now(), first)
		var wake <-chan struct{}
		if l.name == "report schedules" {
			wake = s.scheduleWake
		}
		select {
		case <-s.ctx.Done():
			return
		case <-time.After(wait):
		case <-wake:
		}
		func() {
			defer func() {
				if p := recover(); p != nil {
					log.DefaultLogger.Error("panic in background work", "loop", l.name, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				}
			}()
			if l.everyServer || s.leading() {
				l.pass(s.sys(), s.ctx)
			}
		}()
		if s.ctx.Err() != nil {
			return
		}
	}
}

// orphanCheckEvery is how often a server looks for jobs whose server is gone.
var orphanCheckEvery = 10 * time.Second

// leading says whether this server does the background work: always on a single server; in an HA
// install, while it holds the lease (taken by whichever server asks first once the holder is gone).
func (s *Service) leading() bool {
	if s.lease == nil {
		return true
	}
	ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
	defer cancel()
	return s.lease.Held(ctx)
}

// jobRunner is the process's one job runner over the SQLite store in the data directory; a failed
// start is tried again next time.
func (s *Service) jobRunner() (*jobs.Runner, error) {
	s.mu.Lock()
	if s.runner != nil {
		defer s.mu.Unlock()
		return s.runner, nil
	}
	rn, err := s.openRunner(s.system)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	s.sys().resumeReports(s.ctx, rn)
	return rn, nil
}

func (s *Service) openRunner(a *App) (*jobs.Runner, error) {
	dir := a.settings.DataDir
	if dir == "" {
		dir = filepath.Join(os.TempDir(), PluginID)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("the job store is unavailable: %w", err)
	}
	keys := a.settings.KeysDir
	if keys == "" {
		keys = dir
	}
	signer, err := export.LoadSigner(filepath.Join(keys, "signing.key"))
	if err != nil {
		return nil, fmt.Errorf("the export signing key is unavailable: %w", err)
	}
	store, err := jobs.Open(s.ctx, a.settings.DatabaseURL, filepath.Join(dir, "jobs.db"))
	if err != nil {
		return nil, fmt.Errorf("the job store is unavailable: %w", err)
	}
	rn, err := jobs.NewRunner(store, filepath.Join(dir, "files"), reportKind)
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("the job store is unavailable: %w", err)
	}
	if t := a.settings.FilesS3; t.Configured() {
		if err := t.EnsureBucket(s.ctx); err != nil {
			store.Close()
			return nil, fmt.Errorf("the files bucket is unavailable: %w", err)
		}
		rn.Shelf = bucketShelf{t}
	}
	rn.Reason = jobReason
	s.runner, s.signer = rn, signer
	return rn, nil
}

// exportSigner is the key exports and packs are signed with (nil before the runner started).
func (s *Service) exportSigner() *export.Signer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.signer
}

// errNoStore: no store is configured for this org.
var errNoStore = errors.New("no audit store is configured: set loki_url in [plugin.attest-auditlog-app] (grafana.ini)")
