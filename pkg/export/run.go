package export

import (
	"context"

	"github.com/attest/auditlog/pkg/loki"
)

// PageSize is how many events one Loki request brings (below Loki's 5000 cap).
const PageSize = 1000

// Stream writes every event matching query in r, newest first, through w, paging Loki by time with the
// viewer's exact cursor paging. progress is told the row count after each page.
func Stream(ctx context.Context, c *loki.Client, query string, r loki.Range, w Writer, progress func(rows int64)) (int64, error) {
	if err := w.Begin(); err != nil {
		return 0, err
	}
	var rows int64
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
			break
		}
		cursor = &next
	}
	return rows, w.End(rows)
}
