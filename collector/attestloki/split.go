package attestloki

import "go.opentelemetry.io/collector/pdata/plog"

// splitLogs copies the first n log records of ld into head and the others into tail, each record
// under a copy of its resource and scope. ld is left as it is.
func splitLogs(ld plog.Logs, n int) (head, tail plog.Logs) {
	head, tail = plog.NewLogs(), plog.NewLogs()
	i := 0
	rls := ld.ResourceLogs()
	for r := 0; r < rls.Len(); r++ {
		rl := rls.At(r)
		h, t := resourceCopier{src: rl, dst: head}, resourceCopier{src: rl, dst: tail}
		sls := rl.ScopeLogs()
		for s := 0; s < sls.Len(); s++ {
			sl := sls.At(s)
			h.scope, t.scope = nil, nil
			lrs := sl.LogRecords()
			for l := 0; l < lrs.Len(); l++ {
				to := &t
				if i < n {
					to = &h
				}
				lrs.At(l).CopyTo(to.records(sl).AppendEmpty())
				i++
			}
		}
	}
	return head, tail
}

// resourceCopier creates, on first use, the copy of one resource (and of its current scope) in dst.
type resourceCopier struct {
	src   plog.ResourceLogs
	dst   plog.Logs
	rl    *plog.ResourceLogs
	scope *plog.ScopeLogs
}

func (c *resourceCopier) records(sl plog.ScopeLogs) plog.LogRecordSlice {
	if c.rl == nil {
		rl := c.dst.ResourceLogs().AppendEmpty()
		c.src.Resource().CopyTo(rl.Resource())
		rl.SetSchemaUrl(c.src.SchemaUrl())
		c.rl = &rl
	}
	if c.scope == nil {
		s := c.rl.ScopeLogs().AppendEmpty()
		sl.Scope().CopyTo(s.Scope())
		s.SetSchemaUrl(sl.SchemaUrl())
		c.scope = &s
	}
	return c.scope.LogRecords()
}

// appendLogs moves the records of each part into one plog.Logs.
func appendLogs(parts ...plog.Logs) plog.Logs {
	out := plog.NewLogs()
	for _, p := range parts {
		p.ResourceLogs().MoveAndAppendTo(out.ResourceLogs())
	}
	return out
}
