package attestloki

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/proto"
)

// marker in a record's body makes the fake Loki refuse it.
const marker = "REFUSE-ME"

// fakeLoki stands in for Loki's /otlp/v1/logs: like Loki, it stores the records of a request it
// can take and answers 400 (a protobuf google.rpc.Status) for the request if it refused any.
type fakeLoki struct {
	srv *httptest.Server

	mu        sync.Mutex
	acceptAll bool
	script    []int // statuses answered to the next requests, in order; 0: answer as Loki does
	requests  int
	stored    []stored
}

type stored struct {
	tenant   string
	service  string
	env      string
	body     string
	severity plog.SeverityNumber
	sevText  string
	attrs    map[string]any
}

func newFakeLoki(t *testing.T) *fakeLoki {
	l := &fakeLoki{}
	l.srv = httptest.NewServer(http.HandlerFunc(l.handle)) // listens on 127.0.0.1
	t.Cleanup(l.srv.Close)
	return l
}

func (l *fakeLoki) endpoint() string { return l.srv.URL + "/otlp" }

func (l *fakeLoki) handle(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/otlp/v1/logs" {
		writeStatus(w, http.StatusNotFound, "not found")
		return
	}
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(r.Body)
		if err != nil {
			writeStatus(w, http.StatusBadRequest, err.Error())
			return
		}
		body = gz
	}
	raw, err := io.ReadAll(body)
	if err != nil {
		writeStatus(w, http.StatusBadRequest, err.Error())
		return
	}
	req := plogotlp.NewExportRequest()
	if err := req.UnmarshalProto(raw); err != nil {
		writeStatus(w, http.StatusBadRequest, err.Error())
		return
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	l.requests++
	if len(l.script) > 0 {
		code := l.script[0]
		l.script = l.script[1:]
		if code != 0 {
			if code == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "0")
			}
			writeStatus(w, code, "ingester unavailable")
			return
		}
	}
	tenant := r.Header.Get("X-Scope-OrgID")
	refused := ""
	rls := req.Logs().ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		res := rls.At(i).Resource().Attributes()
		service, env := "", ""
		if v, ok := res.Get("service.name"); ok {
			service = v.AsString()
		}
		if v, ok := res.Get("deployment.environment.name"); ok {
			env = v.AsString()
		}
		sls := rls.At(i).ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				lr := lrs.At(k)
				text := lr.Body().AsString()
				if !l.acceptAll && strings.Contains(text, marker) {
					refused = fmt.Sprintf("entry for stream '{service_name=\"%s\"}' has timestamp too old: %s, oldest acceptable timestamp is: 2026-12-06T10:00:00Z",
						service, lr.Timestamp().AsTime().Format("2006-01-02T15:04:05Z"))
					continue
				}
				l.stored = append(l.stored, stored{tenant: tenant, service: service, env: env, body: text,
					severity: lr.SeverityNumber(), sevText: lr.SeverityText(), attrs: lr.Attributes().AsRaw()})
			}
		}
	}
	if refused != "" {
		writeStatus(w, http.StatusBadRequest, refused)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// writeStatus answers as Loki's OTLPError does: the code, and a google.rpc.Status in protobuf.
func writeStatus(w http.ResponseWriter, code int, msg string) {
	b, _ := proto.Marshal(&status.Status{Message: msg})
	w.Header().Set("Content-Type", "application/octet-stream")
	w.WriteHeader(code)
	_, _ = w.Write(b)
}

func (l *fakeLoki) setAcceptAll(v bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.acceptAll = v
}

func (l *fakeLoki) answerNext(codes ...int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.script = append(l.script, codes...)
}

func (l *fakeLoki) records() []stored {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]stored(nil), l.stored...)
}

func (l *fakeLoki) requestCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.requests
}

// tenantAuth does what headers_setter does in Attest's config: X-Scope-OrgID from the client
// metadata of the request's context.
type tenantAuth struct {
	component.StartFunc
	component.ShutdownFunc
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func (tenantAuth) RoundTripper(base http.RoundTripper) (http.RoundTripper, error) {
	return roundTripperFunc(func(r *http.Request) (*http.Response, error) {
		if v := client.FromContext(r.Context()).Metadata.Get("X-Scope-OrgID"); len(v) > 0 {
			r = r.Clone(r.Context())
			r.Header.Set("X-Scope-OrgID", v[0])
		}
		return base.RoundTrip(r)
	}), nil
}

var authID = component.MustNewID("tenant_header")

type testHost struct{}

func (testHost) GetExtensions() map[component.ID]component.Component {
	return map[component.ID]component.Component{authID: tenantAuth{}}
}

// asTenant is the context a request of tenant arrives with from the receiver (include_metadata).
func asTenant(tenant string) context.Context {
	return client.NewContext(context.Background(),
		client.Info{Metadata: client.NewMetadata(map[string][]string{"X-Scope-OrgID": {tenant}})})
}
