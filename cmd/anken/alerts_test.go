package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"anken/internal/mail/mailtest"
	"anken/internal/server/servertest"
	"anken/internal/store"
	"anken/internal/store/storetest"
)

// Two `anken serve` processes on one PostgreSQL, with a real SMTP server:
// listings written through either node reach the saved search's owner in
// alert mail, each listing once, each mail once; when the node doing the
// alert work is killed, the other takes over and nothing is missed or
// sent twice.
func TestTwoNodesAlertOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the binary three times")
	}
	ctx := context.Background()
	dbURL, st, agency, key := postgresAgency(t)
	tok := store.Token{Hash: "verify-ren", Purpose: store.TokenVerify, ExpiresAt: time.Now().Add(time.Hour)}
	if _, err := st.CreateEngineer(ctx, "ren@example.jp", "argon2id-hash", tok, store.Mail{Kind: "verify", To: "ren@example.jp", Subject: "確認"}); err != nil {
		t.Fatal(err)
	}
	eng, err := st.VerifyEngineer(ctx, tok.Hash)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateSavedSearch(ctx, store.SavedSearch{EngineerID: eng.ID, Name: "決済の案件", Query: "q=決済", Alert: "instant", Hour: 8}, 10); err != nil {
		t.Fatal(err)
	}

	srv := mailtest.Start(t)
	env := []string{"ANKEN_DATABASE_URL=" + dbURL, "ANKEN_SMTP_URL=" + srv.URL(), "ANKEN_MAIL_FROM=anken <no-reply@anken.example>",
		"ANKEN_BASE_URL=https://anken.example", "ANKEN_ALERT_BUNDLE=1s"}
	nodes := []*process{startAnken(t, t.TempDir(), env), startAnken(t, t.TempDir(), env)}
	for _, n := range nodes {
		waitReady(t, n)
	}
	// Alerts begin at the end of the change log when they first run:
	// wait for that before writing listings.
	if !servertest.Poll(time.Minute, 50*time.Millisecond, func() bool {
		_, ok, err := st.Position(ctx, "alerts")
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}) {
		t.Fatalf("no node started alert matching; logs:\n%s\n%s", nodes[0].logs, nodes[1].logs)
	}

	texts := []string{
		"ECサイトの決済機能をGoで開発します。", "クレジットカード決済の基盤を刷新します。",
		"スマホ決済アプリのサーバーサイドを担当します。", "決済代行サービスの管理画面を作ります。",
		"請求・決済データの集計バッチを書き直します。", "店舗向けQR決済のAPIを設計します。",
		"サブスクリプション決済の課金基盤を開発します。", "海外送金と決済の照合システムを保守します。",
		"決済端末の管理システムをクラウドへ移行します。", "ポイントと決済を連携する会員基盤を開発します。",
	}
	put := func(node *process, i int) int64 {
		t.Helper()
		body := fmt.Sprintf(`{"title":%q,"description":%q,"rate":"月額60万〜70万円","remote":"フルリモート"}`,
			fmt.Sprintf("案件%02d %s", i, texts[i%len(texts)]), texts[i%len(texts)])
		req, _ := http.NewRequest(http.MethodPut, fmt.Sprintf("%s/v1/agency/listings/job-%02d", node.base, i), strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
			t.Fatalf("put listing %d: %s", i, resp.Status)
		}
		l, err := st.AgencyListing(ctx, agency, fmt.Sprintf("job-%02d", i))
		if err != nil {
			t.Fatal(err)
		}
		return l.ID
	}
	want := map[string]bool{}
	for i := range 10 {
		want[fmt.Sprint(put(nodes[i%2], i))] = true
	}
	linked := waitLinked(t, srv, want, nodes)

	// The node holding the alert lease dies; the other takes over once
	// the lease lapses, from the stored position.
	holder := holderOf(t, ctx, dbURL)
	victim, survivor := nodes[0], nodes[1]
	if strings.Contains(holder, fmt.Sprint(nodes[1].cmd.Process.Pid)) {
		victim, survivor = nodes[1], nodes[0]
	}
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	victim.cmd.Wait()
	for i := 10; i < 20; i++ {
		want[fmt.Sprint(put(survivor, i))] = true
	}
	for id := range linked {
		delete(want, id)
	}
	waitLinked(t, srv, want, []*process{survivor})
}

var listingLinkRE = regexp.MustCompile(`https://anken\.example/listings/(\d+)`)

// waitLinked waits until the alert mail received links every listing in
// want, then checks that no listing was linked twice and no mail came
// twice; it returns the listings linked.
func waitLinked(t *testing.T, srv *mailtest.Server, want map[string]bool, nodes []*process) map[string]bool {
	t.Helper()
	var linked, ids map[string]int
	missing := 0
	if !servertest.Poll(90*time.Second, 100*time.Millisecond, func() bool {
		linked, ids = map[string]int{}, map[string]int{}
		for _, m := range srv.Messages() {
			if !strings.Contains(m.Subject, "新着案件") {
				continue
			}
			ids[m.MessageID]++
			for _, sm := range listingLinkRE.FindAllStringSubmatch(m.Text, -1) {
				linked[sm[1]]++
			}
		}
		missing = 0
		for id := range want {
			if linked[id] == 0 {
				missing++
			}
		}
		return missing == 0
	}) {
		var logs strings.Builder
		for _, n := range nodes {
			logs.WriteString(n.logs.String())
		}
		t.Fatalf("%d of %d listings not mailed after 90 s; linked %v; logs:\n%s", missing, len(want), linked, logs.String())
	}
	for id, n := range linked {
		if n > 1 {
			t.Errorf("listing %s mailed %d times", id, n)
		}
	}
	for id, n := range ids {
		if n > 1 {
			t.Errorf("mail %s arrived %d times", id, n)
		}
	}
	out := map[string]bool{}
	for id := range linked {
		out[id] = true
	}
	return out
}

// holderOf names the node holding the alert lease.
func holderOf(t *testing.T, ctx context.Context, dbURL string) string {
	t.Helper()
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var holder string
	if err := db.QueryRowContext(ctx, `SELECT holder FROM leases WHERE name = 'alerts'`).Scan(&holder); err != nil {
		t.Fatal(err)
	}
	return holder
}

// postgresAgency migrates a fresh PostgreSQL schema for processes the test
// starts, with the agency techlink and an API key of it; the store is
// closed when the test ends.
func postgresAgency(t *testing.T) (dbURL string, st *store.Store, agency store.Agency, key string) {
	t.Helper()
	ctx := context.Background()
	dbURL = storetest.URL(t)
	st, err := store.Open(ctx, store.Config{DatabaseURL: dbURL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if agency, err = st.CreateAgency(ctx, "techlink", "テックリンク"); err != nil {
		t.Fatal(err)
	}
	if key, err = st.CreateKey(ctx, agency.ID); err != nil {
		t.Fatal(err)
	}
	return dbURL, st, agency, key
}
