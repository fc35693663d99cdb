package loki

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Cursor paging, newest first, exact when many events share one nanosecond (the same algorithm as
// src/services/paging.ts). Order: timestamp descending, then key (audit id) descending. Loki's
// query_range interval is [start, end). A page asks for pageSize+1 entries; when the entry after the
// page shares the page's last timestamp, that whole timestamp group is fetched with a 1 ns query and
// sorted by key. A cursor is (ts) on a group boundary or (ts, key) inside a group.

// Cursor is a position in the newest-first order.
type Cursor struct {
	Older  bool // the page older than the cursor; false: the page newer than it
	TsNs   int64
	Key    string // set when the cursor sits inside a group of equal timestamps
	HasKey bool
}

// Encode gives `o1700000000000000000` or `o1700000000000000000~<key>`.
func (c Cursor) Encode() string {
	dir := "n"
	if c.Older {
		dir = "o"
	}
	s := dir + strconv.FormatInt(c.TsNs, 10)
	if c.HasKey {
		s += "~" + c.Key
	}
	return s
}

var cursorRe = regexp.MustCompile(`(?s)^([on])(\d{1,19})(?:~(.+))?$`)

// DecodeCursor parses a cursor; ok is false for anything malformed.
func DecodeCursor(s string) (Cursor, bool) {
	m := cursorRe.FindStringSubmatch(s)
	if m == nil {
		return Cursor{}, false
	}
	ts, err := strconv.ParseInt(m[2], 10, 64)
	if err != nil {
		return Cursor{}, false
	}
	return Cursor{Older: m[1] == "o", TsNs: ts, Key: m[3], HasKey: m[3] != ""}, true
}

// Range is [StartNs, EndNs).
type Range struct {
	StartNs int64
	EndNs   int64
}

// Page is one page of events, newest first.
type Page struct {
	Events []Event `json:"events"`
	Older  string  `json:"older,omitempty"`
	Newer  string  `json:"newer,omitempty"`
	Query  string  `json:"query"`
}

// CompareNewestFirst is the viewer's total order.
func CompareNewestFirst(a, b Event) int {
	if a.tsNs != b.tsNs {
		if a.tsNs > b.tsNs {
			return -1
		}
		return 1
	}
	switch {
	case a.Key == b.Key:
		return 0
	case a.Key > b.Key:
		return -1
	}
	return 1
}

// entries answers Loki's entries and how many Loki sent: Loki can send one entry twice (from
// overlapping chunks), so exact copies (same time, line and labels) are kept once. Copies that differ
// in anything stay: telling them apart is the verifier's work.
func (c *Client) entries(ctx context.Context, query string, start, end int64, limit int, dir string) ([]Event, int, error) {
	if end <= start {
		return nil, 0, nil
	}
	r, err := c.QueryRange(ctx, query, start, end, limit, dir, 0)
	if err != nil {
		return nil, 0, err
	}
	es, err := r.Streams()
	if err != nil {
		return nil, 0, err
	}
	sent := len(es)
	// Copies share a timestamp: only entries whose timestamp comes more than once are compared whole.
	perTs := make(map[int64]int, len(es))
	for i := range es {
		perTs[es[i].tsNs]++
	}
	seen := map[string]bool{}
	return slices.DeleteFunc(es, func(e Event) bool {
		if perTs[e.tsNs] < 2 {
			return false
		}
		id := e.identity()
		if seen[id] {
			return true
		}
		seen[id] = true
		return false
	}), sent, nil
}

// identity is the whole entry: time, line and every label.
func (e Event) identity() string {
	var b strings.Builder
	b.WriteString(e.TsNs)
	b.WriteByte(0)
	b.WriteString(e.Description)
	for _, k := range slices.Sorted(maps.Keys(e.Labels)) {
		b.WriteByte(0)
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(e.Labels[k])
	}
	return b.String()
}

// GroupTooLargeError: more events on one nanosecond than the group reader can split into parts
// Loki returns whole (only entries without an audit id, or sharing one, beyond MaxLimit-1).
type GroupTooLargeError struct{ TsNs int64 }

func (e *GroupTooLargeError) Error() string {
	return fmt.Sprintf("more than %d events without distinct audit ids share the timestamp %d; cannot read them exactly", MaxLimit-1, e.TsNs)
}

// idClasses split the audit ids that end in a given suffix by the character before it: each hex digit
// (either case) and everything else. With the ids equal to the suffix itself, they partition the set.
var idClasses = func() []string {
	out := []string{}
	for _, c := range "0123456789" {
		out = append(out, string(c))
	}
	for _, c := range "abcdef" {
		out = append(out, "["+string(c)+strings.ToUpper(string(c))+"]")
	}
	return append(out, "[^0-9a-fA-F]")
}()

// maxGroupDepth bounds the split: 17^4 parts, far beyond any group Loki holds.
const maxGroupDepth = 4

func (c *Client) group(ctx context.Context, query string, ts int64, cmp func(a, b Event) int) ([]Event, error) {
	g, err := c.groupPart(ctx, query, ts, "", 0)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(g, cmp)
	return g, nil
}

// groupPart reads the entries at ts whose audit id matches `.*`+suffix (suffix: a regex of the last
// characters; "" is every entry). One query returns them when there are fewer than MaxLimit; a larger
// part is split by the character before the suffix, the last characters of an id being the random
// ones in UUIDv7, and each part read on its own.
func (c *Client) groupPart(ctx context.Context, query string, ts int64, suffix string, depth int) ([]Event, error) {
	// Anchored explicitly: Loki 3.7 matches a label regex of the form `.*x` as "contains x".
	q := query
	if depth > 0 {
		re, err := QuoteString("^.*" + suffix + "$")
		if err != nil {
			return nil, err
		}
		q += " | audit_id=~" + re
	}
	// From ts-1: Loki leaves out a chunk that ends exactly at a query's start, so [ts, ts+1) misses
	// the entries at ts of a chunk cut there (seen at 1M events).
	g, sent, err := c.entries(ctx, q, ts-1, ts+1, MaxLimit, "backward")
	if err != nil {
		return nil, err
	}
	if sent < MaxLimit {
		return slices.DeleteFunc(g, func(e Event) bool { return e.tsNs != ts }), nil
	}
	if depth >= maxGroupDepth {
		return nil, &GroupTooLargeError{ts}
	}
	// The ids equal to the suffix (none, or the empty id at the top), then one part per class.
	exact := ` | audit_id=""`
	if suffix != "" {
		re, err := QuoteString("^" + suffix + "$")
		if err != nil {
			return nil, err
		}
		exact = " | audit_id=~" + re
	}
	g, sent, err = c.entries(ctx, query+exact, ts-1, ts+1, MaxLimit, "backward")
	if err != nil {
		return nil, err
	}
	if sent >= MaxLimit {
		return nil, &GroupTooLargeError{ts}
	}
	out := slices.DeleteFunc(g, func(e Event) bool { return e.tsNs != ts })
	for _, class := range idClasses {
		part, err := c.groupPart(ctx, query, ts, class+suffix, depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, part...)
	}
	return out, nil
}

// InconsistentError: Loki answered the entries of one timestamp with fewer than the page held.
type InconsistentError struct {
	TsNs        int64
	Group, Seen int
}

func (e *InconsistentError) Error() string {
	return fmt.Sprintf("Loki returned %d entries at timestamp %d after %d in the page; try again", e.Group, e.TsNs, e.Seen)
}

// FetchPage fetches one page of the events matching query in r, beyond cursor (nil: the newest page).
func (c *Client) FetchPage(ctx context.Context, query string, r Range, cursor *Cursor, pageSize int) (*Page, error) {
	if pageSize < 1 || pageSize >= MaxLimit {
		return nil, &BuildError{fmt.Sprintf("invalid page size %d", pageSize)}
	}
	walkingNewer := cursor != nil && !cursor.Older
	cmp := CompareNewestFirst
	if walkingNewer {
		cmp = func(a, b Event) int { return CompareNewestFirst(b, a) }
	}

	// 1. The rest of the cursor's group.
	var head []Event
	if cursor != nil && cursor.HasKey && cursor.TsNs >= r.StartNs && cursor.TsNs < r.EndNs {
		g, err := c.group(ctx, query, cursor.TsNs, cmp)
		if err != nil {
			return nil, err
		}
		for _, e := range g {
			if (walkingNewer && e.Key > cursor.Key) || (!walkingNewer && e.Key < cursor.Key) {
				head = append(head, e)
			}
		}
	}

	// 2. Strictly beyond the cursor's timestamp.
	var rows []Event
	// lokiHadMore: Loki sent more than the page needs, so more exist even when copies or a
	// boundary group leave the page short.
	lokiHadMore := false
	if len(head) <= pageSize {
		from, to, dir := r.StartNs, r.EndNs, "backward"
		if cursor != nil {
			if walkingNewer {
				from, dir = max(r.StartNs, cursor.TsNs+1), "forward"
			} else {
				to = min(r.EndNs, cursor.TsNs)
			}
		}
		var (
			err  error
			sent int
		)
		if rows, sent, err = c.entries(ctx, query, from, to, pageSize+1, dir); err != nil {
			return nil, err
		}
		slices.SortFunc(rows, cmp)
		// 3. Loki may have cut the boundary group anywhere: when its answer was cut and the page ends
		// on the answer's last timestamp, replace that group with the complete group.
		need := pageSize - len(head)
		lokiHadMore = sent > need
		if lokiHadMore && need > 0 && len(rows) > 0 && rows[min(need, len(rows))-1].tsNs == rows[len(rows)-1].tsNs {
			boundary := rows[len(rows)-1].tsNs
			complete, err := c.group(ctx, query, boundary, cmp)
			if err != nil {
				return nil, err
			}
			seen := 0
			for _, e := range rows {
				if e.tsNs == boundary {
					seen++
				}
			}
			if len(complete) < seen {
				return nil, &InconsistentError{TsNs: boundary, Group: len(complete), Seen: seen}
			}
			rows = slices.DeleteFunc(rows, func(e Event) bool { return e.tsNs == boundary })
			rows = append(rows, complete...)
			slices.SortFunc(rows, cmp)
		}
	}

	all := append(head, rows...)
	page := slices.Clip(all[:min(pageSize, len(all))])
	if page == nil {
		page = []Event{}
	}
	hasMore := len(all) > pageSize || lokiHadMore
	out := &Page{Events: page, Query: query}
	var beyond *Cursor
	if hasMore && len(page) > 0 {
		last := page[len(page)-1]
		// A short page ends with a whole timestamp group: the cursor goes past it.
		inGroup := len(all) > pageSize && all[pageSize].tsNs == last.tsNs
		beyond = &Cursor{Older: !walkingNewer, TsNs: last.tsNs}
		if inGroup {
			beyond.Key, beyond.HasKey = last.Key, true
		}
	}
	if walkingNewer {
		slices.Reverse(page)
		if beyond != nil {
			out.Newer = beyond.Encode()
		}
		if len(page) > 0 {
			oldest := page[len(page)-1]
			out.Older = Cursor{Older: true, TsNs: oldest.tsNs, Key: oldest.Key, HasKey: true}.Encode()
		}
		return out, nil
	}
	if beyond != nil {
		out.Older = beyond.Encode()
	}
	if cursor != nil && len(page) > 0 {
		out.Newer = Cursor{Older: false, TsNs: page[0].tsNs, Key: page[0].Key, HasKey: true}.Encode()
	}
	return out, nil
}
