package dailycounts

import (
	"context"

	"golang.org/x/sync/errgroup"

	"github.com/attest/auditlog/pkg/loki"
	"github.com/attest/auditlog/pkg/schema"
)

var keyLabels = []string{schema.LabelCategory, schema.LabelSeverity, schema.LabelService}

func keyOf(m map[string]string) Key {
	return Key{Category: m[schema.LabelCategory], Severity: m[schema.LabelSeverity], Service: m[schema.LabelService]}
}

// Count counts the events matching f in [startNs, endNs) by category, severity, service and event
// type, and the human actors' events by the same keys: two instant queries.
func Count(ctx context.Context, c *loki.Client, f loki.Filters, startNs, endNs int64) ([]EventCount, []ActorCount, error) {
	rangeMs, err := loki.Range{StartNs: startNs, EndNs: endNs}.RangeMs()
	if err != nil {
		return nil, nil, err
	}
	qEvents, err := loki.CountByQuery(f, rangeMs, append(keyLabels, schema.MetaEvent))
	if err != nil {
		return nil, nil, err
	}
	qActors, err := loki.ActorCountsQuery(f, rangeMs, keyLabels)
	if err != nil {
		return nil, nil, err
	}
	var ev, ac []loki.Sample
	g, gctx := errgroup.WithContext(ctx)
	for q, out := range map[string]*[]loki.Sample{qEvents: &ev, qActors: &ac} {
		g.Go(func() error {
			res, err := c.Instant(gctx, q, endNs-1)
			if err == nil {
				*out, err = res.Vector()
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	events := make([]EventCount, 0, len(ev))
	for _, s := range ev {
		events = append(events, EventCount{Key: keyOf(s.Metric), Event: s.Metric[schema.MetaEvent], N: int64(s.Value)})
	}
	actors := make([]ActorCount, 0, len(ac))
	for _, s := range ac {
		actors = append(actors, ActorCount{Key: keyOf(s.Metric), Actor: s.Metric[schema.MetaUserID], N: int64(s.Value)})
	}
	return events, actors, nil
}
