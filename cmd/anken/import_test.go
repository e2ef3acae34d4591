package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"anken/internal/ingest"
)

func TestProgressLine(t *testing.T) {
	p := func(rows int, bytes int64, elapsed time.Duration) ingest.Progress {
		return ingest.Progress{Rows: rows, Bytes: bytes, Elapsed: elapsed}
	}
	tests := []struct {
		name string
		p    ingest.Progress
		size int64
		want string
	}{
		{"file, a quarter read", p(10_000, 25<<20, 10*time.Second), 100 << 20, "… 10000 rows, 1000 rows/s, 25% of the file, about 30s left"},
		{"file, nothing read yet", p(0, 0, time.Second), 100 << 20, "… 0 rows, 0 rows/s"},
		{"file grown past its size", p(5_000, 150<<20, 5*time.Second), 100 << 20, "… 5000 rows, 1000 rows/s, 150.0 MiB read"},
		{"pipe", p(12_000, 4<<20+1<<19, 4*time.Second), 0, "… 12000 rows, 3000 rows/s, 4.5 MiB read"},
		{"pipe, small", p(3, 700, 2*time.Second), 0, "… 3 rows, 2 rows/s, 700 B read"},
		{"pipe, GiB", p(2_000_000, 3<<30, 100*time.Second), 0, "… 2000000 rows, 20000 rows/s, 3.0 GiB read"},
		{"pipe, nothing read yet", p(0, 0, 0), 0, "… 0 rows, 0 rows/s"},
		{"no time elapsed", p(10, 1<<10, 0), 0, "… 10 rows, 0 rows/s, 1.0 KiB read"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := progressLine(tc.p, tc.size)
			if got != tc.want {
				t.Errorf("progressLine = %q, want %q", got, tc.want)
			}
			if tc.size <= 0 && (strings.Contains(got, "%") || strings.Contains(got, "left")) {
				t.Errorf("a share or time left for a file of unknown length: %q", got)
			}
		})
	}
}

// TestImportStdin: `anken import … -` reads the feed from stdin (a pipe).
func TestImportStdin(t *testing.T) {
	dir := t.TempDir()
	if out, err := command(t, dir, "agency", "create", "pipe-agency").CombinedOutput(); err != nil {
		t.Fatalf("agency create: %v: %s", err, out)
	}
	feed := `{"external_id": "P-1", "title": "Goでの決済API開発", "rate": "月額70万円"}
{"external_id": "P-2", "title": "AWS基盤構築", "remote": "フルリモート"}
`
	var stdout, stderr bytes.Buffer
	imp := command(t, dir, "import", "--agency", "pipe-agency", "-")
	imp.Stdin, imp.Stdout, imp.Stderr = strings.NewReader(feed), &stdout, &stderr
	if err := imp.Run(); err != nil {
		t.Fatalf("import -: %v: %s %s", err, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "created 2") {
		t.Errorf("import - summary: %s", stdout.String())
	}
}
