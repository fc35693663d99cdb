package plugin

import (
	"io"
	"sync"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/attest/auditlog/pkg/sqldb"
)

// sharedDB is the PostgreSQL database the servers of an HA install share (database_url), nil on a
// single server. The URL was checked with the settings; nil only if the driver refuses it.
func (a *App) sharedDB() *sqldb.DB {
	if a.settings.DatabaseURL == "" {
		return nil
	}
	db, err := sqldb.Pool(a.settings.DatabaseURL)
	if err != nil {
		log.DefaultLogger.Error("the shared database is unavailable", "error", err.Error())
		return nil
	}
	return db
}

// storeOf is the store m keeps for key, opened once (what names it in the log when it cannot be
// opened: the zero T then, and the next call tries again). Of two opened at once, one is kept.
func storeOf[T io.Closer](m *sync.Map, key, what string, open func() (T, error)) T {
	if s, ok := m.Load(key); ok {
		return s.(T)
	}
	s, err := open()
	if err != nil {
		log.DefaultLogger.Error(what+" are unavailable", "error", err.Error())
		var none T
		return none
	}
	actual, loaded := m.LoadOrStore(key, s)
	if loaded {
		s.Close()
	}
	return actual.(T)
}
