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

// Grafana evaluates every alert rule as a service, whoever wrote the rule. So a query that singles out
// people is run for it only when the app signed it for that rule: the app signs the queries of the
// rules it makes (org Admins only, recorded), with a key both backend processes read from the server's
// data directory.

// LoadKey reads the query signing key in dir (query-signing.key), creating it when missing.
func LoadKey(dir string) ([]byte, error) { return keyfile.Load(dir, "query-signing.key") }

func (q Query) signed(orgID int64, ruleUID string) []byte {
	q.Signature = ""
	b, _ := json.Marshal(q)
	return append(append(append(append(b, '|'), strconv.FormatInt(orgID, 10)...), '|'), ruleUID...)
}

// Sign returns q with its signature for the rule ruleUID of org orgID: copied into another rule, the
// query no longer checks.
func (q Query) Sign(key []byte, orgID int64, ruleUID string) Query {
	m := hmac.New(sha256.New, key)
	m.Write(q.signed(orgID, ruleUID))
	q.Signature = base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	return q
}

// SignedBy reports whether q carries a valid signature for the rule ruleUID of org orgID.
func (q Query) SignedBy(key []byte, orgID int64, ruleUID string) bool {
	if q.Signature == "" || len(key) == 0 || ruleUID == "" {
		return false
	}
	want := q.Sign(key, orgID, ruleUID).Signature
	return hmac.Equal([]byte(want), []byte(q.Signature))
}

// ActorRef is the opaque name an actor gets in alert labels, which every org Viewer can list: the app
// resolves it back to the actor for those who may read the trail.
func ActorRef(key []byte, tenant, actorID, actorEmail string) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "actor|%s|%s|%s", tenant, actorID, actorEmail)
	return hex.EncodeToString(m.Sum(nil))[:16]
}
