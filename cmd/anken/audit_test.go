package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"anken/internal/server/servertest"
	"anken/internal/store"
	"anken/internal/store/storetest"
)

// TestCLIAudit: each command that writes leaves its rows in the audit
// log, actor and address "cli", each written in the transaction of the
// write it records, with the target and detail the write gives; an import
// leaves one row for its run, with its counts and state. A command that
// fails or only reads leaves none. On SQLite and PostgreSQL.
func TestCLIAudit(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			testCLIAudit(t, backend)
		})
	}
}

func testCLIAudit(t *testing.T, backend string) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := store.Config{DataDir: dir}
	var env []string
	if backend == "postgres" {
		cfg = store.Config{DatabaseURL: storetest.URL(t)}
		env = []string{"ANKEN_DATABASE_URL=" + cfg.DatabaseURL}
	}
	feed := func(name, rows string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(rows), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	catalogue := feed("all.jsonl", `{"external_id": "L-1", "title": "Goバックエンド開発", "rate": "月額60万円"}
{"external_id": "L-2", "title": ""}
{"external_id": "L-3", "title": "AWS基盤構築"}
{"external_id": "L-4", "title": "React開発"}
`)
	one := feed("one.jsonl", `{"external_id": "L-1", "title": "Goバックエンド開発", "rate": "月額60万円"}`+"\n")
	var heldRun string
	steps := []struct {
		args []string
		ok   bool
		rows []string // "action | target | detail" of each row, oldest first (regular expressions between the bars)
	}{
		{[]string{"agency", "create", "sakura", "--name", "さくらテック"}, true, []string{
			"create-agency | agency sakura | さくらテック",
			"issue-agency-key | agency sakura | key ak_[0-9a-f]{6}",
		}},
		{[]string{"agency", "create", "sakura"}, false, nil}, // the slug is taken
		{[]string{"agency", "key", "sakura"}, true, []string{"issue-agency-key | agency sakura | key ak_[0-9a-f]{6}"}},
		{[]string{"agency", "webhook-secret", "sakura"}, true, []string{"issue-webhook-secret | agency sakura | "}},
		{[]string{"agency", "list"}, true, nil},
		{[]string{"operator", "create", "山田"}, true, []string{"create-operator | operator 山田 | key op_[0-9a-f]{6}"}},
		{[]string{"operator", "revoke", "山田"}, true, []string{"revoke-operator | operator 山田 | "}},
		{[]string{"operator", "revoke", "山田"}, false, nil}, // no live operator of the name
		{[]string{"inbox", "replay", "--agency", "sakura"}, true, []string{"replay-inbox | parked items of sakura | 0 replayed"}},
		{[]string{"inbox", "parked"}, true, nil},
		{[]string{"mail", "retry", "12345"}, true, []string{`retry-mail | mails \[12345\] | 0 pending again`}},
		{[]string{"feed", "confirm", "12345"}, false, nil}, // no such run
		{[]string{"import", "--agency", "nobody", catalogue}, false, nil},
		{[]string{"import", "--agency", "sakura", "--quiet", catalogue}, true, []string{
			`import-agency-feed | feed run \d+ of sakura | 4 rows: 3 created, 0 updated, 0 unchanged, 1 rejected, 0 closed; done`,
		}},
		// Held: the command fails, but the run and its row are written.
		{[]string{"import", "--agency", "sakura", "--quiet", "--full", one}, false, []string{
			`import-agency-feed | feed run (\d+) of sakura | 1 rows: 0 created, 0 updated, 1 unchanged, 0 rejected, 0 closed; held: would close 2 of 3 open listings; confirm to close them`,
		}},
		{[]string{"feed", "confirm", "HELD"}, true, []string{`confirm-agency-feed-run | feed run \d+ of sakura | 2 listings closed`}},
		{[]string{"feed", "confirm", "HELD"}, false, nil}, // not held any more
	}
	var last int64
	for _, step := range steps {
		for i, a := range step.args {
			if a == "HELD" {
				step.args[i] = heldRun
			}
		}
		name := strings.Join(step.args, " ")
		cmd := command(t, dir, step.args...)
		cmd.Env = append(cmd.Env, env...)
		out, err := cmd.CombinedOutput()
		if (err == nil) != step.ok {
			t.Fatalf("%s: %v: %s", name, err, out)
		}
		st, err := store.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		es, err := st.AuditLog(ctx, store.AuditFilter{})
		st.Close()
		if err != nil {
			t.Fatal(err)
		}
		var got []store.AuditEntry
		for i := len(es) - 1; i >= 0; i-- {
			if es[i].ID > last {
				got = append(got, es[i])
			}
		}
		if len(es) > 0 {
			last = max(last, es[0].ID)
		}
		if len(got) != len(step.rows) {
			t.Errorf("%s: rows %+v; want %d", name, got, len(step.rows))
			continue
		}
		for i, e := range got {
			if e.ActorKind != store.AuditCLI || e.Actor != "cli" || e.IP != "cli" {
				t.Errorf("%s: row %+v; want actor and address cli", name, e)
			}
			line := e.Action + " | " + e.Target + " | " + e.Detail
			m := regexp.MustCompile(`^` + strings.ReplaceAll(step.rows[i], " | ", ` \| `) + `$`).FindStringSubmatch(line)
			if m == nil {
				t.Errorf("%s: row %q; want %s", name, line, step.rows[i])
			} else if len(m) > 1 {
				heldRun = m[1]
			}
		}
	}
}

