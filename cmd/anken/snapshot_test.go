package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"anken/internal/server/servertest"
)

// TestServeRestartsFromSnapshot starts serve on demo listings, stops it
// with SIGTERM, writes listings (new, changed, closed) while it is down,
// and starts it again: it is ready from the snapshot it wrote, and its
// searches hold what was written meanwhile.
func TestServeRestartsFromSnapshot(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server twice")
	}
	dir := t.TempDir()
	s := startAnken(t, dir, nil, "--demo", "--demo-listings", "2000")
	waitReady(t, s)
	waitLog(t, s, `"msg":"index built from the store"`, `"listings":2000`)
	waitLog(t, s, `"msg":"index snapshot written"`, `"why":"built"`)

	createAgency(t, dir, "snap")
	imp := func(rows ...string) {
		t.Helper()
		file := filepath.Join(t.TempDir(), "feed.jsonl")
		if err := os.WriteFile(file, []byte(strings.Join(rows, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := command(t, dir, "import", "--agency", "snap", file).CombinedOutput(); err != nil {
			t.Fatalf("import: %v: %s", err, out)
		}
	}
	row := func(ext, title string) string {
		return fmt.Sprintf(`{"external_id": %q, "title": %q, "description": "Goでの決済API開発。", "rate": "月額70万円"}`, ext, title)
	}
	imp(row("KEEP-1", "継続中の決済基盤開発"), row("KEEP-2", "継続中の決済基盤開発その2"), row("GONE-1", "終了予定の決済基盤開発"))
	waitFor(t, 30*time.Second, func() bool { return total(t, s, "決済基盤開発") == 3 }, "the imported listings to be searchable")
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if _, err := waitExit(t, s, time.Minute); err != nil {
		t.Fatalf("exit after SIGTERM: %v; logs:\n%s", err, s.logs)
	}
	// The position moved since the build: stopping writes the snapshot.
	waitLog(t, s, `"msg":"index snapshot written"`, `"why":"stop"`, `"listings":2003`)

	// While it is down: new listings, one changed, one closed.
	imp(row("NEW-1", "停止中に届いた決済基盤開発"), row("NEW-2", "停止中に届いた決済基盤開発その2"),
		row("KEEP-2", "継続中の決済基盤開発その2（改訂）"))
	ctx := context.Background()
	st := dataStore(t, dir)
	a, err := st.AgencyBySlug(ctx, "snap")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CloseListing(ctx, a, "GONE-1"); err != nil {
		t.Fatal(err)
	}
	st.Close()

	s = startAnken(t, dir, nil)
	waitReady(t, s)
	t.Log(waitLog(t, s, `"msg":"index loaded from snapshot"`, `"listings":2003`, `"changes":4`))
	if strings.Contains(s.logs.String(), `"msg":"index built from the store"`) {
		t.Errorf("the restart built the index; logs:\n%s", s.logs)
	}
	for q, want := range map[string]int{"停止中に届いた": 2, "継続中": 2, "改訂": 1, "終了予定": 0, "決済基盤開発": 4} {
		if n := total(t, s, q); n != want {
			t.Errorf("after the restart, q=%s: %d listings, want %d", q, n, want)
		}
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	if _, err := waitExit(t, s, time.Minute); err != nil {
		t.Fatalf("exit after SIGTERM: %v; logs:\n%s", err, s.logs)
	}
	// The second stop writes the snapshot at the new position.
	waitLog(t, s, `"msg":"index snapshot written"`, `"why":"stop"`, `"listings":2004`)
}

// total is the number of listings a search finds.
func total(t *testing.T, s *process, q string) int {
	t.Helper()
	var res searchBody
	if code := getJSON(t, s.base+"/v1/listings?q="+url.QueryEscape(q), &res); code != 200 {
		t.Fatalf("search %s: %d", q, code)
	}
	return res.Total
}

// waitLog waits up to a minute for a log line of the process holding
// every one of parts, and returns it.
func waitLog(t *testing.T, s *process, parts ...string) string {
	t.Helper()
	var found string
	if !servertest.Poll(time.Minute, 50*time.Millisecond, func() bool {
		for _, line := range strings.Split(s.logs.String(), "\n") {
			ok := true
			for _, p := range parts {
				ok = ok && strings.Contains(line, p)
			}
			if ok {
				found = line
				return true
			}
		}
		return false
	}) {
		t.Fatalf("no log line with %q; logs:\n%s", parts, s.logs)
	}
	return found
}
