package export

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"path/filepath"
	"testing"
)

func TestManifestSignatureAndTampering(t *testing.T) {
	dir := t.TempDir()
	s, err := LoadSigner(filepath.Join(dir, "signing.key"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := LoadSigner(filepath.Join(dir, "signing.key"))
	if err != nil || again.PublicKey() != s.PublicKey() {
		t.Fatal("the key is not kept across loads")
	}
	file := []byte("\uFEFFEntry ID\r\nabc\r\n")
	sum := sha256.Sum256(file)
	chains := ChainTracker{}
	for _, e := range events() {
		e.ChainID, e.ChainSeq = "c1", "7"
		chains.Add(&e)
	}
	m := &Manifest{Version: 1, File: ManifestFile{Name: "a.csv", Format: "csv", SHA256: hex.EncodeToString(sum[:]), Size: int64(len(file)), Rows: 1},
		Chains: chains.Ranges()}
	body, sig, err := s.Sign(m)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Verify(bytes.NewReader(file), body, sig, s.PublicKey())
	if err != nil || got.KeyID != s.KeyID || got.Chains[0].Count != 2 {
		t.Fatalf("%v %+v", err, got)
	}
	var ve *VerifyError
	tampered := append([]byte{}, file...)
	tampered[5] = 'X'
	if _, err := Verify(bytes.NewReader(tampered), body, sig, s.PublicKey()); !errors.As(err, &ve) {
		t.Fatalf("tampered file accepted: %v", err)
	}
	forged := bytes.Replace(body, []byte(hex.EncodeToString(sum[:])), []byte(hex.EncodeToString(sha256.New().Sum(nil))), 1)
	if _, err := Verify(bytes.NewReader(file), forged, sig, s.PublicKey()); !errors.As(err, &ve) {
		t.Fatalf("altered manifest accepted: %v", err)
	}
	other, _ := LoadSigner(filepath.Join(dir, "other.key"))
	if _, err := Verify(bytes.NewReader(file), body, sig, other.PublicKey()); !errors.As(err, &ve) {
		t.Fatal("another key accepted")
	}
}
