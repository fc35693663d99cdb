package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/attest/auditlog/pkg/export"
)

func TestCommandLineCheck(t *testing.T) {
	dir := t.TempDir()
	s, err := export.LoadSigner(filepath.Join(dir, "k"))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "a.jsonl")
	os.WriteFile(file, []byte("{}\n"), 0o600)
	sum := sha256.Sum256([]byte("{}\n"))
	body, sig, _ := s.Sign(&export.Manifest{Version: 1, File: export.ManifestFile{SHA256: hex.EncodeToString(sum[:]), Size: 3, Rows: 1}})
	os.WriteFile(filepath.Join(dir, "m.json"), body, 0o600)
	os.WriteFile(filepath.Join(dir, "m.sig"), []byte(sig+"\n"), 0o600)
	if code := run(file, filepath.Join(dir, "m.json"), filepath.Join(dir, "m.sig"), s.PublicKey()); code != 0 {
		t.Fatalf("exit %d for a good file", code)
	}
	os.WriteFile(file, []byte("{}\n{}\n"), 0o600)
	if code := run(file, filepath.Join(dir, "m.json"), filepath.Join(dir, "m.sig"), s.PublicKey()); code != 1 {
		t.Fatalf("exit %d for a tampered file", code)
	}
}
