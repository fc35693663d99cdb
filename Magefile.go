//go:build mage
// +build mage

package main

import (
	"github.com/magefile/mage/mg"

	// mage:import
	build "github.com/grafana/grafana-plugin-sdk-go/build"
)

// Default is what `mage` builds.
var Default = Backends

// Backends builds both backends of the plugin for Linux amd64 (the native stack and the compose image):
// the app's (./pkg) and the nested counts datasource's (./pkg/cmd/auditcounts). `mage release` builds
// both for every platform.
func Backends() {
	mg.SerialDeps(build.Build.Linux, CountsLinux)
}

// Release builds both backends for every platform Grafana runs on.
func Release() {
	mg.SerialDeps(build.BuildAll, Counts)
}

// counts points the SDK's build at the counts datasource: its plugin.json, main package and dist
// folder, for the builds of one call.
func counts(builds ...func(build.Build) error) error {
	build.SetBeforeBuildCallback(func(cfg build.Config) (build.Config, error) {
		cfg.PluginJSONPath = "src/datasource"
		cfg.RootPackagePath = "./pkg/cmd/auditcounts"
		cfg.OutputBinaryPath = "dist/datasource"
		return cfg, nil
	})
	defer build.SetBeforeBuildCallback(func(cfg build.Config) (build.Config, error) { return cfg, nil })
	for _, b := range builds {
		if err := b(build.Build{}); err != nil {
			return err
		}
	}
	return nil
}

// CountsLinux builds the counts datasource's backend for Linux amd64.
func CountsLinux() error { return counts(build.Build.Linux) }

// Counts builds the counts datasource's backend for every platform.
func Counts() error {
	return counts(build.Build.Linux, build.Build.LinuxARM, build.Build.LinuxARM64, build.Build.Windows,
		build.Build.Darwin, build.Build.DarwinARM64)
}
