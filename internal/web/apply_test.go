package web_test

import (
	"context"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"anken/internal/server/servertest"
	"anken/internal/store"
)

const browserUA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15"

// applyFeeds are the fixture's listings with the Go job also offered by
// codebridge (one job, two offers) and an open listing without an apply
// URL.
func applyFeeds() map[string][]string {
	feeds := maps.Clone(raws)
	feeds["codebridge"] = append(slices.Clone(raws["codebridge"]),
		`{"external_id":"CB-GO","title":"決済基盤のバックエンド開発【Go/フルリモート】","description":"決済APIの設計と開発をお任せします。GoとPostgreSQLを使います。\n週3日から相談可能です。",
		  "rate":"月額65万〜75万円","remote":"フルリモート","days":"週3〜5日","skills":["go","postgresql"],"role":"backend","contract":"準委任",
		  "apply_url":"https://codebridge.example/jobs/go?from=anken&x=1","posted_at":"2026-11-28T10:00:00+09:00"}`)
	feeds["techlink"] = append(slices.Clone(raws["techlink"]),
		`{"external_id":"no-apply","title":"社内SEの募集（応募は電話のみ）","description":"社内システムの運用。","rate":"月額45万円","remote":"常駐","role":"infra",
		  "skills":["linux"],"posted_at":"2026-11-20T09:00:00+09:00"}`)
	return feeds
}

// noFollow is a client that reports redirects rather than following them.
var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// visit GETs path as a browser with this address (X-Forwarded-For is not
// believed by the fixture: the address is the test's own, so clients are
// told apart by User-Agent) and returns the status and Location.
func (fx *fixture) visit(t *testing.T, path, ua string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", fx.URL+path, nil)
	req.Header.Set("User-Agent", ua)
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// TestApplyLinks: every apply link of a listing page, its own and each
// offer row's, is /go/{id}/{agency} with rel=nofollow (and noopener when
// it opens a tab), and the site answers it with a 302 to the apply URL
// that agency stored for that listing. No page links an agency's URL
// itself.
func TestApplyLinks(t *testing.T) {
	fx := newFixtureOf(t, applyFeeds())
	ctx := context.Background()
	for _, ext := range []string{"go-1", "CB-GO"} {
		t.Run(ext, func(t *testing.T) {
			p := fx.Get(t, "/listings/"+itoa(fx.ids[ext]))
			if rows := p.All(`table.offers`); len(rows) != 1 || len(servertest.All(rows[0], `tr`)) != 3 {
				t.Fatalf("the job's page has no table of its two offers")
			}
			var links []*html.Node
			for _, a := range p.All(`a[href]`) {
				href := servertest.Attr(a, "href")
				if strings.Contains(href, "techlink.example") || strings.Contains(href, "codebridge.example") {
					t.Errorf("the page links an agency's URL itself: %s", href)
				}
				if strings.HasPrefix(href, "/go/") {
					links = append(links, a)
				}
			}
			if len(links) != 3 { // the page's button and each offer row's
				t.Fatalf("%d apply links, want 3: the button and two offer rows", len(links))
			}
			seen := map[string]bool{}
			for _, a := range links {
				href := servertest.Attr(a, "href")
				seen[href] = true
				rel := servertest.Attr(a, "rel")
				if !slices.Contains(strings.Fields(rel), "nofollow") {
					t.Errorf("%s: rel %q lacks nofollow", href, rel)
				}
				if target := servertest.Attr(a, "target"); target == "_blank" && !slices.Contains(strings.Fields(rel), "noopener") {
					t.Errorf("%s opens a tab without noopener (rel %q)", href, rel)
				}
				parts := strings.Split(href, "/") // "", "go", id, agency
				id, _ := strconv.ParseInt(parts[2], 10, 64)
				l, err := fx.st.Listing(ctx, id)
				if err != nil || l.Agency != parts[3] {
					t.Fatalf("%s names listing %d of %q, not of agency %q (%v)", href, id, l.Agency, parts[3], err)
				}
				if status, loc, _ := fx.visit(t, href, browserUA); status != http.StatusFound || loc != l.ApplyURL {
					t.Errorf("GET %s: %d to %q; want 302 to %q", href, status, loc, l.ApplyURL)
				}
			}
			if len(seen) != 2 {
				t.Errorf("the apply links lead to %d offers, want both agencies': %v", len(seen), seen)
			}
		})
	}
}

// TestApplyForged: /go answers only pairs of a listing and the agency
// offering it: any other pair is the 404 page, whatever the query says;
// a closed listing sends the reader to its page, which says 募集終了.
func TestApplyForged(t *testing.T) {
	fx := newFixtureOf(t, applyFeeds())
	id := func(ext string) string { return itoa(fx.ids[ext]) }
	for _, c := range []struct {
		name, path string
		status     int
		location   string
	}{
		{"the listing's own agency", "/go/" + id("go-1") + "/techlink", 302, "https://techlink.example/jobs/1"},
		{"a destination in the query is ignored", "/go/" + id("go-1") + "/techlink?url=https://evil.example/&to=https://evil.example/", 302, "https://techlink.example/jobs/1"},
		{"another agency's slug", "/go/" + id("go-1") + "/codebridge", 404, ""},
		{"an id of another agency's listing", "/go/" + id("CB-1") + "/techlink", 404, ""},
		{"an agency that does not exist", "/go/" + id("go-1") + "/nosuch", 404, ""},
		{"a listing that does not exist", "/go/999999/techlink", 404, ""},
		{"not an id", "/go/abc/techlink", 404, ""},
		{"no apply URL", "/go/" + id("no-apply") + "/techlink", 404, ""},
		{"closed", "/go/" + id("old-1") + "/techlink", 302, "/listings/" + id("old-1")},
		{"closed, another agency's slug", "/go/" + id("old-1") + "/codebridge", 404, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, loc, body := fx.visit(t, c.path, browserUA)
			if status != c.status || loc != c.location {
				t.Fatalf("GET %s: %d to %q; want %d to %q", c.path, status, loc, c.status, c.location)
			}
			if status == 404 && !strings.Contains(body, "ページが見つかりません") {
				t.Errorf("GET %s: 404 without the 404 page", c.path)
			}
		})
	}
	p := fx.Get(t, "/listings/"+id("old-1"))
	if p.Status != 200 || !strings.Contains(p.Text(`[role=status]`), "募集終了") || len(p.All(`p.apply`)) != 0 {
		t.Errorf("a closed listing's page: %d, 募集終了 %v, an apply button %v", p.Status,
			strings.Contains(servertest.Text(p.Doc), "募集終了"), len(p.All(`p.apply`)) != 0)
	}
}

