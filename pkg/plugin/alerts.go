package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/attest/auditlog/pkg/alerting"
	"github.com/attest/auditlog/pkg/counts"
	"github.com/attest/auditlog/pkg/selfaudit"
)

const ruleShape = "{name, description, categories, severity, contactPoints, active, …}"

// alerts is the org's alert rule service, acting as the app's Grafana service account.
// errAlertingNotConfigured is the error code of a backend that has no way to manage alert rules.
const errAlertingNotConfigured = "alerting_not_configured"

func (a *App) alerts(ctx context.Context, c *caller) (*alerting.Service, error) {
	base, token := a.settings.GrafanaURL, a.settings.GrafanaToken
	if cfg := backend.GrafanaConfigFromContext(ctx); cfg != nil {
		if base == "" {
			base, _ = cfg.AppURL()
		}
		if token == "" {
			token, _ = cfg.PluginAppClientSecret()
		}
	}
	if base == "" || token == "" {
		return nil, &APIError{http.StatusServiceUnavailable, errAlertingNotConfigured,
			"audit alerts need a Grafana service account token (Admin role) on the app's configuration page, " +
				"and the server-level grafana_url"}
	}
	interval, _ := a.settings.alertInterval()
	key, err := counts.LoadKey(a.settings.KeysDir)
	if err != nil {
		return nil, fmt.Errorf("the query signing key: %w", err)
	}
	return &alerting.Service{Client: &alerting.Client{BaseURL: base, Token: token, HTTP: a.httpClient},
		OrgID: c.OrgID, Interval: interval, Key: key}, nil
}

// alertInPath is the org's alert service and the rule the path names.
func (a *App) alertInPath(r *http.Request, c *caller) (*alerting.Service, alerting.Rule, error) {
	svc, err := a.alerts(r.Context(), c)
	if err != nil {
		return nil, alerting.Rule{}, err
	}
	rule, err := svc.Get(r.Context(), r.PathValue("uid"))
	return svc, rule, err
}

// alertEvent is the trail entry of a change to an alert rule.
func alertEvent(c *caller, verb string, r alerting.Rule, before *alerting.Rule, extra map[string]any) selfaudit.Event {
	meta := map[string]any{"rule_uid": r.UID, "categories": r.Categories, "severity": r.Severity,
		"contact_points": r.ContactPoints, "active": r.Active}
	if r.Starter != "" {
		meta["starter"] = r.Starter
	}
	for k, v := range extra {
		meta[k] = v
	}
	e := selfaudit.Event{
		Type: "audit.alert." + verb, Category: "COMPLIANCE", Action: alertAction[verb],
		Description: fmt.Sprintf("%s %s an audit alert rule", c.User.Login, verb),
		TargetType:  "alert_rule", TargetID: r.UID, TargetName: r.Name, Metadata: meta,
	}
	if before != nil {
		// As maps, so the values that may name someone are sealed like any record's (sealPersonal).
		e.Changes = map[string]any{"before": specMap(before.RuleSpec), "after": specMap(r.RuleSpec)}
	}
	return e
}

func specMap(s alerting.RuleSpec) map[string]any {
	var m map[string]any
	b, _ := json.Marshal(s)
	_ = json.Unmarshal(b, &m)
	return m
}

var alertAction = map[string]string{"created": "create", "updated": "update", "enabled": "update",
	"disabled": "update", "deleted": "delete", "tested": "execute"}

// change records the action, then makes it: nothing changes unrecorded. A change that then fails is
// recorded again with its failure.
func (a *App) change(ctx context.Context, c *caller, e selfaudit.Event, do func() error) error {
	if err := a.record(ctx, c, e); err != nil {
		return err
	}
	err := do()
	if err != nil {
		e.Outcome, e.Severity = "failure", "WARNING"
		e.Metadata["error"] = err.Error()
		if rerr := a.record(context.WithoutCancel(ctx), c, e); rerr != nil {
			log.DefaultLogger.Error("could not record a failed alert change", "error", rerr.Error())
		}
	}
	return err
}

