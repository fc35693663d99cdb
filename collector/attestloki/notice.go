package attestloki

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"
)

// noticeEvent is audit.event of the notice; alert rules count it.
const noticeEvent = "audit.delivery.refused"

// maxReason bounds audit.delivery.reason (characters), well inside Loki's structured metadata limit.
const maxReason = 500

// notify sends the tenant of ctx one audit event saying that n of its records are held in the
// dead-letter queue. It is sent once, without retry: a failure is only logged, the records being
// counted and on disk already.
func (e *lokiExporter) notify(ctx context.Context, refused []refusal, n int) {
	env := ""
	for _, r := range refused {
		if env = environmentOf(r.ld); env != "" {
			break
		}
	}
	ld, err := notice(e.cfg.DeadLetter.NoticeService, env, n, lokiMessage(refused[0].reason), e.now())
	if err == nil {
		err = e.inner.ConsumeLogs(ctx, ld)
	}
	if err != nil {
		e.logger.Warn("The audit event announcing dead-lettered records could not be sent", zap.Int("records", n), zap.Error(err))
	}
}

// notice builds the audit event (schema/audit-event.json) a System actor records about refused
// records.
func notice(service, env string, n int, reason string, now time.Time) (plog.Logs, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return plog.Logs{}, err
	}
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", service)
	if env != "" {
		rl.Resource().Attributes().PutStr("deployment.environment.name", env)
	}
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName("attestloki")
	lr := sl.LogRecords().AppendEmpty()
	ts := pcommon.NewTimestampFromTime(now)
	lr.SetTimestamp(ts)
	lr.SetObservedTimestamp(ts)
	lr.SetSeverityNumber(plog.SeverityNumberError)
	lr.SetSeverityText("ERROR")
	lr.SetEventName(noticeEvent)
	if n == 1 {
		lr.Body().SetStr("1 audit event refused by the store is held in the Collector's dead-letter queue")
	} else {
		lr.Body().SetStr(fmt.Sprintf("%d audit events refused by the store are held in the Collector's dead-letter queue", n))
	}
	a := lr.Attributes()
	a.PutStr("audit.id", id.String())
	a.PutStr("audit.event", noticeEvent)
	a.PutStr("audit.category", "SYSTEM")
	a.PutStr("audit.action", "deliver")
	a.PutStr("audit.outcome", "failure")
	a.PutStr("audit.actor.type", "system")
	a.PutStr("user.id", service)
	a.PutStr("user.name", "System")
	a.PutInt("audit.delivery.records", int64(n))
	a.PutStr("audit.delivery.reason", truncate(reason, maxReason))
	return ld, nil
}

// environmentOf is deployment.environment.name of ld's first resource that has one.
func environmentOf(ld plog.Logs) string {
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		if v, ok := rls.At(i).Resource().Attributes().Get("deployment.environment.name"); ok && v.AsString() != "" {
			return v.AsString()
		}
	}
	return ""
}

// lokiMessage is Loki's own message in the otlphttp exporter's error text ("error exporting items,
// request to <url> responded with HTTP Status Code 400, Message=<Loki's>, Details=[]"), or the whole
// text when it has none.
func lokiMessage(reason string) string {
	_, msg, ok := strings.Cut(reason, "Message=")
	if !ok {
		return reason
	}
	if i := strings.LastIndex(msg, ", Details="); i >= 0 {
		msg = msg[:i]
	}
	return msg
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
