package browsertest

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"anken/internal/server/servertest"
)

var screenshots = flag.Bool("screenshots", false, "write PNG screenshots of the pages at phone and desktop widths to docs/screenshots")

// consoleEnd is what a tab writes to its console as the test ends, so
// that the test knows it has read every message before.
const consoleEnd = "anken browsertest: end of the test"

// viewport is a window size the pages are looked at in.
type viewport struct {
	name          string
	width, height int64
	mobile        bool // mobile emulation: touch, the page's viewport meta
}

var (
	phone    = viewport{"phone", 360, 800, true}
	phone390 = viewport{"phone390", 390, 844, true} // a larger phone: the ways in and the agencies' pages
	desktop  = viewport{"desktop", 1280, 900, false}
)

// The timeouts are generous: the tests share two cores with the rest of
// the suite, under the race detector in CI.
const (
	readyTimeout   = 3 * time.Minute  // seeding 3,000 listings and loading the index
	browserTimeout = 2 * time.Minute  // Chromium's start
	tabTimeout     = 3 * time.Minute  // everything one subtest does in its tab
	waitTimeout    = 30 * time.Second // one state of a page to appear
)

// TestBrowser drives the pages of a real `anken serve --demo` in headless
// Chromium: the search flow with and without JavaScript, then every kind
// of page at phone and desktop widths through axe-core (and into
// docs/screenshots with -screenshots).
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the browser tests start anken and Chromium")
	}
	chrome := chromePath(t)
	base, bin, dataDir := startAnken(t)
	browser := startBrowser(t, chrome)

	t.Run("search", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			script bool
			vp     viewport
		}{
			{"js", true, phone},
			{"nojs", false, desktop},
		} {
			t.Run(tc.name, func(t *testing.T) {
				searchFlow(t, openTab(t, browser, base, tc.vp, tc.script), tc.script)
			})
		}
	})
	t.Run("pages", func(t *testing.T) { pages(t, browser, base) })
	t.Run("ways in", func(t *testing.T) { waysIn(t, browser, base) })
	t.Run("account", func(t *testing.T) { accountPages(t, browser, base) })
	t.Run("ops", func(t *testing.T) { opsPages(t, browser, base, operatorKey(t, bin, dataDir)) })
}

// operatorKey makes an operator with the anken command, on the data
// directory of the running server, and returns its key.
func operatorKey(t *testing.T, bin, dataDir string) string {
	t.Helper()
	cmd := exec.Command(bin, "operator", "create", "browser-test")
	cmd.Env = append(os.Environ(), "ANKEN_DATA_DIR="+dataDir, "ANKEN_DATABASE_URL=")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("anken operator create: %v", err)
	}
	key := regexp.MustCompile(`op_[A-Za-z0-9_-]+`).FindString(string(out))
	if key == "" {
		t.Fatalf("no operator key in %q", out)
	}
	return key
}

