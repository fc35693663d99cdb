package plugin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/attest/auditlog/pkg/export"
	"github.com/attest/auditlog/pkg/jobs"
	"github.com/attest/auditlog/pkg/loki"
	"github.com/attest/auditlog/pkg/report"
	"github.com/attest/auditlog/pkg/selfaudit"
)

const exportKind = "export"

// DefaultExportMaxDays caps an export's time range unless the app's settings say otherwise.
const DefaultExportMaxDays = 90

// MaxRunningExportsPerOrg bounds the exports one organization (one tenant) runs at once.
const MaxRunningExportsPerOrg = 3

// DefaultExportKeepDays is how long export files are kept unless exportKeepDays says otherwise.
const DefaultExportKeepDays = 30

// jobRunner is the process's one job runner (see Service.jobRunner).
func (a *App) jobRunner() (*jobs.Runner, error) { return a.svc.jobRunner() }

// signer signs export manifests and evidence packs (nil before the job runner started).
func (a *App) signer() *export.Signer { return a.svc.exportSigner() }

// jobReason is what a failed job (an export, a verification) says to users: the kind of failure, without internals.
func jobReason(err error) string {
	var lokiHTTP *loki.HTTPError
	var unavailable *loki.UnavailableError
	var group *loki.GroupTooLargeError
	var rowsCap export.ErrTooManyRows
	var incomplete *export.IncompleteError
	var inconsistent *loki.InconsistentError
	var mismatch *report.CountMismatchError
	var invalid *report.ValidationError
	switch {
	case errors.As(err, &invalid):
		return invalid.Error()
	case errors.As(err, &incomplete):
		return incomplete.Error()
	case errors.As(err, &mismatch):
		return mismatch.Error()
	case errors.As(err, &inconsistent):
		return inconsistent.Error()
	case errors.As(err, &rowsCap):
		return rowsCap.Error()
	case errors.As(err, &lokiHTTP):
		return fmt.Sprintf("the audit store (Loki) answered HTTP %d while the job read it", lokiHTTP.Status)
	case errors.As(err, &unavailable):
		return "the audit store (Loki) could not be reached while the job read it"
	case errors.Is(err, context.DeadlineExceeded):
		return "the audit store (Loki) did not answer in time"
	case errors.As(err, &group):
		return group.Error()
	}
	return "the job failed; the Grafana server log has the details"
}

type exportRequest struct {
	Name   string            `json:"name"`
	Format string            `json:"format"`
	Params map[string]string `json:"params"` // the viewer's filter parameters, from and to included
}

func (a *App) handleExportCreate(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req exportRequest
	if err := decodeBody(r, &req, "{name, format, params}"); err != nil {
		return err
	}
	v := url.Values{}
	for k, val := range req.Params {
		v.Set(k, val)
	}
	q, err := parseQuery(v)
	if err != nil {
		return err
	}
	a.withStoredActor(c.Tenant, &q.Filters)
	maxDays := a.settings.ExportMaxDays
	if maxDays <= 0 {
		maxDays = DefaultExportMaxDays
	}
	filters := filterSummary(q)
	query, _ := loki.EventsQuery(q.Filters)
	ej := &export.Job{Name: req.Name, Format: req.Format, Client: a.lokiFor(c), Query: query, Range: q.Range,
		Header: export.Header{ExportedAt: time.Now().UTC(), Filters: stringMap(filters)},
		Reveal: func(w export.Writer) export.Writer { return &revealing{Writer: w, app: a, tenant: c.Tenant} }}
	if err := ej.Normalize(time.Now(), maxDays); err != nil {
		return badRequest(err.Error())
	}
	rn, err := a.jobRunner()
	if err != nil {
		return err
	}
	owner := fmt.Sprintf("%d/%s", c.OrgID, c.User.Login)
	params, _ := json.Marshal(filters)
	job := &jobs.Job{ID: uuid.NewString(), OrgID: c.OrgID, Tenant: c.Tenant, Kind: exportKind, Name: ej.Name,
		Format: ej.Format, Params: string(params), RequestedBy: c.User.Login}
	err = rn.Start(r.Context(), job, owner, fmt.Sprint(c.OrgID), jobs.Limits{PerOwner: 1, PerGroup: MaxRunningExportsPerOrg}, ej.Work,
		func(j *jobs.Job) error { return a.writeManifest(j, ej.Manifest(j.ID, j.SHA256, j.Size, j.Rows)) })
	var busy *jobs.BusyError
	if errors.As(err, &busy) {
		if busy.Group {
			w.Header().Set("Retry-After", "60")
			return &APIError{http.StatusTooManyRequests, "exports_busy",
				fmt.Sprintf("this organization already runs %d exports; try again in a minute", MaxRunningExportsPerOrg)}
		}
		w.Header().Set("Retry-After", "30")
		return &APIError{http.StatusTooManyRequests, "export_running", "one export at a time per user: wait for yours to finish or cancel it"}
	}
	if err != nil {
		return err
	}
	// Recorded once the limits let it start; if the record cannot be written the export is withdrawn.
	if err := a.record(r.Context(), c, selfaudit.Event{
		Type: "audit.export.requested", Category: "COMPLIANCE", Action: "export",
		Description: fmt.Sprintf("Audit log export requested by %s (%s)", c.User.Login, ej.Format),
		TargetType:  "audit_export", TargetID: job.ID, TargetName: ej.Name,
		Metadata: map[string]any{"format": ej.Format, "filters": filters},
	}); err != nil {
		_ = rn.Remove(context.Background(), c.OrgID, job.ID)
		return err
	}
	writeJSON(w, http.StatusAccepted, job)
	return nil
}

