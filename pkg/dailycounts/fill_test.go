package dailycounts

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/attest/auditlog/pkg/sqldb/sqldbtest"
)

// A pass over a store that already holds some days: which days are counted, and what is forgotten.
func TestFillCountsTheDaysThatNeedIt(t *testing.T) {
	ctx := context.Background()
	s, err := Open(context.Background(), sqldbtest.URL(t), filepath.Join(t.TempDir(), "daily-counts.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Date(2026, 12, 6, 0, 30, 0, 0, time.UTC) // yesterday ended 30 minutes ago: not settled
	dayN := func(n int) time.Time { return time.Date(2026, 12, 6-n, 0, 0, 0, 0, time.UTC) }
	ledger := &Ledger{Records: map[string]map[string]int64{"acme": {
		dayN(3).Format("2006-01-02"): 30, dayN(4).Format("2006-01-02"): 40, dayN(5).Format("2006-01-02"): 55}},
		Passed: 10, Sent: 10}
	k := Key{"AUTH", "INFO", "idp"}
	put := func(d time.Time, n int64) {
		if err := s.Put(ctx, "acme", Day{Start: d, Events: []EventCount{{k, "auth.login", n}}, Computed: d, Ledger: n}); err != nil {
			t.Fatal(err)
		}
	}
	put(dayN(4), 40) // counted with the ledger as it stands: left alone
	put(dayN(5), 50) // counted before 5 more records arrived for it: counted again
	put(dayN(20), 9) // past a 10-day retention window: forgotten
	var counted []string
	f := &Filler{Store: s, Days: 92, InFlight: time.Second, Recount: 48 * time.Hour,
		Ledger: func(context.Context) (*Ledger, error) { return ledger, nil },
		Count: func(_ context.Context, startNs, endNs int64) ([]EventCount, []ActorCount, error) {
			if endNs-startNs != int64(24*time.Hour) {
				t.Errorf("counted %d ns, not one day", endNs-startNs)
			}
			d := time.Unix(0, startNs).UTC()
			counted = append(counted, d.Format("01-02"))
			return []EventCount{{k, "auth.login", ledger.Of("acme", d)}}, []ActorCount{{k, "alice", 1}}, nil
		}}
	if err := f.Fill(ctx, "acme", 10, now); err != nil {
		t.Fatal(err)
	}
	// 12-05 is not settled; 12-04 and 12-03 ended within the recount window; 12-02 is left alone;
	// 12-01 is counted again; the days never counted, back to the window's first day, 11-27.
	want := []string{"12-04", "12-03", "12-01", "11-30", "11-29", "11-28", "11-27"}
	if !slices.Equal(counted, want) {
		t.Fatalf("counted %v, want %v", counted, want)
	}
	got, _ := s.Load(ctx, "acme", dayN(30), now)
	if _, ok := got[dayN(20).Unix()]; ok {
		t.Error("a day past the retention window is still kept")
	}
	if d := got[dayN(5).Unix()]; d == nil || d.Ledger != 55 || d.Events[0].N != 55 {
		t.Errorf("the day that grew: %+v", d)
	}
}

// While the Collectors still hold records their ledger counts, nothing is counted: the pass waits, then
// says so.
func TestFillWaitsForTheCollectorsToSendWhatTheyTookIn(t *testing.T) {
	s, err := Open(context.Background(), sqldbtest.URL(t), filepath.Join(t.TempDir(), "daily-counts.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f := &Filler{Store: s, Days: 3, InFlight: 300 * time.Millisecond, Recount: time.Hour,
		Ledger: func(context.Context) (*Ledger, error) { return &Ledger{Passed: 10, Sent: 9}, nil },
		Count: func(context.Context, int64, int64) ([]EventCount, []ActorCount, error) {
			t.Error("counted while records were in flight")
			return nil, nil, nil
		}}
	if err := f.Fill(context.Background(), "acme", 0, time.Now()); err != ErrInFlight {
		t.Fatalf("got %v, want ErrInFlight", err)
	}
}
