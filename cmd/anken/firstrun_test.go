package main

import (
	"bufio"
	"encoding/json"
	"log/slog"
	"net"
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
// balancer (here waitReady's) do not fill the log at info.
func TestServeStartLog(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server with generated listings")
	}
	s := startServe(t, t.TempDir(), "--demo", "--demo-listings", "200")
	var open map[string]any
	probes := 0
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
		}
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
