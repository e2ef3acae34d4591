package main

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"anken/internal/mail/mailtest"
	"anken/internal/server/servertest"
	"anken/internal/store"
)

// TestServeMailSurvivesKill enqueues a few hundred mails, lets `anken
// serve` send them to an SMTP server in the test, SIGKILLs it in the
// middle, starts it again, and checks that every mail arrived exactly
// once, by Message-ID.
//
// The one window in which a mail can be sent twice lies between the
// server's 250 and the commit that marks the mail sent (see
// internal/mail/outbox.go). So that the kill lands outside it, the server
// holds its answer to DATA once a hundred mails have arrived, and the
// process is killed while the server holds: the held mail was never
// acknowledged, and the server drops it when it finds the client gone,
// as it never told the client it took it. Any duplicate is reported.
func TestServeMailSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the binary twice")
	}
	ctx := context.Background()
	dir := t.TempDir()
	st := dataStore(t, dir)
	const total = 300
	want := map[string]bool{}
	for i := range total {
		id, err := st.EnqueueMail(ctx, store.Mail{Kind: "alert", To: fmt.Sprintf("eng%03d@example.jp", i),
			Subject: fmt.Sprintf("【anken】新着案件のお知らせ（%d）", i), Text: "新しい案件が届きました。\n", HTML: "<p>新しい案件が届きました。</p>"})
		if err != nil {
			t.Fatal(err)
		}
		m, err := st.MailByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want[m.MessageID] = true
	}

	srv := mailtest.Start(t)
	env := []string{"ANKEN_SMTP_URL=" + srv.URL(), "ANKEN_MAIL_FROM=anken <no-reply@anken.example>"}
	first := startAnken(t, dir, env)
	srv.Wait(t, 100, time.Minute)
	srv.Hold(3 * time.Second)
	select {
	case <-srv.Holding():
	case <-time.After(time.Minute):
		t.Fatalf("the server never held a mail; logs:\n%s", first.logs)
	}
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	first.cmd.Wait()
	beforeKill := len(srv.Messages())
	// The held answer runs out (3 s, the timing under test) and finds the
	// client gone: waited for as every hold the server began having ended,
	// not as a sleep a little longer than the hold, so that on a slow
	// machine the check below still comes after the server decided.
	waitFor(t, time.Minute, func() bool { begun, ended := srv.Held(); return begun > 0 && ended == begun }, "the held answer to run out")
	srv.Hold(0)
	if n := len(srv.Messages()); n != beforeKill {
		t.Fatalf("server accepted %d mails after the kill", n-beforeKill)
	}
	sending, err := st.MailCount(ctx, store.MailSending)
	if err != nil {
		t.Fatal(err)
	}
	if sending == 0 || beforeKill >= total {
		t.Fatalf("the kill left %d mails claimed and %d of %d sent; want it mid-batch", sending, beforeKill, total)
	}
	// The killed process's claims lapse after the lease (minutes); the
	// store's contract tests show lapsed claims come back, so here the
	// clock of those claims is moved instead of waiting.
	db := openDB(t, dir)
	if _, err := db.Exec(`UPDATE outbox SET claimed_until = $1 WHERE state = 'sending'`, time.Now().Add(-time.Hour).UTC()); err != nil {
		t.Fatal(err)
	}
	t.Logf("killed with %d of %d mails received and %d claimed", beforeKill, total, sending)

	second := startAnken(t, dir, env)
	if !servertest.Poll(time.Minute, 50*time.Millisecond, func() bool {
		n, err := st.MailCount(ctx, store.MailSent)
		if err != nil {
			t.Fatal(err)
		}
		return n == total
	}) {
		counts, _ := st.MailCounts(ctx)
		t.Fatalf("outbox %v a minute after the restart; logs:\n%s", counts, second.logs)
	}
	second.cmd.Process.Signal(syscall.SIGTERM)
	waitExit(t, second, time.Minute)

	seen := map[string]int{}
	var dups []string
	for _, m := range srv.Messages() {
		id, domain, _ := strings.Cut(m.MessageID, "@")
		if domain != "anken.example" || !want[id] {
			t.Errorf("received Message-ID %q, not one enqueued", m.MessageID)
		}
		if seen[id]++; seen[id] == 2 {
			dups = append(dups, id)
		}
	}
	if len(seen) != total {
		t.Errorf("%d distinct mails arrived, want %d", len(seen), total)
	}
	if len(dups) > 0 {
		t.Errorf("%d mails arrived twice: %v", len(dups), dups)
	}
}

// TestMailOutboxCommand lists the outbox and puts parked mail back.
func TestMailOutboxCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := dataStore(t, dir)
	for _, to := range []string{"taro@example.jp", "gone@example.jp"} {
		if _, err := st.EnqueueMail(ctx, store.Mail{Kind: "verify", To: to, Subject: "【anken】メールアドレスの確認", Text: "本文\n"}); err != nil {
			t.Fatal(err)
		}
	}
	claimed, err := st.ClaimMail(ctx, 10, time.Minute)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("ClaimMail = %v, %v", claimed, err)
	}
	st.RetryMail(ctx, claimed[0], fmt.Errorf("421 busy"), time.Now())
	st.ParkMail(ctx, claimed[1], fmt.Errorf("550 5.1.1 no such user"))
	parked := fmt.Sprint(claimed[1].ID)

	run := func(args ...string) string {
		t.Helper()
		cmd := command(t, dir, args...)
		cmd.Env = append(cmd.Env, "ANKEN_SMTP_URL=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("anken %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	out := run("mail", "outbox")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], parked+"\tparked\t") || !strings.Contains(lines[0], "550 5.1.1 no such user") ||
		!strings.Contains(lines[1], "taro@example.jp\t【anken】メールアドレスの確認") ||
		lines[2] != "outbox: 1 pending, 0 sending, 0 sent, 1 parked (no ANKEN_SMTP_URL: mail waits here)" {
		t.Errorf("mail outbox:\n%s", out)
	}
	if out := run("mail", "outbox", "--state", "sent"); !strings.HasPrefix(out, "no mail\n") {
		t.Errorf("mail outbox --state sent:\n%s", out)
	}
	if out := run("mail", "retry", fmt.Sprint(claimed[0].ID), parked); !strings.HasPrefix(out, "1 of 2 mails pending again") {
		t.Errorf("mail retry:\n%s", out)
	}
	if m, _ := st.MailByID(ctx, claimed[1].ID); m.State != store.MailPending || m.Attempts != 0 {
		t.Errorf("retried mail is %s at attempt %d, want pending at 0", m.State, m.Attempts)
	}
	if out, err := command(t, dir, "mail", "outbox", "--state", "lost").CombinedOutput(); err == nil {
		t.Errorf("mail outbox --state lost succeeded:\n%s", out)
	}
}
