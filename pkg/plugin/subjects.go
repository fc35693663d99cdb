package plugin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/attest/auditlog/pkg/alerting"
	"github.com/attest/auditlog/pkg/export"
	"github.com/attest/auditlog/pkg/loki"
	"github.com/attest/auditlog/pkg/schema"
	"github.com/attest/auditlog/pkg/selfaudit"
	"github.com/attest/auditlog/pkg/subjects"
)

var subjectStores sync.Map // dir → *subjects.Store

// subjects is the per-subject key directory, or nil when the server has none configured.
func (a *App) subjects() *subjects.Store {
	if a.settings.SubjectKeysDir == "" {
		return nil
	}
	s, _ := subjectStores.LoadOrStore(a.settings.SubjectKeysDir, subjects.NewStore(a.settings.SubjectKeysDir))
	return s.(*subjects.Store)
}

// reveal replaces an event's encrypted identities by the person's, or by [erased] once the subject
// was erased. The labels keep what is stored (hashes are computed from them).
func (a *App) reveal(tenant string, e *loki.Event) {
	a.unseal(tenant, e)
	s := a.subjects()
	if s == nil {
		return
	}
	for _, f := range []struct {
		attr string
		v    *string
	}{{"user.id", &e.ActorID}, {"user.email", &e.ActorEmail}, {"user.name", &e.ActorName},
		{"client.address", &e.ClientAddr}, {"audit.target.id", &e.TargetID}, {"audit.target.name", &e.TargetName}} {
		*f.v = s.Reveal(tenant, f.attr, *f.v)
	}
}

func (a *App) revealAll(tenant string, events []loki.Event) {
	for i := range events {
		a.reveal(tenant, &events[i])
	}
}

// identityAttrs are the Loki names of the identity fields the viewer's dropdowns list, with the
// attribute each is encrypted under.
var identityAttrs = map[string]string{schema.MetaUserEmail: "user.email", schema.MetaUserID: "user.id"}

// revealing is an export writer that reveals each event's identities before the next writer.
type revealing struct {
	export.Writer
	app    *App
	tenant string
}

func (r *revealing) Write(e *loki.Event) error {
	r.app.reveal(r.tenant, e)
	return r.Writer.Write(e)
}

func (r *revealing) Abort() {
	if ab, ok := r.Writer.(interface{ Abort() }); ok {
		ab.Abort()
	}
}

// withStoredActor adds the stored forms of the actor filter's person (an id or e-mail), so a search
// for them finds their encrypted events.
func (a *App) withStoredActor(tenant string, f *loki.Filters) {
	if s := a.subjects(); s != nil && f.Actor != "" {
		f.ActorStored = s.StoredForms(tenant, f.Actor)
	}
}

