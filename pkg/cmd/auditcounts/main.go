// Command auditcounts is the backend of the counts datasource nested in the app
// (dist/datasource/gpx_auditcounts_<os>_<arch>).
package main

import (
	"os"

	"github.com/grafana/grafana-plugin-sdk-go/backend/datasource"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/attest/auditlog/pkg/countsds"
)

func main() {
	if err := datasource.Manage(countsds.PluginID, countsds.New, datasource.ManageOpts{}); err != nil {
		log.DefaultLogger.Error(err.Error())
		os.Exit(1)
	}
}
