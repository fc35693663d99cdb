package tenantfile

import (
	"context"
	"sync"
	"testing"

	"github.com/attest/auditlog/pkg/sqldb"
	"github.com/attest/auditlog/pkg/sqldb/sqldbtest"
)

type counter struct{ N int }

// Changes made at once by two stores (two servers) over one database follow one another: none is lost.
func TestUpdatesOfTwoServersFollowOneAnother(t *testing.T) {
	url := sqldbtest.URL(t)
	if url == "" {
		t.Skip("needs PostgreSQL (" + sqldbtest.EnvURL + ")")
	}
	stores := make([]*Store[counter], 2)
	for i := range stores {
		db, err := sqldb.OpenPostgres(context.Background(), url+"&application_name=s"+string(rune('a'+i)))
		if err != nil {
			t.Fatal(err)
		}
		stores[i] = &Store[counter]{Prefix: "count-", Empty: func() counter { return counter{} }, DB: db}
	}
	var wg sync.WaitGroup
	for _, s := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if _, err := s.Update("acme", func(c *counter) error { c.N++; return nil }); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if got, err := stores[1].Load("acme"); err != nil || got.N != 100 {
		t.Fatalf("count %d %v", got.N, err)
	}
	if got, _ := stores[0].Load("globex"); got.N != 0 {
		t.Fatal("another tenant's document")
	}
}

// Without a database, documents are files in Dir.
func TestFilesWithoutADatabase(t *testing.T) {
	s := &Store[counter]{Dir: t.TempDir(), Prefix: "count-", Empty: func() counter { return counter{} }}
	for range 3 {
		if _, err := s.Update("acme", func(c *counter) error { c.N++; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := s.Load("acme"); err != nil || got.N != 3 {
		t.Fatalf("%d %v", got.N, err)
	}
}
