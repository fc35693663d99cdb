package plugin

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// Every route of the table, driven with bad input as a careless or hostile client sends it: each
// answer is a typed 4xx ({error, message}), never a 500 or a panic.
func TestEveryRouteAnswersBadInputWithATyped4xx(t *testing.T) {
	a := appWithData(t, &collectorStub{})
	mux := a.newMux()
	huge := append(append([]byte(`{"name":"`), bytes.Repeat([]byte("a"), 64<<20)...), []byte(`"}`)...)

	type input struct {
		name, contentType, query string
		body                     []byte
		nilBody                  bool
	}
	cases := []input{
		{name: "no body", nilBody: true},
		{name: "not JSON", contentType: "application/json", body: []byte("not json at all")},
		{name: "wrong content type", contentType: "application/x-www-form-urlencoded", body: []byte(`a=1`)},
		{name: "multipart", contentType: "multipart/form-data; boundary=x", body: []byte("--x\r\n\r\n{}\r\n--x--")},
		{name: "64 MiB body", contentType: "application/json", body: huge},
		{name: "unknown fields", contentType: "application/json", body: []byte(`{"bogus":1,"from":"x"}`)},
		{name: "repeated parameters", query: "from=1&from=2&to=3&to=4", nilBody: true},
	}
	for _, rt := range a.routes() {
		method, path, _ := strings.Cut(rt.pattern, " ")
		path = strings.NewReplacer("{id}", "no-such-id", "{uid}", "no-such-uid").Replace(path)
		for _, in := range cases {
			if in.name == "no body" && rt.body == noBody {
				continue // the normal call of a route without a body
			}
			target := path
			if in.query != "" {
				target += "?" + in.query
			}
			var body io.Reader
			if !in.nilBody {
				body = bytes.NewReader(in.body)
			}
			req := httptest.NewRequest(method, target, body)
			if in.nilBody {
				req.Body = nil // what Grafana 10.0's resource adapter hands over
			}
			if in.contentType != "" {
				req.Header.Set("Content-Type", in.contentType)
			}
			req = req.WithContext(backend.WithPluginContext(req.Context(),
				backend.PluginContext{OrgID: 1, User: &backend.User{Login: "admin", Role: "Admin"}}))
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, req)
			var got struct{ Error, Message string }
			err := json.Unmarshal(rec.Body.Bytes(), &got)
			if rec.Code < 400 || rec.Code > 499 || err != nil || got.Error == "" || got.Message == "" {
				t.Errorf("%s with %s: %d %.200s", rt.pattern, in.name, rec.Code, rec.Body.String())
			}
		}
	}
}
