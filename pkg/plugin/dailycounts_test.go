package plugin

import (
	"os"
	"testing"
)

// The daily counts' file of earlier versions is moved to its name, or removed when both exist, so no
// copy of the per-actor counts is left where erasure does not look.
func TestRenameLegacyLeavesNoOldFile(t *testing.T) {
	dir := t.TempDir()
	old, path := dir+"/rollups.db", dir+"/daily-counts.db"
	for _, f := range []string{old, old + "-wal"} {
		if err := os.WriteFile(f, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	renameLegacy(old, path)
	if b, err := os.ReadFile(path + "-wal"); err != nil || string(b) != "old" {
		t.Fatalf("not moved: %v", err)
	}
	os.WriteFile(old, []byte("older"), 0o600)
	renameLegacy(old, path)
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Fatal("the old file is still there")
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Fatal("the current file was replaced")
	}
}
