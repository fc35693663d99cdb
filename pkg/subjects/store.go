// Package subjects reads and erases the per-subject keys producers encrypt identities with
// (instrumentation/src/SubjectKeyStore.ts writes the same directory): the backend reveals identities
// to readers while a subject's key exists, and erases a subject by deleting its key and its index
// entries (crypto-shredding), leaving every stored record, and so every hash chain, as it was.
package subjects

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Prefix of an encrypted identity: enc:v1:<ref>:<base64url(iv | ciphertext | tag)>.
const Prefix = "enc:v1:"

// Erased is what a reader sees of an identity whose subject was erased.
const Erased = "[erased]"

// ErrUnknown: no subject with that identifier (never recorded encrypted, or already erased).
var ErrUnknown = errors.New("no data subject with this identifier in this tenant")

const (
	// cacheTTL bounds how long a key's contents are reused before the file is read again.
	cacheTTL = 10 * time.Second
	// keyCheck is how long a key seen to exist is used before its file is looked for again: an erasure
	// by another process (the counts datasource, another server) is seen within it, and a page or an
	// export revealing many values costs one look per key and second, not one per value.
	keyCheck = time.Second
)

// Store is the subject key directory (subject_keys_dir).
type Store struct {
	Dir string

	mu    sync.Mutex
	cache map[string]cached // tenant + "\n" + ref
}

type cached struct {
	key []byte
	// at: when the file was read; checked: when it was last seen to exist.
	at, checked time.Time
}

// NewStore opens the directory (nothing is created until a producer writes to it).
func NewStore(dir string) *Store { return &Store{Dir: dir, cache: map[string]cached{}} }

func (s *Store) tenantDir(tenant string) string {
	sum := sha256.Sum256([]byte(tenant))
	return filepath.Join(s.Dir, hex.EncodeToString(sum[:])[:32])
}

// Normalize is an identifier as indexed: trimmed, e-mail addresses lowercased.
func Normalize(id string) string {
	t := strings.TrimSpace(id)
	if strings.Contains(t, "@") {
		return strings.ToLower(t)
	}
	return t
}

func (s *Store) indexFile(tenant, identifier string) (string, error) {
	raw, err := os.ReadFile(filepath.Join(s.Dir, "index.secret"))
	if err != nil {
		return "", ErrUnknown
	}
	secret, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(tenant + "\n" + Normalize(identifier)))
	return filepath.Join(s.tenantDir(tenant), "index", hex.EncodeToString(m.Sum(nil))), nil
}

// Resolve finds the subject an identifier (a user id, an e-mail) names, and its key.
func (s *Store) Resolve(tenant, identifier string) (ref string, key []byte, err error) {
	f, err := s.indexFile(tenant, identifier)
	if err != nil {
		return "", nil, err
	}
	raw, err := os.ReadFile(f)
	if err != nil {
		return "", nil, ErrUnknown
	}
	ref = strings.TrimSpace(string(raw))
	key, ok := s.key(tenant, ref)
	if !ok {
		return "", nil, ErrUnknown
	}
	return ref, key, nil
}

func (s *Store) key(tenant, ref string) ([]byte, bool) {
	if _, err := hex.DecodeString(ref); err != nil || ref == "" {
		return nil, false
	}
	ck := tenant + "\n" + ref
	s.mu.Lock()
	c, ok := s.cache[ck]
	s.mu.Unlock()
	if ok && time.Since(c.checked) < keyCheck {
		return c.key, true
	}
	file := filepath.Join(s.tenantDir(tenant), "keys", ref)
	if _, err := os.Stat(file); err != nil {
		s.mu.Lock()
		delete(s.cache, ck)
		s.mu.Unlock()
		return nil, false
	}
	if ok && time.Since(c.at) < cacheTTL {
		s.mu.Lock()
		s.cache[ck] = cached{key: c.key, at: c.at, checked: time.Now()}
		s.mu.Unlock()
		return c.key, true
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, false
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil || len(key) != 32 {
		return nil, false
	}
	s.mu.Lock()
	now := time.Now()
	s.cache[ck] = cached{key: key, at: now, checked: now}
	s.mu.Unlock()
	return key, true
}

// Reveal is the identity an attribute's stored value stands for: the value itself when it is not
// encrypted, the plain text while the subject's key exists, Erased once it is gone.
func (s *Store) Reveal(tenant, attribute, value string) string {
	if !strings.HasPrefix(value, Prefix) {
		return value
	}
	ref, body, ok := strings.Cut(value[len(Prefix):], ":")
	if !ok {
		return Erased
	}
	key, ok := s.key(tenant, ref)
	if !ok {
		return Erased
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil || len(raw) < 12+16 {
		return Erased
	}
	gcm, err := newGCM(key)
	if err != nil {
		return Erased
	}
	plain, err := gcm.Open(nil, raw[:12], raw[12:], []byte(attribute))
	if err != nil {
		return Erased
	}
	return string(plain)
}

// Encrypt gives the stored form of a subject's value, as the producers write it (deterministic: used
// to filter by it).
func Encrypt(ref string, key []byte, attribute, value string) (string, error) {
	if attribute == "user.email" {
		value = Normalize(value)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(attribute + "\n" + value))
	iv := m.Sum(nil)[:12]
	gcm, err := newGCM(key)
	if err != nil {
		return "", err
	}
	out := append(append([]byte{}, iv...), gcm.Seal(nil, iv, []byte(value), []byte(attribute))...)
	return Prefix + ref + ":" + base64.RawURLEncoding.EncodeToString(out), nil
}

// StoredForms are the stored forms of a person's user id or e-mail as producers write the actor's
// (user.id and user.email), so a filter by that identifier finds their encrypted events; nil when no
// subject has that identifier.
func (s *Store) StoredForms(tenant, identifier string) []string {
	ref, key, err := s.Resolve(tenant, identifier)
	if err != nil {
		return nil
	}
	var out []string
	for _, attr := range []string{"user.id", "user.email"} {
		if enc, err := Encrypt(ref, key, attr, identifier); err == nil {
			out = append(out, enc)
		}
	}
	return out
}

func newGCM(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// Erase destroys the subject an identifier names: its key is overwritten and removed, and every index
// entry leading to it (its id and e-mail alike). Returns the subject's ref (not an identity).
func (s *Store) Erase(tenant, identifier string) (string, error) {
	ref, _, err := s.Resolve(tenant, identifier)
	if err != nil {
		return "", err
	}
	keyFile := filepath.Join(s.tenantDir(tenant), "keys", ref)
	if f, err := os.OpenFile(keyFile, os.O_WRONLY, 0); err == nil {
		junk := make([]byte, 64)
		_, _ = rand.Read(junk)
		_, _ = f.WriteAt(junk, 0)
		_ = f.Sync()
		f.Close()
	}
	if err := os.Remove(keyFile); err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	indexDir := filepath.Join(s.tenantDir(tenant), "index")
	entries, _ := os.ReadDir(indexDir)
	for _, e := range entries {
		p := filepath.Join(indexDir, e.Name())
		if raw, err := os.ReadFile(p); err == nil && strings.TrimSpace(string(raw)) == ref {
			if err := os.Remove(p); err != nil {
				return "", err
			}
		}
	}
	s.mu.Lock()
	delete(s.cache, tenant+"\n"+ref)
	s.mu.Unlock()
	return ref, nil
}
