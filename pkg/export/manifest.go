package export

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/attest/auditlog/pkg/loki"
)

// Manifest says what an export file is: its hash, rows, filters, range and the chain positions it
// covers. The backend signs the manifest's exact bytes with its Ed25519 key (a detached signature), so
// an auditor can check a file offline with the public key alone (pkg/cmd/attest-verify).
type Manifest struct {
	Version    int               `json:"version"`
	ExportID   string            `json:"export_id"`
	File       ManifestFile      `json:"file"`
	Filters    map[string]string `json:"filters"`
	From       string            `json:"from"`
	To         string            `json:"to"`
	ExportedAt string            `json:"exported_at"`
	Chains     []ChainRange      `json:"chains"`
	KeyID      string            `json:"key_id"`
}

// ManifestFile describes the exported file.
type ManifestFile struct {
	Name   string `json:"name"`
	Format string `json:"format"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	Rows   int64  `json:"rows"`
}

// ChainRange is the lowest and highest sequence number of one hash chain in the file.
type ChainRange struct {
	ID     string `json:"id"`
	MinSeq int64  `json:"min_seq"`
	MaxSeq int64  `json:"max_seq"`
	Count  int64  `json:"count"`
}

// ChainTracker collects the chain ranges of the events written.
type ChainTracker map[string]*ChainRange

// Add notes one event's chain position.
func (t ChainTracker) Add(e *loki.Event) {
	if e.ChainID == "" {
		return
	}
	seq, err := strconv.ParseInt(e.ChainSeq, 10, 64)
	if err != nil {
		return
	}
	r := t[e.ChainID]
	if r == nil {
		t[e.ChainID] = &ChainRange{ID: e.ChainID, MinSeq: seq, MaxSeq: seq, Count: 1}
		return
	}
	r.MinSeq, r.MaxSeq, r.Count = min(r.MinSeq, seq), max(r.MaxSeq, seq), r.Count+1
}

// Ranges in a stable order.
func (t ChainTracker) Ranges() []ChainRange {
	out := make([]ChainRange, 0, len(t))
	for _, r := range t {
		out = append(out, *r)
	}
	sortRanges(out)
	return out
}

func sortRanges(rs []ChainRange) {
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && rs[j].ID < rs[j-1].ID; j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}

// Signer holds the backend's Ed25519 key, kept in a file (created on first use, mode 0600).
type Signer struct {
	priv  ed25519.PrivateKey
	KeyID string
}

// LoadSigner reads the key at path or creates it.
func LoadSigner(path string) (*Signer, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		_, priv, gerr := ed25519.GenerateKey(rand.Reader)
		if gerr != nil {
			return nil, gerr
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		// Linked into place whole: servers sharing the keys directory that start at once end with one key.
		tmp, err := os.CreateTemp(filepath.Dir(path), ".signing-*")
		if err != nil {
			return nil, err
		}
		defer os.Remove(tmp.Name())
		_, werr := tmp.WriteString(hex.EncodeToString(priv.Seed()))
		if cerr := tmp.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return nil, werr
		}
		if err := os.Link(tmp.Name(), path); errors.Is(err, os.ErrExist) {
			return LoadSigner(path)
		} else if err != nil {
			return nil, err
		}
		return newSigner(priv), nil
	}
	if err != nil {
		return nil, err
	}
	seed, err := hex.DecodeString(string(raw))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("the signing key %s is not a hex Ed25519 seed", path)
	}
	return newSigner(ed25519.NewKeyFromSeed(seed)), nil
}

func newSigner(priv ed25519.PrivateKey) *Signer {
	sum := sha256.Sum256(priv.Public().(ed25519.PublicKey))
	return &Signer{priv: priv, KeyID: hex.EncodeToString(sum[:8])}
}

// PublicKey is the key auditors verify with (base64 of the 32 raw bytes).
func (s *Signer) PublicKey() string {
	return base64.StdEncoding.EncodeToString(s.priv.Public().(ed25519.PublicKey))
}

// Sign returns the manifest's bytes and their detached signature (base64).
func (s *Signer) Sign(m *Manifest) ([]byte, string, error) {
	m.KeyID = s.KeyID
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, "", err
	}
	return b, s.SignBytes(b), nil
}

// SignBytes is the detached signature (base64) of exactly b.
func (s *Signer) SignBytes(b []byte) string {
	return base64.StdEncoding.EncodeToString(ed25519.Sign(s.priv, b))
}

// VerifyError says why a file and its manifest do not check out.
type VerifyError struct{ Reason string }

func (e *VerifyError) Error() string { return "verification failed: " + e.Reason }

// VerifySignature checks a manifest's detached signature with the public key (both base64).
func VerifySignature(manifest []byte, signatureB64, publicKeyB64 string) error {
	pub, err := base64.StdEncoding.DecodeString(strings.TrimSpace(publicKeyB64))
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return &VerifyError{"the public key is not a base64 Ed25519 key"}
	}
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(signatureB64))
	if err != nil {
		return &VerifyError{"the signature is not base64"}
	}
	if !ed25519.Verify(pub, manifest, sig) {
		return &VerifyError{"the manifest's signature does not match (manifest altered, or another key)"}
	}
	return nil
}

// Verify checks the manifest's signature with the public key, then the file against the manifest.
func Verify(file io.Reader, manifest []byte, signatureB64, publicKeyB64 string) (*Manifest, error) {
	if err := VerifySignature(manifest, signatureB64, publicKeyB64); err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(manifest, &m); err != nil {
		return nil, &VerifyError{"the manifest is not JSON"}
	}
	h := sha256.New()
	n, err := io.Copy(h, file)
	if err != nil {
		return nil, err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != m.File.SHA256 || n != m.File.Size {
		return &m, &VerifyError{fmt.Sprintf("the file does not match its manifest (SHA-256 %s, %d bytes; manifest says %s, %d bytes)", got, n, m.File.SHA256, m.File.Size)}
	}
	return &m, nil
}
