package integrity

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/attest/auditlog/pkg/loki"
	"github.com/attest/auditlog/pkg/loki/lokitest"
)

const t0 = int64(1_800_000_000_000_000_000)

// chain is n records of one unkeyed chain, a second apart from at, as a producer writes them.
func chain(id string, n int, at int64) []lokitest.Entry {
	var out []lokitest.Entry
	prev := strings.Repeat("0", 64)
	for seq := 1; seq <= n; seq++ {
		labels := map[string]string{"service_name": "billing", "severity_text": "INFO",
			"audit_id": fmt.Sprintf("%s-%d", id, seq), "audit_event": "invoice.updated",
			"audit_chain_id": id, "audit_chain_seq": fmt.Sprint(seq), "audit_chain_prev": prev}
		ts := at + int64(seq)*int64(time.Second)
		line := fmt.Sprintf("record %d of %s", seq, id)
		prev = Record{TimeUnixNano: ts, Line: line, Labels: labels}.Hash(nil)
		labels["audit_chain_hash"] = prev
		out = append(out, lokitest.Entry{TsNs: ts, Line: line, Labels: labels})
	}
	return out
}

func run(t *testing.T, entries []lokitest.Entry, heads *HeadStore) *Run {
	return &Run{Client: lokitest.Serve(t, entries), Heads: heads, SpillDir: t.TempDir()}
}

var firstMinute = loki.Range{StartNs: t0, EndNs: t0 + int64(time.Minute)}

func TestAVerificationOfCleanChainsKeepsTheirHeads(t *testing.T) {
	heads := NewHeadStore(t.TempDir())
	s, err := run(t, append(chain("c1", 10, t0), chain("c2", 7, t0)...), heads).Verify(context.Background(), "acme", "", firstMinute, func(int64) {}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !s.OK || s.Records != 17 || s.Chains != 2 || s.ProblemCount != 0 || s.FirstBreak != nil {
		t.Fatalf("%+v", s)
	}
	kept, _ := heads.Load("acme")
	if kept.Chains["c1"].Seq != 10 || kept.Chains["c2"].Seq != 7 || kept.VerifiedToNs != firstMinute.EndNs {
		t.Fatalf("heads kept: %+v", kept)
	}
}

// The security rule: a chain a verification finds broken never becomes a head later verifications trust.
func TestABrokenChainIsReportedAndItsHeadIsNotKept(t *testing.T) {
	heads := NewHeadStore(t.TempDir())
	c2 := chain("c2", 7, t0)
	c2[4].Line = "record 5 of c2, rewritten"
	s, err := run(t, append(chain("c1", 10, t0), c2...), heads).Verify(context.Background(), "acme", "", firstMinute, func(int64) {}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.OK || s.ProblemCount == 0 || s.FirstBreak == nil || s.FirstBreak.ChainID != "c2" {
		t.Fatalf("the rewritten record was not found: %+v", s)
	}
	kept, _ := heads.Load("acme")
	if _, ok := kept.Chains["c2"]; ok || kept.Chains["c1"].Seq != 10 {
		t.Fatalf("heads kept: %+v", kept.Chains)
	}
}

// A head kept by an earlier verification is looked up by every later one, whatever its range: a
// chain cut off after it was kept is found.
func TestAHeadKeptEarlierThatIsGoneIsFoundLater(t *testing.T) {
	heads := NewHeadStore(t.TempDir())
	c1 := chain("c1", 10, t0)
	if _, err := run(t, c1, heads).Verify(context.Background(), "acme", "", firstMinute, func(int64) {}, nil); err != nil {
		t.Fatal(err)
	}
	// The chain's last three records are removed from the store; the next verification covers the
	// next minute only.
	later := chain("c9", 3, t0+int64(time.Minute))
	next := loki.Range{StartNs: firstMinute.EndNs, EndNs: firstMinute.EndNs + int64(time.Minute)}
	s, err := run(t, append(c1[:7], later...), heads).Verify(context.Background(), "acme", "", next, func(int64) {}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.OK || s.Checkpoints.Checked != 1 || s.Checkpoints.Matched != 0 || len(s.Checkpoints.Missing) != 1 || s.Checkpoints.Missing[0].ChainID != "c1" {
		t.Fatalf("the cut-off chain was not found: %+v", s.Checkpoints)
	}
}