func stringMap(m map[string]any) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = fmt.Sprint(v)
	}
	return out
}

func (a *App) handleExportList(w http.ResponseWriter, r *http.Request, c *caller) error {
	return a.listJobs(w, r, c, exportKind, "exports")
}

// listJobs answers the org's jobs of a kind, newest first, as {<key>: [...]}.
func (a *App) listJobs(w http.ResponseWriter, r *http.Request, c *caller, kind, key string) error {
	rn, err := a.jobRunner()
	if err != nil {
		return err
	}
	list, err := rn.Store.List(r.Context(), c.OrgID, kind)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{key: list})
	return nil
}

func (a *App) exportJob(r *http.Request, c *caller) (*jobs.Runner, *jobs.Job, error) {
	return a.jobOf(r, c, exportKind, r.PathValue("id"))
}

// jobOf is the caller's org's job of that kind and id (404 otherwise: another org's job is not there).
func (a *App) jobOf(r *http.Request, c *caller, kind, id string) (*jobs.Runner, *jobs.Job, error) {
	rn, err := a.jobRunner()
	if err != nil {
		return nil, nil, err
	}
	j, err := rn.Store.Get(r.Context(), c.OrgID, id)
	if errors.Is(err, jobs.ErrNotFound) || (err == nil && j.Kind != kind) {
		return nil, nil, notFound(fmt.Sprintf("no %s with this id in this organization", kind))
	}
	return rn, j, err
}

// completedExport is the caller's export named in the path, which must be completed (409 otherwise).
// completedExport is the caller's completed export with its files readable here until release.
func (a *App) completedExport(r *http.Request, c *caller) (j *jobs.Job, release func(), err error) {
	rn, j, err := a.exportJob(r, c)
	if err != nil {
		return nil, nil, err
	}
	if j.Status != jobs.Completed {
		return nil, nil, &APIError{http.StatusConflict, "not_ready", fmt.Sprintf("the export is %s", j.Status)}
	}
	release, err = rn.Local(r.Context(), j)
	if err != nil {
		log.DefaultLogger.Warn("an export's file cannot be read", "export", j.ID, "error", err.Error())
		return nil, nil, &APIError{http.StatusGone, "file_gone", "the export's file no longer exists"}
	}
	return j, release, nil
}

// manifestBase is where a job's manifest files live: <id>.manifest.json and <id>.manifest.sig.
func manifestBase(j *jobs.Job) string {
	return strings.TrimSuffix(j.File, filepath.Ext(j.File)) + ".manifest"
}

func (a *App) handleExportGet(w http.ResponseWriter, r *http.Request, c *caller) error {
	_, j, err := a.exportJob(r, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, j)
	return nil
}

func (a *App) handleExportDownload(w http.ResponseWriter, r *http.Request, c *caller) error {
	j, release, err := a.completedExport(r, c)
	if err != nil {
		return err
	}
	defer release()
	if err := a.record(r.Context(), c, exportEvent(c, j, "download", "downloaded",
		map[string]any{"format": j.Format, "rows": j.Rows, "sha256": j.SHA256, "filters": json.RawMessage(j.Params)})); err != nil {
		return err
	}
	f2 := export.Formats[j.Format]
	w.Header().Set("Content-Type", f2.ContentType)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", export.SafeFileName(j.Name)+"."+f2.Ext))
	w.Header().Set("X-Attest-SHA256", j.SHA256)
	w.WriteHeader(http.StatusOK)
	return copyFile(w, j.File)
}

// copyFile streams a job's file into a response already begun.
func copyFile(w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}

// exportEvent is the audit record of a user's action on one export (audit.export.<verb>).
func exportEvent(c *caller, j *jobs.Job, action, verb string, meta map[string]any) selfaudit.Event {
	return selfaudit.Event{
		Type: "audit.export." + verb, Category: "COMPLIANCE", Action: action,
		Description: fmt.Sprintf("Audit log export %s by %s", verb, c.User.Login),
		TargetType:  "audit_export", TargetID: j.ID, TargetName: j.Name, Metadata: meta,
	}
}

func (a *App) handleExportCancel(w http.ResponseWriter, r *http.Request, c *caller) error {
	rn, j, err := a.exportJob(r, c)
	if err != nil {
		return err
	}
	if err := a.record(r.Context(), c, exportEvent(c, j, "cancel", "canceled", nil)); err != nil {
		return err
	}
	if ok, err := rn.Cancel(r.Context(), c.OrgID, j.ID); err != nil {
		return err
	} else if !ok {
		return &APIError{http.StatusConflict, "not_running", fmt.Sprintf("the export is %s", j.Status)}
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"id": j.ID, "status": "canceling"})
	return nil
}

