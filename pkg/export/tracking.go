package export

import "github.com/attest/auditlog/pkg/loki"

// Tracking wraps a Writer and notes the chain position of every event written.
type Tracking struct {
	Writer
	Chains ChainTracker
}

func (t *Tracking) Write(e *loki.Event) error {
	t.Chains.Add(e)
	return t.Writer.Write(e)
}

// Abort passes an abort on to the wrapped writer.
func (t *Tracking) Abort() {
	if a, ok := t.Writer.(interface{ Abort() }); ok {
		a.Abort()
	}
}
