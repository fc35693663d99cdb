package dailycounts

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Filler keeps a tenant's daily counts current.
type Filler struct {
	Store *Store
	// Count counts one day, [startNs, endNs): Count over the tenant's Loki.
	Count func(ctx context.Context, startNs, endNs int64) ([]EventCount, []ActorCount, error)
	// Ledger reads the Collectors' records per tenant and day.
	Ledger func(ctx context.Context) (*Ledger, error)
	// Days is how far back days are kept.
	Days int
	// InFlight is how long a pass waits for the Collectors to send what their ledger counts.
	InFlight time.Duration
	// Recount: a day is counted again on each pass during this long after it ended, so entries that
	// arrive late (a producer's spool replayed after an outage) are in its counts.
	Recount time.Duration
}

// ErrInFlight: the Collectors have not yet sent everything their ledger counts; the pass counts later.
var ErrInFlight = errors.New("the Collector has not sent everything it took in yet; counting later")

// Fill counts the tenant's settled days that are not counted yet, counted before entries arrived for
// them, or recently ended; newest first. retentionDays is the tenant's shortest retention window (0:
// none known): days past it are forgotten and not counted.
func (f *Filler) Fill(ctx context.Context, tenant string, retentionDays int, now time.Time) error {
	now = now.UTC()
	today := now.Truncate(24 * time.Hour)
	oldest := today.AddDate(0, 0, -f.Days)
	if retentionDays > 0 {
		cutoff := today.AddDate(0, 0, -retentionDays+1)
		if err := f.Store.Forget(ctx, tenant, cutoff); err != nil {
			return fmt.Errorf("forgetting days past retention: %w", err)
		}
		if cutoff.After(oldest) {
			oldest = cutoff
		}
	}
	have, err := f.Store.Have(ctx, tenant, oldest, now)
	if err != nil {
		return err
	}
	// The ledger before the counts, and a wait until the Collectors have sent every record it counts:
	// then those records are in Loki. Entries arriving during the pass make the ledger move past what
	// is stored, so their days are counted again.
	ledger, err := f.Ledger(ctx)
	if err != nil || ledger == nil {
		return err
	}
	for deadline := time.Now().Add(f.InFlight); ; {
		later, err := f.Ledger(ctx)
		if err != nil {
			return err
		}
		if ledger.Delivered(later) {
			break
		}
		if time.Now().After(deadline) {
			return ErrInFlight
		}
		time.Sleep(200 * time.Millisecond)
	}
	for d := today.Add(-24 * time.Hour); !d.Before(oldest); d = d.Add(-24 * time.Hour) {
		end := d.Add(24 * time.Hour)
		kept := have[d.Unix()]
		if end.After(now.Add(-Settle)) || (kept != nil && kept.Ledger == ledger.Of(tenant, d) && now.Sub(end) > f.Recount) {
			continue
		}
		events, actors, err := f.Count(ctx, d.UnixNano(), end.UnixNano())
		if err == nil {
			err = f.Store.Put(ctx, tenant, Day{Start: d, Events: events, Actors: actors, Computed: time.Now(), Ledger: ledger.Of(tenant, d)})
		}
		if err != nil {
			return fmt.Errorf("counting %s: %w", d.Format("2006-01-02"), err)
		}
	}
	return nil
}
