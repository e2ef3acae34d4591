package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"anken/internal/server/servertest"
	"anken/internal/store"
)

// These tests run the real binary as an operator would: built once, then
// started as separate processes on SQLite in a temporary directory.

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "anken-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "anken")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build anken:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// command returns the binary run on the store in dataDir. A command that
// works on a store (all but serve, migrate and the offline ones), given a
// directory with none yet, finds one made by anken migrate first, as an
// operator makes it: the commands themselves make none
// (TestCommandsNeedAStore). t may be nil (a poll's quiet look).
func command(t *testing.T, dataDir string, args ...string) *exec.Cmd {
	cmd := exec.Command(binary, args...)
	// A short lease, so that after a SIGKILL the items the dead workers had
	// claimed are taken up again within the test's patience.
	// No rate limits: the tests' bursts all come from 127.0.0.1 (the
	// limits are tested in internal/server).
	cmd.Env = append(os.Environ(), "ANKEN_DATA_DIR="+dataDir, "ANKEN_DATABASE_URL=", "ANKEN_LOG_FORMAT=json",
		"ANKEN_INGEST_LEASE=3s", "ANKEN_RATE_AGENCY=off", "ANKEN_RATE_WRITE=off", "ANKEN_RATE_READ=off")
	if len(args) > 0 && storeCommands[args[0]] {
		if _, err := os.Stat(filepath.Join(dataDir, "anken.db")); errors.Is(err, os.ErrNotExist) {
			migrate := exec.Command(binary, "migrate")
			migrate.Env = cmd.Env
			if out, err := migrate.CombinedOutput(); err != nil && t != nil {
				t.Helper()
				t.Fatalf("anken migrate in %s: %v\n%s", dataDir, err, out)
			}
		}
	}
	return cmd
}

// storeCommands are the commands that work on a store that exists.
var storeCommands = map[string]bool{"agency": true, "operator": true, "inbox": true, "mail": true, "feed": true, "reindex": true, "import": true}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

type process struct {
	base string
	cmd  *exec.Cmd
	logs *servertest.Buffer
}

// createdKey runs `anken args…` in dataDir, a command that creates an
// agency or an operator, and returns the key it prints once.
func createdKey(t *testing.T, dataDir string, args ...string) string {
	t.Helper()
	out, err := command(t, dataDir, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("anken %s: %v: %s", strings.Join(args, " "), err, out)
	}
	m := regexp.MustCompile(`(?m)^(?:api|operator) key: ((?:ak|op)_\w+)$`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("anken %s printed no key: %s", strings.Join(args, " "), out)
	}
	return string(m[1])
}

// dataStore opens the store of dataDir, migrated, as a process there
// would; it is closed when the test ends.
func dataStore(t *testing.T, dataDir string) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Config{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return st
}

// startServe starts `anken serve` and waits until /readyz answers 200.
func startServe(t *testing.T, dataDir string, args ...string) *process {
	t.Helper()
	s := startAnken(t, dataDir, nil, args...)
	waitReady(t, s)
	return s
}

func getJSON(t *testing.T, u string, dst any) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, dst); err != nil {
		t.Fatalf("GET %s: %d %v: %s", u, resp.StatusCode, err, b)
	}
	return resp.StatusCode
}

type searchBody struct {
	Total int `json:"total"`
	Hits  []struct {
		ID          int64    `json:"id"`
		Title       string   `json:"title"`
		Description string   `json:"description"`
		Role        string   `json:"role"`
		Remote      string   `json:"remote"`
		Prefecture  string   `json:"prefecture"`
		Skills      []string `json:"skills"`
		Status      string   `json:"status"`
	} `json:"hits"`
	Facets     map[string]map[string]int `json:"facets"`
	NextCursor string                    `json:"next_cursor"`
}