// opsPages logs an operator in through the /ops form, then runs the
// operator pages through axe-core at both widths.
func opsPages(t *testing.T, browser context.Context, base, key string) {
	root := moduleRoot(t)
	axe := axeSource(t, root)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: waitTimeout}
	resp, err := c.PostForm(base+"/ops/login", url.Values{"key": {key}, "next": {"/ops/agencies"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var cookie *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "anken_ops" && ck.Value != "" {
			cookie = ck
		}
	}
	if resp.StatusCode != http.StatusSeeOther || cookie == nil {
		t.Fatalf("POST /ops/login: %d, cookie %v", resp.StatusCode, cookie)
	}
	for _, pg := range []struct{ name, path string }{
		{"ops", "/ops"},
		{"ops-agencies", "/ops/agencies"},
		{"ops-listing", "/ops/listings/1"},
		{"ops-inbox", "/ops/inbox"},
		{"ops-rejections", "/ops/rejections"},
		{"ops-audit", "/ops/audit"},
		// The agency console, as an operator opens it (the same pages as
		// /agency/…, under the operator's cookie).
		{"console", "/ops/agencies/techlink/console"},
		{"console-listings", "/ops/agencies/techlink/console/listings"},
		{"console-stats", "/ops/agencies/techlink/console/stats"},
		{"console-feeds", "/ops/agencies/techlink/console/feeds"},
		{"console-rejections", "/ops/agencies/techlink/console/rejections"},
		{"console-profile", "/ops/agencies/techlink/console/profile"},
		{"console-keys", "/ops/agencies/techlink/console/keys"},
	} {
		vps := []viewport{phone, desktop}
		if strings.HasPrefix(pg.name, "console") {
			vps = []viewport{phone390, desktop}
		}
		for _, vp := range vps {
			t.Run(pg.name+"/"+vp.name, func(t *testing.T) {
				b := openTab(t, browser, base, vp, true)
				if _, err := chromedp.Call(b.ctx, network.SetCookie, network.SetCookieParams{Name: cookie.Name, Value: cookie.Value, URL: base + "/ops", Path: "/ops"}); err != nil {
					t.Fatalf("set the operator cookie: %v", err)
				}
				b.open(pg.path, http.StatusOK)
				b.waitFor("main h1 to show", `!!document.querySelector("main h1") && document.fonts.status === "loaded"`)
				b.axe(axe)
			})
		}
	}
}

// searchFlow is an engineer's visit: the top page, a keyword search, a
// filter, a sort, the next page, a listing and back to the results.
// With JavaScript the filter applies in place; without it the form is
// submitted.
func searchFlow(t *testing.T, b *tab, script bool) {
	// The top page: the number of listings and the search box.
	b.open("/", http.StatusOK)
	top := eval[struct {
		Count string `json:"count"`
		Box   bool   `json:"box"`
	}](b, "read the top page", `({
		count: document.querySelector(".hero .count strong")?.textContent.trim() ?? "",
		box: (q => !!q && q.getClientRects().length > 0)(document.querySelector("#q")),
	})`)
	if n := number(top.Count); !countRE.MatchString(top.Count) || n < 1 || n > 3000 {
		t.Errorf("top page: listing count %q, want a number like 2,762 between 1 and 3,000", top.Count)
	}
	if !top.Box {
		t.Fatal("top page: no visible search box #q")
	}

	// A keyword search.
	b.do("type Go into the search box", chromedp.SendKeys(chromedp.CSS("#q"), "Go"))
	b.follow("submit the search box", `form.big button[type=submit]`)
	kw := b.search()
	kw.want(t, "keyword search", map[string]string{"q": "Go"})
	if !strings.Contains(kw.Heading, "「Go」") {
		t.Errorf("keyword search: heading %q does not name the keyword 「Go」", kw.Heading)
	}
	if kw.total(t) == 0 || len(kw.Cards) == 0 {
		t.Fatalf("keyword search: %q shows %d cards; want results for Go in the demo data", kw.Heading, len(kw.Cards))
	}

	// The facet フルリモート: in place with JavaScript, by the form's
	// button without it.
	const remoteFull = `input[name="remote"][value="full"]`
	label := eval[string](b, "read the フルリモート label", `document.querySelector('label[for="' + document.querySelector('#groups `+remoteFull+`').id + '"]').textContent`)
	if !strings.HasPrefix(label, "フルリモート") {
		t.Fatalf("filters: the remote=full checkbox is labelled %q, want フルリモート with its count", label)
	}
	if !eval[bool](b, "is 働き方 open", `document.querySelector('#groups details:has(`+remoteFull+`)').open`) {
		b.do("open the 働き方 group", chromedp.Click(chromedp.CSS(`#groups details:has(`+remoteFull+`) > summary`)))
	}
	if script {
		b.do("mark the page", chromedp.Evaluate[chromedp.Void](`window.ankenNoReload = true`))
		b.do("check フルリモート", chromedp.Click(chromedp.CSS("#groups "+remoteFull)))
		b.waitFor("the results for フルリモート in place", `new URLSearchParams(location.search).getAll("remote").includes("full") &&
			document.querySelector("#results").getAttribute("aria-busy") !== "true"`)
	} else {
		b.do("check フルリモート", chromedp.Click(chromedp.CSS("#groups "+remoteFull)))
		// Nothing in the page listens for the change (app.js, which
		// would fetch the results 150ms after it, never ran), so the page
		// cannot change by itself: known at once, not after a wait.
		if n := eval[int](b, "count the page's event listeners", `[window, document, document.getElementById("filters"), document.querySelector('#groups `+remoteFull+`')]
			.reduce((n, el) => n + Object.values(getEventListeners(el)).flat().length, 0)`, chromedp.EvalWithCommandLineAPI); n != 0 {
			t.Fatalf("without JavaScript the page has %d event listeners on the window, the document or the filter form", n)
		}
		if now := b.search(); now.Path != kw.Path || now.Heading != kw.Heading {
			t.Fatalf("without JavaScript the page changed by itself: %s %q, was %s %q", now.Path, now.Heading, kw.Path, kw.Heading)
		}
		b.follow("submit the filter form", `#filters button[type=submit]`)
	}
	rf := b.search()
	rf.want(t, "filter フルリモート", map[string]string{"q": "Go", "remote": "full"})
	if script && !rf.Marker {
		t.Errorf("filter フルリモート: the page was reloaded; with JavaScript the results should update in place")
	}
	if !strings.Contains(rf.Heading, "フルリモート") || rf.total(t) >= kw.total(t) || rf.total(t) == 0 {
		t.Errorf("filter フルリモート: heading %q after %q; want フルリモート in it and fewer, but some, results", rf.Heading, kw.Heading)
	}
	if !slices.Contains(rf.Checked, "remote=full") {
		t.Errorf("filter フルリモート: checked filters %v, want remote=full among them", rf.Checked)
	}
	rf.allRemote(t, "filter フルリモート")

	// Sort by 新着順: the same results, newest first.
	b.follow("sort by 新着順", `nav.sorts a[href*="sort=newest"]`)
	nw := b.search()
	nw.want(t, "sort 新着順", map[string]string{"q": "Go", "remote": "full", "sort": "newest"})
	if nw.Sort != "新着順" {
		t.Errorf("sort 新着順: the current sort reads %q", nw.Sort)
	}
	if nw.total(t) != rf.total(t) {
		t.Errorf("sort 新着順: %q, before sorting %q; a sort must not change the results", nw.Heading, rf.Heading)
	}
	nw.allRemote(t, "sort 新着順")
	nw.newestFirst(t, "sort 新着順", "")

	// The next page.
	if nw.Next == "" {
		t.Fatalf("sort 新着順: no a[rel=next] with %q", nw.Heading)
	}
	b.follow("follow the next page link", `a[rel=next]`)
	p2 := b.search()
	p2.want(t, "page 2", map[string]string{"q": "Go", "remote": "full", "sort": "newest"})
	if p2.query().Get("cursor") == "" {
		t.Errorf("page 2: %s has no cursor", p2.Path)
	}
	if len(p2.Cards) == 0 {
		t.Fatal("page 2: no cards")
	}
	for _, c := range p2.Cards {
		if slices.ContainsFunc(nw.Cards, func(d card) bool { return d.Href == c.Href }) {
			t.Errorf("page 2: %s %q was on page 1 already", c.Href, c.Title)
		}
	}
	p2.allRemote(t, "page 2")
	p2.newestFirst(t, "page 2", nw.Cards[len(nw.Cards)-1].Posted)

	// A listing, with its JSON-LD.
	first := p2.Cards[0]
	b.follow("open the first listing", `#results .card h3 a`)
	l := eval[struct {
		Path   string   `json:"path"`
		Title  string   `json:"title"`
		JSONLD []string `json:"jsonld"`
	}](b, "read the listing", `({
		path: location.pathname,
		title: document.querySelector("article.listing h1")?.textContent.trim() ?? "",
		jsonld: [...document.querySelectorAll('script[type="application/ld+json"]')].map(s => s.textContent),
	})`)
	if l.Path != first.Href || l.Title != first.Title {
		t.Errorf("listing: at %s titled %q; the card linked %s titled %q", l.Path, l.Title, first.Href, first.Title)
	}
	if len(l.JSONLD) != 1 {
		t.Fatalf("listing %s: %d JSON-LD scripts, want 1", l.Path, len(l.JSONLD))
	}
	var jp struct {
		Context      string `json:"@context"`
		Type         string `json:"@type"`
		Title        string `json:"title"`
		URL          string `json:"url"`
		DatePosted   string `json:"datePosted"`
		LocationType string `json:"jobLocationType"`
		Hiring       struct {
			Name string `json:"name"`
		} `json:"hiringOrganization"`
	}
	if err := json.Unmarshal([]byte(l.JSONLD[0]), &jp); err != nil {
		t.Fatalf("listing %s: JSON-LD does not parse: %v\n%s", l.Path, err, l.JSONLD[0])
	}
	if jp.Type != "JobPosting" || !strings.Contains(jp.Context, "schema.org") {
		t.Errorf("listing %s: JSON-LD is a %q of %q, want a schema.org JobPosting", l.Path, jp.Type, jp.Context)
	}
	if jp.Title != l.Title || !strings.HasSuffix(jp.URL, l.Path) || jp.DatePosted == "" || jp.Hiring.Name == "" {
		t.Errorf("listing %s: JSON-LD title %q, url %q, datePosted %q, hiringOrganization %q; want the page's title and address, a date and an agency",
			l.Path, jp.Title, jp.URL, jp.DatePosted, jp.Hiring.Name)
	}
	if jp.LocationType != "TELECOMMUTE" {
		t.Errorf("listing %s: a フルリモート listing has jobLocationType %q, want TELECOMMUTE", l.Path, jp.LocationType)
	}

	// Back to the results.
	b.back()
	b.waitFor("page 2 again after history back", `location.pathname + location.search === `+strconv.Quote(p2.Path)+` &&
		document.readyState === "complete" && !!document.querySelector("#results-h")`)
	again := b.search()
	if again.Heading != p2.Heading || !slices.Equal(hrefs(again.Cards), hrefs(p2.Cards)) {
		t.Errorf("back: %q with %v; page 2 was %q with %v", again.Heading, hrefs(again.Cards), p2.Heading, hrefs(p2.Cards))
	}
}

// pages checks each kind of page at phone and desktop widths with axe-core
// and, with -screenshots, saves what the browser shows.
func pages(t *testing.T, browser context.Context, base string) {
	root := moduleRoot(t)
	axe := axeSource(t, root)

	// A listing worth looking at: one that several agencies carry, if any.
	finder := openTab(t, browser, base, desktop, true)
	finder.open("/search?remote=full", http.StatusOK)
	listing := eval[string](finder, "find a listing", `(document.querySelector("#results .card:has(.offers) h3 a") ??
		document.querySelector("#results .card h3 a")).getAttribute("href")`)

	for _, pg := range []struct {
		name   string
		path   string
		status int
		ready  string // a selector that is there once the page is
	}{
		{"top", "/", http.StatusOK, ".hero .count"},
		{"search", "/search?skill=go&remote=full&days_max=3", http.StatusOK, "#results .card"},
		{"listing", listing, http.StatusOK, "article.listing h1"},
		{"role", "/roles/backend", http.StatusOK, ".keyfigs .count"},
		{"skill", "/skills/go", http.StatusOK, ".keyfigs .count"},
		{"market", "/market?role=backend", http.StatusOK, "#hist svg"},
		{"guides", "/guides", http.StatusOK, ".guide-cards"},
		{"guide", "/guides/backend?hourly=4000&hours_per_day=2&days=22", http.StatusOK, "article.guide h1"},
		{"notfound", "/listings/999999999", http.StatusNotFound, "section.error h1"},
		{"signup", "/signup", http.StatusOK, "form.account-form"},
		{"login", "/login", http.StatusOK, "form.account-form"},
	} {
		for _, vp := range []viewport{phone, desktop} {
			t.Run(pg.name+"/"+vp.name, func(t *testing.T) {
				b := openTab(t, browser, base, vp, true)
				if pg.status != http.StatusOK {
					b.mu.Lock()
					b.expectFailed = b.base + pg.path
					b.mu.Unlock()
				}
				b.open(pg.path, pg.status)
				b.ready(pg.ready)
				if pg.status == http.StatusOK {
					b.shot(root, pg.name+"-"+vp.name)
				}
				b.axe(axe)
			})
		}
	}
}

// waysIn checks the agencies' pages and the ways in (an area, a feature)
// at 390 px and 1280 px with axe-core (the search page's own axe check is
// pages'), and that a phone's 「絞り込み」 button on the search page, in
// sight above the cards, leads to the filter panel without JavaScript.
func waysIn(t *testing.T, browser context.Context, base string) {
	root := moduleRoot(t)
	axe := axeSource(t, root)
	for _, pg := range []struct{ name, path, ready string }{
		{"agencies", "/agencies", ".agency-card .agency-figs"},
		{"agency", "/agencies/techlink", ".keyfigs .agency-figs"},
		{"area", "/areas/tokyo", ".keyfigs .count"},
		{"feature", "/features/full-remote", ".keyfigs .count"},
		{"feature-hourly", "/features/side-job", "table.rates"},
	} {
		for _, vp := range []viewport{phone390, desktop} {
			t.Run(pg.name+"/"+vp.name, func(t *testing.T) {
				b := openTab(t, browser, base, vp, true)
				b.open(pg.path, http.StatusOK)
				b.ready(pg.ready)
				b.shot(root, pg.name+"-"+vp.name)
				if w := eval[int](b, "measure the page's width", `document.documentElement.scrollWidth`); w > int(vp.width) {
					t.Errorf("the page is %d px wide in a %d px window: it scrolls sideways", w, vp.width)
				}
				b.axe(axe)
			})
		}
	}
	t.Run("filter button/"+phone390.name, func(t *testing.T) {
		b := openTab(t, browser, base, phone390, false)
		b.open("/search?remote=full", http.StatusOK)
		at := eval[struct {
			Visible bool `json:"visible"`
			Before  bool `json:"before"`
		}](b, "find the 絞り込み button", `(() => {
			const a = document.querySelector('#results a[href="#filters"]');
			const card = document.querySelector("#results .card");
			const r = a && a.getBoundingClientRect();
			return {visible: !!r && r.height > 0 && r.top < innerHeight,
				before: !!a && !!card && !!(a.compareDocumentPosition(card) & Node.DOCUMENT_POSITION_FOLLOWING)};
		})()`)
		if !at.Visible || !at.Before {
			t.Fatalf("the 絞り込み button: visible in the first screen %v, before the cards %v", at.Visible, at.Before)
		}
		b.do("follow the 絞り込み button", chromedp.Click(chromedp.CSS(`#results a[href="#filters"]`)))
		// Evaluating here is the test's, not the page's: the tab runs no
		// script of the page's.
		b.waitFor("the filter panel in view", `location.hash === "#filters" && (() => {
			const r = document.getElementById("filters").getBoundingClientRect();
			return r.top < innerHeight && r.bottom > 0;
		})()`)
	})
}

// accountPages checks the pages of a logged-in engineer: the search
// page's button saves its search without JavaScript, then マイページ's
// pages at both widths through axe-core.
func accountPages(t *testing.T, browser context.Context, base string) {
	root := moduleRoot(t)
	axe := axeSource(t, root)
	cookie := logIn(t, base, "browser@example.jp")
	b := openTab(t, browser, base, desktop, false)
	if _, err := chromedp.Call(b.ctx, network.SetCookie, network.SetCookieParams{Name: cookie.Name, Value: cookie.Value, URL: base, Path: "/"}); err != nil {
		t.Fatalf("set the session cookie: %v", err)
	}
	b.open("/search?skill=go&remote=full", http.StatusOK)
	b.follow("save the search", `form.save-search button[type=submit]`)
	saved := eval[struct {
		Path  string   `json:"path"`
		Items []string `json:"items"`
	}](b, "read the saved searches", `({path: location.pathname, items: [...document.querySelectorAll(".saved-item h2")].map(h => h.textContent.trim())})`)
	if saved.Path != "/me/searches" || len(saved.Items) != 1 || !strings.Contains(saved.Items[0], "Go") {
		t.Errorf("after saving the search: at %s with %q; want /me/searches listing the search", saved.Path, saved.Items)
	}
	for _, pg := range []struct{ name, path, ready string }{
		{"me", "/me", ".me-menu"},
		{"me-profile", "/me/profile", "form.profile"},
		{"me-searches", "/me/searches", ".saved-item"},
		{"me-recommendations", "/me/recommendations", "section.me h1"},
		{"me-settings", "/me/settings", "form.account-form"},
	} {
		for _, vp := range []viewport{phone, desktop} {
			t.Run(pg.name+"/"+vp.name, func(t *testing.T) {
				b := openTab(t, browser, base, vp, true)
				b.open(pg.path, http.StatusOK)
				b.ready(pg.ready)
				b.shot(root, pg.name+"-"+vp.name)
				b.axe(axe)
			})
		}
	}
}

// logIn signs up addr on the demo server, verifies it with the link of
// the mail /dev/mail shows, and logs in: it returns the session cookie.
func logIn(t *testing.T, base, addr string) *http.Cookie {
	t.Helper()
	const password = "kumo-no-ue-9173"
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: waitTimeout}
	post := func(path string, form url.Values) *http.Response {
		t.Helper()
		resp, err := c.PostForm(base+path, form)
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusOK {
			t.Fatalf("POST %s: %d", path, resp.StatusCode)
		}
		return resp
	}
	get := func(path string) string {
		t.Helper()
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		var buf bytes.Buffer
		buf.ReadFrom(resp.Body)
		return buf.String()
	}
	post("/signup", url.Values{"email": {addr}, "password": {password}})
	m := regexp.MustCompile(regexp.QuoteMeta(addr) + `</td><td><a href="(/dev/mail/[0-9]+)"`).FindStringSubmatch(get("/dev/mail"))
	if m == nil {
		t.Fatalf("no mail to %s at /dev/mail", addr)
	}
	tok := regexp.MustCompile(`/verify\?token=([A-Za-z0-9_-]+)`).FindStringSubmatch(get(m[1]))
	if tok == nil {
		t.Fatalf("no verification link in %s", m[1])
	}
	post("/verify", url.Values{"token": {tok[1]}})
	for _, ck := range post("/login", url.Values{"email": {addr}, "password": {password}}).Cookies() {
		if ck.Name == "anken_session" && ck.Value != "" {
			return ck
		}
	}
	t.Fatal("no session cookie from POST /login")
	return nil
}

