package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"anken/internal/server/servertest"
	"anken/internal/store"
	"anken/internal/web"
)

// meFixture is the whole server with the listings of raws, where
// engineers sign up and log in through the pages. The store is on the
// wall clock, so that what an engineer does in turn is stamped in turn.
type meFixture struct{ *fixture }

func newMeFixture(t *testing.T) *meFixture {
	return &meFixture{newFixtureWith(t, raws, servertest.Options{PagesNow: fixtureNow})}
}

// wantRedirect checks that p redirects to a location starting with prefix.
func wantRedirect(t *testing.T, what string, p servertest.Page, prefix string) string {
	t.Helper()
	loc := p.Header.Get("Location")
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(loc, prefix) {
		t.Fatalf("%s: %d to %q, want 303 to %s…\n%s", what, p.Status, loc, prefix, p.Main())
	}
	return loc
}

// signUp makes a verified account and returns a client logged in to it.
func (fx *meFixture) signUp(t *testing.T, addr string) *servertest.Browser {
	t.Helper()
	c := fx.Browser()
	wantRedirect(t, "sign up", c.Post(t, "/signup", url.Values{"email": {addr}, "password": {"kaki-no-tane-2026"}}), "/signup?sent=1")
	verify := c.Get(t, fx.MailLink(t, "verify", addr))
	if p := c.Submit(t, verify, "/verify", nil); p.Status != 200 {
		t.Fatalf("verify: %d %s", p.Status, p.Main())
	}
	wantRedirect(t, "log in", c.Post(t, "/login", url.Values{"email": {addr}, "password": {"kaki-no-tane-2026"}}), "/me")
	return c
}

