package plugin

import (
	"context"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

func envOf(m map[string]string) ServerEnv { return func(k string) string { return m[k] } }

func appFor(t *testing.T, svc *Service, org int64, jsonData string) *App {
	t.Helper()
	ctx := backend.WithPluginContext(context.Background(), backend.PluginContext{OrgID: org})
	inst, err := svc.NewApp(ctx, backend.AppInstanceSettings{JSONData: []byte(jsonData),
		DecryptedSecureJSONData: map[string]string{"lokiPassword": "org-secret"}})
	if err != nil {
		t.Fatal(err)
	}
	return inst.(*App)
}

// An org's own store never reaches the backend's reads when the server names one, nor in a
// multi-org install; only org 1 of a single-org install without a server store may name it.
func TestTheStoreComesFromTheServerSettings(t *testing.T) {
	svc, err := NewService(envOf(map[string]string{"GF_PLUGIN_LOKI_URL": "http://gateway:3100", "GF_PLUGIN_LOKI_USER": "attest-service",
		"GF_PLUGIN_LOKI_PASSWORD": "server-secret", "GF_PLUGIN_TENANTS": "1=acme,2=globex"}))
	if err != nil {
		t.Fatal(err)
	}
	org2 := appFor(t, svc, 2, `{"lokiUrl":"http://attacker:3100","lokiUser":"x"}`)
	for _, a := range []*App{org2, svc.sys()} {
		c := a.tenantClient("acme")
		if c.BaseURL != "http://gateway:3100" || c.BasicUser != "attest-service" || c.BasicPass != "server-secret" {
			t.Fatalf("store %+v", c)
		}
	}
	if org2.settings.IgnoredLokiURL != "http://attacker:3100" {
		t.Errorf("the ignored store is not shown: %q", org2.settings.IgnoredLokiURL)
	}

	multi, _ := NewService(envOf(map[string]string{"GF_PLUGIN_TENANTS": "1=acme,2=globex"}))
	appFor(t, multi, 2, `{"lokiUrl":"http://attacker:3100"}`)
	if c := multi.sys().tenantClient("acme"); c.BaseURL != "" {
		t.Fatalf("a multi-org install took an org's store: %q", c.BaseURL)
	}

	single, _ := NewService(envOf(map[string]string{}))
	appFor(t, single, 2, `{"lokiUrl":"http://attacker:3100","tenant":"acme"}`)
	if c := single.sys().tenantClient("acme"); c.BaseURL != "" {
		t.Fatalf("org 2 of a single-org install named the store: %q", c.BaseURL)
	}
	appFor(t, single, 1, `{"lokiUrl":"http://loki:3100","tenant":"acme"}`)
	if c := single.sys().tenantClient("acme"); c.BaseURL != "http://loki:3100" || c.BasicPass != "org-secret" {
		t.Fatalf("org 1 of a single-org install: %+v", c)
	}
	if got := single.sys().settings.Tenants(); len(got) != 1 || got[0] != "acme" {
		t.Fatalf("background tenants %v", got)
	}
}

// Stop ends every background loop.
func TestStopEndsTheBackgroundLoops(t *testing.T) {
	svc := newService(&Settings{DataDir: t.TempDir(), ReadRole: "Admin", CheckpointEvery: DefaultCheckpointEvery, VerifyAt: DefaultVerifyAt,
		PruneAt: DefaultPruneAt}, nil)
	svc.Start()
	done := make(chan struct{})
	go func() { svc.Stop(); close(done) }()
	select {
	case <-done:
	case <-timeAfter(10):
		t.Fatal("Stop did not end the loops")
	}
}

func timeAfter(seconds int) <-chan time.Time { return time.After(time.Duration(seconds) * time.Second) }
