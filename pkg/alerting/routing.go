package alerting

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// route is a notification policy (Grafana's provisioning API shape). Unknown fields are kept so that
// a PUT of the tree returns what other tools configured unchanged.
type route map[string]any

// routing serialises read-modify-write of the org's policy tree within this process.
var routing sync.Mutex

const policiesPath = "/api/v1/provisioning/policies"

// ruleRoute sends alerts of one rule to one contact point and lets later policies see them too.
func ruleRoute(ruleUID, contactPoint string) route {
	return route{
		"receiver":        contactPoint,
		"object_matchers": [][]string{{LabelRuleUID, "=", ruleUID}},
		"continue":        true,
		"group_by":        []string{"alertname", LabelRuleUID},
		"group_wait":      "10s",
		"group_interval":  "1m",
		"repeat_interval": "4h",
	}
}

// routedRule is the rule uid an app-made policy matches, or "".
func routedRule(r route) string {
	ms, _ := r["object_matchers"].([]any)
	if len(ms) != 1 {
		return ""
	}
	m, _ := ms[0].([]any)
	if len(m) != 3 || m[0] != LabelRuleUID || m[1] != "=" {
		return ""
	}
	uid, _ := m[2].(string)
	return uid
}

func childRoutes(tree route) []any {
	rs, _ := tree["routes"].([]any)
	return rs
}

// contactPointsByRule reads which contact points each app rule is routed to.
func (c *Client) contactPointsByRule(ctx context.Context) (map[string][]string, error) {
	var tree route
	if err := c.do(ctx, "GET", policiesPath, nil, &tree); err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, x := range childRoutes(tree) {
		r, _ := x.(map[string]any)
		if uid := routedRule(r); uid != "" {
			if recv, _ := r["receiver"].(string); recv != "" {
				out[uid] = append(out[uid], recv)
			}
		}
	}
	return out, nil
}

// setRouting makes the rule's policies exactly one per contact point (none removes them), placed
// first so that no user policy without `continue` swallows the alert first.
func (c *Client) setRouting(ctx context.Context, ruleUID string, contactPoints []string) error {
	routing.Lock()
	defer routing.Unlock()
	// Grafana's policy PUT replaces the whole tree without checking it is the one read: a change made
	// elsewhere in between could drop ours, so the result is read back and the write tried once more.
	for attempt := 0; ; attempt++ {
		if err := c.putRouting(ctx, ruleUID, contactPoints); err != nil {
			return err
		}
		got, err := c.contactPointsByRule(ctx)
		if err != nil {
			return err
		}
		if slices.Equal(got[ruleUID], contactPoints) || (len(got[ruleUID]) == 0 && len(contactPoints) == 0) {
			return nil
		}
		if attempt == 1 {
			return fmt.Errorf("the notification policies of rule %s did not stay as written (changed concurrently)", ruleUID)
		}
	}
}

func (c *Client) putRouting(ctx context.Context, ruleUID string, contactPoints []string) error {
	var tree route
	if err := c.do(ctx, "GET", policiesPath, nil, &tree); err != nil {
		return err
	}
	var ours, others []any
	for _, x := range childRoutes(tree) {
		r, _ := x.(map[string]any)
		switch uid := routedRule(r); {
		case uid == ruleUID:
		case uid != "":
			ours = append(ours, x)
		default:
			others = append(others, x)
		}
	}
	for _, cp := range contactPoints {
		ours = append(ours, ruleRoute(ruleUID, cp))
	}
	tree["routes"] = slices.Concat(ours, others)
	return c.doWith(ctx, "PUT", policiesPath, tree, nil, opts{editable: true})
}