// TestEngineerPages walks an engineer through the pages: sign-up, the
// verification mail, login, profile, a search saved from the search page,
// favourites, recommendations, export and deletion.
func TestEngineerPages(t *testing.T) {
	fx := newMeFixture(t)
	c := fx.Browser()
	const addr = "taro@example.jp"

	// Sign-up: a short password is refused next to its field.
	p := c.Get(t, "/signup")
	if p.Status != 200 || len(p.All(`input[name="password"][minlength="10"]`)) != 1 || !strings.Contains(p.Text(`#password-hint`), "10文字以上") {
		t.Fatalf("GET /signup = %d, without the password rule", p.Status)
	}
	p = c.Post(t, "/signup", url.Values{"email": {addr}, "password": {"short"}})
	if p.Status != 422 || len(p.All(`input[name="password"][aria-invalid="true"]`)) != 1 || !strings.Contains(p.Text(`#password-error`), "10文字以上で入力してください") {
		t.Fatalf("short password: %d %s", p.Status, p.Main())
	}
	if v := servertest.Attr(p.All(`input[name="email"]`)[0], "value"); v != addr {
		t.Errorf("the address typed is lost: %q", v)
	}
	wantRedirect(t, "sign up", c.Post(t, "/signup", url.Values{"email": {addr}, "password": {"kaki-no-tane-2026"}}), "/signup?sent=1")
	sent := servertest.Text(c.Get(t, "/signup?sent=1").Doc)
	// Again with the same address: the same answer.
	wantRedirect(t, "sign up again", c.Post(t, "/signup", url.Values{"email": {addr}, "password": {"another-pass-2026"}}), "/signup?sent=1")
	if !strings.Contains(sent, "確認メールを送りました") {
		t.Errorf("sent page: %q", sent)
	}

	// Login before verifying is refused, saying why.
	p = c.Post(t, "/login", url.Values{"email": {addr}, "password": {"another-pass-2026"}})
	if p.Status != 403 || !strings.Contains(p.Text(`[role=alert]`), "メールアドレスの確認が済んでいません") {
		t.Errorf("login unverified: %d %s", p.Status, p.Main())
	}

	// Verification: opening the link uses nothing up; the button does.
	link := fx.MailLink(t, "verify", addr)
	p = c.Get(t, link)
	if p.Status != 200 || p.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("GET %s: %d, Referrer-Policy %q", link, p.Status, p.Header.Get("Referrer-Policy"))
	}
	c.Get(t, link) // a mail scanner's second look
	if p = c.Submit(t, p, "/verify", nil); p.Status != 200 || !strings.Contains(p.Text(`h1`), "メールアドレスを確認しました") {
		t.Fatalf("verify: %d %s", p.Status, p.Main())
	}
	// Verifying logs in, as a login does: the session cookie, and the
	// page's header already says so.
	if ck := sessionCookie(t, p); ck.Value == "" || !ck.HttpOnly || ck.MaxAge < 29*24*3600 {
		t.Errorf("verify set the session cookie %+v; want a session of 30 days", ck)
	}
	if h := p.Text(`nav.account`); !strings.Contains(h, "マイページ") || strings.Contains(h, "新規登録") {
		t.Errorf("header after verifying: %q", h)
	}
	if me := c.Get(t, "/me"); me.Status != 200 || !strings.Contains(me.Text(`.who`), addr) {
		t.Fatalf("GET /me after verifying = %d", me.Status)
	}
	wantRedirect(t, "log out", c.Submit(t, c.Get(t, "/"), "/logout", nil), "/")
	if p = c.Submit(t, c.Get(t, link), "/verify", nil); p.Status != 422 || !strings.Contains(p.Text(`h1`), "確認できませんでした") {
		t.Errorf("verify twice: %d %s", p.Status, p.Main())
	}

	// Login: a wrong password, then the right one; the header changes.
	if p = c.Post(t, "/login", url.Values{"email": {addr}, "password": {"wrong-password-1"}}); p.Status != 401 || !strings.Contains(p.Text(`[role=alert]`), "正しくありません") {
		t.Errorf("wrong password: %d", p.Status)
	}
	if h := servertest.Text(servertest.All(c.Get(t, "/").Doc, `nav.account`)[0]); !strings.Contains(h, "ログイン") || !strings.Contains(h, "新規登録") {
		t.Errorf("logged-out header: %q", h)
	}
	resp := c.Post(t, "/login", url.Values{"email": {addr}, "password": {"another-pass-2026"}, "next": {"/search?remote=full"}})
	wantRedirect(t, "login", resp, "/search?remote=full")
	ck := sessionCookie(t, resp)
	if !ck.HttpOnly || !ck.Secure || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.MaxAge < 29*24*3600 || ck.MaxAge > 30*24*3600 {
		t.Errorf("session cookie %+v: want HttpOnly, Secure, SameSite=Lax, Path=/, Max-Age of 30 days", ck)
	}
	home := c.Get(t, "/")
	if h := home.Text(`nav.account`); !strings.Contains(h, "マイページ") || !strings.Contains(h, "ログアウト") || strings.Contains(h, "新規登録") {
		t.Errorf("logged-in header: %q", h)
	}
	if len(home.All(`form[action="/logout"][method="post"]`)) != 1 {
		t.Error("no logout form")
	}
	p = c.Get(t, "/me")
	if p.Status != 200 || !strings.Contains(p.Text(`.who`), addr) || len(p.All(`meta[name="robots"][content="noindex"]`)) != 1 {
		t.Fatalf("GET /me = %d", p.Status)
	}

	// Profile: an unknown skill is named next to the field; then saved.
	form := url.Values{"skill": {"go"}, "skills_other": {"AWS, なでしこ言語"}, "role": {"backend"}, "desired_rate": {"６０"},
		"remote": {"full"}, "days_per_week": {"3"}, "recommend": {"weekly"}}
	p = c.Post(t, "/me/profile", form)
	if p.Status != 422 || !strings.Contains(p.Text(`#skills-error`), "「なでしこ言語」は登録されていないスキルです") || len(p.All(`input[name="skills_other"][aria-invalid="true"]`)) != 1 {
		t.Fatalf("unknown skill: %d %s", p.Status, p.Main())
	}
	if len(p.All(`input[name="skill"][value="go"][checked]`)) != 1 {
		t.Error("the checked skill is lost on the error")
	}
	form.Set("skills_other", "AWS")
	wantRedirect(t, "save the profile", c.Post(t, "/me/profile", form), "/me/profile?saved=1")
	p = c.Get(t, "/me/profile?saved=1")
	if v := servertest.Attr(p.All(`input[name="desired_rate"]`)[0], "value"); v != "60" || len(p.All(`input[name="skill"][value="go"][checked]`)) != 1 ||
		len(p.All(`input[name="recommend"][value="weekly"][checked]`)) != 1 || !strings.Contains(p.Text(`[role=status]`), "保存しました") {
		t.Errorf("profile after saving: rate %q, %s", v, p.Main())
	}

	// Years of experience, for each skill held, and the desired hourly rate.
	if len(p.All(`input[name="years_go"]`)) != 1 || len(p.All(`input[name="years_aws"]`)) != 1 || len(p.All(`input[name="years_java"]`)) != 0 {
		t.Errorf("years fields: want one for each skill held (go, aws), %s", p.Main())
	}
	form.Set("years_go", "たくさん")
	p = c.Post(t, "/me/profile", form)
	if p.Status != 422 || !strings.Contains(p.Text(`#years-error`), "経験年数は0〜50年の整数で入力してください") {
		t.Fatalf("years not a number: %d %s", p.Status, p.Main())
	}
	if v := servertest.Attr(p.All(`input[name="years_go"]`)[0], "value"); v != "たくさん" {
		t.Errorf("the typed years are lost on the error: %q", v)
	}
	form.Set("years_go", "51")
	if p = c.Post(t, "/me/profile", form); p.Status != 422 || !strings.Contains(p.Text(`#years-error`), "経験年数は0〜50年") {
		t.Errorf("51 years: %d %s", p.Status, p.Main())
	}
	form.Set("desired_hourly", "時給")
	form.Set("years_go", "3")
	if p = c.Post(t, "/me/profile", form); p.Status != 422 || !strings.Contains(p.Text(`#hourly-error`), "希望時給は0〜100,000円") ||
		len(p.All(`input[name="desired_hourly"][aria-invalid="true"]`)) != 1 {
		t.Errorf("hourly not a number: %d %s", p.Status, p.Main())
	}
	form.Set("desired_hourly", "４,０００円")
	form.Set("years_aws", "２年")
	form.Set("years_java", "9") // not a skill held: dropped
	wantRedirect(t, "save years and hourly", c.Post(t, "/me/profile", form), "/me/profile?saved=1")
	p = c.Get(t, "/me/profile")
	for field, want := range map[string]string{"years_go": "3", "years_aws": "2", "desired_hourly": "4000"} {
		if v := servertest.Attr(p.All(`input[name="` + field + `"]`)[0], "value"); v != want {
			t.Errorf("%s after saving = %q, want %q", field, v, want)
		}
	}
	if lab := p.All(`label[for="yr-0"]`); len(lab) != 1 || servertest.Text(lab[0]) != "Go" {
		t.Errorf("the years field of go is not labelled Go: %s", p.Main())
	}
	// Dropping a skill drops its years with it.
	wantRedirect(t, "save without aws", c.Post(t, "/me/profile", url.Values{"skills_other": {"Go"}, "years_go": {"3"}, "years_aws": {"2"}, "role": {"backend"}, "recommend": {"weekly"}}), "/me/profile?saved=1")
	p = c.Get(t, "/me/profile")
	if len(p.All(`input[name="years_aws"]`)) != 0 || len(p.All(`input[name="years_go"][value="3"]`)) != 1 {
		t.Errorf("after dropping aws: %s", p.Main())
	}

	// The search page saves its search in one click.
	sp := c.Get(t, "/search?remote=full&q=決済")
	if len(sp.All(`button`)) == 0 || !strings.Contains(sp.Text(`form.save-search button`), "この条件で新着メールを受け取る") {
		t.Fatal("no save button on the search page")
	}
	wantRedirect(t, "save the search", c.Submit(t, sp, "/me/searches", nil), "/me/searches")
	p = c.Get(t, "/me/searches?done=saved")
	items := p.All(`li.saved-item`)
	if len(items) != 1 || !strings.Contains(servertest.Text(items[0]), "「決済」・フルリモート") || !strings.Contains(p.Text(`[role=status]`), "保存しました") {
		t.Fatalf("saved searches: %s", p.Main())
	}
	run := servertest.All(items[0], `a`)[0]
	if href := servertest.Attr(run, "href"); href != "/search?q=%E6%B1%BA%E6%B8%88&remote=full" {
		t.Errorf("the saved search links %q", href)
	}
	id := strings.TrimPrefix(mustAttr(t, items[0], "id"), "s")
	wantRedirect(t, "rename", c.Post(t, "/me/searches/"+id, url.Values{"name": {"決済の案件"}, "alert": {"daily"}, "hour": {"7"}}), "/me/searches")
	p = c.Get(t, "/me/searches")
	if !strings.Contains(p.Text(`h2`), "決済の案件") || len(p.All(`option[value="daily"][selected]`)) != 1 || len(p.All(`option[value="7"][selected]`)) != 1 {
		t.Errorf("after the change: %s", p.Main())
	}
	if p = c.Post(t, "/me/searches/"+id, url.Values{"name": {"a\tb"}, "alert": {"daily"}}); p.Status != 422 || !strings.Contains(p.Text(`#name-1-error`), "改行を含めず") {
		t.Errorf("bad name: %d %s", p.Status, p.Main())
	}

	// Favourites: the card's button, back to the page it was on.
	sp = c.Get(t, "/search?remote=full")
	goID := itoa(fx.ids["go-1"])
	wantRedirect(t, "favourite", c.Submit(t, sp, "/me/favorites/"+goID, nil), "/search?remote=full")
	sp = c.Get(t, "/search?remote=full")
	if len(sp.All(`form[action="/me/favorites/`+goID+"/delete"+`"]`)) != 1 {
		t.Error("the card does not show the favourite as kept")
	}
	lp := c.Get(t, "/listings/"+itoa(fx.ids["fe-1"]))
	wantRedirect(t, "favourite from the listing", c.Submit(t, lp, "/me/favorites/"+itoa(fx.ids["fe-1"]), nil), "/listings/")
	p = c.Get(t, "/me/favorites")
	if cards := p.All(`article.card`); len(cards) != 2 {
		t.Fatalf("%d favourite cards, want 2", len(cards))
	}
	wantRedirect(t, "unfavourite", c.Submit(t, p, "/me/favorites/"+itoa(fx.ids["fe-1"])+"/delete", nil), "/me/favorites")
	if cards := servertest.All(c.Get(t, "/me/favorites").Doc, `article.card`); len(cards) != 1 {
		t.Errorf("%d favourite cards after removing one, want 1", len(cards))
	}

	// Recommendations, with their reasons.
	p = c.Get(t, "/me/recommendations")
	picks := p.All(`ol.picks`)
	if p.Status != 200 || len(picks) != 1 || !strings.Contains(servertest.Text(picks[0]), "決済基盤") || !strings.Contains(servertest.Text(picks[0]), "Goのスキルが一致") {
		t.Errorf("recommendations: %d %s", p.Status, p.Main())
	}

	// Password change: a wrong current one is named.
	if p = c.Post(t, "/me/password", url.Values{"current": {"nope-nope-nope"}, "password": {"tsukimi-dango-77"}}); p.Status != 422 || !strings.Contains(p.Text(`#current-error`), "現在のパスワードが正しくありません") {
		t.Errorf("wrong current password: %d %s", p.Status, p.Main())
	}
	wantRedirect(t, "change the password", c.Post(t, "/me/password", url.Values{"current": {"another-pass-2026"}, "password": {"tsukimi-dango-77"}}), "/me/settings?done=password")

	// Export: a JSON download.
	p = c.Get(t, "/me/export")
	if p.Status != 200 || !strings.HasPrefix(p.Header.Get("Content-Disposition"), "attachment; filename=\"anken-export-") || !strings.HasPrefix(p.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("export: %d, %v", p.Status, p.Header)
	}
	var x store.Export
	if err := json.Unmarshal([]byte(p.Body), &x); err != nil || x.Account.Email != addr || len(x.SavedSearches) != 1 || len(x.Favorites) != 1 || x.Profile.Role != "backend" {
		t.Errorf("export: %v %+v", err, x)
	}

	// Deletion: a wrong confirmation deletes nothing; the right one all.
	if p = c.Post(t, "/me/delete", url.Values{"confirm": {"someone@example.jp"}}); p.Status != 422 {
		t.Errorf("wrong confirmation: %d", p.Status)
	}
	p = c.Post(t, "/me/delete", url.Values{"confirm": {addr}})
	if p.Status != 200 || !strings.Contains(p.Text(`h1`), "アカウントを削除しました") {
		t.Fatalf("delete: %d %s", p.Status, p.Main())
	}
	if ck := sessionCookie(t, p); ck.MaxAge >= 0 {
		t.Errorf("the cookie is not cleared: %+v", ck)
	}
	if _, err := fx.st.EngineerByEmail(context.Background(), addr); err == nil {
		t.Error("the account is still there")
	}
}

