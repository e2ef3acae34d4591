package persist

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestRemoveStaleTemps: a temporary file of a process stopped midway goes
// once it is old.
func TestRemoveStaleTemps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "index.snapshot")
	stale := filepath.Join(dir, "index.snapshot.tmp-123")
	os.WriteFile(stale, []byte("part"), 0o644)
	RemoveStaleTemps(path, time.Hour)
	if _, err := os.Stat(stale); err != nil {
		t.Errorf("a fresh temporary file was removed: %v", err)
	}
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(stale, old, old)
	RemoveStaleTemps(path, time.Hour)
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a stale temporary file stayed: %v", err)
	}
}
