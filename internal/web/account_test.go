package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"anken/internal/account"
	"anken/internal/catalog"
	"anken/internal/ingest"
	"anken/internal/listing"
	"anken/internal/problem"
	"anken/internal/search"
	"anken/internal/search/follow"
	"anken/internal/store"
	"anken/internal/store/storetest"
	"anken/internal/web"
)

// meFixture is the site with accounts on a real SQLite store holding the
// listings of raws.
type meFixture struct {
	srv      *httptest.Server
	st       *store.Store
	accounts *account.Service
	ids      map[string]int64
}

func newMeFixture(t *testing.T) *meFixture {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t, "sqlite")
	fx := &meFixture{st: st, ids: map[string]int64{}}
	for _, slug := range []string{"techlink", "codebridge"} {
		a, err := st.CreateAgency(ctx, slug, slug)
		if err != nil {
			t.Fatal(err)
		}
		var rs []listing.Raw
		for _, s := range raws[slug] {
			var r listing.Raw
			if err := json.Unmarshal([]byte(s), &r); err != nil {
				t.Fatal(err)
			}
			rs = append(rs, r)
		}
		res, err := ingest.Put(ctx, st, a, rs)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			fx.ids[r.ExternalID] = r.ID
		}
	}
	idx := search.NewIndex()
	log := slog.New(slog.DiscardHandler)
	if err := follow.New(st, idx, time.Hour, log).Load(ctx); err != nil {
		t.Fatal(err)
	}
	const base = "https://anken.example"
	accounts := account.New(st, account.Options{BaseURL: base, Log: log,
		Params: account.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	fx.accounts = accounts
	site, err := web.New(web.Deps{Catalog: &catalog.Catalog{Store: st, Index: idx}, Log: log, BaseURL: base, Accounts: accounts,
		Now: func() time.Time { return time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	fx.srv = serveSite(t, site)
	return fx
}

// client is a browser without JavaScript: it keeps the session cookie
// (by hand: the cookie is Secure and the test server plain http) and
// does not follow redirects, so the tests see them.
type client struct {
	fx      *meFixture
	session string
	device  string // anken_device, the browser's device token
}

func (fx *meFixture) client() *client { return &client{fx: fx} }

func (c *client) do(t *testing.T, method, path string, form url.Values, header ...string) page {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.fx.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if c.session != "" {
		req.AddCookie(&http.Cookie{Name: "anken_session", Value: c.session})
	}
	if c.device != "" {
		req.AddCookie(&http.Cookie{Name: "anken_device", Value: c.device})
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if ck.Name == "anken_session" {
			c.session = ck.Value
			if ck.MaxAge < 0 {
				c.session = ""
			}
		}
		if ck.Name == "anken_device" {
			c.device = ck.Value
		}
	}
	b, _ := io.ReadAll(resp.Body)
	doc, err := html.Parse(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return page{status: resp.StatusCode, header: resp.Header, body: string(b), doc: doc}
}

func (c *client) get(t *testing.T, path string) page {
	t.Helper()
	return c.do(t, "GET", path, nil)
}

func (c *client) post(t *testing.T, path string, form url.Values) page {
	t.Helper()
	return c.do(t, "POST", path, form)
}

// submit posts the form of p whose action is action, with its hidden
// inputs and the values given.
func (c *client) submit(t *testing.T, p page, action string, values url.Values) page {
	t.Helper()
	forms := find(p.doc, "form", "action="+action)
	if len(forms) == 0 {
		t.Fatalf("no form to %s on the page:\n%s", action, p.body)
	}
	form := url.Values{}
	for _, in := range find(forms[0], "input", "type=hidden") {
		name, _ := attr(in, "name")
		val, _ := attr(in, "value")
		form.Add(name, val)
	}
	for k, v := range values {
		form[k] = v
	}
	return c.post(t, action, form)
}

// wantRedirect checks that p redirects to a location starting with prefix.
func wantRedirect(t *testing.T, what string, p page, prefix string) string {
	t.Helper()
	loc := p.header.Get("Location")
	if p.status != http.StatusSeeOther || !strings.HasPrefix(loc, prefix) {
		t.Fatalf("%s: %d to %q, want 303 to %s…\n%s", what, p.status, loc, prefix, excerptOf(p))
	}
	return loc
}

func excerptOf(p page) string {
	if m := find(p.doc, "main"); len(m) > 0 {
		return text(m[0])
	}
	return p.body[:min(len(p.body), 500)]
}

var linkRE = regexp.MustCompile(`https://anken\.example(/[a-z]+\?token=[A-Za-z0-9_%-]+)`)

// mailLink is the path of the link of the newest mail of kind to addr.
func (fx *meFixture) mailLink(t *testing.T, kind, addr string) string {
	t.Helper()
	fx.accounts.Wait() // a reset mail is written after the answer
	mails, err := fx.st.Mails(context.Background(), "", 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mails {
		if m.Kind == kind && m.To == addr {
			if l := linkRE.FindStringSubmatch(m.Text); l != nil {
				return l[1]
			}
			t.Fatalf("%s mail to %s has no link:\n%s", kind, addr, m.Text)
		}
	}
	t.Fatalf("no %s mail to %s in the outbox", kind, addr)
	return ""
}

// signUp makes a verified account and returns a client logged in to it.
func (fx *meFixture) signUp(t *testing.T, addr string) *client {
	t.Helper()
	c := fx.client()
	wantRedirect(t, "sign up", c.post(t, "/signup", url.Values{"email": {addr}, "password": {"kaki-no-tane-2026"}}), "/signup?sent=1")
	verify := c.get(t, fx.mailLink(t, "verify", addr))
	if p := c.submit(t, verify, "/verify", nil); p.status != 200 {
		t.Fatalf("verify: %d %s", p.status, excerptOf(p))
	}
	wantRedirect(t, "log in", c.post(t, "/login", url.Values{"email": {addr}, "password": {"kaki-no-tane-2026"}}), "/me")
	return c
}

// TestEngineerPages walks an engineer through the pages: sign-up, the
// verification mail, login, profile, a search saved from the search page,
// favourites, recommendations, export and deletion.
func TestEngineerPages(t *testing.T) {
	fx := newMeFixture(t)
	c := fx.client()
	const addr = "taro@example.jp"

	// Sign-up: a short password is refused next to its field.
	p := c.get(t, "/signup")
	if p.status != 200 || len(find(p.doc, "input", "name=password", "minlength=10")) != 1 || !strings.Contains(text(p.doc), "10文字以上") {
		t.Fatalf("GET /signup = %d, without the password rule", p.status)
	}
	p = c.post(t, "/signup", url.Values{"email": {addr}, "password": {"short"}})
	if p.status != 422 || len(find(p.doc, "input", "name=password", "aria-invalid=true")) != 1 || !strings.Contains(text(p.doc), "10文字以上で入力してください") {
		t.Fatalf("short password: %d %s", p.status, excerptOf(p))
	}
	if v, _ := attr(find(p.doc, "input", "name=email")[0], "value"); v != addr {
		t.Errorf("the address typed is lost: %q", v)
	}
	wantRedirect(t, "sign up", c.post(t, "/signup", url.Values{"email": {addr}, "password": {"kaki-no-tane-2026"}}), "/signup?sent=1")
	sent := text(c.get(t, "/signup?sent=1").doc)
	// Again with the same address: the same answer.
	wantRedirect(t, "sign up again", c.post(t, "/signup", url.Values{"email": {addr}, "password": {"another-pass-2026"}}), "/signup?sent=1")
	if !strings.Contains(sent, "確認メールを送りました") {
		t.Errorf("sent page: %q", sent)
	}

	// Login before verifying is refused, saying why.
	p = c.post(t, "/login", url.Values{"email": {addr}, "password": {"another-pass-2026"}})
	if p.status != 403 || !strings.Contains(text(p.doc), "メールアドレスの確認が済んでいません") {
		t.Errorf("login unverified: %d %s", p.status, excerptOf(p))
	}

	// Verification: opening the link uses nothing up; the button does.
	link := fx.mailLink(t, "verify", addr)
	p = c.get(t, link)
	if p.status != 200 || p.header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("GET %s: %d, Referrer-Policy %q", link, p.status, p.header.Get("Referrer-Policy"))
	}
	c.get(t, link) // a mail scanner's second look
	if p = c.submit(t, p, "/verify", nil); p.status != 200 || !strings.Contains(text(p.doc), "メールアドレスを確認しました") {
		t.Fatalf("verify: %d %s", p.status, excerptOf(p))
	}
	// Verifying logs in, as a login does: the session cookie, and the
	// page's header already says so.
	if ck := sessionCookie(t, p); ck.Value == "" || !ck.HttpOnly || ck.MaxAge < 29*24*3600 {
		t.Errorf("verify set the session cookie %+v; want a session of 30 days", ck)
	}
	if h := text(find(p.doc, "nav", "class=account")[0]); !strings.Contains(h, "マイページ") || strings.Contains(h, "新規登録") {
		t.Errorf("header after verifying: %q", h)
	}
	if me := c.get(t, "/me"); me.status != 200 || !strings.Contains(text(me.doc), addr) {
		t.Fatalf("GET /me after verifying = %d", me.status)
	}
	wantRedirect(t, "log out", c.submit(t, c.get(t, "/"), "/logout", nil), "/")
	if p = c.submit(t, c.get(t, link), "/verify", nil); p.status != 422 || !strings.Contains(text(p.doc), "確認できませんでした") {
		t.Errorf("verify twice: %d %s", p.status, excerptOf(p))
	}

	// Login: a wrong password, then the right one; the header changes.
	if p = c.post(t, "/login", url.Values{"email": {addr}, "password": {"wrong-password-1"}}); p.status != 401 || !strings.Contains(text(p.doc), "正しくありません") {
		t.Errorf("wrong password: %d", p.status)
	}
	if h := text(find(c.get(t, "/").doc, "nav", "class=account")[0]); !strings.Contains(h, "ログイン") || !strings.Contains(h, "新規登録") {
		t.Errorf("logged-out header: %q", h)
	}
	resp := c.post(t, "/login", url.Values{"email": {addr}, "password": {"another-pass-2026"}, "next": {"/search?remote=full"}})
	wantRedirect(t, "login", resp, "/search?remote=full")
	ck := sessionCookie(t, resp)
	if !ck.HttpOnly || !ck.Secure || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.MaxAge < 29*24*3600 || ck.MaxAge > 30*24*3600 {
		t.Errorf("session cookie %+v: want HttpOnly, Secure, SameSite=Lax, Path=/, Max-Age of 30 days", ck)
	}
	home := c.get(t, "/")
	if h := text(find(home.doc, "nav", "class=account")[0]); !strings.Contains(h, "マイページ") || !strings.Contains(h, "ログアウト") || strings.Contains(h, "新規登録") {
		t.Errorf("logged-in header: %q", h)
	}
	if len(find(home.doc, "form", "action=/logout", "method=post")) != 1 {
		t.Error("no logout form")
	}
	p = c.get(t, "/me")
	if p.status != 200 || !strings.Contains(text(p.doc), addr) || len(find(p.doc, "meta", "name=robots", "content=noindex")) != 1 {
		t.Fatalf("GET /me = %d", p.status)
	}

	// Profile: an unknown skill is named next to the field; then saved.
	form := url.Values{"skill": {"go"}, "skills_other": {"AWS, なでしこ言語"}, "role": {"backend"}, "desired_rate": {"６０"},
		"remote": {"full"}, "days_per_week": {"3"}, "recommend": {"weekly"}}
	p = c.post(t, "/me/profile", form)
	if p.status != 422 || !strings.Contains(text(p.doc), "「なでしこ言語」は登録されていないスキルです") || len(find(p.doc, "input", "name=skills_other", "aria-invalid=true")) != 1 {
		t.Fatalf("unknown skill: %d %s", p.status, excerptOf(p))
	}
	if len(find(p.doc, "input", "name=skill", "value=go", "checked")) != 1 {
		t.Error("the checked skill is lost on the error")
	}
	form.Set("skills_other", "AWS")
	wantRedirect(t, "save the profile", c.post(t, "/me/profile", form), "/me/profile?saved=1")
	p = c.get(t, "/me/profile?saved=1")
	if v, _ := attr(find(p.doc, "input", "name=desired_rate")[0], "value"); v != "60" || len(find(p.doc, "input", "name=skill", "value=go", "checked")) != 1 ||
		len(find(p.doc, "input", "name=recommend", "value=weekly", "checked")) != 1 || !strings.Contains(text(p.doc), "保存しました") {
		t.Errorf("profile after saving: rate %q, %s", v, excerptOf(p))
	}

	// Years of experience, for each skill held, and the desired hourly rate.
	if len(find(p.doc, "input", "name=years_go")) != 1 || len(find(p.doc, "input", "name=years_aws")) != 1 || len(find(p.doc, "input", "name=years_java")) != 0 {
		t.Errorf("years fields: want one for each skill held (go, aws), %s", excerptOf(p))
	}
	form.Set("years_go", "たくさん")
	p = c.post(t, "/me/profile", form)
	if p.status != 422 || !strings.Contains(text(p.doc), "経験年数は0〜50年の整数で入力してください") {
		t.Fatalf("years not a number: %d %s", p.status, excerptOf(p))
	}
	if v, _ := attr(find(p.doc, "input", "name=years_go")[0], "value"); v != "たくさん" {
		t.Errorf("the typed years are lost on the error: %q", v)
	}
	form.Set("years_go", "51")
	if p = c.post(t, "/me/profile", form); p.status != 422 || !strings.Contains(text(p.doc), "経験年数は0〜50年") {
		t.Errorf("51 years: %d %s", p.status, excerptOf(p))
	}
	form.Set("desired_hourly", "時給")
	form.Set("years_go", "3")
	if p = c.post(t, "/me/profile", form); p.status != 422 || !strings.Contains(text(p.doc), "希望時給は0〜100,000円") ||
		len(find(p.doc, "input", "name=desired_hourly", "aria-invalid=true")) != 1 {
		t.Errorf("hourly not a number: %d %s", p.status, excerptOf(p))
	}
	form.Set("desired_hourly", "４,０００円")
	form.Set("years_aws", "２年")
	form.Set("years_java", "9") // not a skill held: dropped
	wantRedirect(t, "save years and hourly", c.post(t, "/me/profile", form), "/me/profile?saved=1")
	p = c.get(t, "/me/profile")
	for field, want := range map[string]string{"years_go": "3", "years_aws": "2", "desired_hourly": "4000"} {
		if v, _ := attr(find(p.doc, "input", "name="+field)[0], "value"); v != want {
			t.Errorf("%s after saving = %q, want %q", field, v, want)
		}
	}
	if lab := find(p.doc, "label", "for=yr-0"); len(lab) != 1 || text(lab[0]) != "Go" {
		t.Errorf("the years field of go is not labelled Go: %s", excerptOf(p))
	}
	// Dropping a skill drops its years with it.
	wantRedirect(t, "save without aws", c.post(t, "/me/profile", url.Values{"skills_other": {"Go"}, "years_go": {"3"}, "years_aws": {"2"}, "role": {"backend"}, "recommend": {"weekly"}}), "/me/profile?saved=1")
	p = c.get(t, "/me/profile")
	if len(find(p.doc, "input", "name=years_aws")) != 0 || len(find(p.doc, "input", "name=years_go", "value=3")) != 1 {
		t.Errorf("after dropping aws: %s", excerptOf(p))
	}

	// The search page saves its search in one click.
	sp := c.get(t, "/search?remote=full&q=決済")
	if len(find(sp.doc, "button")) == 0 || !strings.Contains(text(sp.doc), "この条件で新着メールを受け取る") {
		t.Fatal("no save button on the search page")
	}
	wantRedirect(t, "save the search", c.submit(t, sp, "/me/searches", nil), "/me/searches")
	p = c.get(t, "/me/searches?done=saved")
	items := find(p.doc, "li", "class=saved-item")
	if len(items) != 1 || !strings.Contains(text(items[0]), "「決済」・フルリモート") || !strings.Contains(text(p.doc), "保存しました") {
		t.Fatalf("saved searches: %s", excerptOf(p))
	}
	run := find(items[0], "a")[0]
	if href, _ := attr(run, "href"); href != "/search?q=%E6%B1%BA%E6%B8%88&remote=full" {
		t.Errorf("the saved search links %q", href)
	}
	id := strings.TrimPrefix(mustAttr(t, items[0], "id"), "s")
	wantRedirect(t, "rename", c.post(t, "/me/searches/"+id, url.Values{"name": {"決済の案件"}, "alert": {"daily"}, "hour": {"7"}}), "/me/searches")
	p = c.get(t, "/me/searches")
	if !strings.Contains(text(p.doc), "決済の案件") || len(find(p.doc, "option", "value=daily", "selected")) != 1 || len(find(p.doc, "option", "value=7", "selected")) != 1 {
		t.Errorf("after the change: %s", excerptOf(p))
	}
	if p = c.post(t, "/me/searches/"+id, url.Values{"name": {"a\tb"}, "alert": {"daily"}}); p.status != 422 || !strings.Contains(text(p.doc), "改行を含めず") {
		t.Errorf("bad name: %d %s", p.status, excerptOf(p))
	}

	// Favourites: the card's button, back to the page it was on.
	sp = c.get(t, "/search?remote=full")
	goID := itoa(fx.ids["go-1"])
	wantRedirect(t, "favourite", c.submit(t, sp, "/me/favorites/"+goID, nil), "/search?remote=full")
	sp = c.get(t, "/search?remote=full")
	if len(find(sp.doc, "form", "action=/me/favorites/"+goID+"/delete")) != 1 {
		t.Error("the card does not show the favourite as kept")
	}
	lp := c.get(t, "/listings/"+itoa(fx.ids["fe-1"]))
	wantRedirect(t, "favourite from the listing", c.submit(t, lp, "/me/favorites/"+itoa(fx.ids["fe-1"]), nil), "/listings/")
	p = c.get(t, "/me/favorites")
	if cards := find(p.doc, "article", "class=card"); len(cards) != 2 {
		t.Fatalf("%d favourite cards, want 2", len(cards))
	}
	wantRedirect(t, "unfavourite", c.submit(t, p, "/me/favorites/"+itoa(fx.ids["fe-1"])+"/delete", nil), "/me/favorites")
	if cards := find(c.get(t, "/me/favorites").doc, "article", "class=card"); len(cards) != 1 {
		t.Errorf("%d favourite cards after removing one, want 1", len(cards))
	}

	// Recommendations, with their reasons.
	p = c.get(t, "/me/recommendations")
	picks := find(p.doc, "ol", "class=picks")
	if p.status != 200 || len(picks) != 1 || !strings.Contains(text(picks[0]), "決済基盤") || !strings.Contains(text(picks[0]), "Goのスキルが一致") {
		t.Errorf("recommendations: %d %s", p.status, excerptOf(p))
	}

	// Password change: a wrong current one is named.
	if p = c.post(t, "/me/password", url.Values{"current": {"nope-nope-nope"}, "password": {"tsukimi-dango-77"}}); p.status != 422 || !strings.Contains(text(p.doc), "現在のパスワードが正しくありません") {
		t.Errorf("wrong current password: %d %s", p.status, excerptOf(p))
	}
	wantRedirect(t, "change the password", c.post(t, "/me/password", url.Values{"current": {"another-pass-2026"}, "password": {"tsukimi-dango-77"}}), "/me/settings?done=password")

	// Export: a JSON download.
	p = c.get(t, "/me/export")
	if p.status != 200 || !strings.HasPrefix(p.header.Get("Content-Disposition"), "attachment; filename=\"anken-export-") || !strings.HasPrefix(p.header.Get("Content-Type"), "application/json") {
		t.Fatalf("export: %d, %v", p.status, p.header)
	}
	var x store.Export
	if err := json.Unmarshal([]byte(p.body), &x); err != nil || x.Account.Email != addr || len(x.SavedSearches) != 1 || len(x.Favorites) != 1 || x.Profile.Role != "backend" {
		t.Errorf("export: %v %+v", err, x)
	}

	// Deletion: a wrong confirmation deletes nothing; the right one all.
	if p = c.post(t, "/me/delete", url.Values{"confirm": {"someone@example.jp"}}); p.status != 422 {
		t.Errorf("wrong confirmation: %d", p.status)
	}
	p = c.post(t, "/me/delete", url.Values{"confirm": {addr}})
	if p.status != 200 || !strings.Contains(text(p.doc), "アカウントを削除しました") {
		t.Fatalf("delete: %d %s", p.status, excerptOf(p))
	}
	if ck := sessionCookie(t, p); ck.MaxAge >= 0 {
		t.Errorf("the cookie is not cleared: %+v", ck)
	}
	if _, err := fx.st.EngineerByEmail(context.Background(), addr); err == nil {
		t.Error("the account is still there")
	}
}

func sessionCookie(t *testing.T, p page) *http.Cookie {
	t.Helper()
	resp := http.Response{Header: p.header}
	for _, ck := range resp.Cookies() {
		if ck.Name == "anken_session" {
			return ck
		}
	}
	t.Fatalf("no session cookie set: %v", p.header["Set-Cookie"])
	return nil
}

func mustAttr(t *testing.T, n *html.Node, key string) string {
	t.Helper()
	v, ok := attr(n, key)
	if !ok {
		t.Fatalf("<%s> has no %s", n.Data, key)
	}
	return v
}

// TestSessionEnds: a cookie whose session has ended is cleared and the
// page asks for a login; logout ends the session.
func TestSessionEnds(t *testing.T) {
	fx := newMeFixture(t)
	c := fx.signUp(t, "hanako@example.jp")
	old := c.session
	wantRedirect(t, "logout", c.post(t, "/logout", url.Values{}), "/")
	if c.session != "" {
		t.Fatal("logout did not clear the cookie")
	}
	c.session = old
	p := c.get(t, "/me/profile")
	wantRedirect(t, "old session", p, "/login?next=%2Fme%2Fprofile")
	if ck := sessionCookie(t, p); ck.MaxAge >= 0 {
		t.Errorf("an ended session's cookie is not cleared: %+v", ck)
	}
	c.session = "made-up"
	if h := text(find(c.get(t, "/search").doc, "nav", "class=account")[0]); !strings.Contains(h, "ログイン") {
		t.Errorf("a made-up cookie shows %q", h)
	}
}

// TestCrossSiteForms: a form posted from another site is refused.
func TestCrossSiteForms(t *testing.T) {
	fx := newMeFixture(t)
	c := fx.signUp(t, "jiro@example.jp")
	for _, path := range []string{"/login", "/me/favorites/1", "/me/delete", "/logout"} {
		p := c.do(t, "POST", path, url.Values{"confirm": {"jiro@example.jp"}}, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
		if p.status != 403 {
			t.Errorf("cross-site POST %s = %d, want 403", path, p.status)
		}
	}
	if p := c.get(t, "/me"); p.status != 200 {
		t.Errorf("the account is gone after the refused posts: %d", p.status)
	}
}

// TestNoOpenRedirect: next and back go only to this site's paths.
func TestNoOpenRedirect(t *testing.T) {
	fx := newMeFixture(t)
	c := fx.signUp(t, "saburo@example.jp")
	for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "evil.example", "/\t/evil.example", "/\r\n/evil.example", "\t//evil.example"} {
		p := fx.client().post(t, "/login", url.Values{"email": {"saburo@example.jp"}, "password": {"kaki-no-tane-2026"}, "next": {next}})
		if loc := p.header.Get("Location"); loc != "/me" {
			t.Errorf("login with next=%q goes to %q, want /me", next, loc)
		}
		p = c.post(t, "/me/favorites/"+itoa(fx.ids["go-1"]), url.Values{"back": {next}})
		if loc := p.header.Get("Location"); loc != "/me/favorites" {
			t.Errorf("favourite with back=%q goes to %q, want /me/favorites", next, loc)
		}
	}
	if p := c.get(t, "/login?next=//evil.example"); p.header.Get("Location") != "/me" {
		t.Errorf("GET /login?next=//evil.example logged in goes to %q", p.header.Get("Location"))
	}
}

// TestMeAuthorization: every /me route, for engineer B acting on A's
// saved search and favourite, answers 404 and changes nothing of A's;
// logged out, it goes to the login page. A /me route missing from the
// table fails the test.
func TestMeAuthorization(t *testing.T) {
	fx := newMeFixture(t)
	a := fx.signUp(t, "a@example.jp")
	b := fx.signUp(t, "b@example.jp")
	fav := itoa(fx.ids["go-1"])
	wantRedirect(t, "A saves a search", a.post(t, "/me/searches", url.Values{"query": {"q=Go"}}), "/me/searches")
	wantRedirect(t, "A keeps a favourite", a.post(t, "/me/favorites/"+fav, url.Values{}), "/me/favorites")
	ss := find(a.get(t, "/me/searches").doc, "li", "class=saved-item")
	if len(ss) != 1 {
		t.Fatal("A has no saved search")
	}
	sid := strings.TrimPrefix(mustAttr(t, ss[0], "id"), "s")

	// B's answer to each route: 404 where the id is A's; else B's own page.
	type row struct {
		path string
		form url.Values
		b    int // B's status
	}
	table := map[string]row{
		"GET /me":                        {"/me", nil, 200},
		"GET /me/profile":                {"/me/profile", nil, 200},
		"POST /me/profile":               {"/me/profile", url.Values{"role": {"frontend"}}, 303},
		"GET /me/searches":               {"/me/searches", nil, 200},
		"POST /me/searches":              {"/me/searches", url.Values{"query": {"q=Java"}}, 303},
		"POST /me/searches/{id}":         {"/me/searches/" + sid, url.Values{"name": {"B was here"}, "alert": {"off"}}, 404},
		"POST /me/searches/{id}/delete":  {"/me/searches/" + sid + "/delete", url.Values{}, 404},
		"GET /me/favorites":              {"/me/favorites", nil, 200},
		"POST /me/favorites/{id}":        {"/me/favorites/999999", url.Values{}, 404}, // no such listing; B's own list otherwise
		"POST /me/favorites/{id}/delete": {"/me/favorites/" + fav + "/delete", url.Values{}, 404},
		"GET /me/recommendations":        {"/me/recommendations", nil, 200},
		"GET /me/history":                {"/me/history", nil, 200},                 // B's own
		"POST /me/history/delete":        {"/me/history/delete", url.Values{}, 303}, // B's own, not A's
		"GET /me/settings":               {"/me/settings", nil, 200},
		"POST /me/password":              {"/me/password", url.Values{"current": {"x"}, "password": {"y"}}, 422},
		"GET /me/export":                 {"/me/export", nil, 200},
		"GET /me/delete":                 {"/me/delete", nil, 200},
		"POST /me/delete":                {"/me/delete", url.Values{"confirm": {"a@example.jp"}}, 422}, // A's address does not delete B
	}
	for _, pattern := range web.MePatterns() {
		tt, ok := table[pattern]
		if !ok {
			t.Errorf("route %q is not in the authorization table: add it", pattern)
			continue
		}
		method, _, _ := strings.Cut(pattern, " ")
		t.Run(pattern, func(t *testing.T) {
			p := b.do(t, method, tt.path, tt.form)
			if p.status != tt.b {
				t.Errorf("B: %s %s = %d, want %d", method, tt.path, p.status, tt.b)
			}
			if p.status == 404 && !strings.Contains(text(p.doc), "ページが見つかりません") {
				t.Errorf("B: %s %s: not the 404 page", method, tt.path)
			}
			if p.status == 200 && strings.Contains(p.body, "a@example.jp") {
				t.Errorf("B: %s %s shows A's address", method, tt.path)
			}
			if method == "GET" && tt.path != "/me/export" && len(find(p.doc, "meta", "name=robots", "content=noindex")) != 1 {
				t.Errorf("%s is not noindex", tt.path)
			}
			out := fx.client().do(t, method, tt.path, tt.form)
			want := "/login?next=" + url.QueryEscape(tt.path)
			if method == "POST" {
				want = "/login?next=%2Fme"
			}
			if loc := out.header.Get("Location"); out.status != 303 || loc != want {
				t.Errorf("logged out: %s %s = %d to %q, want 303 to %s", method, tt.path, out.status, loc, want)
			}
		})
	}
	for pattern := range table {
		if !slices.Contains(web.MePatterns(), pattern) {
			t.Errorf("the table has %q, which is not a route", pattern)
		}
	}

	// A's things are as A left them.
	p := a.get(t, "/me/searches")
	if items := find(p.doc, "li", "class=saved-item"); len(items) != 1 || strings.Contains(text(items[0]), "B was here") ||
		len(find(items[0], "option", "value=instant", "selected")) != 1 {
		t.Errorf("A's saved search changed: %s", excerptOf(p))
	}
	if cards := find(a.get(t, "/me/favorites").doc, "article", "class=card"); len(cards) != 1 {
		t.Errorf("A has %d favourites, want 1", len(cards))
	}
	if p := a.get(t, "/me"); p.status != 200 {
		t.Errorf("A's account: %d", p.status)
	}
}

// TestUnsubscribePage: the alert mail's link names the search and stops
// it on the button, or on the RFC 8058 one-click POST with no cookie.
func TestUnsubscribePage(t *testing.T) {
	fx := newMeFixture(t)
	a := fx.signUp(t, "shiro@example.jp")
	wantRedirect(t, "save", a.post(t, "/me/searches", url.Values{"query": {"skill=go"}}), "/me/searches")
	e, err := fx.st.EngineerByEmail(context.Background(), "shiro@example.jp")
	if err != nil {
		t.Fatal(err)
	}
	list, err := fx.st.SavedSearches(context.Background(), e.ID)
	if err != nil || len(list) != 1 {
		t.Fatal(err, len(list))
	}
	path := "/unsubscribe/" + list[0].Unsubscribe
	anon := fx.client()
	p := anon.get(t, path)
	if p.status != 200 || !strings.Contains(text(p.doc), "「Go」") || len(find(p.doc, "form", "action="+path, "method=post")) != 1 {
		t.Fatalf("GET %s: %d %s", path, p.status, excerptOf(p))
	}
	if ss, _ := fx.st.SavedSearch(context.Background(), e.ID, list[0].ID); ss.Alert != "instant" {
		t.Fatalf("opening the link stopped the mail: %q", ss.Alert)
	}
	p = anon.do(t, "POST", path, nil, "Content-Type", "application/x-www-form-urlencoded")
	p = anon.do(t, "POST", path, url.Values{"List-Unsubscribe": {"One-Click"}})
	if p.status != 200 || !strings.Contains(text(p.doc), "停止しました") {
		t.Fatalf("one-click POST: %d %s", p.status, excerptOf(p))
	}
	if ss, _ := fx.st.SavedSearch(context.Background(), e.ID, list[0].ID); ss.Alert != "off" {
		t.Errorf("alert = %q after unsubscribing, want off", ss.Alert)
	}
	if p := anon.get(t, "/unsubscribe/no-such-token"); p.status != 404 || !strings.Contains(text(p.doc), "ページが見つかりません") {
		t.Errorf("unknown token: %d", p.status)
	}
	if p := anon.do(t, "POST", "/unsubscribe/no-such-token", url.Values{"List-Unsubscribe": {"One-Click"}}); p.status != 404 {
		t.Errorf("unknown token POST: %d", p.status)
	}
}

// TestAccountPagesMarkup: the account pages follow the rules of every
// page: no inline code, labelled inputs, one h1, noindex.
func TestAccountPagesMarkup(t *testing.T) {
	fx := newMeFixture(t)
	c := fx.signUp(t, "goro@example.jp")
	c.post(t, "/me/searches", url.Values{"query": {"q=Go"}})
	c.post(t, "/me/profile", url.Values{"skill": {"go"}})
	anon := fx.client()
	for _, tc := range []struct {
		c    *client
		path string
	}{
		{anon, "/signup"}, {anon, "/signup?sent=1"}, {anon, "/login"}, {anon, "/reset"}, {anon, "/reset?token=x"}, {anon, "/verify?token=x"},
		{c, "/me"}, {c, "/me/profile"}, {c, "/me/searches"}, {c, "/me/favorites"}, {c, "/me/recommendations"}, {c, "/me/settings"}, {c, "/me/delete"},
		{c, "/search?q=Go"}, {c, "/listings/" + itoa(fx.ids["go-1"])},
	} {
		p := tc.c.get(t, tc.path)
		if p.status != 200 {
			t.Errorf("GET %s = %d", tc.path, p.status)
			continue
		}
		checkMarkup(t, tc.path, p)
		if !strings.HasPrefix(tc.path, "/search") && !strings.HasPrefix(tc.path, "/listings") && len(find(p.doc, "meta", "name=robots", "content=noindex")) != 1 {
			t.Errorf("%s is not noindex", tc.path)
		}
		ids := map[string]bool{}
		for _, n := range find(p.doc, "", "id") {
			id, _ := attr(n, "id")
			if ids[id] {
				t.Errorf("%s: id %q twice", tc.path, id)
			}
			ids[id] = true
		}
	}
}

// checkMarkup checks what TestNoInlineCode checks of a page.
func checkMarkup(t *testing.T, path string, p page) {
	t.Helper()
	for _, s := range find(p.doc, "script") {
		if _, hasSrc := attr(s, "src"); !hasSrc {
			if typ, _ := attr(s, "type"); typ != "application/ld+json" {
				t.Errorf("%s: inline script", path)
			}
		}
	}
	for _, n := range find(p.doc, "") {
		for _, a := range n.Attr {
			if strings.HasPrefix(strings.ToLower(a.Key), "on") || a.Key == "style" {
				t.Errorf("%s: <%s %s=…>", path, n.Data, a.Key)
			}
		}
	}
	if h1 := find(p.doc, "h1"); len(h1) != 1 {
		t.Errorf("%s: %d h1, want 1", path, len(h1))
	}
	for _, tag := range []string{"input", "select"} {
		for _, in := range find(p.doc, tag) {
			if typ, _ := attr(in, "type"); typ == "hidden" {
				continue
			}
			id, _ := attr(in, "id")
			if id == "" || len(find(p.doc, "label", "for="+id)) == 0 {
				t.Errorf("%s: %s %q has no label", path, tag, id)
			}
		}
	}
	for _, b := range find(p.doc, "button") {
		if strings.TrimSpace(text(b)) == "" {
			t.Errorf("%s: a button without a name", path)
		}
	}
}

// TestResetPages: the reset mail's link asks for a new password; the
// request answers alike for an unknown address.
func TestResetPages(t *testing.T) {
	fx := newMeFixture(t)
	c := fx.signUp(t, "rokuro@example.jp")
	anon := fx.client()
	for _, addr := range []string{"rokuro@example.jp", "nobody@example.jp"} {
		p := anon.post(t, "/reset", url.Values{"email": {addr}})
		if p.status != 200 || !strings.Contains(text(p.doc), "再設定のメールを送りました") {
			t.Errorf("reset for %s: %d %s", addr, p.status, excerptOf(p))
		}
	}
	link := fx.mailLink(t, "reset", "rokuro@example.jp")
	p := anon.get(t, link)
	if p.status != 200 || len(find(p.doc, "input", "name=password", "autocomplete=new-password")) != 1 {
		t.Fatalf("GET %s: %d", link, p.status)
	}
	if p2 := anon.submit(t, p, "/reset", url.Values{"password": {"1234567890"}}); p2.status != 422 || !strings.Contains(text(p2.doc), "使えません") {
		t.Errorf("a common password: %d %s", p2.status, excerptOf(p2))
	}
	if p2 := anon.submit(t, p, "/reset", url.Values{"password": {"hoshizora-2027"}}); p2.status != 200 || !strings.Contains(text(p2.doc), "パスワードを再設定しました") {
		t.Fatalf("reset: %d %s", p2.status, excerptOf(p2))
	}
	if p2 := anon.submit(t, p, "/reset", url.Values{"password": {"hoshizora-2028"}}); p2.status != 422 || !strings.Contains(text(p2.doc), "有効期限") {
		t.Errorf("the link used twice: %d %s", p2.status, excerptOf(p2))
	}
	// The old session ended with the reset.
	wantRedirect(t, "old session after reset", c.get(t, "/me"), "/login")
	wantRedirect(t, "login with the new password", anon.post(t, "/login", url.Values{"email": {"rokuro@example.jp"}, "password": {"hoshizora-2027"}}), "/me")
}

// TestLoginLockoutPages: others' guesses at an address lock out new
// browsers, not the one that has logged in to the account before, nor the
// one that set a new password through the reset mail.
func TestLoginLockoutPages(t *testing.T) {
	fx := newMeFixture(t)
	const addr, pw = "hachiro@example.jp", "kaki-no-tane-2026"
	owner := fx.signUp(t, addr) // logged in once: it holds a device cookie
	if owner.device == "" {
		t.Fatal("login set no anken_device cookie")
	}
	wantRedirect(t, "log out", owner.post(t, "/logout", url.Values{}), "/")
	guesser := fx.client()
	for range 10 { // the address's burst of 10
		guesser.post(t, "/login", url.Values{"email": {addr}, "password": {"guess-password-0"}})
	}
	if p := fx.client().post(t, "/login", url.Values{"email": {addr}, "password": {pw}}); p.status != 429 {
		t.Errorf("a new browser with the right password, address locked: %d, want 429", p.status)
	}
	wantRedirect(t, "the owner's browser with the address locked", owner.post(t, "/login", url.Values{"email": {addr}, "password": {pw}}), "/me")

	resetter := fx.client()
	resetter.post(t, "/reset", url.Values{"email": {addr}})
	p := resetter.get(t, fx.mailLink(t, "reset", addr))
	if p := resetter.submit(t, p, "/reset", url.Values{"password": {"hoshizora-2027"}}); p.status != 200 || resetter.device == "" {
		t.Fatalf("reset: %d, device cookie %q; want 200 with one", p.status, resetter.device)
	}
	for range 10 { // the address's burst of 10
		guesser.post(t, "/login", url.Values{"email": {addr}, "password": {"guess-password-0"}})
	}
	wantRedirect(t, "the browser that reset, with the address locked", resetter.post(t, "/login", url.Values{"email": {addr}, "password": {"hoshizora-2027"}}), "/me")
}

// serveSite serves the site as serve does: behind Secure, with a
// cross-origin form post refused by the one error page (403).
func serveSite(t *testing.T, site *web.Site) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	site.Register(mux)
	deny := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		site.Error(w, r, problem.Errorf(problem.Forbidden, "cross-origin %s refused", r.Method))
	})
	srv := httptest.NewServer(web.Secure(mux, deny))
	t.Cleanup(srv.Close)
	return srv
}
