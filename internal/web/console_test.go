package web_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"anken/internal/listing"
	"anken/internal/server/servertest"
	"anken/internal/store"
	"anken/internal/store/storetest"
	"anken/internal/web"
)

// consoleFixture is the site with the agency console over a store of two
// agencies: alpha (A1 backend 50万, A2 backend 70万, A3 frontend 60万,
// A4 closed) and beta (B1–B3 backend 55万, 60万, 65万; B4 frontend 60万),
// all full-workload, with counts on 2026-11-20 (and one on 2026-10-01,
// outside the last 30 days). Today is 2026-11-30 in Tokyo.
type consoleFixture struct {
	*servertest.Server
	st       *store.Store
	clock    *storetest.Clock // the store's: a held run starts after the listings' writes by moving it
	alpha    store.Agency
	beta     store.Agency
	alphaKey string
	betaKey  string
	opKey    string
	engineer string // an engineer's session token
	ids      map[string]int64
}

func newConsoleFixture(t *testing.T) *consoleFixture {
	t.Helper()
	ctx := context.Background()
	clock := storetest.NewClock(time.Now())
	s := servertest.Start(t, servertest.Options{Now: clock.Now, PagesNow: fixtureNow})
	st := s.Store
	fx := &consoleFixture{Server: s, st: st, clock: clock, ids: map[string]int64{}}
	fx.alpha, fx.alphaKey = s.Agency(t, "alpha", "アルファ")
	fx.beta, fx.betaKey = s.Agency(t, "beta", "ベータ")
	fx.opKey = s.Operator(t, "山田")
	put := func(a store.Agency, id string, role listing.Role, monthly int64, words string) {
		valid := time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)
		l := &listing.Listing{ExternalID: id, Title: words + "の開発（" + id + "）", Description: words + "を担当していただきます。" + id,
			Role: role, Rate: listing.Rate{Unit: listing.PerMonth, Min: monthly, Max: monthly, MonthlyMin: monthly, MonthlyMax: monthly},
			Remote: listing.RemoteFull, Prefecture: "JP-13", Status: listing.StatusOpen, Workload: listing.WorkloadFull,
			PostedAt: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), ValidThrough: &valid, ApplyURL: "https://example.com/" + id}
		res, err := st.PutListing(ctx, a, l)
		if err != nil {
			t.Fatal(err)
		}
		fx.ids[id] = res.ID
	}
	put(fx.alpha, "A1", listing.RoleBackend, 500_000, "決済基盤のGoサーバー")
	put(fx.alpha, "A2", listing.RoleBackend, 700_000, "物流システムのJava刷新")
	put(fx.alpha, "A3", listing.RoleFrontend, 600_000, "ECサイトのReact画面")
	put(fx.alpha, "A4", listing.RoleBackend, 600_000, "終了した社内ツール")
	put(fx.beta, "B1", listing.RoleBackend, 550_000, "広告配信のPython基盤")
	put(fx.beta, "B2", listing.RoleBackend, 600_000, "会計SaaSのRuby機能追加")
	put(fx.beta, "B3", listing.RoleBackend, 650_000, "金融のScala勘定系")
	put(fx.beta, "B4", listing.RoleFrontend, 600_000, "予約サイトのVue改修")
	if _, err := st.CloseListing(ctx, fx.alpha, "A4"); err != nil {
		t.Fatal(err)
	}
	day := func(id string, d string, imp, views, clicks int64) store.TrafficRow {
		return store.TrafficRow{ListingID: fx.ids[id], Day: d, TrafficCounts: store.TrafficCounts{Impressions: imp, Views: views, Clicks: clicks}}
	}
	if err := st.AddTraffic(ctx, []store.TrafficRow{
		day("A1", "2026-11-20", 100, 10, 2),
		day("A1", "2026-10-01", 1000, 0, 0), // before the last 30 days
		day("A2", "2026-11-20", 100, 0, 8),
		day("A3", "2026-11-20", 50, 5, 5),
		day("B1", "2026-11-20", 200, 0, 10),
		day("B4", "2026-11-20", 50, 0, 0),
	}); err != nil {
		t.Fatal(err)
	}
	fx.engineer = s.Engineer(t, "e@example.jp", "kaki-no-tane-2026")
	s.CatchUp(t)
	return fx
}

