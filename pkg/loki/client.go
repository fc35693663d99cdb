// Package loki reads audit events from Grafana Loki: the HTTP client, the LogQL builder, exact
// cursor paging and the Overview's aggregates. Only the plugin backend talks to Loki.
package loki

import (
	"context"
	"errors"
	"fmt"
	json "github.com/goccy/go-json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client queries one Loki tenant.
type Client struct {
	BaseURL     string
	Tenant      string
	BasicUser   string
	BasicPass   string
	BearerToken string
	HTTP        *http.Client
}

// HTTPError is a non-2xx answer from Loki.
type HTTPError struct {
	Status int
	Body   string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("Loki answered HTTP %d: %s", e.Status, e.Body)
}

// UnavailableError means Loki could not be reached at all.
type UnavailableError struct{ Err error }

func (e *UnavailableError) Error() string { return "Loki is unreachable: " + e.Err.Error() }
func (e *UnavailableError) Unwrap() error { return e.Err }

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return &http.Client{Timeout: 120 * time.Second}
}

func (c *Client) newRequest(ctx context.Context, path string, params url.Values) (*http.Request, error) {
	u := strings.TrimRight(c.BaseURL, "/") + path
	if len(params) > 0 {
		u += "?" + params.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	c.setHeaders(req)
	return req, nil
}

// setHeaders puts the tenant, the credentials and the response encoding on a request to Loki.
func (c *Client) setHeaders(req *http.Request) {
	if c.Tenant != "" {
		req.Header.Set("X-Scope-OrgID", c.Tenant)
	}
	// Structured metadata apart from stream labels, instead of one tiny stream per entry (and, for the
	// tail, at all).
	req.Header.Set("X-Loki-Response-Encoding-Flags", "categorize-labels")
	switch {
	case c.BearerToken != "":
		req.Header.Set("Authorization", "Bearer "+c.BearerToken)
	case c.BasicUser != "":
		req.SetBasicAuth(c.BasicUser, c.BasicPass)
	}
}

// do sends a GET and answers the response when Loki said 2xx; failures are typed (UnavailableError,
// HTTPError, a deadline).
func (c *Client) do(ctx context.Context, path string, params url.Values) (*http.Response, error) {
	req, err := c.newRequest(ctx, path, params)
	if err != nil {
		return nil, err
	}
	res, err := c.httpClient().Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil, fmt.Errorf("Loki did not answer in time: %w", context.DeadlineExceeded)
		}
		return nil, &UnavailableError{err}
	}
	if res.StatusCode/100 != 2 {
		defer res.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(res.Body, 2048))
		return nil, &HTTPError{Status: res.StatusCode, Body: strings.TrimSpace(string(body))}
	}
	return res, nil
}

// Get calls a Loki API path (e.g. /loki/api/v1/query_range) and decodes the JSON answer into out.
func (c *Client) Get(ctx context.Context, path string, params url.Values, out any) error {
	res, err := c.do(ctx, path, params)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if out == nil {
		_, err = io.Copy(io.Discard, res.Body)
		return err
	}
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		return fmt.Errorf("Loki answered with unreadable JSON: %w", err)
	}
	return nil
}

// TenantLimits is the tenant's limits as Loki applies them now (YAML, runtime overrides merged).
func (c *Client) TenantLimits(ctx context.Context) (string, error) {
	res, err := c.do(ctx, "/config/tenant/v1/limits", nil)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	return string(b), err
}

// Ready reports whether Loki's /ready answers 200.
func (c *Client) Ready(ctx context.Context) error {
	return c.Get(ctx, "/ready", nil, nil)
}

// QueryRange runs a log or metric query over [startNs, endNs).
func (c *Client) QueryRange(ctx context.Context, query string, startNs, endNs int64, limit int, direction string, stepSec int64) (*Response, error) {
	p := url.Values{"query": {query}, "start": {fmt.Sprint(startNs)}, "end": {fmt.Sprint(endNs)}}
	if limit > 0 {
		p.Set("limit", fmt.Sprint(limit))
	}
	if direction != "" {
		p.Set("direction", direction)
	}
	if stepSec > 0 {
		p.Set("step", fmt.Sprint(stepSec))
	}
	var r Response
	if err := c.Get(ctx, "/loki/api/v1/query_range", p, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Instant runs an instant metric query at timeNs.
func (c *Client) Instant(ctx context.Context, query string, timeNs int64) (*Response, error) {
	p := url.Values{"query": {query}, "time": {fmt.Sprint(timeNs)}}
	var r Response
	if err := c.Get(ctx, "/loki/api/v1/query", p, &r); err != nil {
		return nil, err
	}
	return &r, nil
}
