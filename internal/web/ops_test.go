package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"anken/internal/listing"
	"anken/internal/server/servertest"
	"anken/internal/store"
)

// opsFixture is the whole server with techlink's listings of raws (none
// closed), techlink's key and an operator's.
type opsFixture struct {
	*servertest.Server
	st       *store.Store
	opKey    string
	agentKey string
	goID     int64 // techlink's go-1
}

func newOpsFixture(t *testing.T) *opsFixture {
	t.Helper()
	s := servertest.Start(t, servertest.Options{})
	a, key := s.Agency(t, "techlink", "テックリンク")
	ids := s.Put(t, a, raws["techlink"]...)
	return &opsFixture{Server: s, st: s.Store, opKey: s.Operator(t, "山田"), agentKey: key, goID: ids["go-1"]}
}

// checkOpsPage checks what every operator page must be: noindex, never
// cached, no inline script or event-handler attribute.
func checkOpsPage(t *testing.T, what string, p servertest.Page) {
	t.Helper()
	if len(p.All(`meta[name="robots"][content="noindex"]`)) == 0 || p.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("%s: want <meta name=robots content=noindex> and Cache-Control no-store (got %q)", what, p.Header.Get("Cache-Control"))
	}
	for _, s := range p.All(`script`) {
		if _, ok := servertest.LookupAttr(s, "src"); !ok {
			t.Errorf("%s: inline <script>", what)
		}
	}
	if len(p.All(`[onclick], [onsubmit]`)) > 0 {
		t.Errorf("%s: an event-handler attribute", what)
	}
}

// TestOpsLoggedOut: every operator page sends a visitor without a session
// to the login page, and a form posted without one changes nothing.
func TestOpsLoggedOut(t *testing.T) {
	fx := newOpsFixture(t)
	c := fx.Browser()
	for _, path := range []string{"/ops/agencies", "/ops/listings/1", "/ops/inbox", "/ops/rejections?agency=techlink", "/ops/audit"} {
		p := c.Do(t, "GET", path, nil)
		if loc := wantRedirect(t, path, p, "/ops?next="); loc != "/ops?next="+url.QueryEscape(path) {
			t.Errorf("%s: to %s; want back to the page after logging in", path, loc)
		}
	}
	p := c.Do(t, "POST", "/ops/listings/"+strconv.FormatInt(fx.goID, 10)+"/hide", url.Values{})
	wantRedirect(t, "hide logged out", p, "/ops?next=")
	if l, _ := fx.st.Listing(context.Background(), fx.goID); l.Status != listing.StatusOpen {
		t.Errorf("a logged-out post hid the listing: %s", l.Status)
	}
	c.SetCookie("anken_ops", "ops_forged")
	wantRedirect(t, "a forged cookie", c.Do(t, "GET", "/ops/audit", nil), "/ops?next=")
	p = c.Do(t, "GET", "/ops?next=%2Fops%2Faudit", nil)
	checkOpsPage(t, "/ops", p)
	if p.Status != 200 || len(p.All(`form[action="/ops/login"]`)) == 0 || !strings.Contains(p.Text(`[role=alert]`), "ログインしてください") {
		t.Fatalf("/ops: %d, want the login form asking to log in", p.Status)
	}
}

