package sqldb_test

import (
	"context"
	"testing"

	"github.com/attest/auditlog/pkg/sqldb"
	"github.com/attest/auditlog/pkg/sqldb/sqldbtest"
)

// One holder at a time across servers (two pools stand for two servers); a holder that goes lets the next in.
func TestLeaseHasOneHolder(t *testing.T) {
	url := sqldbtest.URL(t)
	if url == "" {
		t.Skip("needs PostgreSQL (" + sqldbtest.EnvURL + ")")
	}
	ctx := context.Background()
	a, err := sqldb.OpenPostgres(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	b, err := sqldb.OpenPostgres(ctx, url+"&application_name=second")
	if err != nil {
		t.Fatal(err)
	}
	la, lb := a.Lease(42), b.Lease(42)
	if !la.Held(ctx) || !la.Held(ctx) {
		t.Fatal("the first server did not take the free lease, or lost it")
	}
	if lb.Held(ctx) {
		t.Fatal("two servers hold the lease")
	}
	if !b.Lease(43).Held(ctx) {
		t.Fatal("another lease is not taken by the first")
	}
	la.Release()
	if !lb.Held(ctx) || la.Held(ctx) {
		t.Fatal("the lease did not pass to the second server when the first let go")
	}
}
