package main

import (
	"os"

	"github.com/grafana/grafana-plugin-sdk-go/backend/app"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/attest/auditlog/pkg/plugin"
)

func main() {
	// One owner for the process: server-level settings, the job runner and every background loop.
	svc, err := plugin.NewService(nil)
	if err != nil {
		log.DefaultLogger.Error("the server-level settings are not valid", "error", err.Error())
		os.Exit(1)
	}
	svc.Start()
	err = app.Manage(plugin.PluginID, svc.NewApp, app.ManageOpts{})
	svc.Stop()
	if err != nil {
		log.DefaultLogger.Error(err.Error())
		os.Exit(1)
	}
}
