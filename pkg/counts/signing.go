package counts

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// Grafana evaluates every alert rule as a service (10.0: without a user; later: as its scheduler with
// the Admin role), whoever wrote the rule. So a query that singles out people is run for it only when
// the app signed it: the app signs
// the queries of the rules it makes (org Admins only, recorded), with a key both backend processes
// read from the server's data directory.

// SchedulerLogin is the login Grafana's alert evaluation runs queries as.
const SchedulerLogin = "grafana_scheduler"

const keyFile = "query-signing.key"

// LoadKey reads the signing key in dir, creating it (32 random bytes, mode 0600) when missing.
func LoadKey(dir string) ([]byte, error) {
	if dir == "" {
		return nil, errors.New("no data_dir: set it in [plugin.attest-auditlog-app] and [plugin.attest-auditcounts-datasource]")
	}
	path := filepath.Join(dir, keyFile)
	if b, err := os.ReadFile(path); err == nil {
		return decodeKey(b)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		// The other process made it first.
		b, rerr := os.ReadFile(path)
		if rerr != nil {
			return nil, rerr
		}
		return decodeKey(b)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
		return nil, err
	}
	return key, nil
}

func decodeKey(b []byte) ([]byte, error) {
	key, err := hex.DecodeString(string(trimNL(b)))
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("%s is not a 32-byte hex key", keyFile)
	}
	return key, nil
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

func (q Query) signed(orgID int64) []byte {
	q.Signature = ""
	b, _ := json.Marshal(q)
	return append(append(b, '|'), strconv.FormatInt(orgID, 10)...)
}

// Sign returns q with its signature for org orgID.
func (q Query) Sign(key []byte, orgID int64) Query {
	m := hmac.New(sha256.New, key)
	m.Write(q.signed(orgID))
	q.Signature = base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	return q
}

// SignedBy reports whether q carries a valid signature for org orgID.
func (q Query) SignedBy(key []byte, orgID int64) bool {
	if q.Signature == "" || len(key) == 0 {
		return false
	}
	want := q.Sign(key, orgID).Signature
	return hmac.Equal([]byte(want), []byte(q.Signature))
}

// ActorRef is the opaque name an actor gets in alert labels, which every org Viewer can list: the app
// resolves it back to the actor for those who may read the trail.
func ActorRef(key []byte, tenant, actorID, actorEmail string) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "actor|%s|%s|%s", tenant, actorID, actorEmail)
	return hex.EncodeToString(m.Sum(nil))[:16]
}
