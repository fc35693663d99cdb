package export

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"strconv"

	"github.com/attest/auditlog/pkg/loki"
)

// spill keeps a shard's pages in a temporary file until the shard's turn to be written: pages come
// oldest first, each newest first within, and are handed back newest first, a page at a time. Only
// what Loki sent is kept (time, line, labels), in a compact length-prefixed form; the event is built
// again from it on the way out, as loki.NewEvent built it on the way in.
type spill struct {
	f      *os.File
	w      *bufio.Writer
	blocks []block
	size   int64
	rows   int64
	buf    []byte
}

type block struct {
	offset, length int64
	rows           int
}

func newSpill(dir string) (*spill, error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
	}
	f, err := os.CreateTemp(dir, "read-shard-*")
	if err != nil {
		return nil, err
	}
	// Unlinked at once: nothing is left behind if the process dies.
	_ = os.Remove(f.Name())
	return &spill{f: f, w: bufio.NewWriterSize(f, 1<<20)}, nil
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func (s *spill) add(events []loki.Event) error {
	if len(events) == 0 {
		return nil
	}
	b := s.buf[:0]
	for i := range events {
		e := &events[i]
		b = appendString(b, e.TsNs)
		b = appendString(b, e.Description)
		b = binary.AppendUvarint(b, uint64(len(e.Labels)))
		for k, v := range e.Labels {
			b = appendString(appendString(b, k), v)
		}
	}
	s.buf = b
	if _, err := s.w.Write(b); err != nil {
		return err
	}
	s.blocks = append(s.blocks, block{offset: s.size, length: int64(len(b)), rows: len(events)})
	s.size += int64(len(b))
	s.rows += int64(len(events))
	return nil
}

var errCorrupt = errors.New("a read shard's spill file is corrupt")

type reader struct{ b []byte }

func (r *reader) uvarint() (uint64, error) {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		return 0, errCorrupt
	}
	r.b = r.b[n:]
	return v, nil
}

func (r *reader) string() (string, error) {
	n, err := r.uvarint()
	if err != nil || n > uint64(len(r.b)) {
		return "", errCorrupt
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s, nil
}

// replayNewestFirst hands every event to write, newest first.
func (s *spill) replayNewestFirst(write func(*loki.Event) error) (int64, error) {
	if err := s.w.Flush(); err != nil {
		return 0, err
	}
	var rows int64
	var buf []byte
	for i := len(s.blocks) - 1; i >= 0; i-- {
		bl := s.blocks[i]
		if int64(cap(buf)) < bl.length {
			buf = make([]byte, bl.length)
		}
		buf = buf[:bl.length]
		if _, err := io.ReadFull(io.NewSectionReader(s.f, bl.offset, bl.length), buf); err != nil {
			return rows, err
		}
		r := &reader{b: buf}
		for j := 0; j < bl.rows; j++ {
			e, err := r.event()
			if err != nil {
				return rows, err
			}
			if err := write(&e); err != nil {
				return rows, err
			}
			rows++
		}
	}
	return rows, nil
}

func (r *reader) event() (loki.Event, error) {
	ts, err := r.string()
	if err != nil {
		return loki.Event{}, err
	}
	line, err := r.string()
	if err != nil {
		return loki.Event{}, err
	}
	n, err := r.uvarint()
	if err != nil || n > uint64(len(r.b)) {
		return loki.Event{}, errCorrupt
	}
	labels := make(map[string]string, n)
	for k := uint64(0); k < n; k++ {
		key, err := r.string()
		if err != nil {
			return loki.Event{}, err
		}
		if labels[key], err = r.string(); err != nil {
			return loki.Event{}, err
		}
	}
	ns, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return loki.Event{}, errCorrupt
	}
	return loki.NewEvent(ns, line, labels), nil
}

func (s *spill) close() { _ = s.f.Close() }
