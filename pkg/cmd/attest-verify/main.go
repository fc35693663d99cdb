// attest-verify checks an Attest export or evidence pack offline: the manifest's Ed25519 signature with
// the backend's public key (shown on the app's configuration page), then each file's SHA-256 and size.
//
//	go run github.com/attest/auditlog/pkg/cmd/attest-verify -file audit.csv -manifest audit.manifest.json \
//	  -signature audit.manifest.sig -public-key <base64>
//	go run github.com/attest/auditlog/pkg/cmd/attest-verify -pack q1-sox.zip -public-key <base64>
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/attest/auditlog/pkg/export"
	"github.com/attest/auditlog/pkg/report"
)

func main() {
	file := flag.String("file", "", "the exported file")
	manifest := flag.String("manifest", "", "its manifest (JSON)")
	signature := flag.String("signature", "", "the manifest's signature file (base64)")
	publicKey := flag.String("public-key", "", "the backend's public key (base64)")
	pack := flag.String("pack", "", "an evidence pack (ZIP) instead of -file, -manifest and -signature")
	flag.Parse()
	if *pack != "" && *publicKey != "" {
		os.Exit(runPack(*pack, *publicKey))
	}
	if *file == "" || *manifest == "" || *signature == "" || *publicKey == "" {
		flag.Usage()
		os.Exit(2)
	}
	os.Exit(run(*file, *manifest, *signature, *publicKey))
}

func run(file, manifest, signature, publicKey string) int {
	m, err := os.ReadFile(manifest)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	sig, err := os.ReadFile(signature)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	f, err := os.Open(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer f.Close()
	got, err := export.Verify(f, m, strings.TrimSpace(string(sig)), publicKey)
	if err != nil {
		fmt.Println(err)
		return 1
	}
	fmt.Printf("OK: %s, %d rows, SHA-256 %s, signed by key %s\n", got.File.Name, got.File.Rows, got.File.SHA256, got.KeyID)
	return 0
}

func runPack(pack, publicKey string) int {
	f, err := os.Open(pack)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	m, err := report.VerifyPack(f, st.Size(), publicKey)
	if err != nil {
		fmt.Println(err)
		return 1
	}
	fmt.Printf("OK: report %q (%s), %d files match the manifest, %d events selected, signed by key %s\n",
		m.Name, m.Type, len(m.Files), m.Selected, m.KeyID)
	return 0
}
