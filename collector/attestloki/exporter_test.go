package attestloki

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configauth"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.uber.org/zap/zaptest"
)

// testConfig: Loki at l, synchronous (no queue) so a test sees each push's outcome, quick retries,
// and no replay but the one at Start unless a test asks for it.
func testConfig(l *fakeLoki, dir string) *Config {
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	cfg.ClientConfig.Endpoint = l.endpoint()
	cfg.ClientConfig.Auth = configoptional.Some(configauth.Config{AuthenticatorID: authID})
	cfg.QueueConfig = configoptional.None[exporterhelper.QueueBatchConfig]()
	cfg.RetryConfig.InitialInterval = 5 * time.Millisecond
	cfg.RetryConfig.MaxInterval = 20 * time.Millisecond
	cfg.RetryConfig.MaxElapsedTime = 5 * time.Second
	cfg.DeadLetter.Directory = dir
	cfg.DeadLetter.ReplayInterval = time.Hour
	return cfg
}

type running struct {
	exporter.Logs
	reader   *sdkmetric.ManualReader
	stopOnce sync.Once
}

func startExporter(t *testing.T, cfg *Config) *running {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	reader := sdkmetric.NewManualReader()
	set := exportertest.NewNopSettings(typ)
	set.ID = component.NewIDWithName(typ, "loki")
	set.MeterProvider = sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	set.Logger = zaptest.NewLogger(t)
	exp, err := NewFactory().CreateLogs(context.Background(), set, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := exp.Start(context.Background(), testHost{}); err != nil {
		t.Fatal(err)
	}
	r := &running{Logs: exp, reader: reader}
	t.Cleanup(func() { r.stop(t) })
	return r
}

func (r *running) stop(t *testing.T) {
	r.stopOnce.Do(func() {
		if err := r.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	})
}

// metric gives a metric's values by tenant.
func (r *running) metric(t *testing.T, name string) map[string]int64 {
	t.Helper()
	return r.metricBy(t, name, "tenant")
}

// metricBy gives a metric's values by the attribute key.
func (r *running) metricBy(t *testing.T, name, key string) map[string]int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := r.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			var points []metricdata.DataPoint[int64]
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				points = d.DataPoints
			case metricdata.Gauge[int64]:
				points = d.DataPoints
			}
			for _, dp := range points {
				v, _ := dp.Attributes.Value(attribute.Key(key))
				out[v.AsString()] += dp.Value
			}
		}
	}
	return out
}

// batch is n audit records over two resources (billing-api, then crm, both in prod), the ones at
// refused carrying the marker the fake Loki refuses.
func batch(n int, refused ...int) plog.Logs {
	ld := plog.NewLogs()
	var scope plog.ScopeLogs
	for i := 0; i < n; i++ {
		if i == 0 || i == n/2 {
			rl := ld.ResourceLogs().AppendEmpty()
			rl.Resource().Attributes().PutStr("service.name", map[bool]string{true: "billing-api", false: "crm"}[i == 0])
			rl.Resource().Attributes().PutStr("deployment.environment.name", "prod")
			scope = rl.ScopeLogs().AppendEmpty()
			scope.Scope().SetName("attest")
		}
		lr := scope.LogRecords().AppendEmpty()
		lr.SetTimestamp(1_700_000_000_000_000_000)
		lr.Body().SetStr(body(i, slices.Contains(refused, i)))
		lr.Attributes().PutStr("audit.id", fmt.Sprintf("id-%d", i))
	}
	return ld
}

func body(i int, refused bool) string {
	if refused {
		return fmt.Sprintf("event %d %s", i, marker)
	}
	return fmt.Sprintf("event %d", i)
}

// held reads the dead-letter directory: each file's records' bodies, and its header.
func held(t *testing.T, dir string) (bodies []string, headers []letter) {
	t.Helper()
	d := deadLetters{dir: dir}
	names, err := d.list()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		h, ld, err := d.read(name)
		if err != nil {
			t.Fatal(err)
		}
		headers = append(headers, h)
		rls := ld.ResourceLogs()
		for i := 0; i < rls.Len(); i++ {
			sls := rls.At(i).ScopeLogs()
			for j := 0; j < sls.Len(); j++ {
				lrs := sls.At(j).LogRecords()
				for k := 0; k < lrs.Len(); k++ {
					bodies = append(bodies, lrs.At(k).Body().AsString())
				}
			}
		}
	}
	slices.Sort(bodies)
	return bodies, headers
}

// audit gives the bodies of the audit records Loki stored (notices left out), and the notices.
func audit(records []stored) (bodies []string, notices []stored) {
	seen := map[string]bool{}
	for _, r := range records {
		if r.service == "attest-collector" {
			notices = append(notices, r)
			continue
		}
		if !seen[r.tenant+"/"+r.body] {
			seen[r.tenant+"/"+r.body] = true
			bodies = append(bodies, r.body)
		}
	}
	slices.Sort(bodies)
	return bodies, notices
}

