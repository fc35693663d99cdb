package integrity

import (
	"strconv"
	"testing"
	"time"
)

func rec(chain string, seq int64, hash string, ts int64) Record {
	return Record{TimeUnixNano: ts, Labels: map[string]string{"audit_chain_id": chain,
		"audit_chain_seq": itoa(seq), "audit_chain_hash": hash}}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestCheckpointsTellTruncationRewritingAndDeletionApart(t *testing.T) {
	dir := t.TempDir()
	s := NewHeadStore(dir)
	heads := map[string]Head{
		"a": {Seq: 10, Hash: "h10", TimeNs: 100},
		"b": {Seq: 5, Hash: "h5", TimeNs: 100},
		"c": {Seq: 3, Hash: "h3", TimeNs: 100},
		"d": {Seq: 7, Hash: "h7", TimeNs: 100},
		"e": {Seq: 1, Hash: "h1", TimeNs: 999}, // outside the range
	}
	if err := s.Advance("acme", heads, 500); err != nil {
		t.Fatal(err)
	}
	// Heads only move forward.
	if err := s.Advance("acme", map[string]Head{"a": {Seq: 2}}, 100); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load("acme")
	if err != nil || got.Chains["a"].Seq != 10 || got.VerifiedToNs != 500 {
		t.Fatalf("heads %+v %v", got, err)
	}
	records := []Record{
		rec("a", 9, "h9", 90), rec("a", 10, "h10", 100), // intact
		rec("b", 4, "h4", 90),                              // truncated after 4
		rec("c", 3, "forged", 100), rec("c", 4, "h4", 110), // rewritten
		rec("d", 6, "h6", 90), rec("d", 8, "h8", 110), // 7 deleted
	}
	res := CompareHeads(CompactAll(records, nil), got, 0, 500)
	kinds := map[string]string{}
	for _, p := range res.Missing {
		kinds[p.ChainID] = p.Kind
	}
	if res.Checked != 4 || res.Matched != 1 || kinds["b"] != Truncated || kinds["c"] != Rewritten || kinds["d"] != Deleted {
		t.Errorf("result %+v", res)
	}
}

func TestSilenceIsAHeartbeatingChainThatStoppedWithoutClosing(t *testing.T) {
	ev := func(chain string, seq int64, ts int64, event string) Record {
		r := rec(chain, seq, "h", ts)
		r.Labels["audit_event"], r.Labels["service_name"] = event, "svc-"+chain
		return r
	}
	minute := int64(time.Minute)
	records := []Record{
		ev("quiet", 1, 0, "user.updated"), ev("quiet", 2, minute, HeartbeatEvent), // then nothing
		ev("closed", 1, 0, HeartbeatEvent), ev("closed", 2, minute, ClosedEvent), // shut down cleanly
		ev("alive", 1, 0, HeartbeatEvent), ev("alive", 2, 29*minute, HeartbeatEvent),
		ev("noheartbeat", 1, 0, "user.updated"), // a producer without heartbeats: cannot be judged
	}
	got := Silent(CompactAll(records, nil), 30*minute, 10*time.Minute)
	if len(got) != 1 || got[0].ChainID != "quiet" || got[0].Service != "svc-quiet" || got[0].LastSeq != 2 {
		t.Errorf("silent %+v", got)
	}
}

func TestCheckpointHeadsTakesTheNewestCheckpointWhoseHashChecks(t *testing.T) {
	key := map[string][]byte{"k1": []byte("0123456789abcdef0123456789abcdef")}
	mk := func(seq int64, event string, keyed bool) Record {
		r := rec("c", seq, "", seq*100)
		r.Labels["audit_event"], r.Labels["service_name"] = event, "svc"
		if keyed {
			r.Labels["audit_chain_key_id"] = "k1"
			r.Labels["audit_chain_hash"] = r.Hash(key["k1"])
		}
		return r
	}
	good := mk(5, HeartbeatEvent, true)
	forged := mk(9, HeartbeatEvent, false)
	forged.Labels["audit_chain_key_id"], forged.Labels["audit_chain_hash"] = "k1", forged.Hash(nil)
	unknown := mk(8, ClosedEvent, true)
	unknown.Labels["audit_chain_key_id"] = "k2"
	plain := mk(7, "user.updated", true)
	heads, rejected := CheckpointHeads(CompactAll([]Record{mk(3, HeartbeatEvent, true), good, forged, unknown, plain}, key), time.Unix(0, 0))
	if h := heads["c"]; h.Seq != 5 || h.Hash != good.Labels["audit_chain_hash"] || h.Service != "svc" || h.TimeNs != 500 {
		t.Errorf("head %+v", h)
	}
	if len(rejected) != 2 {
		t.Errorf("rejected %d, want the forged and the unknown-key checkpoints", len(rejected))
	}
}

func TestOnlyCleanChainsGiveHeads(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	records := []Entry{
		{Chained: true, ChainID: "good", Seq: 7, TimeNs: 70, Service: "billing"},
		{Chained: true, ChainID: "forged", Seq: 3, TimeNs: 30, Service: "billing"},
	}
	res := Result{Chains: []ChainSummary{{ChainID: "good", Last: 7, LastHash: "h7"}, {ChainID: "forged", Last: 3, LastHash: "h3"}}}
	heads := CleanHeads(records, res, []Problem{{ChainID: "forged", Seq: 3, Kind: "hash_mismatch"}}, now)
	if len(heads) != 1 {
		t.Fatalf("heads %v", heads)
	}
	if h := heads["good"]; h.Seq != 7 || h.Hash != "h7" || h.TimeNs != 70 || h.Service != "billing" {
		t.Fatalf("the clean chain's head %+v", h)
	}
	if _, ok := heads["forged"]; ok {
		t.Fatal("a chain with a problem gave a head")
	}
}
