// Package seal keeps values the backend writes into its own trail (what people searched and filtered
// for, names they gave exports, reports and schedules) out of Loki in clear. Each value is encrypted
// under a key of its own, kept in an SQLite file in the data directory; the trail holds only the
// token. Readers see the value while its key exists; erasing a person deletes the keys of every value
// that names them, and the tokens left in Loki (which cannot be rewritten) open to nothing. The chain
// hashes the token, so verification never depends on the keys.
package seal

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"strings"
	"time"

	"github.com/attest/auditlog/pkg/sqldb"
)

// Prefix starts every token.
const Prefix = "sealed:v1:"

// Erased is what a token whose key is gone reads as.
const Erased = "[erased]"

var tokenRE = regexp.MustCompile(`sealed:v1:([0-9a-f]{32}):([A-Za-z0-9_-]+)`)

// Store holds the keys.
type Store struct{ db *sqldb.DB }

const schemaSQL = `
CREATE TABLE IF NOT EXISTS seals (
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  key BLOB NOT NULL,
  sealed TEXT NOT NULL,
  created INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS seals_tenant ON seals (tenant);
`

// Open opens the seal keys: in the shared PostgreSQL database when url is set, else in the SQLite file
// at path.
func Open(ctx context.Context, url, path string) (*Store, error) {
	db, err := sqldb.OpenSchema(ctx, url, path, schemaSQL, "seal table")
	if err != nil {
		return nil, err
	}
	return &Store{db: db}, nil
}

func (s *Store) Close() error { return s.db.Close() }

// Seal encrypts plain under a new key of the tenant and returns its token ("" stays "").
func (s *Store) Seal(ctx context.Context, tenant, plain string) (string, error) {
	if plain == "" {
		return "", nil
	}
	var idb [16]byte
	key := make([]byte, 32)
	if _, err := rand.Read(idb[:]); err != nil {
		return "", err
	}
	if _, err := rand.Read(key); err != nil {
		return "", err
	}
	id := hex.EncodeToString(idb[:])
	gcm, err := newGCM(key)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	token := Prefix + id + ":" + base64.RawURLEncoding.EncodeToString(gcm.Seal(nonce, nonce, []byte(plain), []byte(id)))
	if _, err := s.db.Exec(ctx, `INSERT INTO seals (id, tenant, key, sealed, created) VALUES (?,?,?,?,?)`,
		id, tenant, key, token, time.Now().UnixMilli()); err != nil {
		return "", err
	}
	return token, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

func open(key []byte, id, body string) (string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return "", false
	}
	gcm, err := newGCM(key)
	if err != nil || len(raw) < gcm.NonceSize() {
		return "", false
	}
	plain, err := gcm.Open(nil, raw[:gcm.NonceSize()], raw[gcm.NonceSize():], []byte(id))
	return string(plain), err == nil
}

// plain is a token's value, or Erased when its key is gone (or belongs to another tenant).
func (s *Store) plain(ctx context.Context, tenant, id, body string) string {
	var key []byte
	if err := s.db.QueryRow(ctx, `SELECT key FROM seals WHERE id = ? AND tenant = ?`, id, tenant).Scan(&key); err != nil {
		return Erased
	}
	if v, ok := open(key, id, body); ok {
		return v
	}
	return Erased
}

// Reveal replaces every token in text by its value.
func (s *Store) Reveal(ctx context.Context, tenant, text string) string {
	if !strings.Contains(text, Prefix) {
		return text
	}
	return tokenRE.ReplaceAllStringFunc(text, func(tok string) string {
		m := tokenRE.FindStringSubmatch(tok)
		return s.plain(ctx, tenant, m[1], m[2])
	})
}

// RevealJSON replaces every token inside the JSON text's strings by its value, escaped for JSON.
func (s *Store) RevealJSON(ctx context.Context, tenant, text string) string {
	if !strings.Contains(text, Prefix) {
		return text
	}
	return tokenRE.ReplaceAllStringFunc(text, func(tok string) string {
		m := tokenRE.FindStringSubmatch(tok)
		b, _ := json.Marshal(s.plain(ctx, tenant, m[1], m[2]))
		return string(b[1 : len(b)-1])
	})
}

// Forget deletes the keys of the tenant's values that hold any of names (any case), so their tokens
// open to nothing; the old keys leave the write-ahead log too. Returns how many were forgotten.
func (s *Store) Forget(ctx context.Context, tenant string, names []string) (int, error) {
	rows, err := s.db.Query(ctx, `SELECT id, key, sealed FROM seals WHERE tenant = ?`, tenant)
	if err != nil {
		return 0, err
	}
	var hits []string
	for rows.Next() {
		var id, token string
		var key []byte
		if err := rows.Scan(&id, &key, &token); err != nil {
			rows.Close()
			return 0, err
		}
		m := tokenRE.FindStringSubmatch(token)
		if m == nil {
			continue
		}
		v, ok := open(key, id, m[2])
		if !ok {
			continue
		}
		lv := strings.ToLower(v)
		for _, n := range names {
			if n != "" && strings.Contains(lv, strings.ToLower(n)) {
				hits = append(hits, id)
				break
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, id := range hits {
		if _, err := s.db.Exec(ctx, `DELETE FROM seals WHERE id = ?`, id); err != nil {
			return 0, err
		}
	}
	if len(hits) > 0 {
		if err := s.db.Purge(ctx, "seals"); err != nil {
			return len(hits), err
		}
	}
	return len(hits), nil
}
