package selfaudit

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// The package's vectors (instrumentation/test-vectors/hash-chain.json), recomputed in Go.
func TestHashChainVectors(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "instrumentation", "test-vectors", "hash-chain.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Records []struct {
			Name  string `json:"name"`
			Input struct {
				TimeUnixNano string                     `json:"time_unix_nano"`
				SeverityText string                     `json:"severity_text"`
				Body         *string                    `json:"body"`
				Attributes   map[string]json.RawMessage `json:"attributes"`
			} `json:"input"`
			Canonical string `json:"canonical"`
			Hash      string `json:"hash"`
		} `json:"records"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Records) < 3 {
		t.Fatalf("only %d records", len(v.Records))
	}
	for _, r := range v.Records {
		t.Run(r.Name, func(t *testing.T) {
			attrs := map[string]any{}
			for k, rv := range r.Input.Attributes {
				var x any
				if err := json.Unmarshal(rv, &x); err != nil {
					t.Fatal(err)
				}
				if f, ok := x.(float64); ok && f == float64(int64(f)) {
					x = int64(f)
				}
				attrs[k] = x
			}
			ts, _ := strconv.ParseInt(r.Input.TimeUnixNano, 10, 64)
			body := ""
			if r.Input.Body != nil {
				body = *r.Input.Body
			}
			if got := string(Canonical(ts, r.Input.SeverityText, body, attrs)); got != r.Canonical {
				t.Fatalf("canonical\n got %q\nwant %q", got, r.Canonical)
			}
			if got := Hash(ts, r.Input.SeverityText, body, attrs); got != r.Hash {
				t.Fatalf("hash %s want %s", got, r.Hash)
			}
		})
	}
}
