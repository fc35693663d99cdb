package plugin

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A change of the safety switches is in the trail before the new settings serve anything; one that
// cannot be recorded is not applied; settings that did not change write nothing.
func TestConfigChangesAreRecordedBeforeTheyApply(t *testing.T) {
	stub := &collectorStub{}
	srv := httptest.NewServer(stub)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	settings := func(readRole string) *Settings {
		return &Settings{LokiURL: "http://gateway", StoreSource: StoreFromServer, ReadRole: readRole, CollectorURL: srv.URL,
			TenantMap: map[int64]string{2: "globex"}, DataDir: dir}
	}
	svc := newService(settings("Admin"), nil)
	ctx := context.Background()
	if err := newApp(svc, settings("Admin")).recordConfigChange(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if err := newApp(svc, settings("Admin")).recordConfigChange(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if len(stub.bodies) != 1 || !strings.Contains(stub.bodies[0], "audit.config.applied") || !strings.HasPrefix(stub.bodies[0], "globex ") {
		t.Fatalf("first settings: %d records %v", len(stub.bodies), stub.bodies)
	}
	if err := newApp(svc, settings("Viewer")).recordConfigChange(ctx, 2); err != nil {
		t.Fatal(err)
	}
	last := stub.bodies[len(stub.bodies)-1]
	if len(stub.bodies) != 2 || !strings.Contains(last, "audit.config.changed") ||
		!strings.Contains(last, `\"before\":{\"readRole\":\"Admin\"`) || !strings.Contains(last, `\"after\":{\"readRole\":\"Viewer\"`) {
		t.Fatalf("change: %v", stub.bodies)
	}
	stub.status = http.StatusServiceUnavailable
	if err := newApp(svc, settings("Editor")).recordConfigChange(ctx, 2); err == nil {
		t.Fatal("a change that could not be recorded was applied")
	}
	stub.status = 0
	if err := newApp(svc, settings("Editor")).recordConfigChange(ctx, 2); err != nil || !strings.Contains(stub.bodies[len(stub.bodies)-1], `\"readRole\":\"Viewer\"`) {
		t.Fatalf("the refused change is recorded against the last recorded settings: %v %v", err, stub.bodies[len(stub.bodies)-1])
	}
}
