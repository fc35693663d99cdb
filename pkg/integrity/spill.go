package integrity

import (
	"bufio"
	"cmp"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
)

// SortEntries orders entries by chain id and position, keeping the order they were read in within a
// position.
func SortEntries(entries []Entry) {
	slices.SortStableFunc(entries, compareEntries)
}

func compareEntries(a, b Entry) int {
	return cmp.Or(cmp.Compare(a.ChainID, b.ChainID), cmp.Compare(a.Seq, b.Seq))
}

// Sorted are entries already in order (SortEntries).
type Sorted []Entry

// Each gives them in order.
func (s Sorted) Each(yield func(Entry) error) error {
	for _, e := range s {
		if err := yield(e); err != nil {
			return err
		}
	}
	return nil
}

// DefaultSpillRun is how many entries a Spill holds in memory before it writes them out as a sorted
// run: about 25 MB.
const DefaultSpillRun = 65_536

// Spill sorts entries by chain and position with bounded memory: they are held up to a run's worth,
// written to a file in dir as a sorted run, and the runs are merged as they are read back (Each). A
// verification of a million records holds a run and one buffered reader per run, not the records.
type Spill struct {
	dir  string
	run  int
	buf  []Entry
	runs []string
}

// NewSpill keeps its runs in a new directory under parent (removed by Close); run <= 0 takes
// DefaultSpillRun.
func NewSpill(parent string, run int) (*Spill, error) {
	if run <= 0 {
		run = DefaultSpillRun
	}
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(parent, "verify-")
	if err != nil {
		return nil, err
	}
	return &Spill{dir: dir, run: run}, nil
}

// Add takes one entry.
func (s *Spill) Add(e Entry) error {
	s.buf = append(s.buf, e)
	if len(s.buf) < s.run {
		return nil
	}
	return s.flush()
}

func (s *Spill) flush() error {
	SortEntries(s.buf)
	name := filepath.Join(s.dir, fmt.Sprintf("run-%06d", len(s.runs)))
	f, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	var scratch []byte
	for i := range s.buf {
		scratch = appendEntry(scratch[:0], &s.buf[i])
		if _, err := w.Write(scratch); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	s.runs = append(s.runs, name)
	s.buf = s.buf[:0]
	return nil
}

// Each gives every entry added, in order of chain id and position; within a position, in the order
// they were added.
func (s *Spill) Each(yield func(Entry) error) error {
	if len(s.runs) == 0 {
		SortEntries(s.buf)
		return Sorted(s.buf).Each(yield)
	}
	if len(s.buf) > 0 {
		if err := s.flush(); err != nil {
			return err
		}
	}
	h := make(runHeap, 0, len(s.runs))
	defer func() {
		for _, r := range h {
			r.f.Close()
		}
	}()
	for i, name := range s.runs {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		r := &runReader{f: f, r: bufio.NewReaderSize(f, 1<<16), order: i}
		if err := r.next(); err != nil {
			f.Close()
			if errors.Is(err, io.EOF) {
				continue
			}
			return err
		}
		h = append(h, r)
	}
	heap.Init(&h)
	for len(h) > 0 {
		r := h[0]
		if err := yield(r.cur); err != nil {
			return err
		}
		switch err := r.next(); {
		case errors.Is(err, io.EOF):
			r.f.Close()
			heap.Pop(&h)
		case err != nil:
			return err
		default:
			heap.Fix(&h, 0)
		}
	}
	return nil
}

// Close removes the runs.
func (s *Spill) Close() error {
	s.buf = nil
	return os.RemoveAll(s.dir)
}

type runReader struct {
	f     *os.File
	r     *bufio.Reader
	cur   Entry
	order int
}

func (r *runReader) next() error {
	e, err := readEntry(r.r)
	if err != nil {
		return err
	}
	r.cur = e
	return nil
}

// runHeap merges runs; runs are numbered in the order they were written, so equal positions come
// out in the order they were added.
type runHeap []*runReader

func (h runHeap) Len() int { return len(h) }
func (h runHeap) Less(i, j int) bool {
	return cmp.Or(compareEntries(h[i].cur, h[j].cur), cmp.Compare(h[i].order, h[j].order)) < 0
}
func (h runHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *runHeap) Push(x any)   { *h = append(*h, x.(*runReader)) }
func (h *runHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

const (
	flagChained = 1 << iota
	flagUnchained
)

func appendEntry(b []byte, e *Entry) []byte {
	flags := byte(0)
	if e.Chained {
		flags |= flagChained
	}
	if e.Unchained {
		flags |= flagUnchained
	}
	b = append(b, flags)
	b = binary.AppendVarint(b, e.Seq)
	b = binary.AppendVarint(b, e.TimeNs)
	for _, s := range []string{e.ChainID, e.ID, e.Service, e.Event, e.Stored, e.Prev, e.KeyID, e.Computed, e.Moved} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return append(b, e.Identity[:]...)
}

// ErrSpillCorrupt is a run that does not read back as it was written.
var ErrSpillCorrupt = errors.New("integrity: a verification's spill file is damaged")

func readEntry(r *bufio.Reader) (Entry, error) {
	var e Entry
	flags, err := r.ReadByte()
	if err != nil {
		return e, err
	}
	e.Chained, e.Unchained = flags&flagChained != 0, flags&flagUnchained != 0
	if e.Seq, err = binary.ReadVarint(r); err != nil {
		return e, ErrSpillCorrupt
	}
	if e.TimeNs, err = binary.ReadVarint(r); err != nil {
		return e, ErrSpillCorrupt
	}
	for _, dst := range []*string{&e.ChainID, &e.ID, &e.Service, &e.Event, &e.Stored, &e.Prev, &e.KeyID, &e.Computed, &e.Moved} {
		n, err := binary.ReadUvarint(r)
		if err != nil || n > 1<<20 {
			return e, ErrSpillCorrupt
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(r, buf); err != nil {
			return e, ErrSpillCorrupt
		}
		*dst = string(buf)
	}
	if _, err := io.ReadFull(r, e.Identity[:]); err != nil {
		return e, ErrSpillCorrupt
	}
	return e, nil
}
