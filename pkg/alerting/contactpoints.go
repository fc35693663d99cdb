package alerting

import (
	"context"
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strings"
)

// ContactPoint is a Grafana contact point as the Alerts page lists it: a name and the kinds of its
// integrations (a contact point may hold several).
type ContactPoint struct {
	Name  string   `json:"name"`
	Types []string `json:"types"`
}

type provisionedContactPoint struct {
	Name     string         `json:"name"`
	Type     string         `json:"type"`
	Settings map[string]any `json:"settings"`
}

// ContactPoints lists the org's contact points: the Alertmanager's receivers, by the names
// notification policies route to.
func (c *Client) ContactPoints(ctx context.Context) ([]ContactPoint, error) {
	receivers, err := c.receivers(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ContactPoint, 0, len(receivers))
	for _, r := range receivers {
		cp := ContactPoint{Name: r.Name, Types: []string{}}
		for _, i := range r.Configs {
			if !slices.Contains(cp.Types, i.Type) {
				cp.Types = append(cp.Types, i.Type)
			}
		}
		out = append(out, cp)
	}
	slices.SortFunc(out, func(a, b ContactPoint) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func (c *Client) receivers(ctx context.Context) ([]amReceiver, error) {
	var cfg struct {
		AlertmanagerConfig struct {
			Receivers []amReceiver `json:"receivers"`
		} `json:"alertmanager_config"`
	}
	err := c.do(ctx, "GET", "/api/alertmanager/grafana/config/api/v1/alerts", nil, &cfg)
	return cfg.AlertmanagerConfig.Receivers, err
}

// NewContactPoint is a contact point made from the Alerts page: e-mail addresses, a Slack incoming
// webhook, or a webhook URL.
type NewContactPoint struct {
	Name      string `json:"name"`
	Type      string `json:"type"`
	Addresses string `json:"addresses"`
	URL       string `json:"url"`
}

func (n *NewContactPoint) settings() (map[string]any, error) {
	n.Name = strings.TrimSpace(n.Name)
	if n.Name == "" || len(n.Name) > maxNameLen {
		return nil, &ValidationError{"name", "a contact point needs a name of at most 190 characters"}
	}
	switch n.Type {
	case "email":
		var list []string
		for _, a := range strings.FieldsFunc(n.Addresses, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
			a = strings.TrimSpace(a)
			if a == "" {
				continue
			}
			if addr, err := mail.ParseAddress(a); err != nil || addr.Address != a {
				return nil, &ValidationError{"addresses", fmt.Sprintf("%q is not an e-mail address", a)}
			}
			list = append(list, a)
		}
		if len(list) == 0 {
			return nil, &ValidationError{"addresses", "give at least one e-mail address"}
		}
		return map[string]any{"addresses": strings.Join(list, ";"), "singleEmail": false}, nil
	case "slack", "webhook":
		u, err := url.Parse(strings.TrimSpace(n.URL))
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, &ValidationError{"url", "give the full http(s) URL to deliver to"}
		}
		if n.Type == "slack" {
			return map[string]any{"url": u.String()}, nil
		}
		return map[string]any{"url": u.String(), "httpMethod": "POST"}, nil
	}
	return nil, &ValidationError{"type", fmt.Sprintf("a contact point from this page is email, slack or webhook, not %q", n.Type)}
}

// CreateContactPoint adds a contact point; a name already in use is refused.
func (c *Client) CreateContactPoint(ctx context.Context, n NewContactPoint) (ContactPoint, error) {
	settings, err := n.settings()
	if err != nil {
		return ContactPoint{}, err
	}
	existing, err := c.ContactPoints(ctx)
	if err != nil {
		return ContactPoint{}, err
	}
	if slices.ContainsFunc(existing, func(cp ContactPoint) bool { return cp.Name == n.Name }) {
		return ContactPoint{}, &ValidationError{"name", fmt.Sprintf("a contact point named %q already exists", n.Name)}
	}
	err = c.doWith(ctx, "POST", "/api/v1/provisioning/contact-points",
		provisionedContactPoint{Name: n.Name, Type: n.Type, Settings: settings}, nil, opts{editable: true})
	return ContactPoint{Name: n.Name, Types: []string{n.Type}}, err
}

// CheckContactPoints refuses names that are not contact points of the org.
func (c *Client) CheckContactPoints(ctx context.Context, names []string) error {
	existing, err := c.ContactPoints(ctx)
	if err != nil {
		return err
	}
	for _, n := range names {
		if !slices.ContainsFunc(existing, func(cp ContactPoint) bool { return cp.Name == n }) {
			return &ValidationError{"contactPoints", fmt.Sprintf("there is no contact point named %q", n)}
		}
	}
	return nil
}

// TestResult is what one integration of a contact point answered to a test notification.
type TestResult struct {
	ContactPoint string `json:"contactPoint"`
	Integration  string `json:"integration"`
	Type         string `json:"type"`
	Status       string `json:"status"`
	Error        string `json:"error,omitempty"`
}

type amReceiver struct {
	Name    string          `json:"name"`
	Configs []amIntegration `json:"grafana_managed_receiver_configs"`
}

type amIntegration struct {
	UID                   string         `json:"uid"`
	Name                  string         `json:"name"`
	Type                  string         `json:"type"`
	DisableResolveMessage bool           `json:"disableResolveMessage"`
	Settings              map[string]any `json:"settings"`
}

// TestNotify sends a test notification of the rule through each contact point and reports what
// every integration answered.
func (c *Client) TestNotify(ctx context.Context, r Rule) ([]TestResult, error) {
	return c.Notify(ctx, r.ContactPoints,
		map[string]string{"alertname": r.Name, LabelRuleUID: r.UID, LabelSeverity: r.Severity, "attest_test": "true"},
		map[string]string{"summary": "Test notification from Attest: " + r.Name,
			"description": "This is a test of the audit alert's contact points; no audit event triggered it."})
}

// Notify sends one notification with these labels and annotations through each named contact point,
// outside any alert rule (Grafana fills in the stored secrets by integration uid), and reports what
// every integration answered.
func (c *Client) Notify(ctx context.Context, contactPoints []string, labels, annotations map[string]string) ([]TestResult, error) {
	all, err := c.receivers(ctx)
	if err != nil {
		return nil, err
	}
	var receivers []amReceiver
	for _, name := range contactPoints {
		i := slices.IndexFunc(all, func(x amReceiver) bool { return x.Name == name })
		if i < 0 {
			return nil, &ValidationError{"contactPoints", fmt.Sprintf("there is no contact point named %q", name)}
		}
		receivers = append(receivers, all[i])
	}
	body := map[string]any{"receivers": receivers, "alert": map[string]any{"labels": labels, "annotations": annotations}}
	var res struct {
		Receivers []struct {
			Name    string `json:"name"`
			Configs []struct {
				Name   string `json:"name"`
				UID    string `json:"uid"`
				Status string `json:"status"`
				Error  string `json:"error"`
			} `json:"grafana_managed_receiver_configs"`
		} `json:"receivers"`
	}
	// 207: some integrations failed, 400/408: all failed or timed out; each still reports per integration.
	accept := func(s int) bool { return s == 400 || s == 408 }
	if err := c.doWith(ctx, "POST", "/api/alertmanager/grafana/config/api/v1/receivers/test", body, &res, opts{accept: accept}); err != nil {
		return nil, err
	}
	var out []TestResult
	for _, rc := range res.Receivers {
		for _, ic := range rc.Configs {
			typ := ""
			for _, recv := range receivers {
				for _, i := range recv.Configs {
					if i.UID == ic.UID {
						typ = i.Type
					}
				}
			}
			out = append(out, TestResult{ContactPoint: rc.Name, Integration: ic.Name, Type: typ, Status: ic.Status, Error: ic.Error})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("Grafana reported no delivery for contact points %s", strings.Join(contactPoints, ", "))
	}
	return out, nil
}

// DefaultContactPoint is the receiver of the org's root notification policy.
func (c *Client) DefaultContactPoint(ctx context.Context) (string, error) {
	var tree route
	if err := c.do(ctx, "GET", policiesPath, nil, &tree); err != nil {
		return "", err
	}
	recv, _ := tree["receiver"].(string)
	if recv == "" {
		return "", &ValidationError{"contactPoints", "the default notification policy has no contact point; pick one"}
	}
	return recv, nil
}
