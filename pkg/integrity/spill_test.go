package integrity

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// A shuffled trail with copies, conflicts, gaps, a broken link and broken chain fields.
func messyEntries(r *rand.Rand) []Entry {
	var out []Entry
	for c := range 4 {
		chain := fmt.Sprintf("chain-%d", c)
		prev := "0000000000000000000000000000000000000000000000000000000000000000"
		for seq := int64(1); seq <= 300; seq++ {
			if c == 1 && seq == 120 {
				continue
			}
			hash := fmt.Sprintf("%064x", sha256.Sum256([]byte(fmt.Sprint(chain, seq))))
			e := Entry{ChainID: chain, Seq: seq, Chained: true, ID: fmt.Sprint(chain, "-", seq), TimeNs: seq * 1000,
				Service: "svc", Event: "user.updated", Stored: hash, Prev: prev, Computed: hash}
			if c == 2 && seq == 77 {
				e.Prev = "f00d"
			}
			e.Identity = sha256.Sum256([]byte(e.ID + e.Stored))
			out = append(out, e)
			if r.IntN(10) == 0 {
				out = append(out, e)
			}
			if c == 3 && seq%100 == 0 {
				forged := e
				forged.ID, forged.Stored = "forged", "beef"
				forged.Identity = sha256.Sum256([]byte("forged" + fmt.Sprint(seq)))
				out = append(out, forged)
			}
			prev = hash
		}
	}
	out = append(out, Entry{ChainID: "chain-0", ID: "no-seq", TimeNs: 5}, Entry{Unchained: true}, Entry{Unchained: true})
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

func TestSpillVerifiesAsInMemory(t *testing.T) {
	entries := messyEntries(rand.New(rand.NewPCG(1, 2)))
	want := VerifyEntries(entries, Options{})
	if want.OK || want.Unchained != 2 || len(want.Duplicates) == 0 || len(want.Problems) < 5 {
		t.Fatalf("the trail is not messy enough: %+v", want)
	}
	for _, run := range []int{7, 100, 5000} {
		spill, err := NewSpill(t.TempDir(), run)
		if err != nil {
			t.Fatal(err)
		}
		v := NewVerifier(Options{})
		var kept []Entry
		v.Keep = func(e Entry) { kept = append(kept, e) }
		v.KeepAt = map[string][]int64{"chain-3": {200}}
		for _, e := range entries {
			if v.Admit(e) {
				if err := spill.Add(e); err != nil {
					t.Fatal(err)
				}
			}
		}
		got, err := v.Ordered(spill.Each)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("run %d:\n got %+v\nwant %+v", run, got, want)
		}
		// Kept: the last of each of the 4 chains, and both records at chain-3's position 200.
		atHead := 0
		for _, e := range kept {
			if e.ChainID == "chain-3" && e.Seq == 200 {
				atHead++
			}
		}
		if len(kept) != 6 || atHead != 2 {
			t.Errorf("run %d: kept %d entries, %d at the head position", run, len(kept), atHead)
		}
		heads := HeadsOf(kept, got, time.Now())
		if len(heads) != 4 || heads["chain-0"].Seq != 300 || heads["chain-0"].TimeNs != 300_000 {
			t.Errorf("run %d: heads %+v", run, heads)
		}
		if err := spill.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSpillKeepsTheReadOrderWithinAPosition(t *testing.T) {
	spill, err := NewSpill(t.TempDir(), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer spill.Close()
	for i := range 9 {
		if err := spill.Add(Entry{ChainID: "c", Seq: int64(1 + i%3), ID: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	if err := spill.Each(func(e Entry) error { ids = append(ids, e.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if want := []string{"0", "3", "6", "1", "4", "7", "2", "5", "8"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("got %v, want %v", ids, want)
	}
}

func TestADamagedSpillIsAnError(t *testing.T) {
	spill, err := NewSpill(t.TempDir(), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer spill.Close()
	for i := range 4 {
		if err := spill.Add(Entry{ChainID: "c", Seq: int64(i), Stored: "abc"}); err != nil {
			t.Fatal(err)
		}
	}
	run := filepath.Join(spill.dir, "run-000000")
	raw, _ := os.ReadFile(run)
	if err := os.WriteFile(run, raw[:len(raw)-5], 0o600); err != nil {
		t.Fatal(err)
	}
	if err := spill.Each(func(Entry) error { return nil }); !errors.Is(err, ErrSpillCorrupt) {
		t.Errorf("got %v", err)
	}
}
