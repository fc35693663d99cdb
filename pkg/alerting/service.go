package alerting

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
)

// Where the app keeps its rules, and the counts datasource they evaluate.
const (
	FolderUID       = "attest-audit-alerts"
	FolderTitle     = "Attest audit alerts"
	Group           = "attest-audit"
	DatasourceUID   = "attest-audit-counts"
	DatasourceName  = "Attest audit counts"
	DatasourceType  = "attest-auditcounts-datasource"
	DefaultInterval = time.Minute
	historyDays     = 365
)

// NotFoundError is a rule uid that is not one of the app's rules.
type NotFoundError struct{ UID string }

func (e *NotFoundError) Error() string { return fmt.Sprintf("no audit alert rule %q", e.UID) }

// Service manages the app's rules in one org.
type Service struct {
	*Client
	OrgID int64
	// Interval is how often Grafana evaluates the app's rule group.
	Interval time.Duration
	// Key signs the queries of rules that single out people (counts.LoadKey).
	Key []byte
}

// group serialises changes to the app's rule group within this process: Grafana replaces a whole group
// on a group PUT, so an interval change must not race a create.
var group sync.Mutex

// ensured remembers per Grafana URL and org that the folder and datasource exist.
var ensured sync.Map

// ensure creates the app's folder and the org's counts datasource when missing.
func (s *Service) ensure(ctx context.Context) error {
	key := fmt.Sprintf("%s|%d", s.BaseURL, s.OrgID)
	if _, ok := ensured.Load(key); ok {
		return nil
	}
	var org struct {
		ID int64 `json:"id"`
	}
	if err := s.do(ctx, "GET", "/api/org", nil, &org); err != nil {
		return err
	}
	if org.ID != s.OrgID {
		return &ValidationError{"grafanaToken", fmt.Sprintf(
			"the app's service account token belongs to organization %d, not to this one (%d)", org.ID, s.OrgID)}
	}
	if err := s.do(ctx, "GET", "/api/folders/"+FolderUID, nil, nil); IsStatus(err, 404) {
		err = s.do(ctx, "POST", "/api/folders", map[string]string{"uid": FolderUID, "title": FolderTitle}, nil)
		if err != nil && !IsStatus(err, 409) && !IsStatus(err, 412) {
			return err
		}
	} else if err != nil {
		return err
	}
	// The rules' definitions (actors, matched values) are for org Admins: no Viewer or Editor access
	// to the folder, so none can read the rules or add their own to it.
	if err := s.do(ctx, "POST", "/api/folders/"+FolderUID+"/permissions",
		map[string]any{"items": []map[string]any{{"role": "Admin", "permission": 4}}}, nil); err != nil {
		return err
	}
	if err := s.do(ctx, "GET", "/api/datasources/uid/"+DatasourceUID, nil, nil); IsStatus(err, 404) {
		err = s.do(ctx, "POST", "/api/datasources", map[string]any{"uid": DatasourceUID, "name": DatasourceName,
			"type": DatasourceType, "access": "proxy"}, nil)
		if err != nil && !IsStatus(err, 409) {
			return err
		}
	} else if err != nil {
		return err
	}
	ensured.Store(key, true)
	return nil
}

// NewUID makes the uid of a new rule (callers set it before recording the creation).
func NewUID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "attest-" + hex.EncodeToString(b)
}

// List gives the app's rules with their contact points and state history.
func (s *Service) List(ctx context.Context) ([]Rule, error) {
	if err := s.ensure(ctx); err != nil {
		return nil, err
	}
	var all []provisionedRule
	if err := s.do(ctx, "GET", "/api/v1/provisioning/alert-rules", nil, &all); err != nil {
		return nil, err
	}
	routes, err := s.contactPointsByRule(ctx)
	if err != nil {
		return nil, err
	}
	out := []Rule{}
	ids := map[int64]string{}
	for _, p := range all {
		if p.FolderUID == FolderUID && p.OrgID == s.OrgID && p.Labels[LabelRuleUID] == p.UID {
			r := fromGrafana(p)
			r.ContactPoints = append([]string{}, routes[r.UID]...)
			out = append(out, r)
			ids[p.ID] = p.UID
		}
	}
	now := time.Now()
	stats, err := s.StatsByRule(ctx, ids, now.AddDate(0, 0, -historyDays), now)
	for i := range out {
		st := stats[out[i].UID]
		out[i].LastTriggered, out[i].TriggerCount, out[i].Firing = st.LastTriggered, st.TriggerCount, st.Firing
	}
	return out, err
}

func (s *Service) get(ctx context.Context, uid string) (provisionedRule, error) {
	var p provisionedRule
	err := s.do(ctx, "GET", "/api/v1/provisioning/alert-rules/"+url.PathEscape(uid), nil, &p)
	if IsStatus(err, 404) || (err == nil && (p.FolderUID != FolderUID || p.OrgID != s.OrgID || p.Labels[LabelRuleUID] != p.UID)) {
		return p, &NotFoundError{uid}
	}
	return p, err
}

