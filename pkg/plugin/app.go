// Package plugin is the app's backend: settings, health, and the one route table through which the
// frontend reads the audit trail (role checked, self-audited).
package plugin

import (
	"net/http"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
	"github.com/grafana/grafana-plugin-sdk-go/backend/resource/httpadapter"

	"github.com/attest/auditlog/pkg/keyfile"
	"github.com/attest/auditlog/pkg/selfaudit"
)

var (
	_ backend.CallResourceHandler   = (*App)(nil)
	_ instancemgmt.InstanceDisposer = (*App)(nil)
	_ backend.CheckHealthHandler    = (*App)(nil)
)

// App is one org's instance of the app backend (Grafana makes one per org and settings version), or
// the Service's own instance for background work. It reaches the store through the Service.
type App struct {
	backend.CallResourceHandler
	svc        *Service
	settings   *Settings
	audit      *selfaudit.Emitter
	httpClient *http.Client
	inFlight   *inFlight
}

// emitters are shared by every instance of this process, so that each tenant has one chain per backend
// process even when Grafana recreates instances after a settings change.
var (
	emittersMu sync.Mutex
	emitters   = map[string]*selfaudit.Emitter{}
)

func emitterFor(collectorURL, token, environment, dataDir string) *selfaudit.Emitter {
	key := collectorURL + "|" + token + "|" + environment + "|" + dataDir
	emittersMu.Lock()
	defer emittersMu.Unlock()
	if e, ok := emitters[key]; ok {
		return e
	}
	e := selfaudit.NewEmitter(collectorURL, environment)
	e.Token = token
	// The backend keys its own chain, so that no one who can write to Loki can forge its records.
	if secret, err := keyfile.Load(dataDir, selfAuditKeyFile); err == nil {
		e.Key, e.KeyID = secret, keyfile.ID("attest-app-", secret)
	} else {
		log.DefaultLogger.Warn("the backend's own audit chain is unkeyed", "error", err.Error())
	}
	emitters[key] = e
	return e
}

// selfAuditKeyFile is the key of the backend's own audit chain, in data_dir.
const selfAuditKeyFile = "self-audit-chain.key"

func newApp(svc *Service, settings *Settings) *App {
	a := &App{svc: svc, settings: settings, httpClient: &http.Client{Timeout: 120 * time.Second},
		audit:    emitterFor(settings.CollectorURL, settings.CollectorToken, settings.Environment, settings.KeysDir),
		inFlight: &svc.inFlight}
	a.CallResourceHandler = httpadapter.New(a.newMux())
	return a
}

// Dispose is called when Grafana replaces the instance (settings changed).
func (a *App) Dispose() {
	a.httpClient.CloseIdleConnections()
}
