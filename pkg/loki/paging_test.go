package loki_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/attest/auditlog/pkg/loki"
	"github.com/attest/auditlog/pkg/loki/lokitest"
)

func entry(ts int64, line, id string) lokitest.Entry {
	labels := map[string]string{}
	if id != "" {
		labels["audit_id"] = id
	}
	return lokitest.Entry{TsNs: ts, Line: line, Labels: labels}
}

func TestPagingReadsEverythingWhenLokiSendsCopiesAtAPageBoundary(t *testing.T) {
	// 30 events, 5 per millisecond; pages of 7 end inside a group, and Loki sends each entry of one
	// boundary group twice.
	var entries []lokitest.Entry
	for i := 0; i < 30; i++ {
		ts := int64(1_000_000_000 + (i/5)*1_000_000)
		e := entry(ts, fmt.Sprintf("event %d", i), fmt.Sprintf("id-%02d", i))
		e.SentTwice = ts == 1_000_000_000+4*1_000_000
		entries = append(entries, e)
	}
	c := lokitest.Serve(t, entries)
	r := loki.Range{StartNs: 0, EndNs: 2_000_000_000}
	seen := map[string]int{}
	var cursor *loki.Cursor
	for pages := 0; pages < 20; pages++ {
		p, err := c.FetchPage(context.Background(), `{service_name="s"}`, r, cursor, 7)
		if err != nil {
			t.Fatal(err)
		}
		ids := []string{}
		for _, e := range p.Events {
			seen[e.ID]++
			ids = append(ids, e.ID)
		}
		t.Logf("page %d: %v older=%s", pages, ids, p.Older)
		if p.Older == "" {
			break
		}
		next, _ := loki.DecodeCursor(p.Older)
		cursor = &next
	}
	if len(seen) != 30 {
		t.Fatalf("read %d distinct events of 30", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s read %d times", id, n)
		}
	}
}

// 12,000 events on one nanosecond (a producer's burst): every one is read, once, in order, by
// splitting the group on its audit ids; entries without an id come along too.
func TestAGroupOfTwelveThousandOnOneTimestampIsReadWhole(t *testing.T) {
	ts := int64(1_700_000_000_000_000_000)
	var entries []lokitest.Entry
	for i := 0; i < 12_000; i++ {
		id := fmt.Sprintf("0190a1b2-c3d4-7e5f-8a9b-%012x", uint64(i)*2654435761%(1<<48))
		entries = append(entries, entry(ts, fmt.Sprintf("burst %d", i), id))
	}
	for i := 0; i < 3; i++ {
		entries = append(entries, entry(ts, fmt.Sprintf("no id %d", i), ""))
	}
	entries = append(entries, entry(ts-1_000_000, "older", "older"))
	c := lokitest.Serve(t, entries)
	seen := map[string]int{}
	var cursor *loki.Cursor
	for pages := 0; pages < 1000; pages++ {
		p, err := c.FetchPage(context.Background(), `{service_name="s"}`, loki.Range{StartNs: ts - 10_000_000, EndNs: ts + 1}, cursor, 500)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range p.Events {
			seen[e.Description]++
		}
		if p.Older == "" {
			break
		}
		next, _ := loki.DecodeCursor(p.Older)
		cursor = &next
	}
	if len(seen) != len(entries) {
		t.Fatalf("read %d distinct of %d", len(seen), len(entries))
	}
	for d, n := range seen {
		if n != 1 {
			t.Fatalf("%s read %d times", d, n)
		}
	}
}

// An entry Loki stores twice is counted twice and handed out once: IdenticalCopies finds it through
// the ids counted more than once; a different entry sharing an id (a forged copy) is not a copy.
func TestIdenticalCopiesAreTheEntriesCountedTwiceAndReadOnce(t *testing.T) {
	ts := int64(1_700_000_000_000_000_000)
	entries := []lokitest.Entry{
		entry(ts, "stored twice", "a"),
		entry(ts+1, "genuine", "b"),
		entry(ts+2, "forged copy", "b"),
	}
	entries[0].Stored = 2
	c := lokitest.Serve(t, entries)
	copies, err := c.IdenticalCopies(context.Background(), `{service_name="s"}`, loki.Range{StartNs: ts - 1_000_000, EndNs: ts + 1_000_000})
	if err != nil || copies != 1 {
		t.Fatalf("copies %d, %v", copies, err)
	}
}