func bodies(n int, refused bool, only ...int) []string {
	var out []string
	for i := 0; i < n; i++ {
		if slices.Contains(only, i) == refused {
			out = append(out, body(i, refused))
		}
	}
	slices.Sort(out)
	return out
}

// Loki refuses 3 records of 20: the 17 others are stored, exactly the 3 are on disk with their
// tenant and Loki's reason, counted, and the tenant is told by an audit event.
func TestRefusedRecordsAreHeldAndAnnounced(t *testing.T) {
	l := newFakeLoki(t)
	dir := t.TempDir()
	exp := startExporter(t, testConfig(l, dir))
	refused := []int{3, 11, 17}

	if err := exp.ConsumeLogs(asTenant("acme"), batch(20, refused...)); err != nil {
		t.Fatalf("the push failed although every record is stored or held: %v", err)
	}

	stored, notices := audit(l.records())
	if want := bodies(20, false, refused...); !slices.Equal(stored, want) {
		t.Errorf("Loki stored %v, want the 17 others %v", stored, want)
	}
	gotHeld, headers := held(t, dir)
	if want := bodies(20, true, refused...); !slices.Equal(gotHeld, want) {
		t.Errorf("held %v, want %v", gotHeld, want)
	}
	if len(headers) != 3 {
		t.Errorf("%d dead-letter files, want one per refused record", len(headers))
	}
	for _, h := range headers {
		if h.Records != 1 || tenantOf(h.Metadata, "X-Scope-OrgID") != "acme" || !strings.Contains(h.Reason, "timestamp too old") || h.Time.IsZero() {
			t.Errorf("header %+v: want 1 record of acme with Loki's reason and a time", h)
		}
	}
	if got := exp.metric(t, "attest_dead_letter_records"); got["acme"] != 3 {
		t.Errorf("attest_dead_letter_records %v, want acme=3", got)
	}
	if got := exp.metric(t, "attest_dead_letter_pending"); got["acme"] != 3 {
		t.Errorf("attest_dead_letter_pending %v, want acme=3", got)
	}

	// The inner otlphttp exporter's own counts carry an ID of their own (pkg/dailycounts skips it).
	sent := exp.metricBy(t, "otelcol_exporter_sent_log_records", "exporter")
	if sent["attest_loki/loki"] != 20 || sent["otlp_http/attest_loki_loki_inner"] == 0 {
		t.Errorf("otelcol_exporter_sent_log_records by exporter %v", sent)
	}

	if len(notices) != 1 {
		t.Fatalf("%d notices, want 1: %+v", len(notices), notices)
	}
	n := notices[0]
	if n.tenant != "acme" || n.env != "prod" || n.severity != plog.SeverityNumberError || n.sevText != "ERROR" {
		t.Errorf("notice tenant %q env %q severity %v %q", n.tenant, n.env, n.severity, n.sevText)
	}
	if n.body != "3 audit events refused by the store are held in the Collector's dead-letter queue" {
		t.Errorf("notice body %q", n.body)
	}
	want := map[string]any{"audit.event": "audit.delivery.refused", "audit.category": "SYSTEM", "audit.action": "deliver",
		"audit.outcome": "failure", "audit.actor.type": "system", "user.id": "attest-collector", "audit.delivery.records": int64(3)}
	for k, v := range want {
		if n.attrs[k] != v {
			t.Errorf("notice %s = %v, want %v", k, n.attrs[k], v)
		}
	}
	if id, err := uuid.Parse(fmt.Sprint(n.attrs["audit.id"])); err != nil || id.Version() != 7 {
		t.Errorf("notice audit.id %v is not a UUIDv7", n.attrs["audit.id"])
	}
	reason := fmt.Sprint(n.attrs["audit.delivery.reason"])
	if !strings.HasPrefix(reason, "entry for stream") || strings.Contains(reason, "error exporting items") {
		t.Errorf("notice reason %q: want Loki's message alone", reason)
	}
}

// 429 and 503 are Loki's "later": retried until it takes the records, nothing held.
func TestTransientErrorsAreRetriedNotHeld(t *testing.T) {
	for _, code := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			l := newFakeLoki(t)
			dir := t.TempDir()
			exp := startExporter(t, testConfig(l, dir))
			l.answerNext(code, code)

			if err := exp.ConsumeLogs(asTenant("acme"), batch(5)); err != nil {
				t.Fatal(err)
			}
			if got, want := l.requestCount(), 3; got != want {
				t.Errorf("%d requests, want %d (two refusals, then the retry Loki takes)", got, want)
			}
			if stored, _ := audit(l.records()); !slices.Equal(stored, bodies(5, false)) {
				t.Errorf("Loki stored %v", stored)
			}
			if gotHeld, _ := held(t, dir); len(gotHeld) != 0 {
				t.Errorf("held %v, want nothing", gotHeld)
			}
			if got := exp.metric(t, "attest_dead_letter_records"); len(got) != 0 {
				t.Errorf("attest_dead_letter_records %v, want none", got)
			}
		})
	}
}