// handleSubjectErase erases a data subject (by user id or e-mail): its key and index entries go, so
// its stored identities can never be read or linked again, while every record and chain stay. Job
// parameters naming it are scrubbed, and export and report files holding it are deleted. Recorded
// without the identity.
func (a *App) handleSubjectErase(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req struct {
		Subject string `json:"subject"`
	}
	if err := decodeBody(r, &req, "{subject: a user id or e-mail address}"); err != nil {
		return err
	}
	id := strings.TrimSpace(req.Subject)
	if id == "" || len(id) > 320 {
		return badRequest("subject is required: the person's user id or e-mail address")
	}
	s := a.subjects()
	if s == nil {
		return &APIError{http.StatusConflict, "not_configured",
			"identities are not stored per subject here: set subject_keys_dir in [plugin.attest-auditlog-app] and give producers the same directory"}
	}
	ref, _, err := s.Resolve(c.Tenant, id)
	if errors.Is(err, subjects.ErrUnknown) {
		return notFound("no data subject with this user id or e-mail in this organization's trail (or already erased)")
	}
	if err != nil {
		return err
	}
	// The person's other identifiers (id ↔ e-mail, name) are learnt while the key still opens them.
	names := a.identifiersOf(c.Tenant, id)
	// Recorded before the irreversible part: an erasure that cannot be recorded does not happen. The
	// record names the erasure, not the subject: no ref that would tie it to the person's events.
	erasure := uuid.NewString()
	if err := a.record(r.Context(), c, selfaudit.Event{
		Type: "audit.subject.erased", Category: "COMPLIANCE", Action: "delete", Severity: "WARNING",
		Description: fmt.Sprintf("A data subject was erased by %s (GDPR Art. 17): identities shredded", c.User.Login),
		TargetType:  "data_subject_erasure", TargetID: erasure,
	}); err != nil {
		return err
	}
	if _, err := s.Erase(c.Tenant, id); err != nil {
		return err
	}
	rn, err := a.jobRunner()
	if err != nil {
		return err
	}
	scrubbed, deleted, err := subjects.ScrubJobs(r.Context(), rn, c.OrgID, names)
	if err != nil {
		return err
	}
	if seals := a.seals(); seals != nil {
		if _, err := seals.Forget(r.Context(), c.Tenant, names); err != nil {
			return err
		}
	}
	// The key is gone already: a rule that cannot be changed now is said, not a reason to stop.
	rules, err := a.forgetInAlertRules(r.Context(), c, names)
	if err != nil {
		log.DefaultLogger.Error("erasure: alert rules naming the person not scrubbed", "error", err.Error())
	}
	if counts := a.dailyCounts(); counts != nil {
		if _, err := counts.ForgetActor(r.Context(), c.Tenant, func(actor string) bool {
			return strings.Contains(actor, ref) || slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(actor, n) })
		}); err != nil {
			return err
		}
	}
	out := map[string]any{"erasureId": erasure, "jobsScrubbed": scrubbed, "filesDeleted": deleted, "alertRulesPaused": rules}
	if err != nil {
		out["alertRulesError"] = "alert rules naming the person could not all be changed: " + err.Error()
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// identifiersOf is what names the subject: the identifier given, its other identities (id, e-mail,
// name) from its most recent event as actor, and its name as the target of events, read while the
// key still opens them.
func (a *App) identifiersOf(tenant, id string) []string {
	out := []string{id}
	f := loki.Filters{Actor: id}
	a.withStoredActor(tenant, &f)
	if len(f.ActorStored) == 0 {
		return out
	}
	q, err := loki.EventsQuery(f)
	if err != nil {
		return out
	}
	// Known as an actor: the other identities of the latest event they did.
	if page, err := a.tenantClient(tenant).FetchPage(context.Background(), q, recentRange(), nil, 1); err == nil && len(page.Events) > 0 {
		e := page.Events[0]
		a.reveal(tenant, &e)
		for _, v := range []string{e.ActorID, e.ActorEmail, e.ActorName} {
			if v != "" && v != subjects.Erased && len(v) >= 3 && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return append(out, a.targetNamesOf(tenant, out)...)
}

// targetNamesOf is how the subject is named where they are the target of an event (the name a producer
// gave the resource, e.g. "Erin Example"), read from their latest such event while the key opens it.
func (a *App) targetNamesOf(tenant string, ids []string) []string {
	s := a.subjects()
	ref, key, err := s.Resolve(tenant, ids[0])
	if err != nil {
		return nil
	}
	var out []string
	for _, id := range ids {
		stored, err := subjects.Encrypt(ref, key, "audit.target.id", id)
		if err != nil {
			continue
		}
		q, err := loki.EventsQuery(loki.Filters{TargetID: stored})
		if err != nil {
			continue
		}
		page, err := a.tenantClient(tenant).FetchPage(context.Background(), q, recentRange(), nil, 1)
		if err != nil || len(page.Events) == 0 {
			continue
		}
		e := page.Events[0]
		a.reveal(tenant, &e)
		if v := e.TargetName; v != "" && v != subjects.Erased && len(v) >= 3 && !slices.Contains(ids, v) && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// recentRange is the last 365 days: how far back a subject's latest event is looked for.
func recentRange() loki.Range {
	now := time.Now()
	return loki.Range{StartNs: now.AddDate(-1, 0, 0).UnixNano(), EndNs: now.UnixNano()}
}

// forgetInAlertRules pauses every audit alert rule of the organization whose name, description, actor
// or matched value names the person, with those replaced by [erased]: Grafana keeps no definition
// naming them, and a rule about someone who can no longer be identified does not run. An org without
// alerting configured has no rules to look at.
func (a *App) forgetInAlertRules(ctx context.Context, c *caller, names []string) (int, error) {
	svc, err := a.alerts(ctx, c)
	// With no way to manage alert rules there is none to change; any other error is said.
	if notConfigured := (*APIError)(nil); errors.As(err, &notConfigured) && notConfigured.Code == errAlertingNotConfigured {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	rules, err := svc.List(ctx)
	if err != nil {
		return 0, fmt.Errorf("listing the alert rules: %w", err)
	}
	n := 0
	for _, r := range rules {
		s := r.RuleSpec
		s.Name, s.Description = subjects.Scrub(s.Name, names), subjects.Scrub(s.Description, names)
		s.Actor, s.ChangedTo = subjects.Scrub(s.Actor, names), subjects.Scrub(s.ChangedTo, names)
		if s.Name == r.Name && s.Description == r.Description && s.Actor == r.Actor && s.ChangedTo == r.ChangedTo {
			continue
		}
		if s.Name != r.Name {
			// Titles are unique in Grafana's folder: rules about two erased people must not clash.
			s.Name += " (" + r.UID + ")"
		}
		s.Active = false
		if _, err := svc.Update(ctx, r.UID, alerting.Rule{RuleSpec: s}); err != nil {
			return n, fmt.Errorf("scrubbing alert rule %s: %w", r.UID, err)
		}
		n++
	}
	return n, nil
}
