package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"anken/internal/server/servertest"
	"anken/internal/store"
)

// TestDevMail: /dev/mail lists the outbox newest first and shows each
// mail's parts; without DevMail there is no such page.
func TestDevMail(t *testing.T) {
	ctx := context.Background()
	fx := servertest.Start(t, servertest.Options{DevMail: true})
	st := fx.Store
	var ids []int64
	for _, m := range []store.Mail{
		{Kind: "verify", To: "taro@example.jp", Subject: "【anken】メールアドレスの確認", Text: "次のリンクを開いてください。\nhttps://anken.example/verify/x\n", HTML: "<p>次のリンクを<a href=\"https://anken.example/verify/x\">開いて</a>ください。</p><script>alert(1)</script>"},
		{Kind: "alert", To: "hanako@example.jp", Subject: "【anken】「Go リモート」の新着案件 2件", Text: "新着案件です。\n",
			Headers: map[string]string{"List-Unsubscribe": "<https://anken.example/u/tok>"}},
	} {
		id, err := st.EnqueueMail(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}

	p := fx.Get(t, "/dev/mail")
	if p.Status != 200 {
		t.Fatalf("GET /dev/mail = %d", p.Status)
	}
	rows := p.All(`tr`)
	if len(rows) != 3 { // the head and two mails
		t.Fatalf("%d table rows, want 3:\n%s", len(rows), p.Body)
	}
	if r := servertest.Text(rows[1]); !strings.Contains(r, "hanako@example.jp") || !strings.Contains(r, "新着案件 2件") || !strings.Contains(r, "送信待ち") {
		t.Errorf("first row = %q, want the newest mail (the alert), pending", r)
	}
	if links := servertest.All(rows[2], `a[href="/dev/mail/`+strconv.FormatInt(ids[0], 10)+`"]`); len(links) != 1 {
		t.Errorf("second row has no link to its mail: %q", servertest.Text(rows[2]))
	}
	if len(p.All(`meta[name="robots"][content="noindex"]`)) != 1 {
		t.Error("/dev/mail is not noindex")
	}
	if p := fx.Get(t, "/dev/mail?state=sent"); len(p.All(`tr`)) != 0 || p.Text(`main p:not(.hint)`) != "メールはまだありません。" {
		t.Errorf("/dev/mail?state=sent lists mail, want none")
	}
	if p := fx.Get(t, "/dev/mail?state=bogus"); p.Status != 400 {
		t.Errorf("/dev/mail?state=bogus = %d, want 400", p.Status)
	}

	one := fx.Get(t, "/dev/mail/"+strconv.FormatInt(ids[1], 10))
	if one.Status != 200 || !strings.Contains(one.Text(`.mail-text`), "新着案件です。") || !slices.Contains(servertest.Texts(one.All(`td code`)), "<https://anken.example/u/tok>") {
		t.Errorf("GET /dev/mail/%d = %d, want its text part and headers:\n%s", ids[1], one.Status, one.Body)
	}
	if p := fx.Get(t, "/dev/mail/999999"); p.Status != 404 {
		t.Errorf("GET /dev/mail/999999 = %d, want 404", p.Status)
	}

	resp, err := http.Get(fx.URL + "/dev/mail/" + strconv.FormatInt(ids[0], 10) + "/html")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(string(body), "開いて") || !strings.Contains(csp, "sandbox") || strings.Contains(csp, "script-src") {
		t.Errorf("HTML part: %q with CSP %q, want the HTML sandboxed and without scripts", body, csp)
	}

	off := servertest.Start(t, servertest.Options{})
	if p := off.Get(t, "/dev/mail"); p.Status != 404 {
		t.Errorf("GET /dev/mail without DevMail = %d, want 404", p.Status)
	}
}

// TestDevMailLoopbackOnly: /dev/mail shows reset links, so it answers a
// client on this machine only: by the connection's address, and not when
// a proxy forwarded the request (whatever it says the client is).
func TestDevMailLoopbackOnly(t *testing.T) {
	s := servertest.Start(t, servertest.Options{DevMail: true})
	id, err := s.Store.EnqueueMail(context.Background(), store.Mail{Kind: "reset", To: "taro@example.jp", Subject: "【anken】パスワードの再設定",
		Text: "https://anken.example/reset?token=secret\n", HTML: "<p>https://anken.example/reset?token=secret</p>"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		remote string
		header []string
		want   int
	}{
		{"127.0.0.1:50000", nil, 200},
		{"[::1]:50000", nil, 200},
		{"[::ffff:127.0.0.1]:50000", nil, 200},
		{"192.0.2.10:50000", nil, 404},
		{"[2001:db8::1]:50000", nil, 404},
		{"10.0.0.5:50000", []string{"X-Forwarded-For", "127.0.0.1"}, 404},
		{"127.0.0.1:50000", []string{"X-Forwarded-For", "203.0.113.9"}, 404}, // a proxy on this machine
		{"127.0.0.1:50000", []string{"X-Forwarded-For", "127.0.0.1"}, 404},
		{"127.0.0.1:50000", []string{"Forwarded", "for=203.0.113.9"}, 404},
		{"127.0.0.1:50000", []string{"X-Real-Ip", "203.0.113.9"}, 404},
	} {
		for _, path := range []string{"/dev/mail", "/dev/mail/" + strconv.FormatInt(id, 10), "/dev/mail/" + strconv.FormatInt(id, 10) + "/html"} {
			req := httptest.NewRequest("GET", path, nil)
			req.RemoteAddr = c.remote
			for i := 0; i+1 < len(c.header); i += 2 {
				req.Header.Set(c.header[i], c.header[i+1])
			}
			rec := httptest.NewRecorder()
			s.Handler.ServeHTTP(rec, req)
			if rec.Code != c.want || (c.want == 404 && strings.Contains(rec.Body.String(), "token=secret")) {
				t.Errorf("GET %s from %s %v: %d, want %d", path, c.remote, c.header, rec.Code, c.want)
			}
		}
	}
}