// TestOpsFlow logs in with the operator key, hides a listing from its
// page (it leaves search, its public page answers 404), finds the hide in
// the audit log page, restores it, and manages an agency's keys.
func TestOpsFlow(t *testing.T) {
	fx := newOpsFixture(t)
	ctx := context.Background()
	c := fx.Browser()
	for _, key := range []string{"op_wrong", fx.agentKey} {
		if p := c.Do(t, "POST", "/ops/login", url.Values{"key": {key}, "next": {"/ops"}}); p.Status != 401 || c.Cookie("anken_ops") != nil {
			t.Errorf("login with %.6s…: %d; want 401 and no session", key, p.Status)
		}
	}
	p := c.Do(t, "POST", "/ops/login", url.Values{"key": {fx.opKey}, "next": {"/ops/audit"}})
	wantRedirect(t, "login", p, "/ops/audit")
	if ck := c.Cookie("anken_ops"); ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/ops" || !ck.Secure {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Strict, Secure, Path=/ops", ck)
	}
	// A post from another site is refused.
	id := strconv.FormatInt(fx.goID, 10)
	if p := c.Do(t, "POST", "/ops/listings/"+id+"/hide", url.Values{}, "Sec-Fetch-Site", "cross-site"); p.Status != 403 {
		t.Errorf("cross-site hide: %d; want 403", p.Status)
	}
	// Hide from the listing's page.
	p = c.Do(t, "GET", "/ops/listings/"+id, nil)
	checkOpsPage(t, "listing page", p)
	if p.Status != 200 || len(p.All(`form[action="/ops/listings/`+id+"/hide"+`"]`)) == 0 {
		t.Fatalf("listing page: %d without the hide form\n%s", p.Status, p.Main())
	}
	wantRedirect(t, "hide", c.Do(t, "POST", "/ops/listings/"+id+"/hide", url.Values{}), "/ops/listings/"+id)
	// No catching up here: hiding woke the index.
	anon := fx.Browser()
	if p := anon.Do(t, "GET", "/listings/"+id, nil); p.Status != 404 {
		t.Errorf("public page of the hidden listing: %d; want 404", p.Status)
	}
	if p := anon.Do(t, "GET", "/search?q=決済基盤", nil); len(p.All(`a[href="/listings/`+id+`"]`)) > 0 {
		t.Error("search still shows the hidden listing")
	}
	p = c.Do(t, "GET", "/ops/listings/"+id+"?done=hide", nil)
	if len(p.All(`form[action="/ops/listings/`+id+"/restore"+`"]`)) == 0 || !strings.Contains(p.Text(`[role=status]`), "非公開") {
		t.Errorf("listing page after hiding: no restore form\n%s", p.Main())
	}
	// The audit log page lists the hide, by whom and from where.
	p = c.Do(t, "GET", "/ops/audit?action=hide-listing", nil)
	checkOpsPage(t, "audit page", p)
	rows := p.All(`tbody`)
	if p.Status != 200 || len(rows) == 0 || !strings.Contains(servertest.Text(rows[0]), "山田") || !strings.Contains(servertest.Text(rows[0]), "listing "+id) ||
		!strings.Contains(servertest.Text(rows[0]), "127.0.0.1") {
		t.Errorf("audit page: %d\n%s", p.Status, p.Main())
	}
	wantRedirect(t, "restore", c.Do(t, "POST", "/ops/listings/"+id+"/restore", url.Values{}), "/ops/listings/"+id)
	fx.CatchUp(t)
	if p := anon.Do(t, "GET", "/listings/"+id, nil); p.Status != 200 {
		t.Errorf("public page after restoring: %d", p.Status)
	}
	// Agencies: create one, issue a key, shown once.
	p = c.Do(t, "POST", "/ops/agencies", url.Values{"slug": {"sakura"}, "name": {"さくらテック"}})
	checkOpsPage(t, "agencies page", p)
	if p.Status != 200 || !strings.Contains(p.Text(`[role=status]`), "さくらテック") {
		t.Fatalf("create agency: %d\n%s", p.Status, p.Main())
	}
	if p := c.Do(t, "POST", "/ops/agencies", url.Values{"slug": {"Bad Slug"}}); p.Status != 422 {
		t.Errorf("create with a bad slug: %d; want 422", p.Status)
	}
	if p := c.Do(t, "POST", "/ops/agencies", url.Values{"slug": {"sakura"}}); p.Status != 409 {
		t.Errorf("create with a slug taken: %d; want 409", p.Status) // and no audit row, below
	}
	p = c.Do(t, "POST", "/ops/agencies/sakura/key", url.Values{})
	codes := p.All(`code`)
	var key string
	for _, n := range codes {
		if s := servertest.Text(n); strings.HasPrefix(s, "ak_") {
			key = s
		}
	}
	if key == "" {
		t.Fatalf("issued key not shown\n%s", p.Main())
	}
	if a, err := fx.st.AgencyByKey(ctx, key); err != nil || a.Slug != "sakura" {
		t.Errorf("the shown key: %v, %v", a, err)
	}
	if p := c.Do(t, "GET", "/ops/agencies", nil); strings.Contains(p.Body, key) {
		t.Error("the key is shown again")
	}
	wantRedirect(t, "replay", c.Do(t, "POST", "/ops/inbox/replay", url.Values{"all": {"1"}, "agency": {"techlink"}}), "/ops/inbox?agency=techlink&replayed=0")
	for _, path := range []string{"/ops", "/ops/inbox?agency=techlink", "/ops/rejections?agency=techlink", "/ops/rejections"} {
		p := c.Do(t, "GET", path, nil)
		checkOpsPage(t, path, p)
		if p.Status != 200 {
			t.Errorf("%s: %d", path, p.Status)
		}
	}
	// Logging out ends the session.
	old := c.Cookie("anken_ops").Value
	wantRedirect(t, "logout", c.Do(t, "POST", "/ops/logout", url.Values{}), "/ops")
	c.SetCookie("anken_ops", old)
	wantRedirect(t, "after logout", c.Do(t, "GET", "/ops/audit", nil), "/ops?next=")
	wantRedirect(t, "logout again", c.Do(t, "POST", "/ops/logout", url.Values{}), "/ops") // no session: no row

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