// TestServeDemoSearch is the foundation's acceptance check: serve --demo
// answers a Japanese search with a skill filter, and its facet counts equal a
// recount of every hit, fetched page by page.
func TestServeDemoSearch(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server with generated listings")
	}
	s := startServe(t, t.TempDir(), "--demo", "--demo-listings", "3000")
	q := url.Values{"q": {"リモート"}, "skill": {"go"}, "facets": {"role,remote,prefecture"}, "limit": {"100"}}
	var first searchBody
	if code := getJSON(t, s.base+"/v1/listings?"+q.Encode(), &first); code != 200 {
		t.Fatalf("search: %d", code)
	}
	if first.Total == 0 {
		t.Fatal("no hits for リモート + skill=go in 3,000 demo listings")
	}
	recount := map[string]map[string]int{"role": {}, "remote": {}, "prefecture": {}}
	seen := map[int64]bool{}
	page := first
	for {
		for _, h := range page.Hits {
			if seen[h.ID] {
				t.Fatalf("listing %d on two pages", h.ID)
			}
			seen[h.ID] = true
			if !strings.Contains(h.Title+h.Description, "リモート") {
				t.Errorf("hit %d lacks リモート: %s", h.ID, h.Title)
			}
			hasGo := false
			for _, sk := range h.Skills {
				hasGo = hasGo || sk == "go"
			}
			if !hasGo || h.Status != "open" {
				t.Errorf("hit %d: skills %v status %s", h.ID, h.Skills, h.Status)
			}
			for f, v := range map[string]string{"role": h.Role, "remote": h.Remote, "prefecture": h.Prefecture} {
				if v != "" {
					recount[f][v]++
				}
			}
		}
		if page.NextCursor == "" {
			break
		}
		q.Set("cursor", page.NextCursor)
		page = searchBody{}
		getJSON(t, s.base+"/v1/listings?"+q.Encode(), &page)
	}
	if len(seen) != first.Total {
		t.Errorf("pages held %d listings, total says %d", len(seen), first.Total)
	}
	for f, want := range recount {
		if !maps.Equal(first.Facets[f], want) {
			t.Errorf("facet %s = %v, recount of hits = %v", f, first.Facets[f], want)
		}
	}
	t.Logf("%d hits; facets %v", first.Total, first.Facets)

	// Reposts of one job by several agencies show as one hit with its
	// offers; the listing page lists every agency's offer.
	var collapsed, expanded struct {
		Total int `json:"total"`
		Hits  []struct {
			ID     int64 `json:"id"`
			Offers *struct {
				Count int `json:"count"`
			} `json:"offers"`
		} `json:"hits"`
	}
	getJSON(t, s.base+"/v1/listings?limit=100&sort=newest", &collapsed)
	getJSON(t, s.base+"/v1/listings?limit=100&sort=newest&collapse=false", &expanded)
	if collapsed.Total >= expanded.Total {
		t.Errorf("collapsed total %d, expanded %d: reposts were not grouped", collapsed.Total, expanded.Total)
	}
	grouped := 0
	for _, h := range collapsed.Hits {
		if h.Offers == nil {
			continue
		}
		grouped++
		var page struct {
			Offers []struct {
				Agency string `json:"agency"`
			} `json:"offers"`
		}
		getJSON(t, fmt.Sprintf("%s/v1/listings/%d", s.base, h.ID), &page)
		agencies := map[string]bool{}
		for _, o := range page.Offers {
			agencies[o.Agency] = true
		}
		if len(page.Offers) != h.Offers.Count || len(agencies) < 2 {
			t.Errorf("listing %d: search says %d offers, its page lists %d from %d agencies",
				h.ID, h.Offers.Count, len(page.Offers), len(agencies))
		}
	}
	if grouped == 0 {
		t.Error("no hit among the 100 newest carries offers from several agencies")
	}

	// Repeated list parameters mean the same as comma-separated ones.
	var a, b searchBody
	getJSON(t, s.base+"/v1/listings?role=backend,sre&limit=1", &a)
	getJSON(t, s.base+"/v1/listings?role=backend&role=sre&limit=1", &b)
	if a.Total == 0 || a.Total != b.Total {
		t.Errorf("role=backend,sre: %d hits; role=backend&role=sre: %d", a.Total, b.Total)
	}
}

