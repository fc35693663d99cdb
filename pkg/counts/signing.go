package counts

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/attest/auditlog/pkg/keyfile"
)

// Grafana evaluates every alert rule as a service (10.0: without a user; later: as its scheduler with
// the Admin role), whoever wrote the rule. So a query that singles out people is run for it only when
// the app signed it: the app signs
// the queries of the rules it makes (org Admins only, recorded), with a key both backend processes
// read from the server's data directory.

// SchedulerLogin is the login Grafana's alert evaluation runs queries as.
const SchedulerLogin = "grafana_scheduler"

// LoadKey reads the query signing key in dir (query-signing.key), creating it when missing.
func LoadKey(dir string) ([]byte, error) { return keyfile.Load(dir, "query-signing.key") }

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
