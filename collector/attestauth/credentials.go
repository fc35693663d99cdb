package attestauth

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"
)

// File is the producers' credentials file, which operators manage:
//
//	producers:
//	  - name: billing-api
//	    tenant: acme
//	    token_sha256: 5e88…   # sha256sum of the token, never the token itself
//	    services: [billing-api]   # the service.name values it may write (attest_scope)
//
// A producer sends its token as `Authorization: Bearer <token>` (or Basic, the token as password).
// Its events go to its tenant whatever X-Scope-OrgID it sends. `tenant: "*"` is a trusted
// multi-tenant writer (the app's backend): its X-Scope-OrgID is taken as sent. Without `services`, a
// producer may write any service but the reserved ones (the backend's, attest-grafana-app).
type File struct {
	Producers []Producer `yaml:"producers"`
}

// Producer is one credential.
type Producer struct {
	Name        string   `yaml:"name"`
	Tenant      string   `yaml:"tenant"`
	TokenSHA256 string   `yaml:"token_sha256"`
	Services    []string `yaml:"services"`
}

// AnyTenant marks a trusted multi-tenant writer.
const AnyTenant = "*"

// credentials are the file's producers by token hash, read again when the file changes (checked at
// most once a second), so adding or revoking a producer needs no restart.
type credentials struct {
	path string

	mu      sync.Mutex
	byHash  map[string]Producer
	modTime time.Time
	checked time.Time
}

func (c *credentials) load() error {
	raw, err := os.ReadFile(c.path)
	if err != nil {
		return fmt.Errorf("the credentials file: %w", err)
	}
	var f File
	if err := yaml.Unmarshal(raw, &f); err != nil {
		return fmt.Errorf("the credentials file %s is not valid YAML: %w", c.path, err)
	}
	byHash := map[string]Producer{}
	for i, p := range f.Producers {
		h := strings.ToLower(strings.TrimSpace(p.TokenSHA256))
		if _, err := hex.DecodeString(h); err != nil || len(h) != 64 || p.Tenant == "" || p.Name == "" {
			return fmt.Errorf("the credentials file %s: producer %d needs a name, a tenant and a token_sha256 of 64 hex digits", c.path, i+1)
		}
		byHash[h] = p
	}
	c.byHash = byHash
	return nil
}

// lookup finds the producer of a token; a file changed on disk is read again first (a broken one
// keeps the credentials read before, so a typo does not lock every producer out).
func (c *credentials) lookup(token string) (Producer, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var reloadErr error
	if time.Since(c.checked) > time.Second {
		c.checked = time.Now()
		if st, err := os.Stat(c.path); err == nil && !st.ModTime().Equal(c.modTime) {
			if reloadErr = c.load(); reloadErr == nil {
				c.modTime = st.ModTime()
			}
		}
	}
	sum := sha256.Sum256([]byte(token))
	p, ok := c.byHash[hex.EncodeToString(sum[:])]
	return p, ok, reloadErr
}
