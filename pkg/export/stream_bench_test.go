package export

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/attest/auditlog/pkg/loki"
	"github.com/attest/auditlog/pkg/loki/lokitest"
)

// The backend's own CPU per exported row (decoding Loki's answers, spilling, writing CSV), against a
// fake Loki: `go test -bench Stream -cpuprofile cpu.out ./pkg/export` shows where it goes.
func BenchmarkStreamCSV(b *testing.B) {
	const n = 20_000
	entries := make([]lokitest.Entry, n)
	for i := range entries {
		md := map[string]string{"service_name": "orders", "audit_action": "update", "audit_actor_type": "user",
			"audit_event": "order.updated", "audit_id": fmt.Sprintf("0190a1b2-c3d4-7e5f-8a9b-%012x", i),
			"audit_metadata": `{"order":"A-1","total":12.5}`, "audit_outcome": "success",
			"audit_request_id": "0effea30-45fd-4c21-b2d9-7373832f645c", "audit_target_id": fmt.Sprintf("order-%d", i),
			"audit_target_type": "order", "audit_target_name": "Order A-1", "client_address": "10.1.2.3",
			"observed_timestamp": "1796623805474955028", "scope_name": "orders/audit", "severity_number": "9",
			"severity_text_extracted": "INFO", "user_email": "jane@example.com", "user_id": "jane", "user_roles": "Editor",
			"audit_chain_hash": "b8a3b35d969b989283e5700be65b1c05395df657d97304d806b7e15e3d9ee6c7",
			"audit_chain_prev": "68bb8dff335e39923d4c3a6ef96eba5170a9fda385f017e179a24605f0b67332",
			"audit_chain_id":   "01a24f1d-a385-7322-b6fa-caca58010154", "audit_chain_seq": fmt.Sprint(i)}
		entries[i] = lokitest.Entry{TsNs: 1_700_000_000_000_000_000 + int64(i)*1_000_000, Line: "Order updated by jane", Labels: md}
	}
	c := lokitest.Serve(b, entries)
	r := loki.Range{StartNs: 1_700_000_000_000_000_000, EndNs: 1_700_000_000_000_000_000 + n*1_000_000}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w, _ := NewWriter("csv", io.Discard, Header{})
		if rows, err := Stream(context.Background(), c, `{service_name=~".+"}`, r, w, func(int64) {}); err != nil || rows != n {
			b.Fatal(rows, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/row")
}
