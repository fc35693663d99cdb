package plugin

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/attest/auditlog/pkg/counts"
	"github.com/attest/auditlog/pkg/loki"
	"github.com/attest/auditlog/pkg/schema"
	"github.com/attest/auditlog/pkg/selfaudit"
	"github.com/attest/auditlog/pkg/subjects"
)

// handleMe tells the frontend whether the caller may read, so a closed page can say why. Opening the
// app without the read role is recorded as a refusal.
func (a *App) handleMe(w http.ResponseWriter, r *http.Request, c *caller) error {
	canRead := RoleAllows(c.User.Role, a.settings.ReadRole) && c.Tenant != ""
	if !canRead {
		a.recordDenied(r.Context(), c, "GET /me", fmt.Sprintf("org role %s is below %s", c.User.Role, a.settings.ReadRole))
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"login": c.User.Login, "role": c.User.Role, "orgId": c.OrgID,
		"canRead": canRead, "readRole": a.settings.ReadRole,
		"tenantConfigured": c.Tenant != "", "tracesDatasourceUid": a.settings.TracesDatasourceUID,
	})
	return nil
}

const defaultPageSize = 25

func (a *App) handleEvents(w http.ResponseWriter, r *http.Request, c *caller) error {
	q, err := parseQuery(r.URL.Query(), "cursor", "pageSize")
	if err != nil {
		return err
	}
	a.withStoredActor(c.Tenant, &q.Filters)
	pageSize := defaultPageSize
	if s := q.Values.Get("pageSize"); s != "" {
		if pageSize, err = strconv.Atoi(s); err != nil || pageSize < 1 || pageSize > 1000 {
			return badRequest("pageSize must be a whole number from 1 to 1000")
		}
	}
	var cursor *loki.Cursor
	if s := q.Values.Get("cursor"); s != "" {
		cur, ok := loki.DecodeCursor(s)
		if !ok {
			return badRequest("cursor is malformed")
		}
		cursor = &cur
	}
	meta := filterSummary(q)
	meta["cursor"] = q.Values.Get("cursor")
	query, _ := loki.EventsQuery(q.Filters)
	page, err := recorded(r.Context(), a, c, selfaudit.Event{
		Type: "audit.log.viewed", Category: "COMPLIANCE", Action: "read",
		Description: fmt.Sprintf("%s viewed the audit trail", c.User.Login),
		TargetType:  "audit_trail", TargetID: c.Tenant, Metadata: meta,
	}, func(ctx context.Context) (*loki.Page, error) {
		return a.lokiFor(c).FetchPage(ctx, query, q.Range, cursor, pageSize)
	})
	if err != nil {
		return err
	}
	a.revealAll(c.Tenant, page.Events)
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (a *App) handleEventCount(w http.ResponseWriter, r *http.Request, c *caller) error {
	q, err := parseQuery(r.URL.Query())
	if err != nil {
		return err
	}
	a.withStoredActor(c.Tenant, &q.Filters)
	n, err := recorded(r.Context(), a, c, selfaudit.Event{
		Type: "audit.log.counted", Category: "COMPLIANCE", Action: "read",
		Description: fmt.Sprintf("%s counted audit events", c.User.Login),
		TargetType:  "audit_trail", TargetID: c.Tenant, Metadata: filterSummary(q),
	}, func(ctx context.Context) (int64, error) {
		return a.lokiFor(c).Count(ctx, q.Filters, q.Range)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int64{"total": n})
	return nil
}

// eventWindow is where an event id is looked for when no range is given: a UUIDv7 carries its
// creation time in milliseconds, so a day either side of it.
func eventWindow(id string) (loki.Range, bool) {
	u, err := uuid.Parse(id)
	if err != nil || u.Version() != 7 {
		return loki.Range{}, false
	}
	ms := int64(u[0])<<40 | int64(u[1])<<32 | int64(u[2])<<24 | int64(u[3])<<16 | int64(u[4])<<8 | int64(u[5])
	t := time.UnixMilli(ms)
	return loki.Range{StartNs: t.Add(-24 * time.Hour).UnixNano(), EndNs: t.Add(24 * time.Hour).UnixNano()}, true
}

func (a *App) handleEvent(w http.ResponseWriter, r *http.Request, c *caller) error {
	id := r.PathValue("id")
	v := r.URL.Query()
	for k := range v {
		if k != "from" && k != "to" {
			return badRequest(fmt.Sprintf("unknown parameter %q", k))
		}
	}
	var rng loki.Range
	var err error
	if v.Has("from") || v.Has("to") {
		if rng, err = parseRange(v); err != nil {
			return err
		}
	} else if w, ok := eventWindow(id); ok {
		rng = w
	} else {
		return badRequest("the event id is not a UUIDv7: give from and to")
	}
	query, err := loki.EventsQuery(loki.Filters{EventID: id})
	if err != nil {
		return err
	}
	page, err := recorded(r.Context(), a, c, selfaudit.Event{
		Type: "audit.event.viewed", Category: "COMPLIANCE", Action: "read",
		Description: fmt.Sprintf("%s opened audit event %s", c.User.Login, id),
		TargetType:  "audit_event", TargetID: id,
	}, func(ctx context.Context) (*loki.Page, error) {
		return a.lokiFor(c).FetchPage(ctx, query, rng, nil, 1)
	})
	if err != nil {
		return err
	}
	if len(page.Events) == 0 {
		return notFound("no audit event with this id in this organization's trail")
	}
	a.reveal(c.Tenant, &page.Events[0])
	writeJSON(w, http.StatusOK, page.Events[0])
	return nil
}

func (a *App) handleOverview(w http.ResponseWriter, r *http.Request, c *caller) error {
	q, err := parseQuery(r.URL.Query())
	if err != nil {
		return err
	}
	a.withStoredActor(c.Tenant, &q.Filters)
	o, err := recorded(r.Context(), a, c, selfaudit.Event{
		Type: "audit.overview.viewed", Category: "COMPLIANCE", Action: "read",
		Description: fmt.Sprintf("%s viewed the audit overview", c.User.Login),
		TargetType:  "audit_trail", TargetID: c.Tenant, Metadata: filterSummary(q),
	}, func(ctx context.Context) (*loki.Overview, error) {
		return a.overview(ctx, c, q.Filters, q.Range)
	})
	if err != nil {
		return err
	}
	a.revealAll(c.Tenant, o.RecentHighSeverity)
	writeJSON(w, http.StatusOK, o)
	return nil
}

// valueFields are the filters whose present values the viewer's dropdowns offer.
var valueFields = map[string]string{
	"eventType":  schema.MetaEvent,
	"service":    schema.LabelService,
	"actor":      schema.MetaUserEmail,
	"actorId":    schema.MetaUserID,
	"targetType": schema.MetaTargetType,
	"stack":      schema.MetaStack,
	"region":     schema.MetaRegion,
}

func (a *App) handleValues(w http.ResponseWriter, r *http.Request, c *caller) error {
	q, err := parseQuery(r.URL.Query(), "field")
	if err != nil {
		return err
	}
	a.withStoredActor(c.Tenant, &q.Filters)
	name, ok := valueFields[q.Values.Get("field")]
	if !ok {
		return badRequest("field must be one of eventType, service, actor, actorId, targetType, stack, region")
	}
	meta := filterSummary(q)
	meta["field"] = q.Values.Get("field")
	vals, err := recorded(r.Context(), a, c, selfaudit.Event{
		Type: "audit.log.values.viewed", Category: "COMPLIANCE", Action: "read",
		Description: fmt.Sprintf("%s listed the %s values of the audit trail", c.User.Login, q.Values.Get("field")),
		TargetType:  "audit_trail", TargetID: c.Tenant, Metadata: meta,
	}, func(ctx context.Context) ([]loki.NamedCount, error) {
		return a.lokiFor(c).Values(ctx, q.Filters, q.Range, name)
	})
	if err != nil {
		return err
	}
	if attr, ok := identityAttrs[name]; ok && a.subjects() != nil {
		for i := range vals {
			vals[i].Name = a.subjects().Reveal(c.Tenant, attr, vals[i].Name)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"field": q.Values.Get("field"), "values": vals})
	return nil
}

// handleActorResolve turns the opaque actor reference of a per-actor alert back into the actor, for
// those who may read the trail: it is found among the actors of the range (last 30 days unless given).
func (a *App) handleActorResolve(w http.ResponseWriter, r *http.Request, c *caller) error {
	q, err := parseQuery(r.URL.Query(), "ref")
	if err != nil {
		return err
	}
	ref := q.Values.Get("ref")
	if len(ref) != 16 || strings.Trim(ref, "0123456789abcdef") != "" {
		return badRequest("ref must be the 16 hex characters of an alert's actor_ref label")
	}
	key, err := counts.LoadKey(a.settings.KeysDir)
	if err != nil {
		return err
	}
	found, err := recorded(r.Context(), a, c, selfaudit.Event{
		Type: "audit.actor.resolved", Category: "COMPLIANCE", Action: "read",
		Description: fmt.Sprintf("%s looked up the actor of an alert", c.User.Login),
		TargetType:  "audit_trail", TargetID: c.Tenant, Metadata: map[string]any{"actor_ref": ref},
	}, func(ctx context.Context) (map[string]string, error) {
		series, err := counts.Run(ctx, a.lokiFor(c), counts.Query{Mode: counts.ModeInstant, GroupBy: []string{"actor"}},
			time.Unix(0, q.Range.StartNs), time.Unix(0, q.Range.EndNs), 0)
		if err != nil {
			return nil, err
		}
		for _, s := range series {
			if counts.ActorRef(key, c.Tenant, s.Labels["actor_id"], s.Labels["actor_email"]) == ref {
				e := loki.Event{ActorID: s.Labels["actor_id"], ActorEmail: s.Labels["actor_email"]}
				a.reveal(c.Tenant, &e)
				return map[string]string{"actorId": e.ActorID, "actorEmail": e.ActorEmail}, nil
			}
		}
		return nil, nil
	})
	if err != nil {
		return err
	}
	if found == nil {
		return notFound("no actor of this range has that reference")
	}
	if found["actorId"] == subjects.Erased || found["actorEmail"] == subjects.Erased {
		return notFound("the actor of this alert was erased (GDPR): their identity can no longer be read")
	}
	writeJSON(w, http.StatusOK, found)
	return nil
}
