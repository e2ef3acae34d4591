package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"anken/internal/server/servertest"
	"anken/internal/store"
)

// startAnken starts `anken serve` with extra environment and returns at
// once, without waiting for it to be ready.
func startAnken(t *testing.T, dataDir string, env []string, args ...string) *process {
	t.Helper()
	addr := freeAddr(t)
	cmd := command(t, dataDir, append([]string{"serve", "--addr", addr}, args...)...)
	cmd.Env = append(cmd.Env, env...)
	logs := &servertest.Buffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return &process{base: "http://" + addr, cmd: cmd, logs: logs}
}

// waitReady waits until /readyz answers 200.
func waitReady(t *testing.T, s *process) {
	t.Helper()
	if !servertest.Poll(2*time.Minute, 50*time.Millisecond, func() bool {
		resp, err := http.Get(s.base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}) {
		t.Fatalf("serve not ready after 2 minutes; logs:\n%s", s.logs)
	}
}

// waitExit waits for the process to end and returns how long it took and
// its error (nil for exit status 0); it fails the test after limit.
func waitExit(t *testing.T, s *process, limit time.Duration) (time.Duration, error) {
	t.Helper()
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		return time.Since(start), err
	case <-time.After(limit):
		s.cmd.Process.Kill()
		<-done
		t.Fatalf("serve still running %s later; logs:\n%s", limit, s.logs)
		return 0, nil
	}
}

