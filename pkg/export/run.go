package export

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
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
	planned := time.Now()
	shards, err := plan(ctx, c, query, r)
	if err != nil {
		return 0, err
	}
	var expected int64
	for _, s := range shards {
		expected += s.Count
	}
	log.DefaultLogger.Info("read planned", "rows", expected, "shards", len(shards), "took", time.Since(planned).String())
	if err := w.Begin(); err != nil {
		return 0, err
	}
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
				sp, err := readShard(gctx, c, query, s.Range, s.Count, report)
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

// plan cuts r into shards newest first, each with Loki's count of it. The range is first cut into
// 4·Workers parts of about equal size by Loki's index (Volume; equal time when the index cannot say,
// e.g. for entries still in the ingester), and each part is counted. A part holding more than twice a
// shard's share (a burst of entries, or an index that could not say where they are) is cut again in
// equal time and its pieces counted instead, up to three times. Neighbouring parts are then joined into shards of about
// RowsPerShard rows. So shards hold about equal rows however the entries fall in time.
func plan(ctx context.Context, c *loki.Client, query string, r loki.Range) ([]loki.Bucket, error) {
	parts := 4 * max(Workers, 1)
	var edges []loki.Range
	if sel := loki.Selector(query); sel != "" {
		if vol, err := c.Volume(ctx, sel, r, 64*parts); err == nil {
			edges = cut(vol, parts)
		}
	}
	if len(edges) == 0 {
		edges = equalTime(r, parts)
	}
	counted, err := countAll(ctx, c, query, edges)
	if err != nil {
		return nil, err
	}
	share := max(sum(counted)/int64(shardCount(sum(counted))), 1)
	for round := 0; round < 3; round++ {
		var refined []loki.Bucket
		for _, p := range counted {
			if p.Count > 2*share {
				if pieces := equalTime(p.Range, int(min((p.Count+share-1)/share, int64(parts)))); len(pieces) > 1 {
					again, err := countAll(ctx, c, query, pieces)
					if err != nil {
						return nil, err
					}
					refined = append(refined, again...)
					continue
				}
			}
			refined = append(refined, p)
		}
		if len(refined) == len(counted) {
			break
		}
		counted = refined
	}
	return join(counted, shardCount(sum(counted))), nil
}

// countAll counts each range in Loki, Workers at a time.
func countAll(ctx context.Context, c *loki.Client, query string, ranges []loki.Range) ([]loki.Bucket, error) {
	out := make([]loki.Bucket, len(ranges))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(Workers, 1))
	for i, e := range ranges {
		g.Go(func() error {
			n, err := c.CountLogQuery(gctx, query, e)
			out[i] = loki.Bucket{Range: e, Count: n}
			return err
		})
	}
	return out, g.Wait()
}

func sum(bs []loki.Bucket) (n int64) {
	for _, b := range bs {
		n += b.Count
	}
	return n
}

func shardCount(expected int64) int {
	per := max(RowsPerShard, 1)
	n := int((expected + per - 1) / per)
	return min(max(n, 1), 4*max(Workers, 1))
}

// cut splits the range buckets cover (oldest first, sized by Count) into at most n parts of about
// equal size, newest first, on whole milliseconds.
func cut(buckets []loki.Bucket, n int) []loki.Range {
	var total int64
	for _, b := range buckets {
		total += b.Count
	}
	if total == 0 || len(buckets) == 0 {
		return nil
	}
	var out []loki.Range
	end := buckets[len(buckets)-1].EndNs
	var after int64 // size newer than the current part's start
	for i := len(buckets) - 1; i > 0; i-- {
		after += buckets[i].Count
		if k := int64(len(out) + 1); k < int64(n) && after*int64(n) >= k*total {
			start := buckets[i].StartNs - buckets[i].StartNs%1_000_000
			if start > buckets[0].StartNs && start < end {
				out = append(out, loki.Range{StartNs: start, EndNs: end})
				end = start
			}
		}
	}
	return append(out, loki.Range{StartNs: buckets[0].StartNs, EndNs: end})
}

// equalTime splits r into n parts of equal time, newest first (whole milliseconds, as ranges are).
func equalTime(r loki.Range, n int) []loki.Range {
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

// join joins counted parts (newest first, covering the range) into n shards of about equal rows,
// newest first, each with its count.
func join(parts []loki.Bucket, n int) []loki.Bucket {
	var total int64
	for _, b := range parts {
		total += b.Count
	}
	var out []loki.Bucket
	var before int64 // rows in the parts already joined
	for _, b := range parts {
		// A shard starts where the rows before reach the next n-th of the total.
		if k := int64(len(out)); k == 0 || (k < int64(n) && before*int64(n) >= k*total) {
			out = append(out, b)
		} else {
			last := &out[len(out)-1]
			last.StartNs, last.Count = b.StartNs, last.Count+b.Count
		}
		before += b.Count
	}
	return out
}

// readShard reads one shard forward, page after page from the cursor past the last page, into a
// spill file, and checks it holds what Loki counted in the shard (expected) before reading began.
func readShard(ctx context.Context, c *loki.Client, query string, s loki.Range, expected int64, progress func(int64)) (_ *spill, err error) {
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
