package selfaudit

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

type record struct {
	tenant string
	attrs  map[string]string
	ts     int64
	sev    string
	body   string
}

// A failed write must not consume a chain position: the next record continues from the last written one.
func TestChainAdvancesOnlyOnWrittenRecords(t *testing.T) {
	var got []record
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		var req struct {
			ResourceLogs []struct {
				ScopeLogs []struct {
					LogRecords []struct {
						TimeUnixNano string `json:"timeUnixNano"`
						SeverityText string `json:"severityText"`
						Body         struct {
							StringValue string `json:"stringValue"`
						} `json:"body"`
						Attributes []struct {
							Key   string `json:"key"`
							Value struct {
								StringValue *string `json:"stringValue"`
								IntValue    *string `json:"intValue"`
							} `json:"value"`
						} `json:"attributes"`
					} `json:"logRecords"`
				} `json:"scopeLogs"`
			} `json:"resourceLogs"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			t.Error(err)
		}
		lr := req.ResourceLogs[0].ScopeLogs[0].LogRecords[0]
		rec := record{tenant: r.Header.Get("X-Scope-OrgID"), attrs: map[string]string{}, sev: lr.SeverityText, body: lr.Body.StringValue}
		rec.ts, _ = strconv.ParseInt(lr.TimeUnixNano, 10, 64)
		for _, a := range lr.Attributes {
			if a.Value.StringValue != nil {
				rec.attrs[a.Key] = *a.Value.StringValue
			} else if a.Value.IntValue != nil {
				rec.attrs[a.Key] = *a.Value.IntValue
			}
		}
		got = append(got, rec)
	}))
	defer srv.Close()
	em := NewEmitter(srv.URL, "test")
	ev := Event{Type: "audit.log.viewed", Category: "COMPLIANCE", Action: "read", Outcome: "success", Severity: "INFO",
		Description: "viewed", ActorID: "ann", Metadata: map[string]any{"q": "x"}}
	for i := 0; i < 3; i++ {
		_, err := em.Record(context.Background(), "acme", ev)
		if (i == 1) != (err != nil) {
			t.Fatalf("record %d: err %v", i, err)
		}
	}
	if len(got) != 2 {
		t.Fatalf("%d written", len(got))
	}
	if got[0].attrs["audit.chain.seq"] != "1" || got[1].attrs["audit.chain.seq"] != "2" {
		t.Fatalf("seqs %s %s", got[0].attrs["audit.chain.seq"], got[1].attrs["audit.chain.seq"])
	}
	if got[1].attrs["audit.chain.prev"] != got[0].attrs["audit.chain.hash"] || got[0].attrs["audit.chain.prev"] != GenesisPrev {
		t.Fatal("prev links broken")
	}
	for _, r := range got {
		attrs := map[string]any{}
		for k, v := range r.attrs {
			attrs[k] = v
		}
		if h := Hash(r.ts, r.sev, r.body, attrs); h != r.attrs["audit.chain.hash"] {
			t.Fatalf("hash %s != %s", h, r.attrs["audit.chain.hash"])
		}
		if r.tenant != "acme" {
			t.Fatalf("tenant %q", r.tenant)
		}
	}
	// Another tenant gets a chain of its own.
	if _, err := em.Record(context.Background(), "globex", ev); err != nil {
		t.Fatal(err)
	}
	if got[2].attrs["audit.chain.seq"] != "1" || got[2].attrs["audit.chain.id"] == got[0].attrs["audit.chain.id"] {
		t.Fatal("globex shares acme's chain")
	}
}

// A record waits for the earlier records of its chain only so long: a Collector that hangs does not
// hold every caller of the tenant forever.
func TestChainTurnIsTakenWithADeadline(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	old := ChainWait
	ChainWait = 100 * time.Millisecond
	defer func() { ChainWait = old }()
	em := NewEmitter(srv.URL, "test")
	go func() { _, _ = em.Record(context.Background(), "acme", Event{Type: "audit.test", Severity: "INFO"}) }()
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	_, err := em.Record(context.Background(), "acme", Event{Type: "audit.test", Severity: "INFO"})
	var we *WriteError
	if !errors.As(err, &we) || !strings.Contains(err.Error(), "busy") || time.Since(start) > 2*time.Second {
		t.Fatalf("got %v after %s", err, time.Since(start))
	}
}
