package attestredaction

import (
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
)

func TestTheProcessorLeavesIgnoredKeysAlone(t *testing.T) {
	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.Body().SetStr("Authorization: Bearer abcDEF123456ghiJKL789")
	lr.Attributes().PutStr("audit.chain.hash", "4111111111111111")
	lr.Attributes().PutStr("audit.metadata", `{"password":"hunter2"}`)
	lr.Attributes().PutEmptyMap("http").PutStr("authorization", "Basic dXNlcjpodW50ZXIy")
	r := &redactor{ignored: []string{"audit.chain.hash"}}
	if _, err := r.processLogs(context.Background(), ld); err != nil {
		t.Fatal(err)
	}
	got, _ := lr.Attributes().Get("audit.chain.hash")
	meta, _ := lr.Attributes().Get("audit.metadata")
	http, _ := lr.Attributes().Get("http")
	if got.Str() != "4111111111111111" || strings.Contains(meta.Str(), "hunter2") ||
		strings.Contains(lr.Body().Str(), "abcDEF") || strings.Contains(http.Map().AsRaw()["authorization"].(string), "dXNl") {
		t.Errorf("body %q meta %q http %v hash %q", lr.Body().Str(), meta.Str(), http.Map().AsRaw(), got.Str())
	}
}

// What the package already redacted passes unchanged (the chain covers it), in every shape.
