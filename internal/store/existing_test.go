package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"anken/internal/store"
)

// TestOpenExisting: under Config.Existing a missing SQLite store is an
// error naming its absolute path, and nothing is created; a store that
// exists opens as usual.
func TestOpenExisting(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	_, err := store.Open(ctx, store.Config{DataDir: dir, Existing: true})
	var ns *store.NoStoreError
	if !errors.As(err, &ns) || ns.Path != filepath.Join(dir, "anken.db") || !filepath.IsAbs(ns.Path) {
		t.Fatalf("Open of a missing store = %v, want a NoStoreError naming %s", err, filepath.Join(dir, "anken.db"))
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the data directory was created: %v", err)
	}
	s, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = store.Open(ctx, store.Config{DataDir: dir, Existing: true})
	if err != nil {
		t.Fatalf("Open of an existing store: %v", err)
	}
	defer s.Close()
	if _, err := s.Agencies(ctx); err != nil {
		t.Errorf("read the existing store: %v", err)
	}
}