func (a *App) handleExportDelete(w http.ResponseWriter, r *http.Request, c *caller) error {
	rn, j, err := a.exportJob(r, c)
	if err != nil {
		return err
	}
	if err := a.record(r.Context(), c, exportEvent(c, j, "delete", "deleted",
		map[string]any{"format": j.Format, "rows": j.Rows, "sha256": j.SHA256})); err != nil {
		return err
	}
	if err := rn.Remove(r.Context(), c.OrgID, j.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// writeManifest signs the manifest and puts it beside the file: <id>.manifest.json and <id>.manifest.sig.
func (a *App) writeManifest(j *jobs.Job, m *export.Manifest) error {
	body, sig, err := a.signer().Sign(m)
	if err != nil {
		return err
	}
	if err := os.WriteFile(manifestBase(j)+".json", body, 0o600); err != nil {
		return err
	}
	return os.WriteFile(manifestBase(j)+".sig", []byte(sig+"\n"), 0o600)
}

// handleExportManifest answers the signed manifest of a completed export and the key to check it with.
func (a *App) handleExportManifest(w http.ResponseWriter, r *http.Request, c *caller) error {
	j, release, err := a.completedExport(r, c)
	if err != nil {
		return err
	}
	defer release()
	body, err := os.ReadFile(manifestBase(j) + ".json")
	if err != nil {
		return &APIError{http.StatusGone, "file_gone", "the export's manifest no longer exists"}
	}
	sig, err := os.ReadFile(manifestBase(j) + ".sig")
	if err != nil {
		return &APIError{http.StatusGone, "file_gone", "the export's signature no longer exists"}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"manifest": json.RawMessage(body), "manifestText": string(body), "signature": strings.TrimSpace(string(sig)),
		"publicKey": a.signer().PublicKey(), "keyId": a.signer().KeyID,
	})
	return nil
}

// handleSigningKey answers the public key exports are signed with (shown on the configuration page).
func (a *App) handleSigningKey(w http.ResponseWriter, _ *http.Request, _ *caller) error {
	if _, err := a.jobRunner(); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"publicKey": a.signer().PublicKey(), "keyId": a.signer().KeyID, "algorithm": "Ed25519"})
	return nil
}

// handleExportVerify checks a file against a manifest and signature sent in the body (JSON with the
// file base64-encoded), with this backend's key: the same check as pkg/cmd/attest-verify, online.
func (a *App) handleExportVerify(w http.ResponseWriter, r *http.Request, _ *caller) error {
	if _, err := a.jobRunner(); err != nil {
		return err
	}
	var req struct {
		File      []byte `json:"file"`
		Manifest  string `json:"manifest"`
		Signature string `json:"signature"`
	}
	if err := decodeBody(r, &req, "{file (base64), manifest, signature}"); err != nil {
		return err
	}
	m, err := export.Verify(bytes.NewReader(req.File), []byte(req.Manifest), req.Signature, a.signer().PublicKey())
	var ve *export.VerifyError
	if errors.As(err, &ve) {
		writeJSON(w, http.StatusOK, map[string]any{"valid": false, "reason": ve.Reason})
		return nil
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"valid": true, "manifest": m})
	return nil
}

// expireExports deletes export files older than exportKeepDays, hourly, each deletion recorded in the
// export's tenant as a System entry.
func (a *App) expireExports(ctx context.Context, rn *jobs.Runner) {
	keep := a.settings.ExportKeepDays
	if keep <= 0 {
		keep = DefaultExportKeepDays
	}
	{
		expired, err := rn.Expired(ctx, time.Duration(keep)*24*time.Hour)
		if err != nil {
			log.DefaultLogger.Error("listing expired exports failed", "error", err.Error())
		}
		for _, j := range expired {
			e := selfaudit.Event{
				Type: "audit.export.expired", Category: "SYSTEM", Action: "delete", Outcome: "success", Severity: "INFO",
				Description: fmt.Sprintf("Audit log export expired after %d days and was deleted", keep),
				ActorID:     "attest-grafana-app", ActorName: "System", ActorType: "system",
				TargetType: "audit_export", TargetID: j.ID, TargetName: j.Name,
				Metadata: map[string]any{"format": j.Format, "rows": j.Rows, "sha256": j.SHA256, "keep_days": keep, "grafana_org_id": j.OrgID},
			}
			err := a.sealPersonal(ctx, j.Tenant, &e)
			if err == nil {
				_, err = a.audit.Record(ctx, j.Tenant, e)
			}
			if err != nil {
				continue // kept until the expiry can be recorded
			}
			if err := rn.Remove(ctx, j.OrgID, j.ID); err != nil {
				log.DefaultLogger.Error("deleting an expired export failed", "export", j.ID, "error", err.Error())
			}
		}
	}
}