// tab is one browser tab of a test, with the problems its pages reported
// on the console: uncaught exceptions, errors, Content-Security-Policy
// violations. The problems fail the test when it ends.
type tab struct {
	t            *testing.T
	ctx          context.Context
	base         string
	expectFailed string // a URL whose failed load is no problem: a 404 the test asks for

	mu       sync.Mutex
	problems []string
}

// openTab opens a tab in the browser with the viewport and, unless
// script, with JavaScript disabled.
func openTab(t *testing.T, browser context.Context, base string, vp viewport, script bool) *tab {
	t.Helper()
	tabCtx, cancelTab := chromedp.NewContext(browser)
	t.Cleanup(cancelTab)
	ctx, cancel := context.WithTimeout(tabCtx, tabTimeout)
	b := &tab{t: t, ctx: ctx, base: base}
	opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
	if vp.mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	b.do("open a tab at "+vp.name+" size", chromedp.EmulateViewport(vp.width, vp.height, opts...))
	if !script {
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatalf("disable JavaScript: %v", err)
		}
	}
	messages := chromedp.Console(ctx)
	done := make(chan struct{})
	flushed := make(chan struct{}) // the end marker came: every message before it too
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleDebug && m.Text == consoleEnd {
				close(flushed)
				continue
			}
			if m.IsException() || m.Type == chromedp.ConsoleError {
				b.mu.Lock()
				if !strings.HasSuffix(m.URL, "/favicon.ico") && (m.URL != b.expectFailed || m.Source != "network") {
					b.problems = append(b.problems, fmt.Sprintf("%s (at %s:%d)", m, m.URL, m.Line+1))
				}
				b.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		// The last messages on their way: the console keeps their order,
		// so a marker written now comes after every one of them.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`console.debug(`+strconv.Quote(consoleEnd)+`)`)); err == nil {
			select {
			case <-flushed:
			case <-time.After(waitTimeout):
				t.Errorf("browser console: the end marker did not come within %v", waitTimeout)
			}
		}
		cancel()
		<-done
		for _, p := range b.problems {
			t.Errorf("browser console: %s", p)
		}
	})
	return b
}

