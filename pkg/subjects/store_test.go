package subjects

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

type vectors struct {
	Ref   string
	Key   string
	Cases []struct{ Attribute, Value, Stored string }
}

// A directory as a producer leaves it: the index secret, the subject's key, index entries for its id
// and e-mail.
func producerDir(t *testing.T, v vectors) *Store {
	t.Helper()
	dir := t.TempDir()
	secret := "11" + hex.EncodeToString(make([]byte, 31))
	os.WriteFile(filepath.Join(dir, "index.secret"), []byte(secret), 0o600)
	s := NewStore(dir)
	os.MkdirAll(filepath.Join(s.tenantDir("acme"), "keys"), 0o700)
	os.MkdirAll(filepath.Join(s.tenantDir("acme"), "index"), 0o700)
	os.WriteFile(filepath.Join(s.tenantDir("acme"), "keys", v.Ref), []byte(v.Key), 0o600)
	sb, _ := hex.DecodeString(secret)
	for _, id := range []string{"u-ana", "ana@example.com"} {
		m := hmac.New(sha256.New, sb)
		m.Write([]byte("acme\n" + id))
		os.WriteFile(filepath.Join(s.tenantDir("acme"), "index", hex.EncodeToString(m.Sum(nil))), []byte(v.Ref), 0o600)
	}
	return s
}

func load(t *testing.T) vectors {
	raw, err := os.ReadFile("../../instrumentation/test-vectors/subject-encryption.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestThePackagesCiphertextsAreReadAndReproduced(t *testing.T) {
	v := load(t)
	s := producerDir(t, v)
	key, _ := hex.DecodeString(v.Key)
	for _, c := range v.Cases {
		want := c.Value
		if c.Attribute == "user.email" {
			want = Normalize(c.Value)
		}
		if got := s.Reveal("acme", c.Attribute, c.Stored); got != want {
			t.Errorf("%s: revealed %q, want %q", c.Attribute, got, want)
		}
		if got, _ := Encrypt(v.Ref, key, c.Attribute, c.Value); got != c.Stored {
			t.Errorf("%s: encrypted %q, the package stores %q", c.Attribute, got, c.Stored)
		}
		if got := s.Reveal("globex", c.Attribute, c.Stored); got != Erased {
			t.Errorf("another tenant's store revealed %q", got)
		}
	}
	if s.Reveal("acme", "user.name", v.Cases[0].Stored) != Erased {
		t.Error("a ciphertext under another attribute must not open")
	}
	if s.Reveal("acme", "user.id", "u-plain") != "u-plain" {
		t.Error("a value that is not encrypted is shown as it is")
	}
}

func TestEraseShredsTheKeyAndEveryIndexEntry(t *testing.T) {
	v := load(t)
	s := producerDir(t, v)
	ref, err := s.Erase("acme", "ANA@example.com")
	if err != nil || ref != v.Ref {
		t.Fatalf("erase: %q %v", ref, err)
	}
	for _, c := range v.Cases {
		if got := s.Reveal("acme", c.Attribute, c.Stored); got != Erased {
			t.Errorf("%s still revealed after erasure: %q", c.Attribute, got)
		}
	}
	for _, id := range []string{"u-ana", "ana@example.com"} {
		if _, _, err := s.Resolve("acme", id); !errors.Is(err, ErrUnknown) {
			t.Errorf("%s still resolves: %v", id, err)
		}
	}
	left, _ := os.ReadDir(filepath.Join(s.tenantDir("acme"), "index"))
	keys, _ := os.ReadDir(filepath.Join(s.tenantDir("acme"), "keys"))
	if len(left) != 0 || len(keys) != 0 {
		t.Errorf("left behind: %d index entries, %d keys", len(left), len(keys))
	}
	if _, err := s.Erase("acme", "u-ana"); !errors.Is(err, ErrUnknown) {
		t.Errorf("erasing twice: %v", err)
	}
}

func TestStoredFormsAreWhatTheProducerStoredForTheActor(t *testing.T) {
	v := load(t)
	s := producerDir(t, v)
	stored := map[string]string{}
	for _, c := range v.Cases {
		stored[c.Attribute] = c.Stored
	}
	byID := s.StoredForms("acme", "u-ana")
	byMail := s.StoredForms("acme", "ANA@example.com")
	if len(byID) != 2 || byID[0] != stored["user.id"] {
		t.Errorf("by id: %v, the producer stored user.id %s", byID, stored["user.id"])
	}
	if len(byMail) != 2 || byMail[1] != stored["user.email"] {
		t.Errorf("by e-mail: %v, the producer stored user.email %s", byMail, stored["user.email"])
	}
	if got := s.StoredForms("acme", "nobody@example.com"); got != nil {
		t.Errorf("an unknown person has stored forms: %v", got)
	}
	if _, err := s.Erase("acme", "u-ana"); err != nil {
		t.Fatal(err)
	}
	if got := s.StoredForms("acme", "u-ana"); got != nil {
		t.Errorf("an erased person still has stored forms: %v", got)
	}
}
