// Package alerting keeps the app's audit alert rules as Grafana-managed alert rules (Alerting
// provisioning API) in a folder the app owns, routes them to Grafana contact points through child
// notification policies, and reads their history from Grafana's alert state history.
package alerting

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Client calls Grafana's HTTP API as the app's service account.
type Client struct {
	BaseURL string
	Token   string
	HTTP    *http.Client
}

// APIError is an answer of Grafana's API other than 2xx.
type APIError struct {
	Status  int
	Method  string
	Path    string
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("Grafana answered %d to %s %s: %s", e.Status, e.Method, e.Path, e.Message)
}

// do sends body as JSON and decodes a JSON answer into out (either may be nil).
func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	return c.doWith(ctx, method, path, body, out, opts{})
}

type opts struct {
	// accept names non-2xx statuses whose body is still the answer.
	accept func(int) bool
	// editable keeps what the app writes editable in Grafana's UI (no provisioning provenance).
	editable bool
}

func (c *Client) doWith(ctx context.Context, method, path string, body, out any, o opts) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.BaseURL, "/")+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if o.editable {
		req.Header.Set("X-Disable-Provenance", "true")
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("Grafana is unreachable at %s: %w", c.BaseURL, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 16<<20))
	if err != nil {
		return err
	}
	ok := res.StatusCode/100 == 2 || (o.accept != nil && o.accept(res.StatusCode))
	if !ok {
		return &APIError{Status: res.StatusCode, Method: method, Path: path, Message: grafanaMessage(raw)}
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("Grafana answered %s %s with unreadable JSON: %w", method, path, err)
		}
	}
	return nil
}

func grafanaMessage(raw []byte) string {
	var m struct {
		Message string `json:"message"`
		Error   string `json:"error"`
	}
	if json.Unmarshal(raw, &m) == nil {
		if m.Message != "" {
			return m.Message
		}
		if m.Error != "" {
			return m.Error
		}
	}
	s := strings.TrimSpace(string(raw))
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// IsStatus reports whether err is a Grafana answer with this status.
func IsStatus(err error, status int) bool {
	ae, ok := err.(*APIError)
	return ok && ae.Status == status
}