// heldRun makes a full feed run of the agency that carries only its
// first open listing: it would close the others, so it is held.
func (fx *consoleFixture) heldRun(t *testing.T, a store.Agency, carry string) int64 {
	t.Helper()
	ctx := context.Background()
	fx.clock.Add(2 * time.Millisecond) // the run starts after the listings' writes
	run, _, err := fx.st.StartRun(ctx, a, "upload", "jsonl", true, "")
	if err != nil {
		t.Fatal(err)
	}
	l, err := fx.st.AgencyListing(ctx, a, carry)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fx.st.Apply(ctx, []store.Work{{Agency: a, RunID: run.ID, Source: "feed", Puts: []*listing.Listing{&l}}}); err != nil {
		t.Fatal(err)
	}
	fx.st.EndReceive(ctx, run.ID, 1, "")
	fx.st.FinishRun(ctx, run.ID)
	if got, _ := fx.st.FeedRun(ctx, a, run.ID); got.State != store.RunHeld {
		t.Fatalf("run %d is %s, want held", run.ID, got.State)
	}
	return run.ID
}

func (fx *consoleFixture) login(t *testing.T, key string) *servertest.Browser {
	t.Helper()
	c := fx.Browser()
	p := c.Do(t, "POST", "/agency/login", url.Values{"key": {key}, "next": {"/agency"}})
	if p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/agency" {
		t.Fatalf("login = %d → %q", p.Status, p.Header.Get("Location"))
	}
	return c
}

