package integrity

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"sort"
	"time"
)

// A Digest is what the backend knew of a tenant's chains at the end of one period (an hour by
// default), signed and kept off the machine in a write-once bucket, CloudTrail's digest files' way:
// the heads seen, and the hash of the previous digest, so that neither a rewritten data directory
// nor a store cut short can hide what was there.
type Digest struct {
	Version  int    `json:"version"`
	Tenant   string `json:"tenant"`
	StartNs  int64  `json:"startNs"`
	EndNs    int64  `json:"endNs"`
	Created  string `json:"created"`
	Previous *Link  `json:"previous"`
	// Chains: the newest head of every chain known at EndNs.
	Chains    map[string]Head `json:"chains"`
	KeyID     string          `json:"keyId"`
	PublicKey string          `json:"publicKey"`
}

// A digest file is two JSON lines: the digest, then {"signature": base64 Ed25519 of exactly the
// first line's bytes}, so any language checks it without re-encoding JSON.
type digestSignature struct {
	Signature string `json:"signature"`
}

// Link names the digest before, by object key and SHA-256 of its bytes.
type Link struct {
	Key    string `json:"key"`
	SHA256 string `json:"sha256"`
}

// DigestKey is where a tenant's digest ending at endNs lives: keys sort in time order.
func DigestKey(prefix, tenant string, endNs int64) string {
	t := time.Unix(0, endNs).UTC()
	return path.Join(prefix, "digests", tenant, t.Format("2006/01/02"), t.Format("20060102T150405.000000000Z")+".json")
}

// DigestPrefix is the folder of a tenant's digests.
func DigestPrefix(prefix, tenant string) string {
	return path.Join(prefix, "digests", tenant) + "/"
}

// SignDigest fills in the key and answers the digest file; sign signs exactly the bytes given.
func SignDigest(d *Digest, keyID, publicKey string, sign func([]byte) string) ([]byte, error) {
	d.KeyID, d.PublicKey = keyID, publicKey
	body, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	sig, err := json.Marshal(digestSignature{Signature: sign(body)})
	if err != nil {
		return nil, err
	}
	return append(append(append(body, '\n'), sig...), '\n'), nil
}

// SHA256Hex is the hex SHA-256 of b (the link to a digest).
func SHA256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// StoredDigest is one digest file as read back: its key, its bytes, the digest and its signature.
type StoredDigest struct {
	Key       string
	Bytes     []byte
	Digest    Digest
	body      []byte
	signature string
}

// ParseDigest reads a digest file.
func ParseDigest(key string, b []byte) (StoredDigest, error) {
	body, rest, ok := bytes.Cut(b, []byte("\n"))
	var d Digest
	var sig digestSignature
	if !ok || json.Unmarshal(body, &d) != nil || json.Unmarshal(bytes.TrimSpace(rest), &sig) != nil {
		return StoredDigest{}, fmt.Errorf("digest %s is not a digest file (two JSON lines: the digest, its signature)", key)
	}
	return StoredDigest{Key: key, Bytes: b, Digest: d, body: body, signature: sig.Signature}, nil
}

// Kinds of digest problems.
const (
	// DigestSignature: a digest whose signature does not check, or signed by a key not trusted.
	DigestSignature = "digest_signature"
	// DigestChain: a digest whose previous link does not name the digest before it.
	DigestChain = "digest_chain"
)

// DigestResult is what a check against the digests found.
type DigestResult struct {
	// Configured: digests are written for this install (a bucket is set).
	Configured bool `json:"configured"`
	// Read is how many digests covered the range.
	Read    int       `json:"read"`
	Checked int       `json:"checked"`
	Matched int       `json:"matched"`
	Keys    []string  `json:"keys"`
	Missing []Problem `json:"missing"`
}

func verifyDigestSignature(s StoredDigest) error {
	pub, err := base64.StdEncoding.DecodeString(s.Digest.PublicKey)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return errors.New("its public key is not a base64 Ed25519 key")
	}
	sig, err := base64.StdEncoding.DecodeString(s.signature)
	if err != nil {
		return errors.New("its signature is not base64")
	}
	if !ed25519.Verify(pub, s.body, sig) {
		return errors.New("its signature does not match its content")
	}
	return nil
}

// CheckDigests checks every digest's signature and that each names the one before it. ds must be
// sorted by key and hold every digest from the first to the last; the first is only the anchor its
// successor links to. The signing key is the backend's, kept in its data directory: what makes a
// digest trustworthy is the bucket's write-once lock and the links, which a key holder cannot
// rewrite; keys are listed (public keys, base64) so a reader can see when the key changed.
func CheckDigests(ds []StoredDigest) (sound []StoredDigest, problems []Problem, keys []string) {
	seenKeys := map[string]bool{}
	for i, s := range ds {
		if !seenKeys[s.Digest.PublicKey] {
			seenKeys[s.Digest.PublicKey] = true
			keys = append(keys, s.Digest.PublicKey)
		}
		if err := verifyDigestSignature(s); err != nil {
			problems = append(problems, Problem{Kind: DigestSignature, Detail: fmt.Sprintf("digest %s: %s", s.Key, err)})
			continue
		}
		if i > 0 && (s.Digest.Previous == nil || s.Digest.Previous.SHA256 != SHA256Hex(ds[i-1].Bytes)) {
			problems = append(problems, Problem{Kind: DigestChain, Detail: fmt.Sprintf(
				"digest %s does not name the digest before it (%s): a digest was removed or replaced", s.Key, ds[i-1].Key)})
		}
		sound = append(sound, s)
	}
	return sound, problems, keys
}

// DigestHeads merges the digests' heads: per chain, the newest position that falls before toNs.
func DigestHeads(ds []StoredDigest, toNs int64) Heads {
	out := Heads{Chains: map[string]Head{}}
	for _, s := range ds {
		for id, h := range s.Digest.Chains {
			if h.TimeNs >= toNs {
				continue
			}
			if h.SeenAt == "" {
				h.SeenAt = s.Digest.Created
			}
			if old, ok := out.Chains[id]; !ok || h.Seq > old.Seq {
				out.Chains[id] = h
			}
		}
	}
	return out
}

// SortDigests orders digests by key (their time order).
func SortDigests(ds []StoredDigest) {
	sort.Slice(ds, func(i, j int) bool { return ds[i].Key < ds[j].Key })
}

// NewProblems are the problems of more that known does not already name (same chain, position and
// kind): a head kept locally and in a digest is one finding.
func NewProblems(known, more []Problem) []Problem {
	type k struct {
		chain string
		seq   int64
		kind  string
	}
	seen := map[k]bool{}
	for _, p := range known {
		seen[k{p.ChainID, p.Seq, p.Kind}] = true
	}
	var out []Problem
	for _, p := range more {
		if p.ChainID != "" && seen[k{p.ChainID, p.Seq, p.Kind}] {
			continue
		}
		seen[k{p.ChainID, p.Seq, p.Kind}] = true
		out = append(out, p)
	}
	return out
}
