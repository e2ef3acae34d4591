package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"anken/internal/ingest"
	"anken/internal/server/servertest"
	"anken/internal/store"
)

// TestTwoNodes runs two `anken serve` on one PostgreSQL schema: a listing
// written through one node is searchable on the other within a second,
// each webhook delivery (an inbox item) is applied once whichever node
// took it and whichever worker applied it, and each scheduled feed is
// polled once, though both nodes' pollers look for due feeds at the same
// moment. (Mail once across nodes is TestTwoNodesAlertOnce.)
func TestTwoNodes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the binary twice")
	}
	ctx := context.Background()
	dbURL, st, agency, key := postgresAgency(t)
	secret, err := st.NewWebhookSecret(ctx, agency.ID)
	if err != nil {
		t.Fatal(err)
	}

	// Feeds due at once, before either node starts: both pollers find
	// them due in their first look.
	var (
		mu      sync.Mutex
		fetched = map[string]int{}
	)
	feeds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		fetched[r.URL.Path]++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-ndjson")
		for i := range 3 {
			fmt.Fprintf(w, `{"external_id": "feed%s-%d", "title": "【Java】基幹システムの改修 %s-%d", "description": "Javaでの基幹システム改修。", "rate": "月額55万円"}`+"\n",
				strings.TrimPrefix(r.URL.Path, "/"), i, r.URL.Path, i)
		}
	}))
	defer feeds.Close()
	const sources = 6
	for i := range sources {
		if _, err := st.PutFeedSource(ctx, store.FeedSource{Agency: agency, URL: fmt.Sprintf("%s/%d", feeds.URL, i),
			Format: "jsonl", Every: time.Hour}); err != nil {
			t.Fatal(err)
		}
	}
	feedHost := strings.TrimPrefix(feeds.URL, "http://") // 127.0.0.1:port, allowed below

	env := []string{"ANKEN_DATABASE_URL=" + dbURL, "ANKEN_FEED_ALLOW_HOSTS=" + feedHost}
	nodes := []*process{startAnken(t, t.TempDir(), env), startAnken(t, t.TempDir(), env)}
	for _, n := range nodes {
		waitReady(t, n)
	}

	// A write through one node, searchable on the other within 1 s.
	var slowest time.Duration
	for i := range 6 {
		from, to := nodes[i%2], nodes[(i+1)%2]
		word := fmt.Sprintf("決済%c", 'あ'+rune(i)) // a term only this listing has
		start := time.Now()
		if code, _, body := putListing(t, from, key, fmt.Sprintf("two-%d", i), "【Go】"+word+"基盤の開発"); code != 200 {
			t.Fatalf("PUT through node %d: %d %s", i%2, code, body)
		}
		if !servertest.Poll(10*time.Second, 10*time.Millisecond, func() bool {
			_, n := searchIDs(t, to.base, word)
			return n == 1
		}) {
			t.Fatalf("listing written through node %d not searchable on the other after 10 s", i%2)
		}
		slowest = max(slowest, time.Since(start))
	}
	t.Logf("a write through one node searchable on the other within %v (slowest of 6; ANKEN_INDEX_POLL 250ms)", slowest.Round(time.Millisecond))
	if slowest >= time.Second {
		t.Errorf("a write took %v to be searchable on the other node; want under 1 s", slowest)
	}

	// Webhook deliveries to both nodes at once: each applied once.
	const deliveries = 60
	var wg sync.WaitGroup
	errs := make(chan error, deliveries)
	for i := range deliveries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"id": "evt-%d", "type": "listing.upsert", "listing": {"external_id": "hook-%d",
				"title": "【Python】データ基盤の構築 %d", "description": "Pythonでのデータ基盤構築。", "rate": "月額65万円"}}`, i, i, i)
			req, _ := http.NewRequest(http.MethodPost, nodes[i%2].base+"/v1/webhooks/techlink", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(ingest.SignatureHeader, ingest.Sign(secret, time.Now(), []byte(body)))
			resp, err := faultClient.Do(req)
			if err != nil {
				errs <- err
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusAccepted {
				errs <- fmt.Errorf("delivery %d: %s", i, resp.Status)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	count := func(query string, args ...any) int {
		t.Helper()
		var n int
		if err := db.QueryRow(query, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}
	if !servertest.Poll(30*time.Second, 50*time.Millisecond, func() bool {
		return count(`SELECT count(*) FROM inbox WHERE state <> 'done'`) == 0 &&
			count(`SELECT count(*) FROM feed_sources WHERE last_run = 0`) == 0
	}) {
		t.Fatalf("webhooks or feeds not done after 30 s; logs:\n%s\n%s", nodes[0].logs, nodes[1].logs)
	}
	if n := count(`SELECT count(*) FROM inbox WHERE kind = 'webhook'`); n != deliveries {
		t.Errorf("%d webhook items in the inbox, want %d", n, deliveries)
	}
	// A worker's claim counts an attempt, and an item is marked done only
	// by the claim that took it: one attempt each is each item applied
	// once, by one worker of one node.
	if n := count(`SELECT count(*) FROM inbox WHERE attempts <> 1`); n != 0 {
		t.Errorf("%d inbox items (webhooks and feed rows) taken more than once", n)
	}
	if n := count(`SELECT count(*) FROM listings WHERE external_id LIKE 'hook-%'`); n != deliveries {
		t.Errorf("%d listings from %d deliveries", n, deliveries)
	}
	if n := count(`SELECT count(*) FROM rejections`); n != 0 {
		t.Errorf("%d rejections", n)
	}

	// Each feed polled once: one fetch, one run.
	mu.Lock()
	for i := range sources {
		if n := fetched[fmt.Sprintf("/%d", i)]; n != 1 {
			t.Errorf("feed %d fetched %d times, want once", i, n)
		}
	}
	mu.Unlock()
	if n := count(`SELECT count(*) FROM feed_runs`); n != sources {
		t.Errorf("%d feed runs for %d feeds due once", n, sources)
	}
	if n := count(`SELECT count(*) FROM listings WHERE external_id LIKE 'feed%'`); n != 3*sources {
		t.Errorf("%d listings from the feeds, want %d", n, 3*sources)
	}
	// The audit log: one row per write, whichever node took it; one per
	// feed run for the polls, from "poll".
	for action, want := range map[string]int{"put-agency-listing": 6, "post-webhook": deliveries, "poll-agency-feed": sources} {
		if n := count(`SELECT count(*) FROM audit_log WHERE actor = 'techlink' AND action = $1`, action); n != want {
			t.Errorf("%d audit rows of %s, want %d", n, action, want)
		}
	}
	if n := count(`SELECT count(DISTINCT target) FROM audit_log WHERE action = 'poll-agency-feed' AND ip = 'poll' AND target LIKE 'feed run % of techlink'`); n != sources {
		t.Errorf("%d feed runs in the polls' audit rows, want %d", n, sources)
	}
	// Both nodes did a share of the work (not a condition of once, but
	// without it the test would prove nothing about two nodes).
	polledBy := [2]bool{strings.Contains(nodes[0].logs.String(), "feed polled"), strings.Contains(nodes[1].logs.String(), "feed polled")}
	t.Logf("feeds polled by node 0: %v, node 1: %v", polledBy[0], polledBy[1])
}