// Loki becomes unavailable while refused records are sorted out: what is sorted stays sorted, and
// only what was not sent yet is retried (no record held twice).
func TestUnavailableWhileSortingRetriesTheRest(t *testing.T) {
	l := newFakeLoki(t)
	dir := t.TempDir()
	exp := startExporter(t, testConfig(l, dir))
	refused := []int{2, 13}
	// As Loki for the batch and the halves down to record 2, refused alone (6 requests); then 503
	// for record 3, the next one sent.
	l.answerNext(0, 0, 0, 0, 0, 0, http.StatusServiceUnavailable)

	if err := exp.ConsumeLogs(asTenant("acme"), batch(16, refused...)); err != nil {
		t.Fatal(err)
	}
	if stored, _ := audit(l.records()); !slices.Equal(stored, bodies(16, false, refused...)) {
		t.Errorf("Loki stored %v", stored)
	}
	if gotHeld, _ := held(t, dir); !slices.Equal(gotHeld, bodies(16, true, refused...)) {
		t.Errorf("held %v, want each refused record once", gotHeld)
	}
	if got := exp.metric(t, "attest_dead_letter_records"); got["acme"] != 2 {
		t.Errorf("attest_dead_letter_records %v, want acme=2", got)
	}
}

// With Attest's queue (batches partitioned by tenant), held records of two tenants are replayed
// once Loki takes them, each with the tenant it came with; the files go, and pending falls to 0.
func TestReplayDeliversHeldRecordsToTheirTenant(t *testing.T) {
	l := newFakeLoki(t)
	dir := t.TempDir()
	cfg := createDefaultConfig().(*Config)
	conf := confmap.NewFromStringMap(map[string]any{
		"endpoint": l.endpoint(),
		"auth":     map[string]any{"authenticator": authID.String()},
		"sending_queue": map[string]any{
			"num_consumers": 2, "queue_size": 100, "block_on_overflow": true,
			"batch": map[string]any{"flush_timeout": "20ms", "sizer": "items", "min_size": 1000, "max_size": 8000,
				"partition": map[string]any{"metadata_keys": []any{"X-Scope-OrgID"}}},
		},
		"retry_on_failure": map[string]any{"initial_interval": "5ms", "max_interval": "20ms", "max_elapsed_time": 0},
		"dead_letter":      map[string]any{"directory": dir, "replay_interval": "50ms"},
	})
	if err := conf.Unmarshal(cfg); err != nil {
		t.Fatal(err)
	}
	exp := startExporter(t, cfg)

	if err := exp.ConsumeLogs(asTenant("acme"), batch(10, 1, 8)); err != nil {
		t.Fatal(err)
	}
	if err := exp.ConsumeLogs(asTenant("globex"), batch(6, 4)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "3 records held", func() bool {
		got, _ := held(t, dir)
		return len(got) == 3
	})
	_, headers := held(t, dir)
	tenants := map[string]int{}
	for _, h := range headers {
		tenants[tenantOf(h.Metadata, "X-Scope-OrgID")]++
	}
	if tenants["acme"] != 2 || tenants["globex"] != 1 {
		t.Errorf("held by tenant %v, want acme 2, globex 1", tenants)
	}

	l.setAcceptAll(true)
	waitFor(t, "the dead-letter queue emptied", func() bool {
		got, _ := held(t, dir)
		p := exp.metric(t, "attest_dead_letter_pending")
		return len(got) == 0 && p["acme"] == 0 && p["globex"] == 0
	})
	replayed := map[string]string{}
	for _, r := range l.records() {
		if strings.Contains(r.body, marker) {
			replayed[r.body] = r.tenant
		}
	}
	want := map[string]string{body(1, true): "acme", body(8, true): "acme", body(4, true): "globex"}
	if fmt.Sprint(replayed) != fmt.Sprint(want) {
		t.Errorf("replayed %v, want %v", replayed, want)
	}
	if got := exp.metric(t, "attest_dead_letter_replayed"); got["acme"] != 2 || got["globex"] != 1 {
		t.Errorf("attest_dead_letter_replayed %v, want acme=2 globex=1", got)
	}
}

// Records Loki still refuses stay held across a restart, and the new exporter counts them.
func TestRestartCountsHeldRecords(t *testing.T) {
	l := newFakeLoki(t)
	dir := t.TempDir()
	first := startExporter(t, testConfig(l, dir))
	if err := first.ConsumeLogs(asTenant("acme"), batch(4, 0, 3)); err != nil {
		t.Fatal(err)
	}
	first.stop(t)

	before := l.requestCount()
	second := startExporter(t, testConfig(l, dir))
	if got := second.metric(t, "attest_dead_letter_pending"); got["acme"] != 2 {
		t.Errorf("attest_dead_letter_pending after restart %v, want acme=2", got)
	}
	waitFor(t, "the replay at start", func() bool { return l.requestCount() >= before+2 })
	if gotHeld, _ := held(t, dir); !slices.Equal(gotHeld, bodies(4, true, 0, 3)) {
		t.Errorf("held %v after a replay Loki refused, want both kept", gotHeld)
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
