package report

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/attest/auditlog/pkg/export"
)

// VerifyPack checks an evidence pack: the manifest's signature with the public key, then that the ZIP
// holds exactly the files the manifest lists (plus the manifest and its signature), each with its
// listed size and SHA-256.
func VerifyPack(r io.ReaderAt, size int64, publicKeyB64 string) (*PackManifest, error) {
	z, err := zip.NewReader(r, size)
	if err != nil {
		return nil, &export.VerifyError{Reason: "the pack is not a ZIP file: " + err.Error()}
	}
	read := func(name string) ([]byte, error) {
		f, err := z.Open(name)
		if err != nil {
			return nil, &export.VerifyError{Reason: "the pack has no " + name}
		}
		defer f.Close()
		return io.ReadAll(f)
	}
	body, err := read(ManifestName)
	if err != nil {
		return nil, err
	}
	sig, err := read(SignatureName)
	if err != nil {
		return nil, err
	}
	if err := export.VerifySignature(body, string(sig), publicKeyB64); err != nil {
		return nil, err
	}
	var m PackManifest
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, &export.VerifyError{Reason: "the manifest is not JSON"}
	}
	listed := []string{ManifestName, SignatureName}
	for _, want := range m.Files {
		listed = append(listed, want.Name)
		f, err := z.Open(want.Name)
		if err != nil {
			return &m, &export.VerifyError{Reason: fmt.Sprintf("%s is listed in the manifest but missing from the pack", want.Name)}
		}
		h := sha256.New()
		n, err := io.Copy(h, f)
		f.Close()
		if err != nil {
			return &m, &export.VerifyError{Reason: fmt.Sprintf("%s cannot be read: %v", want.Name, err)}
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != want.SHA256 || n != want.Size {
			return &m, &export.VerifyError{Reason: fmt.Sprintf("%s does not match the manifest (SHA-256 %s, %d bytes; manifest says %s, %d bytes)", want.Name, got, n, want.SHA256, want.Size)}
		}
	}
	for _, f := range z.File {
		if !slices.Contains(listed, f.Name) {
			return &m, &export.VerifyError{Reason: fmt.Sprintf("%s is in the pack but not in the manifest", f.Name)}
		}
	}
	return &m, nil
}
