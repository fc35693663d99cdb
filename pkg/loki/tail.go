package loki

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

// TailBatch is what Loki's tail endpoint pushed in one message: new entries, oldest first, and how
// many it dropped because the reader fell behind.
type TailBatch struct {
	Events  []Event
	Dropped int
}

// Tail is an open live query (Loki's /loki/api/v1/tail websocket).
type Tail struct {
	conn    *websocket.Conn
	batches chan TailBatch
	err     error
	done    chan struct{}
}

// OpenTail starts following query from startNs. Entries already in Loki from startNs come first.
// The connection closes when ctx ends.
func (c *Client) OpenTail(ctx context.Context, query string, startNs int64) (*Tail, error) {
	base, err := url.Parse(strings.TrimRight(c.BaseURL, "/") + "/loki/api/v1/tail")
	if err != nil {
		return nil, err
	}
	switch base.Scheme {
	case "https":
		base.Scheme = "wss"
	default:
		base.Scheme = "ws"
	}
	base.RawQuery = url.Values{"query": {query}, "start": {strconv.FormatInt(startNs, 10)},
		"limit": {strconv.Itoa(MaxLimit)}}.Encode()
	headers := &http.Request{Header: http.Header{}}
	c.setHeaders(headers)
	dialer := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	conn, res, err := dialer.DialContext(ctx, base.String(), headers.Header)
	if err != nil {
		if res != nil && res.StatusCode/100 != 2 && res.StatusCode != http.StatusSwitchingProtocols {
			return nil, &HTTPError{Status: res.StatusCode, Body: "the tail endpoint refused: " + res.Status}
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &UnavailableError{err}
	}
	t := &Tail{conn: conn, batches: make(chan TailBatch, 16), done: make(chan struct{})}
	go t.read()
	go func() {
		select {
		case <-ctx.Done():
		case <-t.done:
		}
		_ = conn.Close()
	}()
	return t, nil
}

// tailMessage is one message of the tail endpoint: streams as in a query answer (structured
// metadata merged into the stream labels), and the entries it dropped.
type tailMessage struct {
	Streams        json.RawMessage `json:"streams"`
	DroppedEntries []struct {
		Timestamp string `json:"timestamp"`
	} `json:"dropped_entries"`
}

func (t *Tail) read() {
	defer close(t.done)
	defer close(t.batches)
	for {
		_, raw, err := t.conn.ReadMessage()
		if err != nil {
			t.err = err
			return
		}
		var m tailMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			t.err = fmt.Errorf("an unreadable tail message from Loki: %w", err)
			return
		}
		var b TailBatch
		b.Dropped = len(m.DroppedEntries)
		if len(m.Streams) > 0 && string(m.Streams) != "null" {
			r := &Response{}
			r.Data.ResultType, r.Data.Result = "streams", m.Streams
			events, err := r.Streams()
			if err != nil {
				t.err = err
				return
			}
			slices.SortFunc(events, func(a, b Event) int { return cmp.Or(cmp.Compare(a.tsNs, b.tsNs), cmp.Compare(a.Key, b.Key)) })
			b.Events = events
		}
		t.batches <- b
	}
}

// Batches gives the batches as Loki pushes them; it is closed when the tail ends (Err says why).
func (t *Tail) Batches() <-chan TailBatch { return t.batches }

// Err is why the tail ended: nil when it was closed.
func (t *Tail) Err() error {
	if t.err == nil || errors.Is(t.err, net.ErrClosed) || websocket.IsCloseError(t.err, websocket.CloseNormalClosure) {
		return nil
	}
	return &UnavailableError{t.err}
}

// Close ends the tail.
func (t *Tail) Close() error { return t.conn.Close() }
