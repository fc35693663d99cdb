package integrity

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"testing"
)

type testKey struct{ priv ed25519.PrivateKey }

func (k testKey) sign(b []byte) string {
	return base64.StdEncoding.EncodeToString(ed25519.Sign(k.priv, b))
}
func (k testKey) pub() string {
	return base64.StdEncoding.EncodeToString(k.priv.Public().(ed25519.PublicKey))
}

func newKey(t *testing.T) testKey {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return testKey{priv}
}

// digestRun writes n linked digests, the chain "c" at seq 10*i in the i-th.
func digestRun(t *testing.T, k testKey, n int) []StoredDigest {
	var out []StoredDigest
	var prev *Link
	for i := 1; i <= n; i++ {
		end := int64(i) * 3_600_000_000_000
		d := Digest{Version: 1, Tenant: "acme", StartNs: end - 3_600_000_000_000, EndNs: end, Created: "t",
			Previous: prev, Chains: map[string]Head{"c": {Seq: int64(10 * i), Hash: "h", TimeNs: end - 1}}}
		b, err := SignDigest(&d, "kid", k.pub(), k.sign)
		if err != nil {
			t.Fatal(err)
		}
		key := DigestKey("p", "acme", end)
		s, err := ParseDigest(key, b)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
		prev = &Link{Key: key, SHA256: SHA256Hex(b)}
	}
	return out
}

func TestDigestsSoundWhenLinkedAndSigned(t *testing.T) {
	ds := digestRun(t, newKey(t), 4)
	sound, problems, keys := CheckDigests(ds)
	if len(problems) != 0 || len(sound) != 4 || len(keys) != 1 {
		t.Fatalf("problems %v, sound %d, keys %v", problems, len(sound), keys)
	}
	h := DigestHeads(sound, 3*3_600_000_000_000)
	if h.Chains["c"].Seq != 30 {
		t.Fatalf("the newest head before the end is seq 30, got %+v", h.Chains["c"])
	}
}

func TestDigestAlteredOrRemovedIsFound(t *testing.T) {
	k := newKey(t)
	ds := digestRun(t, k, 4)
	// A head lowered in the third digest: its signature no longer checks.
	altered := append([]StoredDigest{}, ds...)
	b := bytes.Replace(ds[2].Bytes, []byte(`"seq":30`), []byte(`"seq":25`), 1)
	s, err := ParseDigest(ds[2].Key, b)
	if err != nil {
		t.Fatal(err)
	}
	altered[2] = s
	_, problems, _ := CheckDigests(altered)
	if len(problems) == 0 || problems[0].Kind != DigestSignature {
		t.Fatalf("want a signature problem, got %v", problems)
	}
	// The third removed: the fourth does not name the second.
	_, problems, _ = CheckDigests([]StoredDigest{ds[0], ds[1], ds[3]})
	if len(problems) != 1 || problems[0].Kind != DigestChain {
		t.Fatalf("want a chain problem, got %v", problems)
	}
	// Re-signed by someone else's key in place of the third: signed fine, but the link after it breaks.
	d := ds[2].Digest
	forged, _ := SignDigest(&d, "other", newKey(t).pub(), newKey(t).sign)
	if _, err := ParseDigest("x", forged); err != nil {
		t.Fatal(err)
	}
	f, _ := ParseDigest(ds[2].Key, forged)
	_, problems, _ = CheckDigests([]StoredDigest{ds[0], ds[1], f, ds[3]})
	if len(problems) == 0 {
		t.Fatal("a digest re-signed with another key must be found")
	}
}

func TestDigestFileIsTwoLines(t *testing.T) {
	if _, err := ParseDigest("k", []byte(`{"version":1}`)); err == nil {
		t.Fatal("a file without its signature line is refused")
	}
}

func TestTruncationFoundFromDigestHeads(t *testing.T) {
	ds := digestRun(t, newKey(t), 3)
	heads := DigestHeads(ds, 4*3_600_000_000_000)
	// Loki now ends at seq 22 (the last hour cut off).
	var records []Entry
	for i := int64(1); i <= 22; i++ {
		records = append(records, Entry{Chained: true, ChainID: "c", Seq: i, Stored: "h", TimeNs: i})
	}
	res := CompareHeads(records, heads, 0, 4*3_600_000_000_000)
	if len(res.Missing) != 1 || res.Missing[0].Kind != Truncated || res.Missing[0].Seq != 30 {
		t.Fatalf("want truncated at 30, got %+v", res.Missing)
	}
}