// TestPagesCount: a search page counts its cards as impressions, a
// listing page a view, /go a click; each once per client a day; robots
// and the closed listing's redirect not at all.
func TestPagesCount(t *testing.T) {
	fx := newFixtureOf(t, applyFeeds())
	ctx := context.Background()
	const other = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
	const robot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
	goPage, goApply := "/listings/"+itoa(fx.ids["go-1"]), "/go/"+itoa(fx.ids["go-1"])+"/techlink"
	for _, v := range []struct{ path, ua string }{
		{"/search?q=決済", browserUA}, {"/search?q=決済", browserUA}, {"/search?q=決済", other}, {"/search?q=決済", robot},
		{goPage, browserUA}, {goPage, browserUA}, {goPage, other}, {goPage, robot},
		{goApply, browserUA}, {goApply, browserUA}, {goApply, robot},
		{"/go/" + itoa(fx.ids["old-1"]) + "/techlink", browserUA},  // closed: to its page, not a click
		{"/go/" + itoa(fx.ids["go-1"]) + "/codebridge", browserUA}, // forged: nothing
	} {
		fx.visit(t, v.path, v.ua)
	}
	if err := fx.traffic.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	techlink := store.Agency{ID: 1, Slug: "techlink"}
	got, err := fx.st.AgencyTraffic(ctx, techlink, "2026-11-30", "2026-11-30", fx.ids["go-1"])
	if err != nil {
		t.Fatal(err)
	}
	want := store.TrafficCounts{Impressions: 2, Views: 2, Clicks: 1}
	if len(got.Listings) != 1 || got.Listings[0].TrafficCounts != want {
		t.Errorf("go-1 on 2026-11-30 (JST): %+v; want %+v", got.Listings, want)
	}
	closed, err := fx.st.AgencyTraffic(ctx, techlink, "2026-11-30", "2026-11-30", fx.ids["old-1"])
	if err != nil || len(closed.Listings) != 0 {
		t.Errorf("the closed listing's redirect was counted: %+v, %v", closed.Listings, err)
	}
}
