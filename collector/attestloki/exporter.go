package attestloki

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"
	"go.opentelemetry.io/collector/exporter/otlphttpexporter"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

type lokiExporter struct {
	cfg    *Config
	logger *zap.Logger
	// inner is an otlphttp exporter without queue or retry: its ConsumeLogs returns Loki's answer.
	inner exporter.Logs
	store deadLetters
	tel   *telemetry
	now   func() time.Time

	mu   sync.Mutex // guards stop and done
	stop context.CancelFunc
	done chan struct{}
}

func newLokiExporter(ctx context.Context, set exporter.Settings, cfg *Config) (*lokiExporter, error) {
	tel, err := newTelemetry(set.MeterProvider)
	if err != nil {
		return nil, err
	}
	inner, err := newInner(ctx, set, cfg)
	if err != nil {
		return nil, err
	}
	return &lokiExporter{cfg: cfg, logger: set.Logger, inner: inner, store: deadLetters{dir: cfg.DeadLetter.Directory},
		tel: tel, now: time.Now}, nil
}

// newInner makes the otlphttp exporter that talks to Loki. Its ID is
// otlp_http/attest_loki[_<name>]_inner, so its own metrics (otelcol_exporter_sent_log_records, ...),
// which count records the outer exporter counts too, are told apart (pkg/dailycounts skips the "_inner"
// suffix). Its send_failed count includes the halves Loki refused while records were sorted out.
func newInner(ctx context.Context, set exporter.Settings, cfg *Config) (exporter.Logs, error) {
	f := otlphttpexporter.NewFactory()
	ic := f.CreateDefaultConfig().(*otlphttpexporter.Config)
	ic.ClientConfig = cfg.ClientConfig
	ic.LogsEndpoint = cfg.LogsEndpoint
	ic.QueueConfig = configoptional.None[exporterhelper.QueueBatchConfig]()
	ic.RetryConfig.Enabled = false

	name := typ.String()
	if set.ID.Name() != "" {
		name += "_" + set.ID.Name()
	}
	name += "_inner"
	is := set
	is.ID = component.NewIDWithName(f.Type(), name)
	is.Logger = set.Logger.With(zap.String("inner", is.ID.String())).WithOptions(zap.WrapCore(quietFailures))
	return f.CreateLogs(ctx, is, ic)
}

// quietFailures turns the inner exporter's "Exporting failed. Rejecting data." errors into debug
// lines: every half Loki refuses while refused records are sorted out would log one, though nothing
// is lost. This exporter logs what happened to the records instead.
func quietFailures(c zapcore.Core) zapcore.Core { return quietCore{c} }

type quietCore struct{ zapcore.Core }

func (c quietCore) With(fields []zapcore.Field) zapcore.Core { return quietCore{c.Core.With(fields)} }

func (c quietCore) Check(ent zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if strings.HasPrefix(ent.Message, "Exporting failed") {
		ent.Level = zapcore.DebugLevel
	}
	return c.Core.Check(ent, ce)
}

func (e *lokiExporter) start(ctx context.Context, host component.Host) error {
	if err := e.store.prepare(); err != nil {
		return err
	}
	if err := e.inner.Start(ctx, host); err != nil {
		return err
	}
	if err := e.tel.observe(e.countPending()); err != nil {
		return err
	}
	loop, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	e.mu.Lock()
	e.stop, e.done = cancel, done
	e.mu.Unlock()
	go e.replayLoop(loop, done)
	return nil
}

func (e *lokiExporter) shutdown(ctx context.Context) error {
	e.mu.Lock()
	stop, done := e.stop, e.done
	e.mu.Unlock()
	if stop != nil {
		stop()
		select {
		case <-done:
		case <-ctx.Done():
		}
	}
	_ = e.tel.unobserve()
	return e.inner.Shutdown(ctx)
}

// countPending counts the records the directory holds, by tenant, so the pending gauge survives a
// restart.
func (e *lokiExporter) countPending() map[string]int64 {
	pending := map[string]int64{}
	names, err := e.store.list()
	if err != nil {
		e.logger.Warn("The dead-letter directory could not be read", zap.String("directory", e.store.dir), zap.Error(err))
		return pending
	}
	for _, name := range names {
		h, err := e.store.header(name)
		if err != nil {
			e.logger.Warn("A dead-letter file could not be read; it is kept", zap.String("file", name), zap.Error(err))
			continue
		}
		pending[e.tenant(h.Metadata)] += int64(h.Records)
	}
	return pending
}