// TestAgencyKeyAndShutdown creates an agency with the CLI, writes through
// the API with its key, sees the write in search at once, then stops the
// server with SIGTERM and expects a clean exit.
func TestAgencyKeyAndShutdown(t *testing.T) {
	dir := t.TempDir()
	key := createdKey(t, dir, "agency", "create", "sakura-tech", "--name", "さくらテック")
	s := startServe(t, dir)
	body := `{"title": "【Go/フルリモート】決済基盤のバックエンド開発", "description": "決済APIの開発",
		"rate": "月額60万〜70万円", "remote": "フルリモート", "skills": ["Golang"]}`
	req, _ := http.NewRequest(http.MethodPut, s.base+"/v1/agency/listings/PAY-1", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"created"`) {
		t.Fatalf("put: %d %s", resp.StatusCode, b)
	}
	// The writing node applies its own write before the next poll.
	var res searchBody
	if !servertest.Poll(5*time.Second, 20*time.Millisecond, func() bool {
		res = searchBody{}
		getJSON(t, s.base+"/v1/listings?q=決済&skill=go", &res)
		return res.Total == 1
	}) {
		t.Fatalf("the listing just written is not found: %+v", res)
	}

	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v; logs:\n%s", err, s.logs)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30s of SIGTERM")
	}
	if !strings.Contains(s.logs.String(), `"msg":"stopped"`) {
		t.Errorf("no clean stop in logs:\n%s", s.logs)
	}
	// Every log line is JSON, and request lines carry a request id.
	sc := bufio.NewScanner(strings.NewReader(s.logs.String()))
	requests := 0
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Errorf("log line is not JSON: %s", sc.Text())
			continue
		}
		if rec["msg"] == "request" {
			requests++
			if id, _ := rec["request_id"].(string); id == "" {
				t.Errorf("request log without request_id: %s", sc.Text())
			}
		}
	}
	if requests == 0 {
		t.Error("no request was logged")
	}
}

// TestDemoImportNormalize runs the offline commands: demo output is the same
// for the same seed, import reports rejected rows by line and stores the
// rest, and normalize turns raw lines into normalized ones.
func TestDemoImportNormalize(t *testing.T) {
	dir := t.TempDir()
	file := func(name string) string { return filepath.Join(dir, name) }
	for _, name := range []string{"a.jsonl", "b.jsonl"} {
		if out, err := command(t, dir, "demo", "--listings", "200", "--seed", "7", "--out", file(name)).CombinedOutput(); err != nil {
			t.Fatalf("demo: %v: %s", err, out)
		}
	}
	a, _ := os.ReadFile(file("a.jsonl"))
	b, _ := os.ReadFile(file("b.jsonl"))
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Fatalf("demo --seed 7 twice: %d and %d bytes, equal %v", len(a), len(b), bytes.Equal(a, b))
	}
	if n := bytes.Count(a, []byte("\n")); n != 200 {
		t.Fatalf("demo wrote %d lines, want 200", n)
	}

	// normalize: one output line per input line, with structured fields.
	cmd := command(t, dir, "normalize")
	cmd.Stdin = bytes.NewReader(a)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("normalize: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 200 {
		t.Fatalf("normalize wrote %d lines, want 200", len(lines))
	}
	known := 0
	for _, l := range lines {
		var n struct {
			Title string `json:"title"`
			Rate  struct {
				MonthlyMin int64 `json:"monthly_min"`
				MonthlyMax int64 `json:"monthly_max"`
			} `json:"rate"`
		}
		if err := json.Unmarshal([]byte(l), &n); err != nil || n.Title == "" {
			t.Fatalf("normalized line %q: %v", l, err)
		}
		if n.Rate.MonthlyMin > 0 || n.Rate.MonthlyMax > 0 {
			known++
		}
	}
	if known < 150 {
		t.Errorf("only %d of 200 normalized listings have a monthly rate", known)
	}

	// import: two broken rows among good ones.
	feed := strings.Join([]string{
		`{"external_id": "A-1", "title": "Reactでの管理画面開発", "rate": "月額55万円"}`,
		`{"external_id": "A-2", "title": ""}`,
		`not json`,
		``,
		`{"external_id": "A-3", "title": "AWS基盤構築", "remote": "フルリモート"}`,
	}, "\n")
	os.WriteFile(file("feed.jsonl"), []byte(feed), 0o644)
	if out, err := command(t, dir, "agency", "create", "feed-agency").CombinedOutput(); err != nil {
		t.Fatalf("agency create: %v: %s", err, out)
	}
	var stdout, stderr bytes.Buffer
	imp := command(t, dir, "import", "--agency", "feed-agency", "--format", "jsonl", file("feed.jsonl"))
	imp.Stdout, imp.Stderr = &stdout, &stderr
	if err := imp.Run(); err != nil {
		t.Fatalf("import: %v: %s %s", err, stdout.String(), stderr.String())
	}
	for _, want := range []string{"line 2:", "title", "line 3:", "not a JSON listing"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("import report lacks %q:\n%s", want, stderr.String())
		}
	}
	if !strings.Contains(stdout.String(), "created 2") || !strings.Contains(stdout.String(), "rejected 2") {
		t.Errorf("import summary: %s", stdout.String())
	}
	out, err = command(t, dir, "reindex").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "2 open listings") {
		t.Errorf("reindex: %v: %s", err, out)
	}
	if out, err := command(t, dir, "import", "--agency", "nobody", file("feed.jsonl")).CombinedOutput(); err == nil ||
		!strings.Contains(string(out), "agency create nobody") {
		t.Errorf("import for an unknown agency: %v: %s", err, out)
	}
}
