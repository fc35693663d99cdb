package integrity

import "time"

// Event types producers record about their chain (instrumentation: heartbeatMillis).
const (
	HeartbeatEvent = "audit.chain.heartbeat"
	ClosedEvent    = "audit.chain.closed"
)

// SilentChain is a chain whose producer sends heartbeats but has sent nothing for a while, and did
// not close the chain: the producer stopped, or its records stopped arriving. Not a break by itself;
// told apart from truncation (a kept head beyond the chain's end) and deletion (a gap).
type SilentChain struct {
	ChainID  string `json:"chainId"`
	Service  string `json:"service"`
	LastSeq  int64  `json:"lastSeq"`
	LastNs   int64  `json:"lastNs"`
	SilentMs int64  `json:"silentMs"`
}

// Silent lists the heartbeating chains whose last record in records is older than after, at untilNs.
func Silent(records []Entry, untilNs int64, after time.Duration) []SilentChain {
	type last struct {
		seq       int64
		ns        int64
		event     string
		service   string
		heartbeat bool
	}
	chains := map[string]*last{}
	for _, r := range records {
		if !r.Chained {
			continue
		}
		id, seq := r.ChainID, r.Seq
		l := chains[id]
		if l == nil {
			l = &last{}
			chains[id] = l
		}
		if r.Event == HeartbeatEvent {
			l.heartbeat = true
		}
		if seq > l.seq {
			l.seq, l.ns, l.event, l.service = seq, r.TimeNs, r.Event, r.Service
		}
	}
	out := []SilentChain{}
	for id, l := range chains {
		if !l.heartbeat || l.event == ClosedEvent {
			continue
		}
		if quiet := time.Duration(untilNs - l.ns); quiet > after {
			out = append(out, SilentChain{ChainID: id, Service: l.service, LastSeq: l.seq, LastNs: l.ns, SilentMs: quiet.Milliseconds()})
		}
	}
	return out
}
