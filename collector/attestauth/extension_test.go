package attestauth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/extension/extensionauth"
	"go.opentelemetry.io/otel/metric/noop"
	"go.uber.org/zap"
)

func hash(token string) string {
	s := sha256.Sum256([]byte(token))
	return hex.EncodeToString(s[:])
}

func newAuth(t *testing.T, file string) (*auth, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "producers.yaml")
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	creds := &credentials{path: path}
	if err := creds.load(); err != nil {
		t.Fatal(err)
	}
	counter, _ := noop.NewMeterProvider().Meter("x").Int64Counter("x")
	return &auth{creds: creds, header: "x-scope-orgid", refused: counter, log: zap.NewNop()}, path
}

var _ extensionauth.Server = (*auth)(nil)

func TestTheTenantComesFromTheCredentialNotTheHeader(t *testing.T) {
	a, _ := newAuth(t, "producers:\n  - {name: billing, tenant: acme, token_sha256: "+hash("tok-a")+"}\n  - {name: backend, tenant: '*', token_sha256: "+hash("tok-any")+"}\n")
	ctx := client.NewContext(context.Background(), client.Info{Metadata: client.NewMetadata(map[string][]string{"X-Scope-OrgID": {"globex"}, "user-agent": {"py"}})})
	for _, h := range []map[string][]string{
		{"Authorization": {"Bearer tok-a"}, "X-Scope-OrgID": {"globex"}},
		{"authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("billing:tok-a"))}},
	} {
		out, err := a.Authenticate(ctx, h)
		if err != nil {
			t.Fatal(err)
		}
		info := client.FromContext(out)
		if got := info.Metadata.Get("X-Scope-OrgID"); len(got) != 1 || got[0] != "acme" {
			t.Fatalf("tenant %v", got)
		}
		if info.Metadata.Get("user-agent")[0] != "py" || info.Auth.GetAttribute("producer") != "billing" {
			t.Fatalf("metadata %v auth %v", info.Metadata, info.Auth)
		}
	}
	out, err := a.Authenticate(ctx, map[string][]string{"Authorization": {"Bearer tok-any"}, "X-Scope-OrgID": {"initech"}})
	if err != nil || client.FromContext(out).Metadata.Get("x-scope-orgid")[0] != "initech" {
		t.Fatalf("a trusted writer names its tenant: %v", err)
	}
	if _, err := a.Authenticate(ctx, map[string][]string{"Authorization": {"Bearer tok-any"}}); err != errTenant {
		t.Fatalf("a trusted writer without a tenant: %v", err)
	}
}

func TestWrongOrMissingCredentialsAreRefused(t *testing.T) {
	a, _ := newAuth(t, "producers:\n  - {name: billing, tenant: acme, token_sha256: "+hash("tok-a")+"}\n")
	for h, want := range map[string]error{"": errMissing, "Bearer ": errMissing, "Bearer tok-b": errUnknown, "Token tok-a": errMissing,
		"Basic " + base64.StdEncoding.EncodeToString([]byte("billing:nope")): errUnknown} {
		if _, err := a.Authenticate(context.Background(), map[string][]string{"Authorization": {h}}); err != want {
			t.Errorf("%q: %v, want %v", h, err, want)
		}
	}
}

func TestTheFileIsReadAgainWhenItChanges(t *testing.T) {
	a, path := newAuth(t, "producers:\n  - {name: billing, tenant: acme, token_sha256: "+hash("tok-a")+"}\n")
	if _, err := a.Authenticate(context.Background(), map[string][]string{"Authorization": {"Bearer tok-a"}}); err != nil {
		t.Fatal(err)
	}
	// Revoked: tok-a removed, tok-c added.
	os.WriteFile(path, []byte("producers:\n  - {name: crm, tenant: globex, token_sha256: "+hash("tok-c")+"}\n"), 0o600)
	future := time.Now().Add(2 * time.Second)
	os.Chtimes(path, future, future)
	a.creds.checked = time.Time{}
	if _, err := a.Authenticate(context.Background(), map[string][]string{"Authorization": {"Bearer tok-a"}}); err != errUnknown {
		t.Fatalf("a revoked token: %v", err)
	}
	out, err := a.Authenticate(context.Background(), map[string][]string{"Authorization": {"Bearer tok-c"}})
	if err != nil || client.FromContext(out).Metadata.Get("X-Scope-OrgID")[0] != "globex" {
		t.Fatalf("a new producer: %v", err)
	}
	// A broken file keeps the credentials read before.
	os.WriteFile(path, []byte("producers: ["), 0o600)
	future = future.Add(2 * time.Second)
	os.Chtimes(path, future, future)
	a.creds.checked = time.Time{}
	if _, err := a.Authenticate(context.Background(), map[string][]string{"Authorization": {"Bearer tok-c"}}); err != nil {
		t.Fatalf("a broken file locked a producer out: %v", err)
	}
}

func TestABadFileIsRefusedAtStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.yaml")
	os.WriteFile(path, []byte("producers:\n  - {name: x, tenant: acme, token_sha256: nothex}\n"), 0o600)
	if err := (&credentials{path: path}).load(); err == nil {
		t.Fatal("a token_sha256 that is not 64 hex digits must be refused")
	}
}
