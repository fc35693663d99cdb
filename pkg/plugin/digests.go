package plugin

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/attest/auditlog/pkg/integrity"
)

// digests writes each tenant's signed chain-head digest once per period to the write-once bucket
// (integrity.Digest), and remembers the last one written so the next names it.
type digests struct {
	mu     sync.Mutex
	ready  bool
	locked bool
	tails  map[string]digestTail
}

type digestTail struct {
	link  integrity.Link
	endNs int64
}

// digestPass writes a digest for every mapped tenant (every DigestEvery).
func (a *App) digestPass(ctx context.Context) {
	if !a.settings.DigestS3.Configured() {
		return
	}
	for _, tenant := range a.settings.Tenants() {
		if err := a.writeDigest(ctx, tenant, time.Now()); err != nil {
			log.DefaultLogger.Error("chain-head digest not written", "tenant", tenant, "error", err.Error())
		}
	}
}

func (a *App) writeDigest(ctx context.Context, tenant string, now time.Time) error {
	d := &a.svc.digests
	d.mu.Lock()
	defer d.mu.Unlock()
	t := a.settings.DigestS3
	if !d.ready {
		locked, err := t.EnsureLockedBucket(ctx)
		if err != nil {
			return err
		}
		if !locked {
			log.DefaultLogger.Warn("the digest bucket has no S3 object lock: digests can be deleted or overwritten", "bucket", t.Bucket)
		}
		d.ready, d.locked, d.tails = true, locked, map[string]digestTail{}
	}
	if _, err := a.jobRunner(); err != nil {
		return err
	}
	signer := a.signer()
	tail, ok := d.tails[tenant]
	if !ok {
		var err error
		if tail, err = a.lastDigest(ctx, tenant); err != nil {
			return err
		}
	}
	heads, err := a.heads().Load(tenant)
	if err != nil {
		return err
	}
	end := now.UnixNano() - now.UnixNano()%1_000_000
	start := tail.endNs
	if start == 0 {
		start = end - int64(a.settings.DigestEvery)
	}
	dg := integrity.Digest{Version: 1, Tenant: tenant, StartNs: start, EndNs: end, Created: now.UTC().Format(time.RFC3339Nano),
		Chains: heads.Chains}
	if tail.link.Key != "" {
		link := tail.link
		dg.Previous = &link
	}
	body, err := integrity.SignDigest(&dg, signer.KeyID, signer.PublicKey(), signer.SignBytes)
	if err != nil {
		return err
	}
	var retain time.Time
	if d.locked {
		retain = now.AddDate(0, 0, a.settings.DigestRetainDays)
	}
	key := integrity.DigestKey(t.Prefix, tenant, end)
	if err := t.PutOnce(ctx, key, body, retain); err != nil {
		// Another writer may have moved the tail: read it again next time.
		delete(d.tails, tenant)
		return err
	}
	d.tails[tenant] = digestTail{link: integrity.Link{Key: key, SHA256: integrity.SHA256Hex(body)}, endNs: end}
	return nil
}

// lastDigest reads the newest digest of the tenant from the bucket (none yet: zero).
func (a *App) lastDigest(ctx context.Context, tenant string) (digestTail, error) {
	t := a.settings.DigestS3
	keys, err := t.Keys(ctx, integrity.DigestPrefix(t.Prefix, tenant), "")
	if err != nil || len(keys) == 0 {
		return digestTail{}, err
	}
	sort.Strings(keys)
	last := keys[len(keys)-1]
	b, err := t.Get(ctx, last)
	if err != nil {
		return digestTail{}, err
	}
	s, err := integrity.ParseDigest(last, b)
	if err != nil {
		return digestTail{}, err
	}
	return digestTail{link: integrity.Link{Key: last, SHA256: integrity.SHA256Hex(b)}, endNs: s.Digest.EndNs}, nil
}

// readDigests checks the tenant's digests that cover fromNs onwards (and the one before, their anchor)
// and answers the heads they name, newest per chain before toNs, for service ("" for all).
func (a *App) readDigests(ctx context.Context, tenant, service string, fromNs, toNs int64) (integrity.Heads, integrity.DigestResult, error) {
	res := integrity.DigestResult{Missing: []integrity.Problem{}, Keys: []string{}}
	t := a.settings.DigestS3
	if !t.Configured() {
		return integrity.Heads{Chains: map[string]integrity.Head{}}, res, nil
	}
	res.Configured = true
	keys, err := t.Keys(ctx, integrity.DigestPrefix(t.Prefix, tenant), "")
	if err != nil {
		return integrity.Heads{}, res, err
	}
	sort.Strings(keys)
	from := sort.SearchStrings(keys, integrity.DigestKey(t.Prefix, tenant, fromNs))
	var ds []integrity.StoredDigest
	for _, k := range keys[max(from-1, 0):] {
		b, err := t.Get(ctx, k)
		if err != nil {
			return integrity.Heads{}, res, err
		}
		s, err := integrity.ParseDigest(k, b)
		if err != nil {
			res.Missing = append(res.Missing, integrity.Problem{Kind: integrity.DigestSignature, Detail: err.Error()})
			continue
		}
		ds = append(ds, s)
	}
	res.Read = len(ds)
	sound, problems, pubKeys := integrity.CheckDigests(ds)
	res.Missing = append(res.Missing, problems...)
	res.Keys = append(res.Keys, pubKeys...)
	heads := integrity.DigestHeads(sound, toNs).OfService(service)
	for id, h := range heads.Chains {
		h.SeenAt = fmt.Sprintf("%s (digest)", h.SeenAt)
		heads.Chains[id] = h
	}
	return heads, res, nil
}