func (b *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates the JavaScript expression in the page and decodes its
// value into T.
func eval[T any](b *tab, what, expr string, opts ...chromedp.EvaluateOption) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// open loads the page at path and checks its status.
func (b *tab) open(path string, status int) {
	b.t.Helper()
	resp, err := chromedp.Run(b.ctx, chromedp.NavigateResponse(b.base+path))
	if err != nil {
		b.t.Fatalf("open %s: %v", path, err)
	}
	if resp.Status != int64(status) {
		b.t.Fatalf("open %s: status %d, want %d", path, resp.Status, status)
	}
}

// follow clicks the first element matching sel and waits for the page it
// leads to, which must answer 200.
func (b *tab) follow(what, sel string) {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("%s (click %s): %v", what, sel, err)
	}
	if resp.Status != http.StatusOK {
		b.t.Fatalf("%s (click %s): %s answered %d", what, sel, resp.URL, resp.Status)
	}
}

// waitFor evaluates the JavaScript condition until it is true. It polls
// from here rather than in the page, so it works across navigations and
// with JavaScript disabled.
func (b *tab) waitFor(what, cond string) {
	b.t.Helper()
	var err error
	if !servertest.Poll(waitTimeout, 100*time.Millisecond, func() bool {
		var ok bool
		ok, err = chromedp.Run(b.ctx, chromedp.Evaluate[bool](`!!(`+cond+`)`))
		return (err == nil && ok) || b.ctx.Err() != nil
	}) || b.ctx.Err() != nil {
		loc, _ := chromedp.Run(b.ctx, chromedp.Location())
		b.t.Fatalf("waiting for %s: not after %v at %s (last error: %v)", what, waitTimeout, loc, err)
	}
}

