package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"anken/internal/catalog"
	"anken/internal/ingest"
	"anken/internal/listing"
	"anken/internal/operate"
	"anken/internal/search"
	"anken/internal/search/follow"
	"anken/internal/store"
	"anken/internal/store/storetest"
	"anken/internal/web"
)

type opsFixture struct {
	srv      *httptest.Server
	st       *store.Store
	follower *follow.Follower
	opKey    string
	agentKey string
	goID     int64 // techlink's go-1
}

func newOpsFixture(t *testing.T) *opsFixture {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t, "sqlite")
	a, err := st.CreateAgency(ctx, "techlink", "テックリンク")
	if err != nil {
		t.Fatal(err)
	}
	var rs []listing.Raw
	for _, s := range raws["techlink"] {
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
	fx := &opsFixture{st: st}
	for _, r := range res {
		if r.ExternalID == "go-1" {
			fx.goID = r.ID
		}
	}
	fx.agentKey, _ = st.CreateKey(ctx, a.ID)
	_, fx.opKey, _ = st.CreateOperator(ctx, "山田")
	idx := search.NewIndex()
	log := slog.New(slog.DiscardHandler)
	fx.follower = follow.New(st, idx, time.Hour, log)
	if err := fx.follower.Load(ctx); err != nil {
		t.Fatal(err)
	}
	// The index takes in an operator's write at once, as serve's follower
	// is woken (Notify): the pages and the API share the one service.
	wrote := func() {
		if _, err := fx.follower.CatchUp(ctx); err != nil {
			t.Error(err)
		}
	}
	site, err := web.New(web.Deps{Catalog: &catalog.Catalog{Store: st, Index: idx}, Log: log, BaseURL: "https://anken.example",
		Operate: operate.New(st, wrote)})
	if err != nil {
		t.Fatal(err)
	}
	fx.srv = serveSite(t, site)
	return fx
}

// opsClient is a browser without JavaScript holding the operator's
// session cookie (kept by hand: it is Secure, the test server plain http).
type opsClient struct {
	fx     *opsFixture
	cookie *http.Cookie
}