// Get reads one of the app's rules.
func (s *Service) Get(ctx context.Context, uid string) (Rule, error) {
	p, err := s.get(ctx, uid)
	if err != nil {
		return Rule{}, err
	}
	r := fromGrafana(p)
	routes, err := s.contactPointsByRule(ctx)
	r.ContactPoints = append([]string{}, routes[uid]...)
	return r, err
}

func (s *Service) check(ctx context.Context, r *Rule) error {
	if err := r.Normalize(); err != nil {
		return err
	}
	if err := CheckWindow(*r, s.interval()); err != nil {
		return err
	}
	return s.CheckContactPoints(ctx, r.ContactPoints)
}

// Create makes the Grafana rule and its routing; a failure part-way removes what was made.
func (s *Service) Create(ctx context.Context, r Rule) (Rule, error) {
	group.Lock()
	defer group.Unlock()
	if err := s.check(ctx, &r); err != nil {
		return Rule{}, err
	}
	if err := s.ensure(ctx); err != nil {
		return Rule{}, err
	}
	if r.UID == "" {
		r.UID = NewUID()
	}
	if err := s.setRouting(ctx, r.UID, r.ContactPoints); err != nil {
		return Rule{}, err
	}
	p := r.toGrafana(FolderUID, Group, DatasourceUID, s.OrgID, s.Key)
	if err := s.do(ctx, "POST", "/api/v1/provisioning/alert-rules", p, nil); err != nil {
		_ = s.setRouting(context.WithoutCancel(ctx), r.UID, nil)
		return Rule{}, err
	}
	if err := s.applyInterval(ctx); err != nil {
		// The rule exists and evaluates at the group's current interval: report, don't undo.
		log.DefaultLogger.Warn("could not set the alert group's interval", "error", err.Error())
	}
	return s.Get(ctx, r.UID)
}

// Update replaces a rule's definition and routing (the uid and starter origin stay).
func (s *Service) Update(ctx context.Context, uid string, r Rule) (Rule, error) {
	group.Lock()
	defer group.Unlock()
	old, err := s.get(ctx, uid)
	if err != nil {
		return Rule{}, err
	}
	if err := s.check(ctx, &r); err != nil {
		return Rule{}, err
	}
	r.UID, r.Starter = uid, fromGrafana(old).Starter
	if err := s.put(ctx, r); err != nil {
		return Rule{}, err
	}
	if err := s.setRouting(ctx, uid, r.ContactPoints); err != nil {
		return Rule{}, err
	}
	if err := s.applyInterval(ctx); err != nil {
		log.DefaultLogger.Warn("could not set the alert group's interval", "error", err.Error())
	}
	return s.Get(ctx, uid)
}

func (s *Service) put(ctx context.Context, r Rule) error {
	p := r.toGrafana(FolderUID, Group, DatasourceUID, s.OrgID, s.Key)
	return s.do(ctx, "PUT", "/api/v1/provisioning/alert-rules/"+url.PathEscape(r.UID), p, nil)
}

// SetActive pauses or resumes a rule's evaluation.
func (s *Service) SetActive(ctx context.Context, uid string, active bool) (Rule, error) {
	group.Lock()
	defer group.Unlock()
	r, err := s.Get(ctx, uid)
	if err != nil {
		return Rule{}, err
	}
	r.Active = active
	if err := s.put(ctx, r); err != nil {
		return Rule{}, err
	}
	return s.Get(ctx, uid)
}

// Delete removes the rule and its routing.
func (s *Service) Delete(ctx context.Context, uid string) (Rule, error) {
	group.Lock()
	defer group.Unlock()
	r, err := s.Get(ctx, uid)
	if err != nil {
		return Rule{}, err
	}
	if err := s.do(ctx, "DELETE", "/api/v1/provisioning/alert-rules/"+url.PathEscape(uid), nil, nil); err != nil {
		return Rule{}, err
	}
	if err := s.setRouting(ctx, uid, nil); err != nil {
		// The rule is gone; a policy left behind matches nothing.
		log.DefaultLogger.Warn("could not remove a deleted rule's notification policies", "rule", uid, "error", err.Error())
	}
	return r, nil
}

func (s *Service) interval() time.Duration {
	if s.Interval <= 0 {
		return DefaultInterval
	}
	return s.Interval
}

// applyInterval sets the app's rule group to evaluate every Interval.
func (s *Service) applyInterval(ctx context.Context) error {
	interval := s.interval()
	path := "/api/v1/provisioning/folder/" + FolderUID + "/rule-groups/" + Group
	var g map[string]any
	if err := s.do(ctx, "GET", path, nil, &g); err != nil {
		return err
	}
	if cur, _ := g["interval"].(float64); int64(cur) == int64(interval.Seconds()) {
		return nil
	}
	g["interval"] = int64(interval.Seconds())
	return s.do(ctx, "PUT", path, g, nil)
}

// CheckWindow refuses a window shorter than the evaluation interval: events arriving between two
// evaluations would never be counted.
func CheckWindow(r Rule, interval time.Duration) error {
	if time.Duration(r.WindowMinutes)*time.Minute < interval {
		return &ValidationError{"windowMinutes", fmt.Sprintf(
			"the window (%d min) must be at least the evaluation interval (%s): events between two evaluations would not be counted",
			r.WindowMinutes, interval)}
	}
	return nil
}