// back goes one step back in the tab's history, as the browser's back
// button does. It does not wait: a page may come back from the
// back-forward cache without a load event.
func (b *tab) back() {
	b.t.Helper()
	h, err := chromedp.Call(b.ctx, page.GetNavigationHistory, cdp.Empty{})
	if err != nil || h.CurrentIndex < 1 {
		b.t.Fatalf("history back: at entry %d: %v", h.CurrentIndex, err)
	}
	if _, err := chromedp.Call(b.ctx, page.NavigateToHistoryEntry, page.NavigateToHistoryEntryParams{EntryID: h.Entries[h.CurrentIndex-1].ID}); err != nil {
		b.t.Fatalf("history back: %v", err)
	}
}

// screenshot saves a PNG of the viewport, scrolled to the top.
func (b *tab) screenshot(path string) {
	b.t.Helper()
	b.do("scroll to the top", chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0); document.activeElement?.blur()`))
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatalf("screenshot: %v", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("wrote %s (%d KiB)", path, len(png)/1024)
}

// axeViolation is a rule axe-core found broken, with the elements that
// break it.
type axeViolation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"` // minor, moderate, serious, critical
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []struct {
		Target  string `json:"target"`
		HTML    string `json:"html"`
		Summary string `json:"summary"`
	} `json:"nodes"`
}

