package mail_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"strings"
	"testing"
	"time"

	"anken/internal/mail"
	"anken/internal/mail/mailtest"
	"anken/internal/store"
)

const from = "anken 新着案件 <no-reply@anken.example>"

func newSender(t testing.TB, srv *mailtest.Server, url string) *mail.Sender {
	t.Helper()
	c := mail.SMTP{URL: url, From: from, Timeout: 5 * time.Second}
	if pool := srv.RootCAs(); pool != nil {
		c.TLS = &tls.Config{RootCAs: pool}
	}
	s, err := mail.NewSender(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func alertMail(id int64, to string) store.Mail {
	return store.Mail{
		ID: id, Kind: "alert", To: to,
		Subject: "【anken】「Go リモート」の新着案件 3件",
		Text:    "山田 太郎 様\n\n保存した検索「Go リモート」に新しい案件が届きました。\nhttps://anken.example/listings/42\n",
		HTML:    "<p>山田 太郎 様</p><p>保存した検索「Go リモート」に<a href=\"https://anken.example/listings/42\">新しい案件</a>が届きました。</p>",
		Headers: map[string]string{
			"List-Id":               "anken 新着案件 <alerts.anken.example>",
			"List-Unsubscribe":      "<https://anken.example/unsubscribe/tok123>",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
			"Subject":               "ignored: Message sets the Subject itself",
		},
		MessageID: fmt.Sprintf("%032x", id),
		CreatedAt: time.Date(2025, 4, 1, 9, 30, 0, 0, time.UTC),
	}
}

// TestSendHeaders checks the message as the server receives it.
func TestSendHeaders(t *testing.T) {
	srv := mailtest.Start(t)
	s := newSender(t, srv, srv.URL())
	m := alertMail(7, "taro@example.jp")
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := srv.Wait(t, 1, 5*time.Second)[0]
	if got.ParseErr != nil {
		t.Fatalf("message unreadable: %v\n%s", got.ParseErr, got.Raw)
	}
	h := got.Header
	for _, c := range []struct{ name, got, want string }{
		{"MAIL FROM", got.From, "no-reply@anken.example"},
		{"RCPT TO", strings.Join(got.To, ","), "taro@example.jp"},
		{"Subject", got.Subject, m.Subject},
		{"Message-ID", h.Get("Message-Id"), "<" + m.MessageID + "@anken.example>"},
		// Written at 09:30 UTC, read in Japan: 18:30 JST.
		{"Date", h.Get("Date"), "Tue, 01 Apr 2025 18:30:00 +0900"},
		{"List-Unsubscribe", h.Get("List-Unsubscribe"), m.Headers["List-Unsubscribe"]},
		{"List-Unsubscribe-Post", h.Get("List-Unsubscribe-Post"), "List-Unsubscribe=One-Click"},
		{"Text", got.Text, m.Text},
		{"HTML", got.HTML, m.HTML},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if f, err := h.AddressList("From"); err != nil || len(f) != 1 || f[0].Name != "anken 新着案件" || f[0].Address != "no-reply@anken.example" {
		t.Errorf("From = %q (%v), want the name and address of %q", h.Get("From"), err, from)
	}
	if to, err := h.AddressList("To"); err != nil || len(to) != 1 || to[0].Address != "taro@example.jp" {
		t.Errorf("To = %q (%v)", h.Get("To"), err)
	}
	if id := decodeHeader(t, h.Get("List-Id")); id != m.Headers["List-Id"] || !strings.HasSuffix(h.Get("List-Id"), " <alerts.anken.example>") {
		t.Errorf("List-Id = %q (%q decoded), want %q with its <list id> unencoded", h.Get("List-Id"), id, m.Headers["List-Id"])
	}
	if !strings.HasPrefix(h.Get("Content-Type"), "multipart/alternative") {
		t.Errorf("Content-Type = %q, want multipart/alternative", h.Get("Content-Type"))
	}
	if n := len(h["Subject"]); n != 1 {
		t.Errorf("%d Subject fields, want 1", n)
	}
	// Every header line is ASCII: the Japanese is encoded.
	head, _, _ := strings.Cut(string(got.Raw), "\r\n\r\n")
	for _, r := range head {
		if r > 0x7f {
			t.Fatalf("header has a raw non-ASCII character %q:\n%s", r, head)
		}
	}
}

func decodeHeader(t *testing.T, v string) string {
	t.Helper()
	var dec mime.WordDecoder
	s, err := dec.DecodeHeader(v)
	if err != nil {
		t.Fatalf("decode %q: %v", v, err)
	}
	return s
}

// TestSendReuse sends many mails over one connection.
func TestSendReuse(t *testing.T) {
	srv := mailtest.Start(t)
	s := newSender(t, srv, srv.URL())
	for i := range 20 {
		if err := s.Send(context.Background(), alertMail(int64(i+1), "a@example.jp")); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	srv.Wait(t, 20, 5*time.Second)
	if n := srv.Sessions(); n != 1 {
		t.Errorf("%d connections for 20 mails, want 1", n)
	}
}

// TestSendRefusals checks how each failure comes back: a 5xx to the
// recipient and a 4xx are *ReplyError; a server that is not there is not.
func TestSendRefusals(t *testing.T) {
	srv := mailtest.Start(t)
	s := newSender(t, srv, srv.URL())
	ctx := context.Background()
	srv.Reject("nobody@example.jp")
	var reply *mail.ReplyError
	err := s.Send(ctx, alertMail(1, "nobody@example.jp"))
	if !errors.As(err, &reply) || !reply.Permanent() || reply.Code != 550 || !strings.Contains(reply.Text, "does not exist") {
		t.Errorf("Send to a refused address: %v, want a permanent 550 ReplyError with the server's text", err)
	}
	srv.Fail4xx(1)
	err = s.Send(ctx, alertMail(2, "a@example.jp"))
	if !errors.As(err, &reply) || reply.Permanent() || reply.Code != 451 {
		t.Errorf("Send during 4xx: %v, want a temporary 451 ReplyError", err)
	}
	if err := s.Send(ctx, alertMail(3, "a@example.jp")); err != nil {
		t.Errorf("Send after the refusals, on the same connection: %v", err)
	}
	srv.Drop(1)
	if err := s.Send(ctx, alertMail(4, "a@example.jp")); err == nil || errors.As(err, &reply) {
		t.Errorf("Send on a dropped connection: %v, want a connection error", err)
	}
	srv.Stop()
	if err := s.Send(ctx, alertMail(5, "a@example.jp")); err == nil || errors.As(err, &reply) {
		t.Errorf("Send to a stopped server: %v, want a connection error", err)
	}
	srv.Resume()
	if err := s.Send(ctx, alertMail(6, "a@example.jp")); err != nil {
		t.Errorf("Send after the server came back: %v", err)
	}
	if n := len(srv.Messages()); n != 2 {
		t.Errorf("server accepted %d messages, want 2 (mails 3 and 6)", n)
	}
}

// TestSendTLS covers STARTTLS (opportunistic and required), implicit TLS
// and AUTH, against a server with a self-signed certificate.
func TestSendTLS(t *testing.T) {
	ctx := context.Background()
	t.Run("opportunistic STARTTLS", func(t *testing.T) {
		srv := mailtest.StartWith(t, mailtest.Options{StartTLS: true})
		if err := newSender(t, srv, srv.URL()).Send(ctx, alertMail(1, "a@example.jp")); err != nil {
			t.Fatal(err)
		}
		if m := srv.Wait(t, 1, 5*time.Second)[0]; !m.TLS {
			t.Error("the server offered STARTTLS, but the mail came in the clear")
		}
	})
	t.Run("tls=required", func(t *testing.T) {
		srv := mailtest.StartWith(t, mailtest.Options{StartTLS: true})
		if err := newSender(t, srv, srv.URL()+"?tls=required").Send(ctx, alertMail(1, "a@example.jp")); err != nil {
			t.Fatal(err)
		}
		if m := srv.Wait(t, 1, 5*time.Second)[0]; !m.TLS {
			t.Error("tls=required, but the mail came in the clear")
		}
	})
	t.Run("tls=required without STARTTLS fails", func(t *testing.T) {
		srv := mailtest.Start(t)
		err := newSender(t, srv, srv.URL()+"?tls=required").Send(ctx, alertMail(1, "a@example.jp"))
		if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
			t.Errorf("Send = %v, want an error that names STARTTLS", err)
		}
		if n := len(srv.Messages()); n != 0 {
			t.Errorf("server accepted %d messages in the clear", n)
		}
	})
	t.Run("untrusted certificate fails", func(t *testing.T) {
		srv := mailtest.StartWith(t, mailtest.Options{StartTLS: true})
		s, err := mail.NewSender(mail.SMTP{URL: srv.URL(), From: from, Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if err := s.Send(ctx, alertMail(1, "a@example.jp")); err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Errorf("Send = %v, want a certificate error", err)
		}
	})
	t.Run("smtps with AUTH", func(t *testing.T) {
		srv := mailtest.StartWith(t, mailtest.Options{ImplicitTLS: true, User: "anken", Password: "s3cret"})
		if !strings.HasPrefix(srv.URL(), "smtps://anken:s3cret@") {
			t.Fatalf("URL = %q", srv.URL())
		}
		if err := newSender(t, srv, srv.URL()).Send(ctx, alertMail(1, "a@example.jp")); err != nil {
			t.Fatal(err)
		}
		if m := srv.Wait(t, 1, 5*time.Second)[0]; !m.TLS {
			t.Error("smtps://, but the mail came in the clear")
		}
	})
	t.Run("STARTTLS with AUTH", func(t *testing.T) {
		srv := mailtest.StartWith(t, mailtest.Options{StartTLS: true, User: "anken", Password: "s3cret"})
		if err := newSender(t, srv, srv.URL()).Send(ctx, alertMail(1, "a@example.jp")); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("wrong password fails", func(t *testing.T) {
		srv := mailtest.StartWith(t, mailtest.Options{StartTLS: true, User: "anken", Password: "s3cret"})
		url := strings.Replace(srv.URL(), "s3cret", "wrong", 1)
		if err := newSender(t, srv, url).Send(ctx, alertMail(1, "a@example.jp")); err == nil || !strings.Contains(err.Error(), "AUTH") {
			t.Errorf("Send = %v, want an AUTH error", err)
		}
	})
	t.Run("no password in the clear", func(t *testing.T) {
		srv := mailtest.StartWith(t, mailtest.Options{User: "anken", Password: "s3cret", InsecureAuth: true})
		err := newSender(t, srv, srv.URL()).Send(ctx, alertMail(1, "a@example.jp"))
		if err == nil || !strings.Contains(err.Error(), "only over TLS") {
			t.Errorf("Send = %v, want a refusal to send PLAIN without TLS", err)
		}
	})
}

func TestNewSenderChecksURL(t *testing.T) {
	for _, url := range []string{
		"http://mail.example:25", "smtp://", "smtp://mail.example:25?tls=maybe",
		"smtp://mail.example:25?auth=plain", "smtps://mail.example?tls=required", "smtp://mail.example:x",
	} {
		if _, err := mail.NewSender(mail.SMTP{URL: url, From: from}); err == nil {
			t.Errorf("NewSender(%q) succeeded", url)
		}
	}
	if _, err := mail.NewSender(mail.SMTP{URL: "smtp://mail.example", From: "not an address"}); err == nil {
		t.Error("NewSender with a bad From succeeded")
	}
}
