package plugin

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

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
	scrubbed, deleted, err := a.forgetInJobs(r, c, names)
	if err != nil {
		return err
	}
	if seals := a.seals(); seals != nil {
		if _, err := seals.Forget(r.Context(), c.Tenant, names); err != nil {
			return err
		}
	}
	if counts := a.rollups(); counts != nil {
		if _, err := counts.ForgetActor(r.Context(), c.Tenant, func(actor string) bool {
			return strings.Contains(actor, ref) || slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(actor, n) })
		}); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"erasureId": erasure, "jobsScrubbed": scrubbed, "filesDeleted": deleted})
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

// forgetInJobs scrubs the subject's identifiers from export and report requests and report schedules
// (names and filters)
// and deletes the files of those whose content names the subject: they were written with identities
// revealed. Returns how many jobs were scrubbed and how many files deleted.
func (a *App) forgetInJobs(r *http.Request, c *caller, names []string) (scrubbed, deleted int, err error) {
	rn, err := a.jobRunner()
	if err != nil {
		return 0, 0, err
	}
	list, err := rn.Store.ListAll(r.Context(), c.OrgID)
	if err != nil {
		return scrubbed, deleted, err
	}
	for _, j := range list {
		if name, params := scrub(j.Name, names), scrub(j.Params, names); name != j.Name || params != j.Params {
			if err := rn.Store.UpdateRequest(r.Context(), j.ID, name, params); err != nil {
				return scrubbed, deleted, err
			}
			scrubbed++
		}
		if j.File == "" {
			continue
		}
		if hit, err := fileNames(j.File, names); err == nil && hit {
			if err := rn.Remove(r.Context(), c.OrgID, j.ID); err != nil {
				return scrubbed, deleted, err
			}
			deleted++
		}
	}
	schedules, err := rn.Store.Schedules(r.Context(), c.OrgID)
	if err != nil {
		return scrubbed, deleted, err
	}
	for _, sc := range schedules {
		if name, params := scrub(sc.Name, names), scrub(sc.Params, names); name != sc.Name || params != sc.Params {
			if err := rn.Store.UpdateScheduleRequest(r.Context(), sc.ID, name, params); err != nil {
				return scrubbed, deleted, err
			}
			scrubbed++
		}
	}
	return scrubbed, deleted, nil
}

// scrub replaces every identifier in s (any case) by [erased].
func scrub(s string, names []string) string {
	for _, n := range names {
		if n == "" {
			continue
		}
		re := regexp.MustCompile("(?i)" + regexp.QuoteMeta(n))
		s = re.ReplaceAllString(s, subjects.Erased)
	}
	return s
}

// fileNames says whether a job's file holds any identifier: read as text, or entry by entry for the
// zipped formats (Excel, evidence packs).
func fileNames(path string, names []string) (bool, error) {
	lower := make([][]byte, 0, len(names))
	for _, n := range names {
		lower = append(lower, bytes.ToLower([]byte(n)))
	}
	holds := func(rd io.Reader) (bool, error) { return streamHolds(rd, lower) }
	if z, err := zip.OpenReader(path); err == nil {
		defer z.Close()
		for _, f := range z.File {
			rc, err := f.Open()
			if err != nil {
				return false, err
			}
			hit, err := holds(rc)
			rc.Close()
			if err != nil || hit {
				return hit, err
			}
		}
		return false, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	return holds(f)
}

// streamHolds reads rd in chunks, keeping the tail of each for a name cut across two, so a file of any
// size is searched in constant memory; names are lower case, the text is compared lower-cased.
func streamHolds(rd io.Reader, names [][]byte) (bool, error) {
	keep := 0
	for _, n := range names {
		keep = max(keep, len(n)-1)
	}
	buf := make([]byte, 0, 256<<10+keep)
	chunk := make([]byte, 256<<10)
	for {
		n, err := rd.Read(chunk)
		buf = append(buf, bytes.ToLower(chunk[:n])...)
		for _, name := range names {
			if len(name) > 0 && bytes.Contains(buf, name) {
				return true, nil
			}
		}
		if len(buf) > keep {
			buf = append(buf[:0], buf[len(buf)-keep:]...)
		}
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
}
