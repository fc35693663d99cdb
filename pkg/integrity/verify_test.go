package integrity

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

type vectorFile struct {
	Keys  map[string]string `json:"keys"`
	Cases []struct {
		Name         string `json:"name"`
		FromStart    bool   `json:"from_start"`
		RequireKeyed bool   `json:"require_keyed"`
		Records      []struct {
			Time       string            `json:"time_unix_nano"`
			Severity   string            `json:"severity_text"`
			Body       string            `json:"body"`
			Attributes map[string]any    `json:"attributes"`
			Stream     map[string]string `json:"stream"`
		} `json:"records"`
		Expect struct {
			OK         bool    `json:"ok"`
			Checked    int     `json:"checked"`
			Unchained  int     `json:"unchained"`
			Problems   [][]any `json:"problems"`
			Duplicates [][]any `json:"duplicates"`
			Chains     [][]any `json:"chains"`
		} `json:"expect"`
	} `json:"cases"`
}

// The records as Loki returns them: attribute names with underscores, every value as text.
func TestVerifyMatchesTheSharedVectors(t *testing.T) {
	raw, err := os.ReadFile("../../instrumentation/test-vectors/chain-verify.json")
	if err != nil {
		t.Fatal(err)
	}
	var f vectorFile
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) < 10 {
		t.Fatalf("only %d cases", len(f.Cases))
	}
	keys := map[string][]byte{}
	for id, h := range f.Keys {
		keys[id], _ = hex.DecodeString(h)
	}
	for _, c := range f.Cases {
		t.Run(c.Name, func(t *testing.T) {
			var records []Record
			for _, w := range c.Records {
				ns, _ := strconv.ParseInt(w.Time, 10, 64)
				labels := map[string]string{"severity_text": w.Severity}
				for k, v := range w.Attributes {
					labels[strings.ReplaceAll(k, ".", "_")] = fmt.Sprint(v)
				}
				for k, v := range w.Stream {
					labels[k] = v
				}
				records = append(records, Record{TimeUnixNano: ns, Line: w.Body, Labels: labels})
			}
			res := Verify(records, Options{FromStart: c.FromStart, Keys: keys, RequireKeyed: c.RequireKeyed})
			got := map[string]any{"ok": res.OK, "checked": res.Checked, "unchained": res.Unchained}
			want := map[string]any{"ok": c.Expect.OK, "checked": c.Expect.Checked, "unchained": c.Expect.Unchained}
			var problems, dups, chains [][]any
			for _, p := range res.Problems {
				problems = append(problems, []any{p.ChainID, float64(p.Seq), p.Kind})
			}
			for _, d := range res.Duplicates {
				dups = append(dups, []any{d.ChainID, float64(d.Seq), float64(d.Copies)})
			}
			for _, s := range res.Chains {
				chains = append(chains, []any{s.ChainID, float64(s.First), float64(s.Last), float64(s.Records), s.LastHash})
			}
			got["problems"], got["duplicates"], got["chains"] = nonNil(problems), nonNil(dups), nonNil(chains)
			want["problems"], want["duplicates"], want["chains"] = nonNil(c.Expect.Problems), nonNil(c.Expect.Duplicates), nonNil(c.Expect.Chains)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("\n got %v\nwant %v", got, want)
			}
		})
	}
}

func nonNil(x [][]any) [][]any {
	if x == nil {
		return [][]any{}
	}
	return x
}
