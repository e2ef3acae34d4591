package main

import (
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"anken/internal/server/servertest"
	"anken/internal/traffic"
)

// clickClient follows no redirect: a /go answers 302 to the agency's
// apply URL, which the tests do not fetch.
var clickClient = &http.Client{
	Timeout:       15 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// robotUA is a robot's User-Agent: its /go is answered but not counted,
// so the tests can wait with it for a node to know a listing.
const robotUA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"

// click GETs /go/{id}/{slug} on base as the visitor ua and returns an
// error unless it is answered 302 to want.
func click(base string, id int64, slug, ua, want string) error {
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/go/%d/%s", base, id, slug), nil)
	req.Header.Set("User-Agent", ua)
	resp, err := clickClient.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || loc != want {
		return fmt.Errorf("GET /go/%d/%s as %q: %d to %q", id, slug, ua, resp.StatusCode, loc)
	}
	return nil
}

// putApplyListing PUTs a listing with an apply URL through base with key
// and returns its id.
func putApplyListing(t *testing.T, base, key, externalID, applyURL string) int64 {
	t.Helper()
	body := fmt.Sprintf(`{"title": "【Go/フルリモート】決済基盤のバックエンド開発", "description": "決済APIの開発",
		"rate": "月額60万〜70万円", "apply_url": %q}`, applyURL)
	req, _ := http.NewRequest(http.MethodPut, base+"/v1/agency/listings/"+externalID, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := faultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("PUT %s: %d %s", externalID, resp.StatusCode, b)
	}
	i := strings.Index(string(b), `"id":`)
	var id int64
	if i < 0 {
		t.Fatalf("no id in %s", b)
	}
	if _, err := fmt.Sscanf(string(b[i:]), `"id":%d`, &id); err != nil {
		t.Fatalf("no id in %s", b)
	}
	return id
}

// storedClicks reads the clicks stored for listing id (q uses $1 on
// PostgreSQL, ? on SQLite).
func storedClicks(t *testing.T, db *sql.DB, q string, id int64) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(q, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTwoNodesCountClicks runs two `anken serve` on one PostgreSQL schema
// and sends concurrent apply clicks (/go) to both from many visitors,
// each visitor to one node only and several times: the stored clicks of
// the listing are the number of visitors, once while the nodes serve
// (their periodic flushes add up in the store) and again after a second
// wave and a stop of both (SIGTERM: the last flushes add up too).
// Visitors differ by User-Agent, all coming from 127.0.0.1. A visitor
// whose clicks reach both nodes counts once on each (nodes do not share
// the day's set of clients seen; docs/OPERATIONS.md), so each visitor
// here keeps to one node.
func TestTwoNodesCountClicks(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the binary twice")
	}
	dbURL, _, _, key := postgresAgency(t) // agency techlink
	env := []string{"ANKEN_DATABASE_URL=" + dbURL}
	nodes := []*process{startAnken(t, t.TempDir(), env), startAnken(t, t.TempDir(), env)}
	for _, n := range nodes {
		waitReady(t, n)
	}
	const apply = "https://techlink.example/entry/PAY-1"
	id := putApplyListing(t, nodes[0].base, key, "PAY-1", apply)
	// Both nodes answer the pair (a robot's click: not counted).
	for i, n := range nodes {
		if !servertest.Poll(10*time.Second, 20*time.Millisecond, func() bool { return click(n.base, id, "techlink", robotUA, apply) == nil }) {
			t.Fatalf("node %d: /go/%d/techlink not answered 302 after 10 s: %v", i, id, click(n.base, id, "techlink", robotUA, apply))
		}
	}

	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	clicks := func() int64 {
		return storedClicks(t, db, `SELECT COALESCE(SUM(clicks), 0) FROM listing_traffic WHERE listing_id = $1`, id)
	}

	// wave sends visitors [from, to) concurrently, visitor v to node v%2,
	// each `repeats` times, from 32 clients at once.
	const repeats = 3
	wave := func(from, to int) {
		t.Helper()
		type job struct{ node, visitor int }
		jobs := make(chan job)
		errs := make(chan error, (to-from)*repeats)
		var wg sync.WaitGroup
		for range 32 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range jobs {
					if err := click(nodes[j.node].base, id, "techlink", fmt.Sprintf("visitor-%d", j.visitor), apply); err != nil {
						errs <- fmt.Errorf("node %d: %w", j.node, err)
					}
				}
			}()
		}
		// Repeats interleaved with other visitors' clicks, so that a
		// visitor's clicks are in flight together.
		for range repeats {
			for v := from; v < to; v++ {
				jobs <- job{v % 2, v}
			}
		}
		close(jobs)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}

	// First wave: stored by the nodes' periodic flushes while they serve.
	const first, second = 300, 200
	start := time.Now()
	wave(0, first)
	sent := time.Since(start)
	if !servertest.Poll(3*traffic.FlushEvery, 50*time.Millisecond, func() bool { return clicks() >= first }) {
		t.Fatalf("%d clicks stored %v after the first wave, want %d; logs:\n%s\n%s", clicks(), 3*traffic.FlushEvery, first, nodes[0].logs, nodes[1].logs)
	}
	if n := clicks(); n != first {
		t.Fatalf("%d clicks stored after the first wave of %d visitors (%d requests on two nodes), want %d", n, first, first*repeats, first)
	}
	t.Logf("first wave: %d requests from %d visitors on two nodes in %v, stored as %d clicks within %v",
		first*repeats, first, sent.Round(time.Millisecond), first, time.Since(start).Round(time.Millisecond))

	// Second wave, then both nodes stopped at once: their last flushes
	// write it.
	wave(first, first+second)
	for _, n := range nodes {
		if err := n.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
	}
	for i, n := range nodes {
		if _, err := waitExit(t, n, time.Minute); err != nil {
			t.Fatalf("node %d: exit after SIGTERM: %v; logs:\n%s", i, err, n.logs)
		}
	}
	if n, want := clicks(), int64(first+second); n != want {
		t.Errorf("%d clicks stored after the second wave and a stop of both nodes, want %d (one per visitor)", n, want)
	}
	var views, impressions int64
	if err := db.QueryRow(`SELECT COALESCE(SUM(views), 0), COALESCE(SUM(impressions), 0) FROM listing_traffic WHERE listing_id = $1`, id).
		Scan(&views, &impressions); err != nil {
		t.Fatal(err)
	}
	if views != 0 || impressions != 0 {
		t.Errorf("%d views and %d impressions stored; only clicks were made", views, impressions)
	}
	for i, n := range nodes {
		if s := n.logs.String(); strings.Contains(s, "flush failed") {
			t.Errorf("node %d logged a failed flush:\n%s", i, s)
		}
	}
}

