package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestImportFullHeldThenConfirmed imports a catalogue of four listings,
// then a full feed that has one of them: the import reports the run held
// and closes nothing, and `anken feed confirm` closes the other three.
func TestImportFullHeldThenConfirmed(t *testing.T) {
	dir := t.TempDir()
	createAgency(t, dir, "full-feed")
	write := func(name string, ids ...int) string {
		var b strings.Builder
		for _, i := range ids {
			fmt.Fprintf(&b, `{"external_id": "L-%d", "title": "Goバックエンド開発 その%d", "rate": "月額60万円"}`+"\n", i, i)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	if out, err := command(t, dir, "import", "--agency", "full-feed", "--full", write("all.jsonl", 1, 2, 3, 4)).CombinedOutput(); err != nil {
		t.Fatalf("first import: %v: %s", err, out)
	}
	out, err := command(t, dir, "import", "--agency", "full-feed", "--full", "--quiet", write("one.jsonl", 1)).CombinedOutput()
	m := regexp.MustCompile("would close 3 of 4 open listings; confirm to close them with `anken feed confirm (\\d+)`").FindSubmatch(out)
	if err == nil || m == nil {
		t.Fatalf("import of a full feed dropping 3 of 4: %v: %s", err, out)
	}
	if n := openListings(t, dir); n != 4 {
		t.Errorf("%d open listings after the held import, want 4", n)
	}
	out, err = command(t, dir, "feed", "confirm", string(m[1])).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "3 listings closed") {
		t.Fatalf("feed confirm: %v: %s", err, out)
	}
	if n := openListings(t, dir); n != 1 {
		t.Errorf("%d open listings after confirming, want 1", n)
	}
	if out, err := command(t, dir, "feed", "confirm", string(m[1])).CombinedOutput(); err == nil || !strings.Contains(string(out), "not held") {
		t.Errorf("second confirm: %v: %s", err, out)
	}
}
