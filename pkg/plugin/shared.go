package plugin

import (
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
