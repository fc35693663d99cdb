package schema

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The generated constants say what the one definition says (the TypeScript parts check the same file).
func TestGeneratedFromTheOneDefinition(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "schema", "audit-event.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Categories []string `json:"categories"`
		Severities []struct {
			Text   string `json:"text"`
			Number int    `json:"number"`
		} `json:"severities"`
		Outcomes   []string          `json:"outcomes"`
		Attributes map[string]string `json:"attributes"`
		Loki       struct {
			IndexLabels map[string]string `json:"indexLabels"`
		} `json:"loki"`
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(Categories, s.Categories) || !slices.Equal(Outcomes, s.Outcomes) {
		t.Fatal("categories or outcomes differ from schema/audit-event.json: run npm run schema")
	}
	for _, sev := range s.Severities {
		if SeverityNumbers[sev.Text] != sev.Number || !IsSeverity(sev.Text) {
			t.Fatalf("severity %s", sev.Text)
		}
	}
	if LabelCategory != s.Loki.IndexLabels["category"] || MetaID != strings.ReplaceAll(s.Attributes["id"], ".", "_") ||
		MetaUserAgent != strings.ReplaceAll(s.Attributes["userAgent"], ".", "_") {
		t.Fatal("names differ from schema/audit-event.json: run npm run schema")
	}
}