func (fx *consoleFixture) operator(t *testing.T) *servertest.Browser {
	t.Helper()
	c := fx.Browser()
	if p := c.Do(t, "POST", "/ops/login", url.Values{"key": {fx.opKey}, "next": {"/ops"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("ops login = %d", p.Status)
	}
	return c
}

func TestConsoleLogin(t *testing.T) {
	fx := newConsoleFixture(t)
	c := fx.Browser()
	p := c.Do(t, "GET", "/agency/listings", nil)
	if p.Status != http.StatusSeeOther || p.Header.Get("Location") != "/agency/login?next=%2Fagency%2Flistings" {
		t.Fatalf("without a session: %d → %q", p.Status, p.Header.Get("Location"))
	}
	p = c.Do(t, "GET", "/agency/login?next=%2Fagency%2Flistings", nil)
	if p.Status != 200 || len(p.All(`input[name="key"][type="password"]`)) != 1 || len(p.All(`meta[name="robots"][content="noindex"]`)) != 1 {
		t.Fatalf("login page = %d without its form or noindex", p.Status)
	}
	if p := c.Do(t, "POST", "/agency/login", url.Values{"key": {"ak_wrong"}}); p.Status != http.StatusUnauthorized || !strings.Contains(p.Text(`[role=alert]`), "API キーが正しくない") {
		t.Errorf("a wrong key = %d", p.Status)
	}
	req, _ := http.NewRequest("POST", fx.URL+"/agency/login", strings.NewReader(url.Values{"key": {fx.alphaKey}, "next": {"https://evil.example/"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var ck *http.Cookie
	for _, x := range resp.Cookies() {
		if x.Name == "anken_agency" {
			ck = x
		}
	}
	if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/agency" || resp.Header.Get("Location") != "/agency" {
		t.Fatalf("login cookie %+v → %q; want HttpOnly, SameSite=Strict, Path=/agency, to /agency", ck, resp.Header.Get("Location"))
	}
	a := fx.login(t, fx.alphaKey)
	p = a.Do(t, "GET", "/agency", nil)
	if p.Status != 200 || p.Header.Get("Cache-Control") != "no-store" || p.Header.Get("X-Robots-Tag") != "noindex" {
		t.Fatalf("/agency = %d, Cache-Control %q", p.Status, p.Header.Get("Cache-Control"))
	}
	for _, s := range p.All(`script`) {
		if _, src := servertest.LookupAttr(s, "src"); !src {
			t.Error("/agency has an inline script")
		}
	}
	if p := a.Do(t, "POST", "/agency/logout", url.Values{}); p.Status != http.StatusSeeOther {
		t.Fatalf("logout = %d", p.Status)
	}
	if p := a.Do(t, "GET", "/agency", nil); p.Status != http.StatusSeeOther {
		t.Errorf("after logout /agency = %d, want the login", p.Status)
	}
}

func TestConsolePages(t *testing.T) {
	fx := newConsoleFixture(t)
	a := fx.login(t, fx.alphaKey)
	ctx := context.Background()
	rej := store.Work{Agency: fx.alpha, Source: "api"}
	rej.Reject("A9", store.Rejection{Line: 7, ExternalID: "A9", Field: "rate", Reason: "単価が読み取れません"})
	if _, err := fx.st.Apply(ctx, []store.Work{rej}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want map[string]string // element id → its text
		has  []string          // in the page's text
	}{
		{"/agency", map[string]string{"n-open": "3", "n-closed": "1", "n-hidden": "0",
			// 250 impressions, 15 views, 15 clicks: 6.0%; the October day is not counted.
			"t-impressions": "250", "t-views": "15", "t-clicks": "15", "t-ctr": "6.0%"}, []string{"アルファ の管理画面", "2026/11/01〜2026/11/30"}},
		{"/agency/listings", map[string]string{"agency-ctr": "6.0%"}, []string{"下から何%", "A4", "募集終了"}},
		{"/agency/rejections", nil, []string{"A9", "rate", "単価が読み取れません"}},
		{"/agency/feeds", nil, []string{"フィードの取り込みはまだありません"}},
		{"/agency/stats", map[string]string{"t-impressions": "250", "t-clicks": "15", "t-ctr": "6.0%"}, []string{"1日ごとの表示回数", "A1"}},
		{"/agency/stats?from=2026-10-01&to=2026-10-31", map[string]string{"t-impressions": "1,000", "t-clicks": "0", "t-ctr": "0.0%"}, nil},
		{"/agency/profile", nil, []string{"表示名", "紹介文", "サイトの URL"}},
		{"/agency/keys", nil, []string{"キーを再発行", "有効"}},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			p := a.Do(t, "GET", tc.path, nil)
			if p.Status != 200 {
				t.Fatalf("GET %s = %d", tc.path, p.Status)
			}
			for id, want := range tc.want {
				if got := p.Text(`[id="` + id + `"]`); got != want {
					t.Errorf("#%s = %q, want %q", id, got, want)
				}
			}
			for _, s := range tc.has {
				if !strings.Contains(servertest.Text(p.Doc), s) {
					t.Errorf("the page does not say %q", s)
				}
			}
			if strings.Contains(servertest.Text(p.Doc), "B1") || strings.Contains(servertest.Text(p.Doc), "ベータ") {
				t.Error("the page shows beta's")
			}
			if len(p.All(`meta[name="robots"][content="noindex"]`)) != 1 {
				t.Error("not noindex")
			}
		})
	}
	if p := a.Do(t, "GET", "/agency/stats?listing=B1", nil); p.Status != 404 {
		t.Errorf("stats of beta's listing = %d, want 404", p.Status)
	}
	svg := servertest.All(a.Do(t, "GET", "/agency/stats", nil).Doc, `svg[role="img"]`)
	if len(svg) != 2 {
		t.Errorf("the stats page has %d charts, want 2", len(svg))
	}
}

// TestConsoleMarket checks the percentile and the CTR comparisons by hand.
// Backend, full workload, open, priced: A1 50万, B1 55万, B2 60万, B3 65万,
// A2 70万: one in each 5万円 band. A1: (0 + 1/2) / 5 = 10%; A2: (4 +
// 1/2) / 5 = 90%. Frontend: A3 and B4 both 60万: (0 + 2/2) / 2 = 50%.
// CTRs in November: A1 2/100 = 2.0%, A2 8/100 = 8.0%, A3 5/50 = 10.0%;
// alpha's 15/250 = 6.0%; backend (A1, A2, B1) 20/400 = 5.0%; frontend
// (A3, B4) 5/100 = 5.0%. A1 is 2.0/6.0 = 0.3倍 of alpha's and 2.0/5.0 =
// 0.4倍 of backend's; A2 1.3倍 and 1.6倍; A3 1.7倍 and 2.0倍.
func TestConsoleMarket(t *testing.T) {
	fx := newConsoleFixture(t)
	p := fx.login(t, fx.alphaKey).Do(t, "GET", "/agency/listings", nil)
	type row struct{ imp, clicks, ctr, pct, vsAgency, roleCTR, vsRole string }
	want := map[string]row{
		"A1": {"100", "2", "2.0%", "下から10%", "0.3倍", "5.0%", "0.4倍"},
		"A2": {"100", "8", "8.0%", "下から90%", "1.3倍", "5.0%", "1.6倍"},
		"A3": {"50", "5", "10.0%", "下から50%", "1.7倍", "5.0%", "2.0倍"},
	}
	for id, w := range want {
		rows := p.All(fmt.Sprintf(`tr[id="l%d"]`, fx.ids[id]))
		if len(rows) != 1 {
			t.Errorf("%s has no row", id)
			continue
		}
		got := row{servertest.Text(servertest.First(rows[0], `.imp`)), servertest.Text(servertest.First(rows[0], `.clicks`)), servertest.Text(servertest.First(rows[0], `.ctr`)), servertest.Text(servertest.First(rows[0], `.pct`)),
			servertest.Text(servertest.First(rows[0], `.vs-agency`)), servertest.Text(servertest.First(rows[0], `.role-ctr`)), servertest.Text(servertest.First(rows[0], `.vs-role`))}
		if got != w {
			t.Errorf("%s = %+v, want %+v", id, got, w)
		}
	}
	// The closed listing is listed first (its change is the last) with its state.
	rows := p.All(fmt.Sprintf(`tr[id="l%d"]`, fx.ids["A4"]))
	if len(rows) != 1 || servertest.Text(servertest.First(rows[0], `.status`)) != "募集終了" {
		t.Errorf("A4 is not listed as 募集終了")
	}
	if body := p.All(`tbody`); len(body) == 0 || !strings.Contains(servertest.Text(body[0].FirstChild), "A4") && !strings.Contains(servertest.Text(body[0]), "A4") {
		t.Error("no A4")
	}
}

func TestConsoleFeeds(t *testing.T) {
	fx := newConsoleFixture(t)
	a := fx.login(t, fx.alphaKey)
	run := fx.heldRun(t, fx.alpha, "A1")
	p := a.Do(t, "GET", "/agency/feeds", nil)
	if len(p.All(fmt.Sprintf(`form[action="/agency/feeds/%d/confirm"]`, run))) != 1 ||
		len(p.All(fmt.Sprintf(`form[action="/agency/feeds/%d/discard"]`, run))) != 1 {
		t.Fatal("the held run has no confirm and discard forms")
	}
	if !strings.Contains(p.Text(fmt.Sprintf("#run%d", run)), "確認待ち") {
		t.Errorf("the run reads %q", p.Text(fmt.Sprintf("#run%d", run)))
	}
	// Beta cannot confirm or discard alpha's run.
	b := fx.login(t, fx.betaKey)
	for _, action := range []string{"confirm", "discard"} {
		if p := b.Do(t, "POST", fmt.Sprintf("/agency/feeds/%d/%s", run, action), url.Values{}); p.Status != 404 {
			t.Errorf("beta %s alpha's run = %d, want 404", action, p.Status)
		}
	}
	// Discarding closes nothing; the run is no longer held.
	p = a.Do(t, "POST", fmt.Sprintf("/agency/feeds/%d/discard", run), url.Values{})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("discard = %d", p.Status)
	}
	p = a.Do(t, "GET", p.Header.Get("Location"), nil)
	if !strings.Contains(p.Text(`[role=status]`), "破棄しました") || !strings.Contains(p.Text(fmt.Sprintf("#run%d", run)), "破棄") {
		t.Errorf("after the discard: %q", p.Text(fmt.Sprintf("#run%d", run)))
	}
	if n, _ := fx.st.AgencyListingCounts(context.Background(), fx.alpha); n[listing.StatusOpen] != 3 {
		t.Errorf("%d open after the discard, want 3", n[listing.StatusOpen])
	}
	if p := a.Do(t, "POST", fmt.Sprintf("/agency/feeds/%d/confirm", run), url.Values{}); p.Status != http.StatusConflict {
		t.Errorf("confirming a discarded run = %d, want 409", p.Status)
	}
	// Confirming another held run closes A2 and A3.
	run = fx.heldRun(t, fx.alpha, "A1")
	p = a.Do(t, "POST", fmt.Sprintf("/agency/feeds/%d/confirm", run), url.Values{})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("confirm = %d", p.Status)
	}
	p = a.Do(t, "GET", p.Header.Get("Location"), nil)
	if !strings.Contains(p.Text(`[role=status]`), "2 件を募集終了にしました") {
		t.Errorf("after the confirm: %s", servertest.Text(p.Doc))
	}
	if n, _ := fx.st.AgencyListingCounts(context.Background(), fx.alpha); n[listing.StatusOpen] != 1 {
		t.Errorf("%d open after the confirm, want 1", n[listing.StatusOpen])
	}
}

func TestConsoleProfileAndKeys(t *testing.T) {
	fx := newConsoleFixture(t)
	ctx := context.Background()
	a := fx.login(t, fx.alphaKey)
	p := a.Do(t, "POST", "/agency/profile", url.Values{"name": {"アルファ"}, "description": {"紹介"}, "site_url": {"javascript:alert(1)"}})
	if p.Status != http.StatusUnprocessableEntity || len(p.All(`input[name="site_url"][aria-invalid="true"]`)) != 1 {
		t.Fatalf("a bad site URL = %d", p.Status)
	}
	if p := a.Do(t, "POST", "/agency/profile", url.Values{"name": {"アルファ株式会社"}, "description": {"紹介"}, "site_url": {"https://alpha.example/"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("save = %d", p.Status)
	}
	if pr, _ := fx.st.AgencyProfile(ctx, "alpha"); pr.Name != "アルファ株式会社" || pr.SiteURL != "https://alpha.example/" {
		t.Errorf("profile = %+v", pr)
	}
	es, _ := fx.st.AuditLog(ctx, store.AuditFilter{Action: "put-agency-profile", Limit: 10})
	if len(es) != 1 || es[0].Actor != "alpha" || es[0].ActorKind != store.AuditAgency {
		t.Errorf("audit = %+v", es)
	}

	// Rotation: the new key shows once, the old one is refused, and the
	// agency stays logged in.
	p = a.Do(t, "POST", "/agency/keys/rotate", url.Values{})
	newKey := p.Text(`[id="` + "new-key" + `"]`)
	if p.Status != 200 || !strings.HasPrefix(newKey, "ak_") {
		t.Fatalf("rotate = %d, new key %q", p.Status, newKey)
	}
	if _, err := fx.st.AgencyByKey(ctx, fx.alphaKey); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the old key still works: %v", err)
	}
	if got, err := fx.st.AgencyByKey(ctx, newKey); err != nil || got.Slug != "alpha" {
		t.Errorf("the new key: %+v, %v", got, err)
	}
	if p := a.Do(t, "GET", "/agency/keys", nil); p.Status != 200 || p.Text(`[id="`+"new-key"+`"]`) != "" {
		t.Errorf("after rotating: /agency/keys = %d (the new key must not show again)", p.Status)
	}
	if p := fx.Browser().Do(t, "POST", "/agency/login", url.Values{"key": {fx.alphaKey}}); p.Status != http.StatusUnauthorized {
		t.Errorf("login with the old key = %d, want 401", p.Status)
	}
}

// TestConsoleOperator: an operator opens alpha's console under /ops,
// marked as such; its writes are audited as the operator's.
func TestConsoleOperator(t *testing.T) {
	fx := newConsoleFixture(t)
	o := fx.operator(t)
	p := o.Do(t, "GET", "/ops/agencies/alpha/console", nil)
	if p.Status != 200 || p.Text(`[id="`+"n-open"+`"]`) != "3" || !strings.Contains(p.Text(`[role=status]`), "運用者（山田）として アルファ（alpha）の管理画面") {
		t.Fatalf("operator's view = %d: %s", p.Status, p.Text(`[id="`+"n-open"+`"]`))
	}
	if len(p.All(`a[href="/ops/agencies/alpha/console/listings"]`)) == 0 {
		t.Error("links do not stay under /ops")
	}
	if p := o.Do(t, "GET", "/ops/agencies/nobody/console/listings", nil); p.Status != 404 {
		t.Errorf("an unknown agency = %d", p.Status)
	}
	run := fx.heldRun(t, fx.alpha, "A1")
	if p := o.Do(t, "POST", fmt.Sprintf("/ops/agencies/beta/console/feeds/%d/discard", run), url.Values{}); p.Status != 404 {
		t.Errorf("alpha's run under beta = %d, want 404", p.Status)
	}
	if p := o.Do(t, "POST", fmt.Sprintf("/ops/agencies/alpha/console/feeds/%d/discard", run), url.Values{}); p.Status != http.StatusSeeOther ||
		!strings.HasPrefix(p.Header.Get("Location"), "/ops/agencies/alpha/console/feeds?") {
		t.Errorf("operator's discard = %d → %q", p.Status, p.Header.Get("Location"))
	}
	es, _ := fx.st.AuditLog(context.Background(), store.AuditFilter{Action: "discard-agency-feed-run-operator", Limit: 10})
	if len(es) != 1 || es[0].Actor != "山田" {
		t.Errorf("audit = %+v", es)
	}
	// An agency's cookie does not open /ops.
	if p := fx.login(t, fx.alphaKey).Do(t, "GET", "/ops/agencies/alpha/console", nil); p.Status != http.StatusSeeOther {
		t.Errorf("an agency at /ops = %d", p.Status)
	}
}

// TestConsoleAuthorization walks every console route: without a session
// (and with an engineer's) it goes to the login; beta's answer where an
// id is alpha's is 404; the operator's path answers as beta's does.
func TestConsoleAuthorization(t *testing.T) {
	fx := newConsoleFixture(t)
	run := fmt.Sprint(fx.heldRun(t, fx.alpha, "A1"))
	table := map[string]route{ // want: beta's status
		"GET /agency":                     {"/agency", nil, 200},
		"GET /agency/listings":            {"/agency/listings", nil, 200},
		"GET /agency/rejections":          {"/agency/rejections", nil, 200},
		"GET /agency/feeds":               {"/agency/feeds", nil, 200},
		"POST /agency/feeds/{id}/confirm": {"/agency/feeds/" + run + "/confirm", url.Values{}, 404},
		"POST /agency/feeds/{id}/discard": {"/agency/feeds/" + run + "/discard", url.Values{}, 404},
		"GET /agency/stats":               {"/agency/stats?listing=A1", nil, 404},
		"GET /agency/profile":             {"/agency/profile", nil, 200},
		"POST /agency/profile":            {"/agency/profile", url.Values{"name": {"ベータ"}}, 303},
		"GET /agency/keys":                {"/agency/keys", nil, 200},
		"POST /agency/keys/rotate":        {"/agency/keys/rotate", url.Values{}, 200},
	}
	b := fx.login(t, fx.betaKey)
	o := fx.operator(t)
	engineer := fx.Browser()
	engineer.SetCookie(servertest.SessionCookie, fx.engineer)
	engineer.SetCookie("anken_agency", fx.engineer)
	eachRoute(t, web.ConsolePatterns(), table, func(t *testing.T, method string, tt route) {
		for who, c := range map[string]*servertest.Browser{"nobody": fx.Browser(), "an engineer": engineer} {
			p := c.Do(t, method, tt.path, tt.form)
			if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Header.Get("Location"), "/agency/login?next=") {
				t.Errorf("%s: %s %s = %d → %q, want the login", who, method, tt.path, p.Status, p.Header.Get("Location"))
			}
		}
		p := b.Do(t, method, tt.path, tt.form)
		if p.Status != tt.want {
			t.Errorf("beta: %s %s = %d, want %d", method, tt.path, p.Status, tt.want)
		}
		if p.Status == 200 && (strings.Contains(p.Body, "アルファ") || strings.Contains(p.Body, ">A1<")) {
			t.Errorf("beta: %s %s shows alpha's", method, tt.path)
		}
		if p.Status == 200 && p.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s is cached", tt.path)
		}
		// The operator's path of beta's console answers as beta does.
		op := o.Do(t, method, "/ops/agencies/beta/console"+strings.TrimPrefix(tt.path, "/agency"), tt.form)
		if op.Status != tt.want {
			t.Errorf("operator as beta: %s %s = %d, want %d", method, tt.path, op.Status, tt.want)
		}
	})
}