// openDB opens the SQLite file of a data directory beside a running process.
func openDB(t *testing.T, dataDir string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, "anken.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestServeSIGTERMCutsLongUpload starts a feed upload that sends a few
// rows and then stalls, and stops the server with SIGTERM: the upload gets
// the shutdown grace and no more, the process exits 0, and the feed run
// ends aborted with the rows read before the cut, not left receiving.
func TestServeSIGTERMCutsLongUpload(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	const grace = 2 * time.Second
	dir := t.TempDir()
	key := createAgency(t, dir, "stream")
	s := startAnken(t, dir, []string{"ANKEN_SHUTDOWN_TIMEOUT=" + grace.String()})
	waitReady(t, s)

	body, feed := io.Pipe()
	defer feed.Close()
	req, _ := http.NewRequest(http.MethodPost, s.base+"/v1/agency/feeds?format=jsonl", body)
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/x-ndjson")
	answered := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			err = fmt.Errorf("answered %d %s", resp.StatusCode, b)
		}
		answered <- err
	}()
	const rows = 3
	for i := range rows {
		line := fmt.Sprintf(`{"external_id": "S-%d", "title": "【Go】決済APIの開発 %d", "description": "Goでの決済API開発。", "rate": "月額60万円"}`+"\n", i, i)
		if _, err := io.WriteString(feed, line); err != nil {
			t.Fatalf("write row %d: %v; logs:\n%s", i, err, s.logs)
		}
	}
	// The upload is in flight once its run exists; the rows already sent
	// are read during the grace.
	db := openDB(t, dir)
	var runID int64
	var err error
	if !servertest.Poll(30*time.Second, 20*time.Millisecond, func() bool {
		err = db.QueryRow(`SELECT id FROM feed_runs WHERE state = 'receiving'`).Scan(&runID)
		return !errors.Is(err, sql.ErrNoRows)
	}) || err != nil {
		t.Fatalf("no receiving feed run: %v; logs:\n%s", err, s.logs)
	}

	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	took, err := waitExit(t, s, grace+30*time.Second)
	if err != nil {
		t.Fatalf("exit after SIGTERM: %v (want status 0); logs:\n%s", err, s.logs)
	}
	if took < grace*3/4 {
		t.Errorf("stopped %s after SIGTERM: the upload in flight did not get its %s grace", took, grace)
	}
	t.Logf("stopped %s after SIGTERM (grace %s)", took.Round(time.Millisecond), grace)
	for _, want := range []string{`"msg":"shutdown grace over: closing remaining connections"`, `"msg":"stopped"`} {
		if !strings.Contains(s.logs.String(), want) {
			t.Errorf("logs lack %s:\n%s", want, s.logs)
		}
	}
	// The client's transport waits for the body to end before it reports
	// the lost connection.
	feed.CloseWithError(errors.New("test: done"))
	select {
	case err := <-answered:
		if err == nil || strings.Contains(err.Error(), "answered 2") {
			t.Errorf("the cut upload: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("the upload's client still waits after the server stopped")
	}

	ctx := context.Background()
	st := dataStore(t, dir)
	a, err := st.AgencyBySlug(ctx, "stream")
	if err != nil {
		t.Fatal(err)
	}
	run, err := st.FeedRun(ctx, a, runID)
	if err != nil {
		t.Fatal(err)
	}
	if run.State != store.RunAborted || run.Rows != rows || run.Error == "" {
		t.Errorf("feed run after the cut = state %s, %d rows, error %q; want aborted, %d rows, an error",
			run.State, run.Rows, run.Error, rows)
	}
}

// TestServeIndexLoadFailureExits gives serve a store whose listings cannot
// be read into the index: the process must stop with a failure and say
// why, rather than answer /readyz 503 forever.
func TestServeIndexLoadFailureExits(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	dir := t.TempDir()
	createAgency(t, dir, "broken") // migrates the store
	db := openDB(t, dir)
	now := time.Now().UTC()
	if _, err := db.Exec(`INSERT INTO listings (agency_id, external_id, status, content_hash, seq, posted_at, updated_at, doc)
		SELECT id, 'B-1', 'open', 'x', 1, $1, $1, '{"title": "壊れた' FROM agencies WHERE slug = 'broken'`, now); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s := startAnken(t, dir, nil)
	took, err := waitExit(t, s, 60*time.Second)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("serve with an unloadable index ended with %v after %s; want a non-zero exit; logs:\n%s", err, took, s.logs)
	}
	logs := s.logs.String()
	for _, want := range []string{`"msg":"index load failed"`, "decode listing", `"msg":"stopped on failure"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s:\n%s", want, logs)
		}
	}
	t.Logf("exited with %v after %s", err, took.Round(time.Millisecond))
}

// TestServeClosesExpiredAtStart imports a listing whose valid_through has
// passed and one still valid: once serve is up, search finds only the
// valid one, and the expired one's page says closed.
func TestServeClosesExpiredAtStart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	dir := t.TempDir()
	createAgency(t, dir, "expiry")
	file := filepath.Join(dir, "feed.jsonl")
	rows := `{"external_id": "EXP-1", "title": "期限切れの決済API開発", "description": "Goでの開発。", "posted_at": "2020-01-06", "valid_through": "2020-02-01"}
{"external_id": "EXP-2", "title": "募集中の決済API開発", "description": "Goでの開発。", "posted_at": "2020-01-06", "valid_through": "2099-12-31"}
`
	if err := os.WriteFile(file, []byte(rows), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := command(t, dir, "import", "--agency", "expiry", file).CombinedOutput(); err != nil || !strings.Contains(string(out), "created 2") {
		t.Fatalf("import: %v: %s", err, out)
	}
	s := startServe(t, dir)
	var res searchBody
	servertest.Poll(30*time.Second, 50*time.Millisecond, func() bool {
		res = searchBody{}
		getJSON(t, s.base+"/v1/listings?q=決済API", &res)
		return res.Total == 1
	})
	if res.Total != 1 || !strings.Contains(res.Hits[0].Title, "募集中") {
		t.Fatalf("search after start = %+v; want only the listing still valid; logs:\n%s", res, s.logs)
	}
	var page struct {
		ExternalID string `json:"external_id"`
		Status     string `json:"status"`
	}
	// The expired listing is the other id of the two the import stored.
	for id := int64(1); id <= 2; id++ {
		if id == res.Hits[0].ID {
			continue
		}
		if code := getJSON(t, fmt.Sprintf("%s/v1/listings/%d", s.base, id), &page); code != 200 || page.ExternalID != "EXP-1" || page.Status != "closed" {
			t.Errorf("expired listing's page: %d %+v; want EXP-1 closed", code, page)
		}
	}
	if !strings.Contains(s.logs.String(), `"msg":"listings expired"`) {
		t.Errorf("no expiry in logs:\n%s", s.logs)
	}
}

// TestServeMetricsAddress checks that /metrics is served on its own
// address when one is set, and not on the public one without the token.
func TestServeMetricsAddress(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	maddr := freeAddr(t)
	s := startAnken(t, t.TempDir(), []string{"ANKEN_METRICS_ADDR=" + maddr})
	waitReady(t, s)
	resp, err := http.Get(s.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics on the main address = %d, want 404", resp.StatusCode)
	}
	resp, err = http.Get("http://" + maddr + "/metrics")
	if err != nil {
		t.Fatalf("metrics address: %v; logs:\n%s", err, s.logs)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `anken_http_requests_total{code="200",method="GET",route="GET /readyz"}`) {
		t.Errorf("metrics address = %d %.300s", resp.StatusCode, b)
	}
	// Profiles: on the private address, never on the public one.
	for _, c := range []struct {
		base string
		want int
	}{{"http://" + maddr, 200}, {s.base, 404}} {
		resp, err := http.Get(c.base + "/debug/pprof/heap?debug=1")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.want || c.want == 200 && !strings.Contains(string(b), "heap profile") {
			t.Errorf("%s/debug/pprof/heap = %d %.100s, want %d", c.base, resp.StatusCode, b, c.want)
		}
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	if _, err := waitExit(t, s, 30*time.Second); err != nil {
		t.Errorf("exit after SIGTERM: %v; logs:\n%s", err, s.logs)
	}
}