func sessionCookie(t *testing.T, p servertest.Page) *http.Cookie {
	t.Helper()
	resp := http.Response{Header: p.Header}
	for _, ck := range resp.Cookies() {
		if ck.Name == "anken_session" {
			return ck
		}
	}
	t.Fatalf("no session cookie set: %v", p.Header["Set-Cookie"])
	return nil
}

func mustAttr(t *testing.T, n *html.Node, key string) string {
	t.Helper()
	v, ok := servertest.LookupAttr(n, key)
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
	old := c.Cookie(servertest.SessionCookie).Value
	wantRedirect(t, "logout", c.Post(t, "/logout", url.Values{}), "/")
	if c.Cookie(servertest.SessionCookie) != nil {
		t.Fatal("logout did not clear the cookie")
	}
	c.SetCookie(servertest.SessionCookie, old)
	p := c.Get(t, "/me/profile")
	wantRedirect(t, "old session", p, "/login?next=%2Fme%2Fprofile")
	if ck := sessionCookie(t, p); ck.MaxAge >= 0 {
		t.Errorf("an ended session's cookie is not cleared: %+v", ck)
	}
	c.SetCookie(servertest.SessionCookie, "made-up")
	if h := servertest.Text(servertest.All(c.Get(t, "/search").Doc, `nav.account`)[0]); !strings.Contains(h, "ログイン") {
		t.Errorf("a made-up cookie shows %q", h)
	}
}