// axeRun checks the page against WCAG 2 A and AA. DevTools evaluates it
// outside the page's Content-Security-Policy.
const axeRun = `axe.run(document, {
	runOnly: {type: "tag", values: ["wcag2a", "wcag2aa"]},
	resultTypes: ["violations"],
}).then(r => ({
	passes: r.passes.length,
	incomplete: r.incomplete.map(v => v.id + " on " + v.nodes.slice(0, 3).map(n => n.target.map(String).join(" ") +
		" (" + (n.any[0]?.message ?? "") + ")").join(", ") + (v.nodes.length > 3 ? " and " + (v.nodes.length - 3) + " more" : "")),
	violations: r.violations.map(v => ({
		id: v.id, impact: v.impact ?? "", help: v.help, helpUrl: v.helpUrl,
		nodes: v.nodes.map(n => ({target: n.target.map(String).join(" "), html: n.html, summary: n.failureSummary ?? ""})),
	})),
}))`

// ready waits until an element matching sel shows and the fonts are
// loaded: the page is as a person sees it.
func (b *tab) ready(sel string) {
	b.t.Helper()
	b.waitFor(sel+" to show", `!!document.querySelector(`+strconv.Quote(sel)+`) && document.fonts.status === "loaded"`)
}

// shot writes the page's screenshot to docs/screenshots/name.png under
// root when -screenshots asks for them.
func (b *tab) shot(root, name string) {
	b.t.Helper()
	if *screenshots {
		b.screenshot(filepath.Join(root, "docs", "screenshots", name+".png"))
	}
}

