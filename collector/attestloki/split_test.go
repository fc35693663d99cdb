package attestloki

import (
	"fmt"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
)

// describe lists each record as resource/scope/body.
func describe(ld plog.Logs) []string {
	var out []string
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		svc, _ := rls.At(i).Resource().Attributes().Get("service.name")
		sls := rls.At(i).ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				out = append(out, fmt.Sprintf("%s/%s/%s", svc.AsString(), sls.At(j).Scope().Name(), lrs.At(k).Body().AsString()))
			}
		}
	}
	return out
}

func TestSplitLogsKeepsResourceAndScope(t *testing.T) {
	ld := plog.NewLogs()
	for _, svc := range []string{"a", "b"} {
		rl := ld.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("service.name", svc)
		for _, scope := range []string{"s1", "s2"} {
			sl := rl.ScopeLogs().AppendEmpty()
			sl.Scope().SetName(scope)
			for i := 0; i < 2; i++ {
				sl.LogRecords().AppendEmpty().Body().SetStr(fmt.Sprint(i))
			}
		}
	}
	all := describe(ld)
	for n := 0; n <= 8; n++ {
		head, tail := splitLogs(ld, n)
		got := append(describe(head), describe(tail)...)
		if fmt.Sprint(got) != fmt.Sprint(all) || head.LogRecordCount() != n {
			t.Errorf("split at %d: %v + %v, want %v", n, describe(head), describe(tail), all)
		}
	}
	head, tail := splitLogs(ld, 3)
	if head.ResourceLogs().Len() != 1 || head.ResourceLogs().At(0).ScopeLogs().Len() != 2 ||
		tail.ResourceLogs().Len() != 2 || tail.ResourceLogs().At(0).ScopeLogs().Len() != 1 {
		t.Errorf("split at 3 makes empty resources or scopes: %v | %v", describe(head), describe(tail))
	}
	if ld.LogRecordCount() != 8 {
		t.Error("splitLogs changed its input")
	}
}