// TestCrossSiteForms: a form posted from another site is refused.
func TestCrossSiteForms(t *testing.T) {
	fx := newMeFixture(t)
	c := fx.signUp(t, "jiro@example.jp")
	for _, path := range []string{"/login", "/me/favorites/1", "/me/delete", "/logout"} {
		p := c.Do(t, "POST", path, url.Values{"confirm": {"jiro@example.jp"}}, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
		if p.Status != 403 {
			t.Errorf("cross-site POST %s = %d, want 403", path, p.Status)
		}
	}
	if p := c.Get(t, "/me"); p.Status != 200 {
		t.Errorf("the account is gone after the refused posts: %d", p.Status)
	}
}

// TestNoOpenRedirect: next and back go only to this site's paths.
func TestNoOpenRedirect(t *testing.T) {
	fx := newMeFixture(t)
	c := fx.signUp(t, "saburo@example.jp")
	for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "evil.example", "/\t/evil.example", "/\r\n/evil.example", "\t//evil.example"} {
		p := fx.Browser().Post(t, "/login", url.Values{"email": {"saburo@example.jp"}, "password": {"kaki-no-tane-2026"}, "next": {next}})
		if loc := p.Header.Get("Location"); loc != "/me" {
			t.Errorf("login with next=%q goes to %q, want /me", next, loc)
		}
		p = c.Post(t, "/me/favorites/"+itoa(fx.ids["go-1"]), url.Values{"back": {next}})
		if loc := p.Header.Get("Location"); loc != "/me/favorites" {
			t.Errorf("favourite with back=%q goes to %q, want /me/favorites", next, loc)
		}
	}
	if p := c.Get(t, "/login?next=//evil.example"); p.Header.Get("Location") != "/me" {
		t.Errorf("GET /login?next=//evil.example logged in goes to %q", p.Header.Get("Location"))
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
	wantRedirect(t, "A saves a search", a.Post(t, "/me/searches", url.Values{"query": {"q=Go"}}), "/me/searches")
	wantRedirect(t, "A keeps a favourite", a.Post(t, "/me/favorites/"+fav, url.Values{}), "/me/favorites")
	ss := servertest.All(a.Get(t, "/me/searches").Doc, `li.saved-item`)
	if len(ss) != 1 {
		t.Fatal("A has no saved search")
	}
	sid := strings.TrimPrefix(mustAttr(t, ss[0], "id"), "s")

	// B's answer to each route: 404 where the id is A's; else B's own page.
	table := map[string]route{ // want: B's status
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
	eachRoute(t, web.MePatterns(), table, func(t *testing.T, method string, tt route) {
		p := b.Do(t, method, tt.path, tt.form)
		if p.Status != tt.want {
			t.Errorf("B: %s %s = %d, want %d", method, tt.path, p.Status, tt.want)
		}
		if p.Status == 404 && !strings.Contains(p.Text(`h1`), "ページが見つかりません") {
			t.Errorf("B: %s %s: not the 404 page", method, tt.path)
		}
		if p.Status == 200 && strings.Contains(p.Body, "a@example.jp") {
			t.Errorf("B: %s %s shows A's address", method, tt.path)
		}
		if method == "GET" && tt.path != "/me/export" && len(p.All(`meta[name="robots"][content="noindex"]`)) != 1 {
			t.Errorf("%s is not noindex", tt.path)
		}
		out := fx.Browser().Do(t, method, tt.path, tt.form)
		want := "/login?next=" + url.QueryEscape(tt.path)
		if method == "POST" {
			want = "/login?next=%2Fme"
		}
		if loc := out.Header.Get("Location"); out.Status != 303 || loc != want {
			t.Errorf("logged out: %s %s = %d to %q, want 303 to %s", method, tt.path, out.Status, loc, want)
		}
	})

	// A's things are as A left them.
	p := a.Get(t, "/me/searches")
	if items := p.All(`li.saved-item`); len(items) != 1 || strings.Contains(servertest.Text(items[0]), "B was here") ||
		len(servertest.All(items[0], `option[value="instant"][selected]`)) != 1 {
		t.Errorf("A's saved search changed: %s", p.Main())
	}
	if cards := servertest.All(a.Get(t, "/me/favorites").Doc, `article.card`); len(cards) != 1 {
		t.Errorf("A has %d favourites, want 1", len(cards))
	}
	if p := a.Get(t, "/me"); p.Status != 200 {
		t.Errorf("A's account: %d", p.Status)
	}
}

// TestUnsubscribePage: the alert mail's link names the search and stops
// it on the button, or on the RFC 8058 one-click POST with no cookie.
func TestUnsubscribePage(t *testing.T) {
	fx := newMeFixture(t)
	a := fx.signUp(t, "shiro@example.jp")
	wantRedirect(t, "save", a.Post(t, "/me/searches", url.Values{"query": {"skill=go"}}), "/me/searches")
	e, err := fx.st.EngineerByEmail(context.Background(), "shiro@example.jp")
	if err != nil {
		t.Fatal(err)
	}
	list, err := fx.st.SavedSearches(context.Background(), e.ID)
	if err != nil || len(list) != 1 {
		t.Fatal(err, len(list))
	}
	path := "/unsubscribe/" + list[0].Unsubscribe
	anon := fx.Browser()
	p := anon.Get(t, path)
	if p.Status != 200 || !strings.Contains(p.Text(`.account-page`), "「Go」") || len(p.All(`form[action="`+path+`"][method="post"]`)) != 1 {
		t.Fatalf("GET %s: %d %s", path, p.Status, p.Main())
	}
	if ss, _ := fx.st.SavedSearch(context.Background(), e.ID, list[0].ID); ss.Alert != "instant" {
		t.Fatalf("opening the link stopped the mail: %q", ss.Alert)
	}
	p = anon.Do(t, "POST", path, nil, "Content-Type", "application/x-www-form-urlencoded")
	p = anon.Do(t, "POST", path, url.Values{"List-Unsubscribe": {"One-Click"}})
	if p.Status != 200 || !strings.Contains(p.Text(`h1`), "停止しました") {
		t.Fatalf("one-click POST: %d %s", p.Status, p.Main())
	}
	if ss, _ := fx.st.SavedSearch(context.Background(), e.ID, list[0].ID); ss.Alert != "off" {
		t.Errorf("alert = %q after unsubscribing, want off", ss.Alert)
	}
	if p := anon.Get(t, "/unsubscribe/no-such-token"); p.Status != 404 || !strings.Contains(p.Text(`h1`), "ページが見つかりません") {
		t.Errorf("unknown token: %d", p.Status)
	}
	if p := anon.Do(t, "POST", "/unsubscribe/no-such-token", url.Values{"List-Unsubscribe": {"One-Click"}}); p.Status != 404 {
		t.Errorf("unknown token POST: %d", p.Status)
	}
}

// TestAccountPagesMarkup: the account pages follow the rules of every
// page: no inline code, labelled inputs, one h1, noindex.
func TestAccountPagesMarkup(t *testing.T) {
	fx := newMeFixture(t)
	c := fx.signUp(t, "goro@example.jp")
	c.Post(t, "/me/searches", url.Values{"query": {"q=Go"}})
	c.Post(t, "/me/profile", url.Values{"skill": {"go"}})
	anon := fx.Browser()
	for _, tc := range []struct {
		c    *servertest.Browser
		path string
	}{
		{anon, "/signup"}, {anon, "/signup?sent=1"}, {anon, "/login"}, {anon, "/reset"}, {anon, "/reset?token=x"}, {anon, "/verify?token=x"},
		{c, "/me"}, {c, "/me/profile"}, {c, "/me/searches"}, {c, "/me/favorites"}, {c, "/me/recommendations"}, {c, "/me/settings"}, {c, "/me/delete"},
		{c, "/search?q=Go"}, {c, "/listings/" + itoa(fx.ids["go-1"])},
	} {
		p := tc.c.Get(t, tc.path)
		if p.Status != 200 {
			t.Errorf("GET %s = %d", tc.path, p.Status)
			continue
		}
		checkMarkup(t, tc.path, p)
		if !strings.HasPrefix(tc.path, "/search") && !strings.HasPrefix(tc.path, "/listings") && len(p.All(`meta[name="robots"][content="noindex"]`)) != 1 {
			t.Errorf("%s is not noindex", tc.path)
		}
		ids := map[string]bool{}
		for _, n := range p.All(`[id]`) {
			id := servertest.Attr(n, "id")
			if ids[id] {
				t.Errorf("%s: id %q twice", tc.path, id)
			}
			ids[id] = true
		}
	}
}

// TestResetPages: the reset mail's link asks for a new password; the
// request answers alike for an unknown address.
func TestResetPages(t *testing.T) {
	fx := newMeFixture(t)
	c := fx.signUp(t, "rokuro@example.jp")
	anon := fx.Browser()
	for _, addr := range []string{"rokuro@example.jp", "nobody@example.jp"} {
		p := anon.Post(t, "/reset", url.Values{"email": {addr}})
		if p.Status != 200 || !strings.Contains(p.Text(`h1`), "再設定のメールを送りました") {
			t.Errorf("reset for %s: %d %s", addr, p.Status, p.Main())
		}
	}
	link := fx.MailLink(t, "reset", "rokuro@example.jp")
	p := anon.Get(t, link)
	if p.Status != 200 || len(p.All(`input[name="password"][autocomplete="new-password"]`)) != 1 {
		t.Fatalf("GET %s: %d", link, p.Status)
	}
	if p2 := anon.Submit(t, p, "/reset", url.Values{"password": {"1234567890"}}); p2.Status != 422 || !strings.Contains(p2.Text(`#password-error`), "使えません") {
		t.Errorf("a common password: %d %s", p2.Status, p2.Main())
	}
	if p2 := anon.Submit(t, p, "/reset", url.Values{"password": {"hoshizora-2027"}}); p2.Status != 200 || !strings.Contains(p2.Text(`h1`), "パスワードを再設定しました") {
		t.Fatalf("reset: %d %s", p2.Status, p2.Main())
	}
	if p2 := anon.Submit(t, p, "/reset", url.Values{"password": {"hoshizora-2028"}}); p2.Status != 422 || !strings.Contains(p2.Text(`[role=alert]`), "有効期限") {
		t.Errorf("the link used twice: %d %s", p2.Status, p2.Main())
	}
	// The old session ended with the reset.
	wantRedirect(t, "old session after reset", c.Get(t, "/me"), "/login")
	wantRedirect(t, "login with the new password", anon.Post(t, "/login", url.Values{"email": {"rokuro@example.jp"}, "password": {"hoshizora-2027"}}), "/me")
}

// TestLoginLockoutPages: others' guesses at an address lock out new
// browsers, not the one that has logged in to the account before, nor the
// one that set a new password through the reset mail.
func TestLoginLockoutPages(t *testing.T) {
	fx := newMeFixture(t)
	const addr, pw = "hachiro@example.jp", "kaki-no-tane-2026"
	owner := fx.signUp(t, addr) // logged in once: it holds a device cookie
	if owner.Cookie("anken_device") == nil {
		t.Fatal("login set no anken_device cookie")
	}
	wantRedirect(t, "log out", owner.Post(t, "/logout", url.Values{}), "/")
	guesser := fx.Browser()
	for range 10 { // the address's burst of 10
		guesser.Post(t, "/login", url.Values{"email": {addr}, "password": {"guess-password-0"}})
	}
	if p := fx.Browser().Post(t, "/login", url.Values{"email": {addr}, "password": {pw}}); p.Status != 429 {
		t.Errorf("a new browser with the right password, address locked: %d, want 429", p.Status)
	}
	wantRedirect(t, "the owner's browser with the address locked", owner.Post(t, "/login", url.Values{"email": {addr}, "password": {pw}}), "/me")

	resetter := fx.Browser()
	resetter.Post(t, "/reset", url.Values{"email": {addr}})
	p := resetter.Get(t, fx.MailLink(t, "reset", addr))
	if p := resetter.Submit(t, p, "/reset", url.Values{"password": {"hoshizora-2027"}}); p.Status != 200 || resetter.Cookie("anken_device") == nil {
		t.Fatalf("reset: %d, device cookie %q; want 200 with one", p.Status, resetter.Cookie("anken_device"))
	}
	for range 10 { // the address's burst of 10
		guesser.Post(t, "/login", url.Values{"email": {addr}, "password": {"guess-password-0"}})
	}
	wantRedirect(t, "the browser that reset, with the address locked", resetter.Post(t, "/login", url.Values{"email": {addr}, "password": {"hoshizora-2027"}}), "/me")
}
