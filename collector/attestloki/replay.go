package attestloki

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.uber.org/zap"
)

// replayLoop offers the held records to Loki at once, then every replay_interval, until ctx ends.
func (e *lokiExporter) replayLoop(ctx context.Context, done chan<- struct{}) {
	defer close(done)
	tick := time.NewTicker(e.cfg.DeadLetter.ReplayInterval)
	defer tick.Stop()
	for {
		e.replay(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// replay sends each dead-letter file, oldest first, under the client metadata its records came
// with. A file Loki takes is deleted; one it refuses again is kept for the next round (the pending
// gauge keeps it, and the alert with it); a transient error ends the round.
func (e *lokiExporter) replay(ctx context.Context) {
	names, err := e.store.list()
	if err != nil {
		e.logger.Warn("The dead-letter directory could not be read", zap.String("directory", e.store.dir), zap.Error(err))
		return
	}
	replayed := map[string]int{}
	defer func() {
		for tenant, n := range replayed {
			e.logger.Info("Audit records held in the dead-letter queue were accepted by Loki",
				zap.Int("records", n), zap.String("tenant", tenant))
		}
	}()
	for _, name := range names {
		if ctx.Err() != nil {
			return
		}
		h, ld, err := e.store.read(name)
		if err != nil {
			e.logger.Warn("A dead-letter file could not be read; it is kept", zap.String("file", name), zap.Error(err))
			continue
		}
		err = e.inner.ConsumeLogs(client.NewContext(ctx, client.Info{Metadata: client.NewMetadata(h.Metadata)}), ld)
		switch {
		case err == nil:
			tenant := e.tenant(h.Metadata)
			if rerr := e.store.remove(name); rerr != nil {
				// Offered again next round: Loki then holds an identical copy.
				e.logger.Warn("A replayed dead-letter file could not be deleted", zap.String("file", name), zap.Error(rerr))
				continue
			}
			e.tel.addReplayed(ctx, tenant, int64(h.Records))
			replayed[tenant] += h.Records
		case consumererror.IsPermanent(err):
			e.logger.Debug("Loki still refuses a dead-lettered audit record", zap.String("file", name), zap.Error(err))
		default:
			e.logger.Debug("Replay of the dead-letter queue paused: Loki is unavailable", zap.Error(err))
			return
		}
	}
}
