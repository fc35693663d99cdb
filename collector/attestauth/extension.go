// Package attestauth authenticates audit producers at the Collector: each producer's token maps to
// its tenant (a credentials file operators manage), and that tenant, not the X-Scope-OrgID header the
// producer chose, is where its events go. A wrong or missing credential is refused (HTTP 401) and
// counted. The contrib basicauth and bearertokenauth extensions check a credential but cannot map
// one to a tenant, hence this extension.
package attestauth

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"

	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"
)

// Config of the extension.
type Config struct {
	CredentialsFile string `mapstructure:"credentials_file"`
	// TenantHeader is the request metadata key the exporter's headers_setter reads the tenant from.
	TenantHeader string `mapstructure:"tenant_header"`
}

var typ = component.MustNewType("attest_auth")

// NewFactory makes the extension's factory.
func NewFactory() extension.Factory {
	return extension.NewFactory(typ, func() component.Config { return &Config{TenantHeader: "X-Scope-OrgID"} },
		create, component.StabilityLevelBeta)
}

func create(_ context.Context, set extension.Settings, cfg component.Config) (extension.Extension, error) {
	c := cfg.(*Config)
	if c.CredentialsFile == "" {
		return nil, errors.New("attest_auth: credentials_file is required")
	}
	creds := &credentials{path: c.CredentialsFile}
	if err := creds.load(); err != nil {
		return nil, err
	}
	refused, err := set.TelemetrySettings.MeterProvider.Meter("attestauth").Int64Counter("attest_auth_refused",
		metric.WithDescription("OTLP requests refused for a missing or wrong producer credential"))
	if err != nil {
		return nil, err
	}
	return &auth{creds: creds, header: strings.ToLower(c.TenantHeader), refused: refused, log: set.Logger}, nil
}

type auth struct {
	component.StartFunc
	component.ShutdownFunc
	creds   *credentials
	header  string
	refused metric.Int64Counter
	log     *zap.Logger
}

// Refusals: the reason is the error text the receiver answers with (401).
var (
	errMissing = errors.New("audit producer credential missing: send Authorization: Bearer <token>")
	errUnknown = errors.New("audit producer credential not recognised")
	errTenant  = errors.New("this credential writes to several tenants: send X-Scope-OrgID")
)

// Authenticate maps the request's token to its producer and puts the producer's tenant in the
// request metadata the exporter forwards to Loki.
func (a *auth) Authenticate(ctx context.Context, headers map[string][]string) (context.Context, error) {
	token := tokenOf(headerValue(headers, "authorization"))
	if token == "" {
		return ctx, a.refuse(ctx, "missing", errMissing)
	}
	p, ok, reloadErr := a.creds.lookup(token)
	if reloadErr != nil {
		a.log.Error("the credentials file could not be read again; the previous credentials stay", zap.Error(reloadErr))
	}
	if !ok {
		return ctx, a.refuse(ctx, "unknown", errUnknown)
	}
	tenant := p.Tenant
	if tenant == AnyTenant {
		if tenant = headerValue(headers, a.header); tenant == "" {
			return ctx, a.refuse(ctx, "no_tenant", errTenant)
		}
	}
	info := client.FromContext(ctx)
	md := map[string][]string{}
	for k := range info.Metadata.Keys() {
		md[k] = info.Metadata.Get(k)
	}
	md[a.header] = []string{tenant}
	info.Metadata = client.NewMetadata(md)
	info.Auth = authData{"producer": p.Name, "tenant": tenant, "services": strings.Join(p.Services, ",")}
	return client.NewContext(ctx, info), nil
}

func (a *auth) refuse(ctx context.Context, reason string, err error) error {
	a.refused.Add(ctx, 1, metric.WithAttributes(attribute.String("reason", reason)))
	return err
}

func headerValue(headers map[string][]string, name string) string {
	for k, v := range headers {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
	}
	return ""
}

// tokenOf reads a Bearer token, or the password of Basic credentials.
func tokenOf(authorization string) string {
	scheme, rest, ok := strings.Cut(authorization, " ")
	if !ok {
		return ""
	}
	switch strings.ToLower(scheme) {
	case "bearer":
		return strings.TrimSpace(rest)
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
		if err != nil {
			return ""
		}
		_, password, _ := strings.Cut(string(raw), ":")
		return password
	}
	return ""
}

type authData map[string]string

func (d authData) GetAttribute(name string) any { return d[name] }

func (d authData) GetAttributeNames() []string {
	out := make([]string, 0, len(d))
	for k := range d {
		out = append(out, k)
	}
	return out
}
