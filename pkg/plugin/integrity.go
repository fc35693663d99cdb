package plugin

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/attest/auditlog/pkg/export"
	"github.com/attest/auditlog/pkg/integrity"
	"github.com/attest/auditlog/pkg/jobs"
	"github.com/attest/auditlog/pkg/keyfile"
	"github.com/attest/auditlog/pkg/loki"
	"github.com/attest/auditlog/pkg/selfaudit"
)

const (
	verifyKind = "verify"
	// MaxVerifyDays bounds one verification's range.
	MaxVerifyDays = 90
)

// chainKeys are the keys verifications check keyed chains with: the producers' (server level,
// chain_keys_file: {"<key id>": "<hex secret>"}) and the backend's own.
func (a *App) chainKeys() (map[string][]byte, error) {
	keys := map[string][]byte{}
	if path := a.settings.ChainKeysFile; path != "" {
		b, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			// Configured but not written yet: no producer is keyed.
			b = []byte("{}")
		} else if err != nil {
			return nil, fmt.Errorf("chain_keys_file: %w", err)
		}
		var raw map[string]string
		if err := json.Unmarshal(b, &raw); err != nil {
			return nil, fmt.Errorf("chain_keys_file is not JSON {\"key id\": \"hex secret\"}: %w", err)
		}
		for id, h := range raw {
			k, err := hex.DecodeString(h)
			if err != nil || len(k) < 16 {
				return nil, fmt.Errorf("chain_keys_file: key %q is not a hex secret of at least 16 bytes", id)
			}
			keys[id] = k
		}
	}
	if secret, err := keyfile.Load(a.settings.KeysDir, selfAuditKeyFile); err == nil {
		keys[keyfile.ID("attest-app-", secret)] = secret
	}
	return keys, nil
}

func (a *App) heads() *integrity.HeadStore {
	// One store (and lock) per data dir, whichever instance asks.
	s, _ := headStores.LoadOrStore(a.settings.DataDir, integrity.NewHeadStore(a.settings.DataDir).In(a.sharedDB()))
	return s.(*integrity.HeadStore)
}

// entries compacts the checkpoint records a collection reads (its hash recomputed); there are few.
type entries struct {
	keys   map[string][]byte
	intern integrity.Interner
	list   []integrity.Entry
}

func (r *entries) Begin() error      { return nil }
func (r *entries) End(_ int64) error { return nil }
func (r *entries) Write(e *loki.Event) error {
	ns, err := strconv.ParseInt(e.TsNs, 10, 64)
	if err != nil {
		return err
	}
	r.list = append(r.list, integrity.Compact(integrity.Record{TimeUnixNano: ns, Line: e.Description, Labels: e.Labels}, r.keys, r.intern))
	return nil
}

// verify reads every record of the tenant in rng and verifies its chains (integrity.Run): heads kept
// from earlier verifications and the signed digests included. Every record read is also handed to
// also, when set (a report reads its period once for both).
func (a *App) verify(ctx context.Context, client *loki.Client, tenant, service string, rng loki.Range, progress func(int64), also export.Writer) (*integrity.Summary, error) {
	keys, err := a.chainKeys()
	if err != nil {
		return nil, err
	}
	run := &integrity.Run{Client: client, Keys: keys, Heads: a.heads(), SpillDir: filepath.Join(a.settings.DataDir, spillDir),
		Digests: func(ctx context.Context, service string, fromNs, toNs int64) (integrity.Heads, integrity.DigestResult, error) {
			return a.readDigests(ctx, tenant, service, fromNs, toNs)
		}}
	sum, err := run.Verify(ctx, tenant, service, rng, progress, also)
	if errors.Is(err, integrity.ErrHeadsNotKept) {
		log.DefaultLogger.Error("could not keep the chain heads", "tenant", tenant, "error", err.Error())
		return sum, nil
	}
	return sum, err
}

// spillDir, in data_dir, holds verifications' sorted runs while they run.
const spillDir = "verify-spill"

// recordVerification writes the result into the trail as a System entry; a break is CRITICAL and has
// its own event type, which the "chain break detected" starter rule counts.
func (a *App) recordVerification(ctx context.Context, tenant, by string, s *integrity.Summary) error {
	e := selfaudit.Event{
		Type: "audit.integrity.verified", Category: "COMPLIANCE", Action: "verify", Outcome: "success", Severity: "INFO",
		Description: fmt.Sprintf("Audit trail verified: %d records in %d chains intact, %d/%d checkpoints matched",
			s.Records, s.Chains, s.Checkpoints.Matched, s.Checkpoints.Checked),
		ActorID: "attest-grafana-app", ActorName: "System", ActorType: "system",
		TargetType: "audit_trail", TargetID: tenant,
		Metadata: map[string]any{"from": s.FromNs, "to": s.ToNs, "service": s.Service, "records": s.Records, "chains": s.Chains,
			"problems": s.ProblemCount, "checkpoints_checked": s.Checkpoints.Checked,
			"checkpoints_matched": s.Checkpoints.Matched, "digests_read": s.Digests.Read,
			"digest_heads_checked": s.Digests.Checked, "digest_heads_matched": s.Digests.Matched, "requested_by": by},
	}
	if !s.OK {
		e.Type, e.Outcome, e.Severity = "audit.integrity.break_detected", "failure", "CRITICAL"
		e.Description = fmt.Sprintf("Audit trail integrity break: %d problems; first: %s at chain %s seq %d",
			s.ProblemCount, s.FirstBreak.Kind, s.FirstBreak.ChainID, s.FirstBreak.Seq)
		e.Metadata["first_break"] = s.FirstBreak
	}
	_, err := a.audit.Record(ctx, tenant, e)
	return err
}

