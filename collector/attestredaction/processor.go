package attestredaction

import (
	"context"
	"slices"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/attest/auditlog/collector/attestredaction/rules"
)

type redactor struct {
	ignored []string
}

// processLogs redacts every string attribute of every log record (and string values inside maps and
// slices), and the body. Ignored keys (ids, enums and chain fields a producer sets itself) are left
// as they are: a chain hash must reach Loki exactly as its producer computed it.
func (r *redactor) processLogs(_ context.Context, ld plog.Logs) (plog.Logs, error) {
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		sls := rls.At(i).ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			lrs := sls.At(j).LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				lr := lrs.At(k)
				r.redactMap(lr.Attributes())
				r.redactAny("", lr.Body())
			}
		}
	}
	return ld, nil
}

func (r *redactor) redactMap(m pcommon.Map) {
	m.Range(func(k string, v pcommon.Value) bool {
		if !slices.Contains(r.ignored, k) {
			r.redactAny(k, v)
		}
		return true
	})
}

func (r *redactor) redactAny(key string, v pcommon.Value) {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		if s := v.Str(); s != "" {
			if out := rules.Value(key, s); out != s {
				v.SetStr(out)
			}
		}
	case pcommon.ValueTypeMap:
		r.redactMap(v.Map())
	case pcommon.ValueTypeSlice:
		sl := v.Slice()
		for i := 0; i < sl.Len(); i++ {
			r.redactAny(key, sl.At(i))
		}
	}
}
