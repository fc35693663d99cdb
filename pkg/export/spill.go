package export

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"io"
	"os"

	"github.com/attest/auditlog/pkg/loki"
)

// spill keeps a shard's pages in a temporary file until the shard's turn to be written: pages come
// oldest first, each newest first within, and are handed back newest first, a page at a time.
type spill struct {
	f      *os.File
	w      *bufio.Writer
	blocks []int64 // offset of each page
	size   int64
	rows   int64
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

func (s *spill) add(events []loki.Event) error {
	if len(events) == 0 {
		return nil
	}
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(events); err != nil {
		return err
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(b.Len()))
	if _, err := s.w.Write(n[:]); err != nil {
		return err
	}
	if _, err := s.w.Write(b.Bytes()); err != nil {
		return err
	}
	s.blocks = append(s.blocks, s.size)
	s.size += int64(8 + b.Len())
	s.rows += int64(len(events))
	return nil
}

// replayNewestFirst hands every event to write, newest first.
func (s *spill) replayNewestFirst(write func(*loki.Event) error) (int64, error) {
	if err := s.w.Flush(); err != nil {
		return 0, err
	}
	var rows int64
	for i := len(s.blocks) - 1; i >= 0; i-- {
		var n [8]byte
		if _, err := s.f.ReadAt(n[:], s.blocks[i]); err != nil {
			return rows, err
		}
		var events []loki.Event
		r := io.NewSectionReader(s.f, s.blocks[i]+8, int64(binary.LittleEndian.Uint64(n[:])))
		if err := gob.NewDecoder(r).Decode(&events); err != nil {
			return rows, err
		}
		for j := range events {
			restoreEmpty(&events[j])
			if err := write(&events[j]); err != nil {
				return rows, err
			}
			rows++
		}
	}
	return rows, nil
}

func (s *spill) close() { _ = s.f.Close() }

// restoreEmpty gives back the empty lists gob leaves out (read as nil, which JSON writes as null).
func restoreEmpty(e *loki.Event) {
	for _, l := range []*[]string{&e.ActorRoles, &e.Classification, &e.Compliance} {
		if *l == nil {
			*l = []string{}
		}
	}
	if e.Labels == nil {
		e.Labels = map[string]string{}
	}
}
