package export

import (
	"context"
	"fmt"

	"github.com/attest/auditlog/pkg/loki"
)

// PageSize is how many events one Loki request brings (below Loki's 5000 cap).
const PageSize = 1000

// Stream writes every event matching query in r, newest first, through w, paging Loki by time with the
// viewer's exact cursor paging. progress is told the row count after each page.
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
	var cursor *loki.Cursor
	for {
		page, err := c.FetchPage(ctx, query, r, cursor, PageSize)
		if err != nil {
			return rows, err
		}
		for i := range page.Events {
			if err := w.Write(&page.Events[i]); err != nil {
				return rows, err
			}
		}
		rows += int64(len(page.Events))
		progress(rows)
		if page.Older == "" {
			break
		}
		next, ok := loki.DecodeCursor(page.Older)
		if !ok {
			return rows, fmt.Errorf("unreadable paging cursor %q", page.Older)
		}
		cursor = &next
	}
	if !Complete(ctx, c, query, r, rows, expected) {
		return rows, &IncompleteError{Read: rows, Counted: expected}
	}
	return rows, w.End(rows)
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