// TestServePollAudit: a feed source polled by `anken serve` leaves one
// audit row for its run, the agency's, from "poll", and an agency's API
// write through it one row, from the client's address. (Two nodes on
// PostgreSQL: TestTwoNodes.)
func TestServePollAudit(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	key := createAgency(t, dir, "polled")
	feeds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, `{"external_id": "P-1", "title": "Goバックエンド開発", "rate": "月額60万円"}`)
		fmt.Fprintln(w, `{"external_id": "P-2", "title": "AWS基盤構築", "rate": "月額70万円"}`)
	}))
	defer feeds.Close()
	st := dataStore(t, dir)
	a, err := st.AgencyBySlug(ctx, "polled")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.PutFeedSource(ctx, store.FeedSource{Agency: a, URL: feeds.URL + "/feed.jsonl", Format: "jsonl", Every: time.Hour}); err != nil {
		t.Fatal(err)
	}
	s := startAnken(t, dir, []string{"ANKEN_FEED_ALLOW_HOSTS=" + strings.TrimPrefix(feeds.URL, "http://")})
	waitReady(t, s)
	if code, _, body := putListing(t, s, key, "A-1", "【Go】決済基盤の開発"); code != 200 {
		t.Fatalf("PUT: %d %s", code, body)
	}
	if !servertest.Poll(30*time.Second, 50*time.Millisecond, func() bool {
		srcs, err := st.FeedSources(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		return len(srcs) == 1 && srcs[0].LastRun != 0
	}) {
		t.Fatalf("the feed was not polled in 30 s; logs:\n%s", s.logs)
	}
	es, err := st.AuditLog(ctx, store.AuditFilter{Actor: "polled"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		got = append(got, e.ActorKind+" "+e.Action+" | "+e.Target+" | "+e.Detail+" | "+e.IP)
	}
	slices.Sort(got)
	want := []*regexp.Regexp{
		// The counts and state as the run's receiving ended: the workers
		// may have stored some rows, or all, by then.
		regexp.MustCompile(`^agency poll-agency-feed \| feed run \d+ of polled \| 2 rows: [0-2] created, 0 updated, 0 unchanged, 0 rejected, 0 closed; (received|done) \| poll$`),
		regexp.MustCompile(`^agency put-agency-listing \| /v1/agency/listings/A-1 \| put 1 listings: 1 accepted, 0 rejected \| 127\.0\.0\.1$`),
	}
	if len(got) != len(want) {
		t.Fatalf("audit rows of polled:\n%s\nwant %d", strings.Join(got, "\n"), len(want))
	}
	for i, re := range want {
		if !re.MatchString(got[i]) {
			t.Errorf("row %q; want %s", got[i], re)
		}
	}
}
