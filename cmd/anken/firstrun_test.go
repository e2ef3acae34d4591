package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// These tests are of what a new user meets on a fresh clone: the start of
// anken serve, and a command run from the wrong directory.

// TestBrowseURLs: where serve says to go, from the address it listens on.
func TestBrowseURLs(t *testing.T) {
	for _, c := range []struct {
		addr    string
		devMail bool
		want    string
	}{
		{"127.0.0.1:8080", false, "pages=http://127.0.0.1:8080/ docs=http://127.0.0.1:8080/docs"},
		{"127.0.0.1:8080", true, "pages=http://127.0.0.1:8080/ docs=http://127.0.0.1:8080/docs dev_mail=http://127.0.0.1:8080/dev/mail"},
		{"0.0.0.0:9000", false, "pages=http://127.0.0.1:9000/ docs=http://127.0.0.1:9000/docs"},
		{"[::]:9000", false, "pages=http://127.0.0.1:9000/ docs=http://127.0.0.1:9000/docs"},
		{"[::1]:9000", false, "pages=http://[::1]:9000/ docs=http://[::1]:9000/docs"},
	} {
		tcp, err := net.ResolveTCPAddr("tcp", c.addr)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range browseURLs(tcp, c.devMail) {
			got = append(got, a.(slog.Attr).String())
		}
		if g := strings.Join(got, " "); g != c.want {
			t.Errorf("browseURLs(%s, dev mail %v) = %s, want %s", c.addr, c.devMail, g, c.want)
		}
	}
}

// TestServeStartLog: on start, serve logs where to go (the pages, /docs
// and, under --demo, /dev/mail), and the /readyz polls of a load
// balancer (here waitReady's) do not fill the log at info. Built with a
// Go older than CI's, it says so once.
func TestServeStartLog(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server with generated listings")
	}
	s := startServe(t, t.TempDir(), "--demo", "--demo-listings", "200")
	var open map[string]any
	probes, oldGo := 0, 0
	sc := bufio.NewScanner(strings.NewReader(s.logs.String()))
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			continue
		}
		switch {
		case rec["msg"] == "open in a browser":
			open = rec
		case rec["msg"] == "request" && rec["path"] == "/readyz":
			probes++
		case rec["level"] == "WARN" && strings.Contains(fmt.Sprint(rec["msg"]), "older than the "+ciGo):
			oldGo++
		}
	}
	// The binary is built by the Go that built this test.
	if want := map[bool]int{true: 1, false: 0}[olderGo(runtime.Version())]; oldGo != want {
		t.Errorf("%d warnings of a Go older than %s from a binary built with %s, want %d:\n%s", oldGo, ciGo, runtime.Version(), want, s.logs)
	}
	if probes > 0 {
		t.Errorf("%d /readyz polls logged at info:\n%s", probes, s.logs)
	}
	if open == nil {
		t.Fatalf("no \"open in a browser\" line:\n%s", s.logs)
	}
	for k, path := range map[string]string{"pages": "/", "docs": "/docs", "dev_mail": "/dev/mail"} {
		if open[k] != s.base+path {
			t.Errorf("%s = %v, want %s", k, open[k], s.base+path)
		}
	}
	if open["level"] != "INFO" {
		t.Errorf("the URLs are logged at %v, want INFO", open["level"])
	}
}

// TestCommandsNeedAStore: a command other than serve and migrate, run
// where there is no store (another directory than serve's), makes none:
// it fails saying where it looked and how to point elsewhere. Pointed at
// a store (ANKEN_DATA_DIR, or --data-dir before the command), it works.
func TestCommandsNeedAStore(t *testing.T) {
	wd := t.TempDir()
	feed := filepath.Join(wd, "feed.jsonl")
	if err := os.WriteFile(feed, []byte(`{"external_id":"A-1","title":"Goエンジニア","description":"Go"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ANKEN_") {
			env = append(env, kv)
		}
	}
	run := func(extra []string, args ...string) (string, error) {
		t.Helper()
		cmd := exec.Command(binary, args...)
		cmd.Dir, cmd.Env = wd, append(slices.Clone(env), extra...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	want := filepath.Join(wd, "data", "anken.db")
	for _, args := range [][]string{
		{"agency", "list"},
		{"agency", "create", "sakura-tech"},
		{"agency", "key", "sakura-tech"},
		{"agency", "webhook-secret", "sakura-tech"},
		{"operator", "list"},
		{"operator", "create", "編集部"},
		{"inbox", "parked"},
		{"mail", "outbox"},
		{"mail", "retry", "1"},
		{"feed", "confirm", "1"},
		{"reindex"},
		{"import", "--agency", "sakura-tech", feed},
	} {
		out, err := run(nil, args...)
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() == 0 {
			t.Errorf("anken %s with no store: %v, want a non-zero exit status\n%s", strings.Join(args, " "), err, out)
		}
		for _, s := range []string{"no store at " + want, "ANKEN_DATA_DIR=DIR", "--data-dir DIR"} {
			if !strings.Contains(out, s) {
				t.Errorf("anken %s with no store says %q; want it to say %q", strings.Join(args, " "), out, s)
			}
		}
		if _, err := os.Stat(filepath.Join(wd, "data")); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("anken %s made ./data (%v)", strings.Join(args, " "), err)
		}
	}

	// migrate makes a store; the commands find it where they are told.
	store := filepath.Join(t.TempDir(), "store")
	if out, err := run(nil, "migrate", "--data-dir", store); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	if out, err := run(nil, "--data-dir", store, "agency", "create", "sakura-tech"); err != nil || !strings.Contains(out, "api key: ") {
		t.Fatalf("anken --data-dir DIR agency create: %v\n%s", err, out)
	}
	if out, err := run([]string{"ANKEN_DATA_DIR=" + store}, "agency", "list"); err != nil || !strings.Contains(out, "sakura-tech") {
		t.Errorf("ANKEN_DATA_DIR=DIR anken agency list: %v\n%s", err, out)
	}
	if out, err := run(nil, "--data-dir="+store, "import", "--agency", "sakura-tech", "--quiet", feed); err != nil || !strings.Contains(out, "created 1") {
		t.Errorf("anken --data-dir=DIR import: %v\n%s", err, out)
	}
}