type verifyRequest struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Service narrows the verification to one service's chains (all when empty).
	Service string `json:"service"`
}

func (a *App) handleVerifyCreate(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req verifyRequest
	if err := decodeBody(r, &req, "{from, to (nanoseconds), service?}"); err != nil {
		return err
	}
	if len(req.Service) > 200 {
		return badRequest("service is at most 200 characters")
	}
	rng, err := parseRange(map[string][]string{"from": {req.From}, "to": {req.To}})
	if err != nil {
		return err
	}
	if time.Duration(rng.EndNs-rng.StartNs) > MaxVerifyDays*24*time.Hour {
		return badRequest(fmt.Sprintf("a verification covers at most %d days", MaxVerifyDays))
	}
	rn, err := a.jobRunner()
	if err != nil {
		return err
	}
	params, _ := json.Marshal(map[string]string{"from": req.From, "to": req.To, "service": req.Service})
	job := &jobs.Job{ID: uuid.NewString(), OrgID: c.OrgID, Tenant: c.Tenant, Kind: verifyKind, Format: "json",
		Name: "Integrity verification", Params: string(params), RequestedBy: c.User.Login}
	if err := a.record(r.Context(), c, selfaudit.Event{
		Type: "audit.integrity.verification.requested", Category: "COMPLIANCE", Action: "verify",
		Description: fmt.Sprintf("%s asked for a verification of the audit trail", c.User.Login),
		TargetType:  "audit_trail", TargetID: c.Tenant, Metadata: map[string]any{"from": req.From, "to": req.To, "service": req.Service, "job": job.ID},
	}); err != nil {
		return err
	}
	client, tenant, login := a.lokiFor(c), c.Tenant, c.User.Login
	var summary *integrity.Summary
	err = rn.Start(r.Context(), job, fmt.Sprintf("%d/%s", c.OrgID, login), fmt.Sprint(c.OrgID), jobs.Limits{PerOwner: 1, PerGroup: 2},
		func(ctx context.Context, out io.Writer, progress func(int64)) (int64, error) {
			s, err := a.verify(ctx, client, tenant, req.Service, rng, progress, nil)
			if err != nil {
				return 0, err
			}
			summary = s
			return int64(s.Records), json.NewEncoder(out).Encode(s)
		}, func(_ *jobs.Job) error {
			return a.recordVerification(context.Background(), tenant, login, summary)
		})
	var busy *jobs.BusyError
	if errors.As(err, &busy) {
		w.Header().Set("Retry-After", "30")
		return &APIError{http.StatusTooManyRequests, "verification_running", "a verification is already running; wait for it to finish"}
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, job)
	return nil
}

// verification is a job with its summary once completed.
type verification struct {
	jobs.Job
	Summary *integrity.Summary `json:"summary,omitempty"`
}

func (a *App) handleVerifyList(w http.ResponseWriter, r *http.Request, c *caller) error {
	rn, err := a.jobRunner()
	if err != nil {
		return err
	}
	list, err := rn.Store.List(r.Context(), c.OrgID, verifyKind)
	if err != nil {
		return err
	}
	out := make([]verification, 0, len(list))
	for _, j := range list {
		v := verification{Job: j}
		if j.Status == jobs.Completed {
			if release, err := rn.Local(r.Context(), &j); err == nil {
				if b, err := os.ReadFile(j.File); err == nil {
					var s integrity.Summary
					if json.Unmarshal(b, &s) == nil {
						v.Summary = &s
					}
				}
				release()
			}
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, map[string]any{"verifications": out})
	return nil
}

var headStores sync.Map // data dir → *integrity.HeadStore

// verifyAllTenants is the daily verification (at verify_at, UTC, default 02:30): every mapped
// tenant's trail from where the last verification ended (at most MaxVerifyDays back), so a missed
// day is caught up.
func (a *App) verifyAllTenants(ctx context.Context) {
	for _, tenant := range a.settings.Tenants() {
		a.verifyTenantSince(ctx, tenant)
	}
}

func (a *App) verifyTenantSince(ctx context.Context, tenant string) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Hour)
	defer cancel()
	heads, err := a.heads().Load(tenant)
	if err != nil {
		log.DefaultLogger.Error("daily verification", "tenant", tenant, "error", err.Error())
		return
	}
	now := time.Now()
	from := max(heads.VerifiedToNs, now.Add(-MaxVerifyDays*24*time.Hour).UnixNano())
	from = from - from%1_000_000
	rng := loki.Range{StartNs: from, EndNs: now.UnixNano() - now.UnixNano()%1_000_000}
	client := a.tenantClient(tenant)
	s, err := a.verify(ctx, client, tenant, "", rng, func(int64) {}, nil)
	if err != nil {
		log.DefaultLogger.Error("daily verification", "tenant", tenant, "error", err.Error())
		return
	}
	if err := a.recordVerification(ctx, tenant, "schedule", s); err != nil {
		log.DefaultLogger.Error("daily verification not recorded", "tenant", tenant, "error", err.Error())
	}
}

// nextAt is the next time of day hh:mm (UTC) after now.
func nextAt(now time.Time, hhmm string) time.Time {
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		t, _ = time.Parse("15:04", DefaultVerifyAt)
	}
	next := time.Date(now.Year(), now.Month(), now.Day(), t.Hour(), t.Minute(), 0, 0, time.UTC)
	if !next.After(now) {
		next = next.Add(24 * time.Hour)
	}
	return next
}
