package export

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/attest/auditlog/pkg/loki"
)

// Reader settings, set once at start from the server-level settings.
var (
	// Workers is how many shards are read from Loki at once (read_workers).
	Workers = 4
	// SpillDir holds the shards read ahead while the newest are written ("": the system's temp dir).
	SpillDir string
	// RowsPerShard: a range is cut so each shard holds about this many rows by Loki's count
	// (read_shard_rows), and into at most 4 shards per worker, so a slow shard does not hold the
	// others up for long.
	RowsPerShard int64 = 25_000
)

// shardPage is how many events one request of a shard brings: few, large requests (Loki caps a
// request at loki.MaxLimit).
const shardPage = 4000

// Stream writes every event matching query in r, newest first, through w. The range is cut into time
// shards read at once (Workers), each forward from a lower bound that moves with its pages, so Loki
// never reopens the chunks it has read. Each shard's rows are checked against Loki's count of the
// shard, taken before it is read. Shards read ahead wait in files, so memory stays one page per
// worker whatever the range holds. progress is told the rows read so far.
func Stream(ctx context.Context, c *loki.Client, query string, r loki.Range, w Writer, progress func(rows int64)) (rows int64, err error) {
	defer func() {
		if a, ok := w.(interface{ Abort() }); ok && err != nil {
			a.Abort()
		}
	}()
	// Counted first: whatever Loki held before reading began must all be read. (Entries arriving
	// meanwhile may or may not be, so the check is one-sided.)
	expected, err := c.CountLogQuery(ctx, query, r)
	if err != nil {
		return 0, err
	}
	if err := w.Begin(); err != nil {
		return 0, err
	}
	shards := cut(r, shardCount(expected))
	g, gctx := errgroup.WithContext(ctx)
	done := make([]chan *spill, len(shards))
	for i := range done {
		done[i] = make(chan *spill, 1)
	}
	var read atomic.Int64
	var progressMu sync.Mutex
	report := func(n int64) {
		progressMu.Lock()
		defer progressMu.Unlock()
		progress(read.Add(n))
	}
	// Newest shard first: the writer below can start on it while the older ones are read.
	sem := make(chan struct{}, max(Workers, 1))
	g.Go(func() error {
		for i, s := range shards {
			select {
			case sem <- struct{}{}:
			case <-gctx.Done():
				return gctx.Err()
			}
			g.Go(func() error {
				defer func() { <-sem }()
				sp, err := readShard(gctx, c, query, s, report)
				if err != nil {
					return err
				}
				done[i] <- sp
				return nil
			})
		}
		return nil
	})
	g.Go(func() error {
		for i := range shards {
			var sp *spill
			select {
			case sp = <-done[i]:
			case <-gctx.Done():
				return gctx.Err()
			}
			n, err := sp.replayNewestFirst(w.Write)
			sp.close()
			if err != nil {
				return err
			}
			rows += n
		}
		return nil
	})
	err = g.Wait()
	// Shards read but not written (an error elsewhere) are removed.
	for i := range done {
		select {
		case sp := <-done[i]:
			sp.close()
		default:
		}
	}
	if err != nil {
		return rows, err
	}
	if !Complete(ctx, c, query, r, rows, expected) {
		return rows, &IncompleteError{Read: rows, Counted: expected}
	}
	return rows, w.End(rows)
}

func shardCount(expected int64) int {
	per := max(RowsPerShard, 1)
	n := int((expected + per - 1) / per)
	return min(max(n, 1), 4*max(Workers, 1))
}

// cut splits r into n shards of equal time, newest first (whole milliseconds, as ranges are).
func cut(r loki.Range, n int) []loki.Range {
	span := (r.EndNs - r.StartNs) / int64(n)
	span -= span % 1_000_000
	if n <= 1 || span < 1_000_000 {
		return []loki.Range{r}
	}
	out := make([]loki.Range, 0, n)
	end := r.EndNs
	for i := 0; i < n-1; i++ {
		out = append(out, loki.Range{StartNs: end - span, EndNs: end})
		end -= span
	}
	return append(out, loki.Range{StartNs: r.StartNs, EndNs: end})
}

// readShard reads one shard forward, page after page from the cursor past the last page, into a
// spill file, and checks it holds what Loki counted in the shard.
func readShard(ctx context.Context, c *loki.Client, query string, s loki.Range, progress func(int64)) (_ *spill, err error) {
	expected, err := c.CountLogQuery(ctx, query, s)
	if err != nil {
		return nil, err
	}
	sp, err := newSpill(SpillDir)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			sp.close()
		}
	}()
	cursor := &loki.Cursor{Older: false, TsNs: s.StartNs - 1}
	for {
		page, err := c.FetchPage(ctx, query, s, cursor, shardPage)
		if err != nil {
			return nil, err
		}
		if err := sp.add(page.Events); err != nil {
			return nil, err
		}
		progress(int64(len(page.Events)))
		if page.Newer == "" {
			break
		}
		next, ok := loki.DecodeCursor(page.Newer)
		if !ok {
			return nil, fmt.Errorf("unreadable paging cursor %q", page.Newer)
		}
		cursor = &next
	}
	if !Complete(ctx, c, query, s, sp.rows, expected) {
		return nil, &IncompleteError{Read: sp.rows, Counted: expected}
	}
	return sp, nil
}

// IncompleteError: paging Loki gave fewer entries than Loki counted in the range beforehand, so
// Loki did not hand out everything it holds (seen right after heavy ingestion). Nothing partial is
// kept; running again later reads them all.
type IncompleteError struct{ Read, Counted int64 }

func (e *IncompleteError) Error() string {
	return fmt.Sprintf("Loki returned %d of the %d entries it counted in the range; nothing was kept, try again in a few minutes", e.Read, e.Counted)
}

// Complete says whether read entries are all of the counted ones: fewer only by the entries Loki
// stores twice, which it counts but hands out once (see loki.Client.IdenticalCopies).
func Complete(ctx context.Context, c *loki.Client, query string, r loki.Range, read, counted int64) bool {
	if read >= counted {
		return true
	}
	copies, err := c.IdenticalCopies(ctx, query, r)
	return err == nil && read >= counted-copies
}