// axe runs axe-core (src) on the page; a serious or critical violation
// fails the test, a lesser one is logged. Without axe-core (src empty)
// the test is skipped.
func (b *tab) axe(src string) {
	b.t.Helper()
	if src == "" {
		b.t.Skip("axe-core is not installed: npm ci --prefix tools/axe")
	}
	b.do("load axe-core into the page", chromedp.Evaluate[chromedp.Void](src))
	res := eval[struct {
		Passes     int            `json:"passes"`
		Incomplete []string       `json:"incomplete"` // rules axe could not decide: for a person to look at
		Violations []axeViolation `json:"violations"`
	}](b, "run axe-core", axeRun, chromedp.EvalAwaitPromise)
	b.t.Logf("axe: %d rules pass, %d violated", res.Passes, len(res.Violations))
	for _, u := range res.Incomplete {
		b.t.Logf("axe could not decide (look yourself): %s", u)
	}
	for _, v := range res.Violations {
		var msg strings.Builder
		fmt.Fprintf(&msg, "axe %s (%s): %s (%s)", v.ID, v.Impact, v.Help, v.HelpURL)
		for i, n := range v.Nodes {
			if i == 8 {
				fmt.Fprintf(&msg, "\n\t… and %d more", len(v.Nodes)-i)
				break
			}
			fmt.Fprintf(&msg, "\n\t%s\n\t\t%s\n\t\t%s", n.Target, n.HTML, strings.ReplaceAll(n.Summary, "\n", "\n\t\t"))
		}
		if v.Impact == "serious" || v.Impact == "critical" {
			b.t.Error(msg.String())
		} else {
			b.t.Log("not failing: " + msg.String())
		}
	}
}

// card is a result card as the page shows it.
type card struct {
	Href   string   `json:"href"`
	Title  string   `json:"title"`
	Facts  []string `json:"facts"`
	Posted string   `json:"posted"` // RFC 3339
}

// searchState is what a search page shows.
type searchState struct {
	Path    string   `json:"path"` // path and query
	Heading string   `json:"heading"`
	Sort    string   `json:"sort"` // the current sort's label
	Next    string   `json:"next"`
	Checked []string `json:"checked"` // name=value of the checked filters
	Cards   []card   `json:"cards"`
	Marker  bool     `json:"marker"` // window.ankenNoReload is still set: no page load since
}

const searchStateJS = `(() => {
	const text = el => el ? el.textContent.trim() : "";
	return {
		path: location.pathname + location.search,
		heading: text(document.querySelector("#results-h")),
		sort: text(document.querySelector("nav.sorts [aria-current]")),
		next: document.querySelector("a[rel=next]")?.getAttribute("href") ?? "",
		checked: [...document.querySelectorAll("#groups input:checked")].filter(i => i.value).map(i => i.name + "=" + i.value),
		cards: [...document.querySelectorAll("#results .card")].map(c => ({
			href: c.querySelector("h3 a")?.getAttribute("href") ?? "",
			title: text(c.querySelector("h3")),
			facts: [...c.querySelectorAll(".facts li")].map(text),
			posted: c.querySelector(".meta time")?.getAttribute("datetime") ?? "",
		})),
		marker: window.ankenNoReload === true,
	};
})()`

func (b *tab) search() searchState {
	b.t.Helper()
	s := eval[searchState](b, "read the search page", searchStateJS)
	if !strings.HasPrefix(s.Path, "/search") {
		b.t.Fatalf("expected a search page, at %s", s.Path)
	}
	return s
}

func (s searchState) query() url.Values {
	u, _ := url.Parse(s.Path)
	return u.Query()
}

// want checks that the page's URL carries the parameters.
func (s searchState) want(t *testing.T, step string, params map[string]string) {
	t.Helper()
	q := s.query()
	for k, v := range params {
		if !slices.Contains(q[k], v) {
			t.Errorf("%s: URL %s lacks %s=%s", step, s.Path, k, v)
		}
	}
}

var totalRE = regexp.MustCompile(`（([0-9,]+)件）$`)

// total is the number of results the heading gives.
func (s searchState) total(t *testing.T) int {
	t.Helper()
	m := totalRE.FindStringSubmatch(s.Heading)
	if m == nil {
		t.Fatalf("heading %q does not end in （N件）", s.Heading)
	}
	return number(m[1])
}

func (s searchState) allRemote(t *testing.T, step string) {
	t.Helper()
	for _, c := range s.Cards {
		if !slices.Contains(c.Facts, "フルリモート") {
			t.Errorf("%s: card %s %q shows %v, not フルリモート", step, c.Href, c.Title, c.Facts)
		}
	}
}