func (e *lokiExporter) tenant(md map[string][]string) string {
	if len(e.cfg.DeadLetter.MetadataKeys) == 0 {
		return ""
	}
	return tenantOf(md, e.cfg.DeadLetter.MetadataKeys[0])
}

// push sends ld to Loki. A transient error is returned for the exporter's retries. On a permanent
// one, ld is halved and each half sent again until each record Loki refuses stands alone; those go
// to the dead-letter directory, and push returns nil once they are on disk.
//
// Loki stores the records of a request it can take and answers 400 for the request, so the records
// it already stored may be sent again by the halving: Loki then holds identical copies, which
// Attest's readers tolerate (an event is one audit.id).
func (e *lokiExporter) push(ctx context.Context, ld plog.Logs) error {
	err := e.inner.ConsumeLogs(ctx, ld)
	if err == nil || !consumererror.IsPermanent(err) {
		return err
	}
	var s sorting
	e.bisect(ctx, ld, err, &s)
	if len(s.refused) > 0 {
		if failed, err := e.hold(ctx, s.refused); err != nil {
			// What is not on disk is not safe: retried with what was not sent.
			parts := s.unsent
			for _, r := range failed {
				parts = append(parts, r.ld)
			}
			return consumererror.NewLogs(fmt.Errorf("refused audit records could not be put in the dead-letter queue: %w", err),
				appendLogs(parts...))
		}
	}
	if s.transient != nil {
		// Only what was not yet sent is retried: the refused records are held, the others stored.
		return consumererror.NewLogs(s.transient, appendLogs(s.unsent...))
	}
	return nil
}

// sorting is where a refused request's records went.
type sorting struct {
	refused   []refusal
	transient error       // the first transient error; nothing is sent after it
	unsent    []plog.Logs // the parts not sent because of it
}

// refusal is one record Loki refuses alone, and why.
type refusal struct {
	ld     plog.Logs
	reason string
}

func (e *lokiExporter) bisect(ctx context.Context, ld plog.Logs, refused error, s *sorting) {
	n := ld.LogRecordCount()
	if n <= 1 {
		if n == 1 {
			s.refused = append(s.refused, refusal{ld: ld, reason: refused.Error()})
		}
		return
	}
	head, tail := splitLogs(ld, n/2)
	for _, half := range []plog.Logs{head, tail} {
		if s.transient != nil {
			s.unsent = append(s.unsent, half)
			continue
		}
		switch err := e.inner.ConsumeLogs(ctx, half); {
		case err == nil:
		case consumererror.IsPermanent(err):
			e.bisect(ctx, half, err, s)
		default:
			s.transient = err
			s.unsent = append(s.unsent, half)
		}
	}
}

// hold writes each refused record to the dead-letter directory with the client metadata of ctx,
// counts and logs them, and tells the tenant (notice). It returns the ones it could not write.
func (e *lokiExporter) hold(ctx context.Context, refused []refusal) (failed []refusal, err error) {
	md := map[string][]string{}
	info := client.FromContext(ctx)
	for _, key := range e.cfg.DeadLetter.MetadataKeys {
		if v := info.Metadata.Get(key); len(v) > 0 {
			md[key] = v
		}
	}
	tenant := e.tenant(md)
	now := e.now()
	held := 0
	for i, r := range refused {
		if _, werr := e.store.write(letter{Time: now, Reason: r.reason, Metadata: md}, r.ld); werr != nil {
			failed, err = refused[i:], werr
			break
		}
		held += r.ld.LogRecordCount()
	}
	if held == 0 {
		return failed, err
	}
	e.tel.addHeld(ctx, tenant, int64(held))
	e.logger.Warn("Loki refused audit records; they are held in the dead-letter queue and offered again every replay_interval",
		zap.Int("records", held), zap.String("tenant", tenant), zap.String("reason", refused[0].reason),
		zap.String("directory", e.store.dir))
	e.notify(ctx, refused[:len(refused)-len(failed)], held)
	return failed, err
}