// TestServeSIGKILLLosesAtMostTheFlushInterval clicks through /go from a
// new visitor every 50 ms for 9 s, noting when each click was answered,
// and kills the node (SIGKILL): every click answered more than the flush
// interval (traffic.FlushEvery, 5 s) and a margin of 2 s before the kill
// is in the store, and the store holds no more clicks than were sent
// (docs/OPERATIONS.md, "What a crash loses").
func TestServeSIGKILLLosesAtMostTheFlushInterval(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	dir := t.TempDir()
	key := createdKey(t, dir, "agency", "create", "sakura-tech", "--name", "さくらテック")
	s := startServe(t, dir)
	const apply = "https://sakura-tech.example/entry/PAY-1"
	id := putApplyListing(t, s.base, key, "PAY-1", apply)

	const (
		every  = 50 * time.Millisecond
		during = 9 * time.Second
		margin = 2 * time.Second
	)
	var answered []time.Time // when each click was answered, in order
	tick := time.NewTicker(every)
	for start, v := time.Now(), 0; time.Since(start) < during; v++ {
		if err := click(s.base, id, "sakura-tech", fmt.Sprintf("visitor-%d", v), apply); err != nil {
			tick.Stop()
			t.Fatal(err)
		}
		answered = append(answered, time.Now())
		<-tick.C
	}
	tick.Stop()
	killed := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_, err := waitExit(t, s, 10*time.Second)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("after SIGKILL: %v; want killed by the signal", err)
	}

	// The counts are indistinguishable in the store: what must be there is
	// how many clicks were answered before the bound.
	bound := killed.Add(-traffic.FlushEvery - margin)
	var old int64
	for _, a := range answered {
		if a.Before(bound) {
			old++
		}
	}
	sent := int64(len(answered))
	stored := storedClicks(t, openDB(t, dir), `SELECT COALESCE(SUM(clicks), 0) FROM listing_traffic WHERE listing_id = ?`, id)
	t.Logf("%d clicks sent over %v, %d answered more than %v before the kill; %d stored, %d lost",
		sent, during, old, traffic.FlushEvery+margin, stored, sent-stored)
	if old == 0 {
		t.Fatalf("no click answered more than %v before the kill: the test proves nothing", traffic.FlushEvery+margin)
	}
	if stored < old {
		t.Errorf("%d clicks stored after a SIGKILL; %d were answered more than %v before it and must be there",
			stored, old, traffic.FlushEvery+margin)
	}
	if stored > sent {
		t.Errorf("%d clicks stored; only %d were sent", stored, sent)
	}
}