// newestFirst checks the cards are in order of posting, newest first, and
// no newer than after (RFC 3339, empty for no bound).
func (s searchState) newestFirst(t *testing.T, step, after string) {
	t.Helper()
	prev := after
	for _, c := range s.Cards {
		if c.Posted == "" {
			t.Errorf("%s: card %s has no posting time", step, c.Href)
			continue
		}
		// Times in one zone and format compare as strings.
		if prev != "" && c.Posted > prev {
			t.Errorf("%s: card %s posted %s after the card before it (%s); want newest first", step, c.Href, c.Posted, prev)
		}
		prev = c.Posted
	}
}

func hrefs(cs []card) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Href)
	}
	return out
}

var countRE = regexp.MustCompile(`^[0-9]{1,3}(,[0-9]{3})*$`)

// number reads a count such as 2,762; -1 when it is none.
func number(s string) int {
	n, err := strconv.Atoi(strings.ReplaceAll(s, ",", ""))
	if err != nil {
		return -1
	}
	return n
}

// missing skips the test for want of a tool, or fails it under CI=true,
// where the browser tests must run.
func missing(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf(format+" (CI=true: the browser tests must run)", args...)
	}
	t.Skipf(format, args...)
}

// chromePath is $CHROME, else Debian's /usr/bin/chromium.
func chromePath(t *testing.T) string {
	t.Helper()
	name := cmp.Or(os.Getenv("CHROME"), "/usr/bin/chromium")
	path, err := exec.LookPath(name)
	if err != nil {
		missing(t, "no browser (%v): install Chromium (Debian: apt-get install chromium fonts-noto-cjk) or set CHROME to a Chrome or Chromium binary", err)
	}
	return path
}

// axeSource is axe-core's script from tools/axe; empty when it is not
// installed (and not under CI=true).
func axeSource(t *testing.T, root string) string {
	t.Helper()
	path := filepath.Join(root, "tools", "axe", "node_modules", "axe-core", "axe.min.js")
	b, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("axe-core: %v: run npm ci --prefix tools/axe (CI=true: the accessibility checks must run)", err)
		}
		t.Logf("axe-core: %v: the accessibility checks skip; npm ci --prefix tools/axe installs it", err)
		return ""
	}
	return string(b)
}

// moduleRoot is the directory of go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// startAnken builds anken and runs `anken serve --demo` with 3,000
// listings on SQLite in a temporary directory; it returns the base URL
// once /readyz answers 200. The process is killed when the test ends.
func startAnken(t *testing.T) (base, bin, dataDir string) {
	t.Helper()
	dir := t.TempDir()
	bin = filepath.Join(dir, "anken")
	dataDir = filepath.Join(dir, "data")
	if out, err := exec.Command("go", "build", "-o", bin, "anken/cmd/anken").CombinedOutput(); err != nil {
		t.Fatalf("go build anken: %v\n%s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	cmd := exec.Command(bin, "serve", "--demo", "--demo-listings", "3000", "--addr", addr)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "ANKEN_DATA_DIR="+dataDir, "ANKEN_DATABASE_URL=", "ANKEN_LOG_FORMAT=text")
	logs := &servertest.Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	dieWithTest(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start anken: %v", err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("anken serve's log, the end:\n%s", tail(logs, 8<<10))
		}
	})

	base = "http://" + addr
	ready := servertest.Poll(readyTimeout, 100*time.Millisecond, func() bool {
		select {
		case <-exited:
			t.Fatalf("anken serve ended before it was ready (%v):\n%s", cmd.ProcessState, tail(logs, 8<<10))
		default:
		}
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	if !ready {
		t.Fatalf("anken serve not ready after %v:\n%s", readyTimeout, tail(logs, 8<<10))
	}
	return base, bin, dataDir
}

// startBrowser starts headless Chromium with a fresh profile and returns
// the context of the browser; each subtest opens its own tab in it.
func startBrowser(t *testing.T, path string) context.Context {
	t.Helper()
	profile := t.TempDir()
	out := &servertest.Buffer{}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless, // also hides scrollbars
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), // /dev/shm is small in containers
		chromedp.Flag("lang", "ja-JP"),
		chromedp.UserDataDir(profile),
		chromedp.CombinedOutput(out),
	)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
	})
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(browser) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("start %s: %v\n%s", path, err, tail(out, 4<<10))
		}
	case <-time.After(browserTimeout):
		t.Fatalf("%s did not start within %v:\n%s", path, browserTimeout, tail(out, 4<<10))
	}
	return browser
}

// tail is the last n bytes written to b, from a line's start.
func tail(b *servertest.Buffer, n int) string {
	s := b.String()
	if len(s) <= n {
		return s
	}
	s = s[len(s)-n:]
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return s
}
