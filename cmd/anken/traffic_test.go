package main

import (
	"fmt"
	"io"
	"net/http"
	"syscall"
	"testing"
	"time"
)

// TestServeCountsApplyClicks: on a real process, a listing page's view
// and its apply click through /go are counted once per visitor, a robot
// not at all; they reach the store within the flush interval while the
// node serves, and a stop (SIGTERM) writes what was counted since the
// last flush: nothing counted is lost on a clean stop.
func TestServeCountsApplyClicks(t *testing.T) {
	dir := t.TempDir()
	key := createdKey(t, dir, "agency", "create", "sakura-tech", "--name", "さくらテック")
	s := startServe(t, dir)
	id := putApplyListing(t, s.base, key, "PAY-1", "https://sakura-tech.example/entry/PAY-1")
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path, ua string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, s.base+path, nil)
		req.Header.Set("User-Agent", ua)
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Location")
	}
	const browser = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
	const robot = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"
	page, apply := fmt.Sprintf("/listings/%d", id), fmt.Sprintf("/go/%d/sakura-tech", id)
	for _, ua := range []string{browser, browser, robot} {
		if code, _ := get(page, ua); code != 200 {
			t.Fatalf("GET %s: %d", page, code)
		}
		if code, loc := get(apply, ua); code != 302 || loc != "https://sakura-tech.example/entry/PAY-1" {
			t.Fatalf("GET %s: %d to %q", apply, code, loc)
		}
	}

	db := openDB(t, dir)
	stored := func() (views, clicks int64) {
		if err := db.QueryRow(`SELECT COALESCE(SUM(views), 0), COALESCE(SUM(clicks), 0) FROM listing_traffic WHERE listing_id = ?`, id).
			Scan(&views, &clicks); err != nil {
			t.Fatal(err)
		}
		return views, clicks
	}
	// Written within the flush interval (5 s) while serving: what a crash
	// after it would keep.
	waitFor(t, 30*time.Second, func() bool { v, c := stored(); return v == 1 && c == 1 }, "the first visitor's view and click stored")

	// A second visitor, then a stop at once: the last flush writes it.
	const other = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
	get(page, other)
	get(apply, other)
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if _, err := waitExit(t, s, time.Minute); err != nil {
		t.Fatalf("exit after SIGTERM: %v; logs:\n%s", err, s.logs)
	}
	if views, clicks := stored(); views != 2 || clicks != 2 {
		t.Errorf("after a stop: %d views, %d clicks stored; want 2 and 2 (two visitors, a robot not counted)", views, clicks)
	}
}