func (a *App) handleAlertList(w http.ResponseWriter, r *http.Request, c *caller) error {
	svc, err := a.alerts(r.Context(), c)
	if err != nil {
		return err
	}
	rules, err := svc.List(r.Context())
	if err != nil && rules == nil {
		return err
	}
	historyErr := ""
	if err != nil {
		historyErr = "Grafana's alert state history could not be read: " + err.Error()
	}
	// Lists, never null: an org that enabled every starter, or has no rule, gets [].
	starters := []alerting.Rule{}
	if rules == nil {
		rules = []alerting.Rule{}
	}
	for _, s := range alerting.Starters {
		if !slices.ContainsFunc(rules, func(x alerting.Rule) bool { return x.Starter == s.Starter }) {
			starters = append(starters, s)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"rules": rules, "starters": starters, "historyError": historyErr})
	return nil
}

func (a *App) handleAlertCreate(w http.ResponseWriter, r *http.Request, c *caller) error {
	var in alerting.RuleSpec
	if err := decodeBody(r, &in, ruleShape); err != nil {
		return err
	}
	return a.createRule(w, r, c, alerting.Rule{RuleSpec: in})
}

func (a *App) createRule(w http.ResponseWriter, r *http.Request, c *caller, rule alerting.Rule) error {
	svc, err := a.alerts(r.Context(), c)
	if err != nil {
		return err
	}
	if err := rule.Normalize(); err != nil {
		return err
	}
	if err := svc.CheckContactPoints(r.Context(), rule.ContactPoints); err != nil {
		return err
	}
	rule.UID = alerting.NewUID()
	var made alerting.Rule
	created := alertEvent(c, "created", rule, nil, nil)
	created.Changes = map[string]any{"after": specMap(rule.RuleSpec)}
	err = a.change(r.Context(), c, created, func() (err error) {
		made, err = svc.Create(r.Context(), rule)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, made)
	return nil
}

// handleStarterEnable creates a starter rule, active, routed to the contact points given or else to
// the org's default contact point.
func (a *App) handleStarterEnable(w http.ResponseWriter, r *http.Request, c *caller) error {
	rule, ok := alerting.StarterByID(r.PathValue("id"))
	if !ok {
		return notFound(fmt.Sprintf("no starter rule %q", r.PathValue("id")))
	}
	var in struct {
		ContactPoints []string `json:"contactPoints"`
	}
	if err := decodeBody(r, &in, "{contactPoints}"); err != nil {
		return err
	}
	rule.ContactPoints, rule.Active = in.ContactPoints, true
	svc, err := a.alerts(r.Context(), c)
	if err != nil {
		return err
	}
	existing, err := svc.List(r.Context())
	if err != nil && existing == nil {
		return err
	}
	if slices.ContainsFunc(existing, func(x alerting.Rule) bool { return x.Starter == rule.Starter }) {
		return &APIError{http.StatusConflict, "already_enabled", fmt.Sprintf("the starter rule %q is already enabled", rule.Name)}
	}
	if len(rule.ContactPoints) == 0 {
		def, err := svc.DefaultContactPoint(r.Context())
		if err != nil {
			return err
		}
		rule.ContactPoints = []string{def}
	}
	return a.createRule(w, r, c, rule)
}

func (a *App) handleAlertUpdate(w http.ResponseWriter, r *http.Request, c *caller) error {
	var in alerting.RuleSpec
	if err := decodeBody(r, &in, ruleShape); err != nil {
		return err
	}
	svc, before, err := a.alertInPath(r, c)
	if err != nil {
		return err
	}
	rule := alerting.Rule{RuleSpec: in}
	if err := rule.Normalize(); err != nil {
		return err
	}
	if err := svc.CheckContactPoints(r.Context(), rule.ContactPoints); err != nil {
		return err
	}
	rule.UID, rule.Starter = before.UID, before.Starter
	var updated alerting.Rule
	err = a.change(r.Context(), c, alertEvent(c, "updated", rule, &before, nil), func() (err error) {
		updated, err = svc.Update(r.Context(), before.UID, rule)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, updated)
	return nil
}

func (a *App) handleAlertActive(w http.ResponseWriter, r *http.Request, c *caller) error {
	var in struct {
		Active *bool `json:"active"`
	}
	if err := decodeBody(r, &in, "{active: true|false}"); err != nil {
		return err
	}
	if in.Active == nil {
		return badRequest("active (true or false) is required")
	}
	svc, before, err := a.alertInPath(r, c)
	if err != nil {
		return err
	}
	after := before
	after.Active = *in.Active
	verb := map[bool]string{true: "enabled", false: "disabled"}[*in.Active]
	var updated alerting.Rule
	err = a.change(r.Context(), c, alertEvent(c, verb, after, &before, nil), func() (err error) {
		updated, err = svc.SetActive(r.Context(), before.UID, *in.Active)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, updated)
	return nil
}

func (a *App) handleAlertDelete(w http.ResponseWriter, r *http.Request, c *caller) error {
	svc, before, err := a.alertInPath(r, c)
	if err != nil {
		return err
	}
	deleted := alertEvent(c, "deleted", before, nil, nil)
	deleted.Changes = map[string]any{"before": specMap(before.RuleSpec)}
	err = a.change(r.Context(), c, deleted, func() error {
		_, err := svc.Delete(r.Context(), before.UID)
		return err
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleAlertTest sends a test notification through the rule's contact points and answers what each
// integration said.
func (a *App) handleAlertTest(w http.ResponseWriter, r *http.Request, c *caller) error {
	svc, rule, err := a.alertInPath(r, c)
	if err != nil {
		return err
	}
	var results []alerting.TestResult
	if err := a.change(r.Context(), c, alertEvent(c, "tested", rule, nil, nil), func() (err error) {
		results, err = svc.TestNotify(r.Context(), rule)
		return err
	}); err != nil {
		return err
	}
	delivered := !slices.ContainsFunc(results, func(t alerting.TestResult) bool { return t.Status != "ok" })
	if !delivered {
		failed := alertEvent(c, "tested", rule, nil, map[string]any{"results": results, "delivered": false})
		failed.Outcome, failed.Severity = "failure", "WARNING"
		if err := a.record(r.Context(), c, failed); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"delivered": delivered, "results": results})
	return nil
}

func (a *App) handleContactPoints(w http.ResponseWriter, r *http.Request, c *caller) error {
	svc, err := a.alerts(r.Context(), c)
	if err != nil {
		return err
	}
	cps, err := svc.ContactPoints(r.Context())
	if err != nil {
		return err
	}
	def, _ := svc.DefaultContactPoint(r.Context())
	writeJSON(w, http.StatusOK, map[string]any{"contactPoints": cps, "default": def})
	return nil
}

func (a *App) handleContactPointCreate(w http.ResponseWriter, r *http.Request, c *caller) error {
	var in alerting.NewContactPoint
	if err := decodeBody(r, &in, "{name, type: email|slack|webhook, addresses | url}"); err != nil {
		return err
	}
	svc, err := a.alerts(r.Context(), c)
	if err != nil {
		return err
	}
	var cp alerting.ContactPoint
	// The URL may carry a secret (a Slack webhook): the trail gets the kind, not the address.
	e := selfaudit.Event{Type: "audit.alert.contact_point.created", Category: "COMPLIANCE", Action: "create",
		Description: fmt.Sprintf("%s created the contact point %q", c.User.Login, in.Name),
		TargetType:  "contact_point", TargetID: in.Name, TargetName: in.Name, Metadata: map[string]any{"type": in.Type}}
	err = a.change(r.Context(), c, e, func() (err error) {
		cp, err = svc.CreateContactPoint(r.Context(), in)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, cp)
	return nil
}

// alertingError maps the alert service's errors to answers.
func alertingError(err error) (*APIError, bool) {
	var v *alerting.ValidationError
	var nf *alerting.NotFoundError
	var ge *alerting.APIError
	switch {
	case errors.As(err, &v):
		return &APIError{http.StatusBadRequest, "invalid_" + v.Field, v.Msg}, true
	case errors.As(err, &nf):
		return notFound(nf.Error()), true
	case errors.As(err, &ge):
		switch ge.Status {
		case http.StatusUnauthorized, http.StatusForbidden:
			return &APIError{http.StatusBadGateway, "grafana_refused",
				fmt.Sprintf("Grafana refused the app's service account token (%d): give it the Admin role, or set a new one on the configuration page", ge.Status)}, true
		case http.StatusBadRequest:
			return badRequest("Grafana refused the alert rule: " + ge.Message), true
		}
		log.DefaultLogger.Error("Grafana API error", "error", ge.Error())
		return &APIError{http.StatusBadGateway, "grafana_error", ge.Error()}, true
	}
	return nil, false
}