func (c *opsClient) do(t *testing.T, method, path string, form url.Values, header ...string) page {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, c.fx.srv.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if c.cookie != nil {
		req.AddCookie(&http.Cookie{Name: c.cookie.Name, Value: c.cookie.Value})
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if ck.Name == "anken_ops" {
			c.cookie = ck
			if ck.MaxAge < 0 {
				c.cookie = nil
			}
		}
	}
	b, _ := io.ReadAll(resp.Body)
	doc, err := html.Parse(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return page{status: resp.StatusCode, header: resp.Header, body: string(b), doc: doc}
}

// checkOpsPage checks what every operator page must be: noindex, never
// cached, no inline script or event-handler attribute.
func checkOpsPage(t *testing.T, what string, p page) {
	t.Helper()
	if len(find(p.doc, "meta", "name=robots", "content=noindex")) == 0 || p.header.Get("Cache-Control") != "no-store" {
		t.Errorf("%s: want <meta name=robots content=noindex> and Cache-Control no-store (got %q)", what, p.header.Get("Cache-Control"))
	}
	for _, s := range find(p.doc, "script") {
		if _, ok := attr(s, "src"); !ok {
			t.Errorf("%s: inline <script>", what)
		}
	}
	if strings.Contains(p.body, " onclick=") || strings.Contains(p.body, " onsubmit=") {
		t.Errorf("%s: an event-handler attribute", what)
	}
}

// TestOpsLoggedOut: every operator page sends a visitor without a session
// to the login page, and a form posted without one changes nothing.
func TestOpsLoggedOut(t *testing.T) {
	fx := newOpsFixture(t)
	c := &opsClient{fx: fx}
	for _, path := range []string{"/ops/agencies", "/ops/listings/1", "/ops/inbox", "/ops/rejections?agency=techlink", "/ops/audit"} {
		p := c.do(t, "GET", path, nil)
		if loc := wantRedirect(t, path, p, "/ops?next="); loc != "/ops?next="+url.QueryEscape(path) {
			t.Errorf("%s: to %s; want back to the page after logging in", path, loc)
		}
	}
	p := c.do(t, "POST", "/ops/listings/"+strconv.FormatInt(fx.goID, 10)+"/hide", url.Values{})
	wantRedirect(t, "hide logged out", p, "/ops?next=")
	if l, _ := fx.st.Listing(context.Background(), fx.goID); l.Status != listing.StatusOpen {
		t.Errorf("a logged-out post hid the listing: %s", l.Status)
	}
	c.cookie = &http.Cookie{Name: "anken_ops", Value: "ops_forged"}
	wantRedirect(t, "a forged cookie", c.do(t, "GET", "/ops/audit", nil), "/ops?next=")
	p = c.do(t, "GET", "/ops?next=%2Fops%2Faudit", nil)
	checkOpsPage(t, "/ops", p)
	if p.status != 200 || len(find(p.doc, "form", "action=/ops/login")) == 0 || !strings.Contains(text(p.doc), "ログインしてください") {
		t.Fatalf("/ops: %d, want the login form asking to log in", p.status)
	}
}

// TestOpsFlow logs in with the operator key, hides a listing from its
// page (it leaves search, its public page answers 404), finds the hide in
// the audit log page, restores it, and manages an agency's keys.
func TestOpsFlow(t *testing.T) {
	fx := newOpsFixture(t)
	ctx := context.Background()
	c := &opsClient{fx: fx}
	for _, key := range []string{"op_wrong", fx.agentKey} {
		if p := c.do(t, "POST", "/ops/login", url.Values{"key": {key}, "next": {"/ops"}}); p.status != 401 || c.cookie != nil {
			t.Errorf("login with %.6s…: %d; want 401 and no session", key, p.status)
		}
	}
	p := c.do(t, "POST", "/ops/login", url.Values{"key": {fx.opKey}, "next": {"/ops/audit"}})
	wantRedirect(t, "login", p, "/ops/audit")
	if ck := c.cookie; ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/ops" || !ck.Secure {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Strict, Secure, Path=/ops", ck)
	}
	// A post from another site is refused.
	id := strconv.FormatInt(fx.goID, 10)
	if p := c.do(t, "POST", "/ops/listings/"+id+"/hide", url.Values{}, "Sec-Fetch-Site", "cross-site"); p.status != 403 {
		t.Errorf("cross-site hide: %d; want 403", p.status)
	}
	// Hide from the listing's page.
	p = c.do(t, "GET", "/ops/listings/"+id, nil)
	checkOpsPage(t, "listing page", p)
	if p.status != 200 || len(find(p.doc, "form", "action=/ops/listings/"+id+"/hide")) == 0 {
		t.Fatalf("listing page: %d without the hide form\n%s", p.status, excerptOf(p))
	}
	wantRedirect(t, "hide", c.do(t, "POST", "/ops/listings/"+id+"/hide", url.Values{}), "/ops/listings/"+id)
	// No catching up here: hiding woke the index.
	anon := &opsClient{fx: fx}
	if p := anon.do(t, "GET", "/listings/"+id, nil); p.status != 404 {
		t.Errorf("public page of the hidden listing: %d; want 404", p.status)
	}
	if p := anon.do(t, "GET", "/search?q=決済基盤", nil); strings.Contains(p.body, "/listings/"+id+"\"") {
		t.Error("search still shows the hidden listing")
	}
	p = c.do(t, "GET", "/ops/listings/"+id+"?done=hide", nil)
	if len(find(p.doc, "form", "action=/ops/listings/"+id+"/restore")) == 0 || !strings.Contains(text(p.doc), "非公開") {
		t.Errorf("listing page after hiding: no restore form\n%s", excerptOf(p))
	}
	// The audit log page lists the hide, by whom and from where.
	p = c.do(t, "GET", "/ops/audit?action=hide-listing", nil)
	checkOpsPage(t, "audit page", p)
	rows := find(p.doc, "tbody")
	if p.status != 200 || len(rows) == 0 || !strings.Contains(text(rows[0]), "山田") || !strings.Contains(text(rows[0]), "listing "+id) ||
		!strings.Contains(text(rows[0]), "127.0.0.1") {
		t.Errorf("audit page: %d\n%s", p.status, excerptOf(p))
	}
	wantRedirect(t, "restore", c.do(t, "POST", "/ops/listings/"+id+"/restore", url.Values{}), "/ops/listings/"+id)
	fx.follower.CatchUp(ctx)
	if p := anon.do(t, "GET", "/listings/"+id, nil); p.status != 200 {
		t.Errorf("public page after restoring: %d", p.status)
	}
	// Agencies: create one, issue a key, shown once.
	p = c.do(t, "POST", "/ops/agencies", url.Values{"slug": {"sakura"}, "name": {"さくらテック"}})
	checkOpsPage(t, "agencies page", p)
	if p.status != 200 || !strings.Contains(text(p.doc), "さくらテック") {
		t.Fatalf("create agency: %d\n%s", p.status, excerptOf(p))
	}
	if p := c.do(t, "POST", "/ops/agencies", url.Values{"slug": {"Bad Slug"}}); p.status != 422 {
		t.Errorf("create with a bad slug: %d; want 422", p.status)
	}
	if p := c.do(t, "POST", "/ops/agencies", url.Values{"slug": {"sakura"}}); p.status != 409 {
		t.Errorf("create with a slug taken: %d; want 409", p.status) // and no audit row, below
	}
	p = c.do(t, "POST", "/ops/agencies/sakura/key", url.Values{})
	codes := find(p.doc, "code")
	var key string
	for _, n := range codes {
		if s := text(n); strings.HasPrefix(s, "ak_") {
			key = s
		}
	}
	if key == "" {
		t.Fatalf("issued key not shown\n%s", excerptOf(p))
	}
	if a, err := fx.st.AgencyByKey(ctx, key); err != nil || a.Slug != "sakura" {
		t.Errorf("the shown key: %v, %v", a, err)
	}
	if p := c.do(t, "GET", "/ops/agencies", nil); strings.Contains(p.body, key) {
		t.Error("the key is shown again")
	}
	wantRedirect(t, "replay", c.do(t, "POST", "/ops/inbox/replay", url.Values{"all": {"1"}, "agency": {"techlink"}}), "/ops/inbox?agency=techlink&replayed=0")
	for _, path := range []string{"/ops", "/ops/inbox?agency=techlink", "/ops/rejections?agency=techlink", "/ops/rejections"} {
		p := c.do(t, "GET", path, nil)
		checkOpsPage(t, path, p)
		if p.status != 200 {
			t.Errorf("%s: %d", path, p.status)
		}
	}
	// Logging out ends the session.
	old := *c.cookie
	wantRedirect(t, "logout", c.do(t, "POST", "/ops/logout", url.Values{}), "/ops")
	c.cookie = &old
	wantRedirect(t, "after logout", c.do(t, "GET", "/ops/audit", nil), "/ops?next=")
	wantRedirect(t, "logout again", c.do(t, "POST", "/ops/logout", url.Values{}), "/ops") // no session: no row

	// One row per write, in its transaction: who, what, the target and
	// detail the write gives, from where; none for the refused ones.
	es, _ := fx.st.AuditLog(ctx, store.AuditFilter{Actor: "山田"})
	var got []string
	for _, e := range es {
		if e.ActorKind != store.AuditOperator || e.IP != "127.0.0.1" {
			t.Errorf("row %+v: want operator 山田 from 127.0.0.1", e)
		}
		got = append(got, e.Action+" | "+e.Target+" | "+e.Detail)
	}
	want := []string{
		"ops-logout | /ops/logout | ",
		"replay-inbox | parked items of techlink | 0 replayed",
		"issue-agency-key | agency sakura | key " + key[:9],
		"create-agency | agency sakura | さくらテック",
		"restore-listing | listing " + id + " | go-1 of techlink: restored",
		"hide-listing | listing " + id + " | go-1 of techlink: hidden",
		"ops-login | /ops/login | ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit rows of the pages, newest first:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
