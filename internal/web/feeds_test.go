package web

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"anken/internal/catalog"
	"anken/internal/guide"
	"anken/internal/listing"
	"anken/internal/search"
	"anken/internal/search/follow"
	"anken/internal/store"
	"anken/internal/store/storetest"
)

const feedBase = "https://anken.example"

// feedFixture is a site over a real SQLite store and search index with
// four open listings and one closed.
type feedFixture struct {
	srv    *httptest.Server
	st     *store.Store
	agency store.Agency
	ids    map[string]int64 // external id → listing id
}

// feedListings are the fixture's listings; "closed" is closed after it is
// stored.
var feedListings = []struct {
	ext     string
	title   string
	skills  []string
	remote  listing.Remote
	pref    string
	monthly int64
	posted  string
}{
	{"go-full-old", "決済APIのバックエンド開発", []string{"go", "postgresql"}, listing.RemoteFull, "JP-13", 600_000, "2026-11-01"},
	{"java-osaka", "物流システムの改修", []string{"java"}, listing.RemoteOnsite, "JP-27", 550_000, "2026-11-05"},
	{"go-partial", "広告配信基盤の開発", []string{"go", "typescript"}, listing.RemotePartial, "JP-13", 700_000, "2026-11-10"},
	{"closed", "終了した機械学習案件", []string{"python"}, listing.RemoteFull, "", 800_000, "2026-11-15"},
	{"go-full-new", "SaaS の API 開発", []string{"go"}, listing.RemoteFull, "", 750_000, "2026-11-20"},
}

func newFeedFixture(t *testing.T) *feedFixture {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t, "sqlite")
	a, err := st.CreateAgency(ctx, "sakura", "さくらエージェント")
	if err != nil {
		t.Fatal(err)
	}
	fx := &feedFixture{st: st, agency: a, ids: map[string]int64{}}
	for i, f := range feedListings {
		fx.put(t, f.ext, f.title, f.skills, f.remote, f.pref, f.monthly, f.posted, i)
	}
	if _, err := st.CloseListing(ctx, a, "closed"); err != nil {
		t.Fatal(err)
	}
	idx := search.NewIndex()
	log := slog.New(slog.DiscardHandler)
	if err := follow.New(st, idx, time.Hour, log).Load(ctx); err != nil {
		t.Fatal(err)
	}
	site, err := New(Deps{Catalog: &catalog.Catalog{Store: st, Index: idx}, Log: log, BaseURL: feedBase + "/", Sitemap: st})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	site.Register(mux)
	fx.srv = httptest.NewServer(mux)
	t.Cleanup(fx.srv.Close)
	return fx
}

func (fx *feedFixture) put(t *testing.T, ext, title string, skills []string, remote listing.Remote, pref string, monthly int64, posted string, n int) int64 {
	t.Helper()
	at, err := time.Parse("2006-01-02", posted)
	if err != nil {
		t.Fatal(err)
	}
	l := &listing.Listing{
		ExternalID:  ext,
		Title:       title,
		Description: fmt.Sprintf("%s。案件番号 %d、チームで開発を進めます。", title, n),
		Role:        listing.RoleBackend,
		Skills:      skills,
		Rate:        listing.Rate{Unit: listing.PerMonth, Min: monthly, Max: monthly + 100_000, MonthlyMin: monthly, MonthlyMax: monthly + 100_000},
		Remote:      remote,
		DaysPerWeek: listing.Range{Min: 3, Max: 5},
		Prefecture:  pref,
		Contract:    listing.ContractQuasiMandate,
		Status:      listing.StatusOpen,
		PostedAt:    at.Add(9 * time.Hour),
		ApplyURL:    "https://sakura.example/jobs/" + ext,
	}
	r, err := fx.st.PutListing(context.Background(), fx.agency, l)
	if err != nil {
		t.Fatal(err)
	}
	fx.ids[ext] = r.ID
	return r.ID
}

func (fx *feedFixture) get(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(fx.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp, string(b)
}

func (fx *feedFixture) listingURL(ext string) string {
	return feedBase + "/listings/" + strconv.FormatInt(fx.ids[ext], 10)
}

// Atom as a reader parses it.
type parsedLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
	Href string `xml:"href,attr"`
}

type parsedFeed struct {
	XMLName xml.Name     `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string       `xml:"id"`
	Title   string       `xml:"title"`
	Updated string       `xml:"updated"`
	Links   []parsedLink `xml:"link"`
	Entries []struct {
		ID        string     `xml:"id"`
		Title     string     `xml:"title"`
		Link      parsedLink `xml:"link"`
		Updated   string     `xml:"updated"`
		Published string     `xml:"published"`
		Author    string     `xml:"author>name"`
		Summary   string     `xml:"summary"`
	} `xml:"entry"`
}

func (f parsedFeed) link(rel string) string {
	for _, l := range f.Links {
		if l.Rel == rel {
			return l.Href
		}
	}
	return ""
}

func TestSearchFeed(t *testing.T) {
	fx := newFeedFixture(t)
	tests := []struct {
		name      string
		query     string
		title     string
		entries   []string // external ids, newest first
		self      string   // after feedBase
		alternate string
	}{
		{"every open listing", "", "新着案件 | anken",
			[]string{"go-full-new", "go-partial", "java-osaka", "go-full-old"}, "/search.atom", "/search?sort=newest"},
		{"full remote only", "remote=full", "フルリモートの新着案件 | anken",
			[]string{"go-full-new", "go-full-old"}, "/search.atom?remote=full", "/search?remote=full&sort=newest"},
		{"skill and remote", "skill=golang&remote=full", "Go・フルリモートの新着案件 | anken",
			[]string{"go-full-new", "go-full-old"}, "/search.atom?remote=full&skill=go", "/search?remote=full&skill=go&sort=newest"},
		{"place", "prefecture=JP-27", "大阪府の新着案件 | anken",
			[]string{"java-osaka"}, "/search.atom?prefecture=JP-27", "/search?prefecture=JP-27&sort=newest"},
		{"sort, page and size are the feed's own", "sort=rate&limit=1&cursor=garbage&facets=role", "新着案件 | anken",
			[]string{"go-full-new", "go-partial", "java-osaka", "go-full-old"}, "/search.atom", "/search?sort=newest"},
		{"nothing found", "q=COBOL", "「COBOL」の新着案件 | anken", nil, "/search.atom?q=COBOL", "/search?q=COBOL&sort=newest"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := fx.get(t, "/search.atom?"+tc.query)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/atom+xml; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=300" {
				t.Errorf("Cache-Control %q", cc)
			}
			var f parsedFeed
			if err := xml.Unmarshal([]byte(body), &f); err != nil {
				t.Fatalf("not Atom: %v\n%s", err, body)
			}
			if f.Title != tc.title {
				t.Errorf("title %q, want %q", f.Title, tc.title)
			}
			if f.ID != feedBase+tc.self || f.link("self") != feedBase+tc.self {
				t.Errorf("id %q, self %q; want %q", f.ID, f.link("self"), feedBase+tc.self)
			}
			if f.link("alternate") != feedBase+tc.alternate {
				t.Errorf("alternate %q, want %q", f.link("alternate"), feedBase+tc.alternate)
			}
			var got []string
			var newest time.Time
			for _, e := range f.Entries {
				got = append(got, e.ID)
				l, err := fx.st.Listing(context.Background(), idOf(t, e.ID))
				if err != nil {
					t.Fatalf("entry %s: %v", e.ID, err)
				}
				if e.Link.Href != e.ID || e.Link.Rel != "alternate" {
					t.Errorf("entry %s: link %+v", e.ID, e.Link)
				}
				if e.Title != l.Title || e.Author != "sakura" {
					t.Errorf("entry %s: title %q, author %q", e.ID, e.Title, e.Author)
				}
				if e.Updated != l.UpdatedAt.UTC().Format(time.RFC3339) || e.Published != l.PostedAt.UTC().Format(time.RFC3339) {
					t.Errorf("entry %s: updated %s published %s; listing %v %v", e.ID, e.Updated, e.Published, l.UpdatedAt, l.PostedAt)
				}
				for _, want := range []string{payText(l), remoteName(l.Remote), "週3〜5日", "スキル：" + skillName(l.Skills[0])} {
					if !strings.Contains(e.Summary, want) {
						t.Errorf("entry %s: summary %q lacks %q", e.ID, e.Summary, want)
					}
				}
				newest = later(newest, l.UpdatedAt)
			}
			var want []string
			for _, ext := range tc.entries {
				want = append(want, fx.listingURL(ext))
			}
			if !slices.Equal(got, want) {
				t.Errorf("entries\n got %v\nwant %v", got, want)
			}
			if _, err := time.Parse(time.RFC3339, f.Updated); err != nil {
				t.Errorf("feed updated %q: %v", f.Updated, err)
			}
			if !newest.IsZero() && f.Updated != newest.UTC().Format(time.RFC3339) {
				t.Errorf("feed updated %s, newest entry %v", f.Updated, newest)
			}
		})
	}
}

func TestSearchFeedRefusesBadSearches(t *testing.T) {
	fx := newFeedFixture(t)
	for _, tc := range []struct {
		query  string
		status int
	}{
		{"remote=moon", http.StatusUnprocessableEntity},
		{"skill=klingon", http.StatusUnprocessableEntity},
		{"rate_min=lots", http.StatusUnprocessableEntity},
		{"q=%zz", http.StatusBadRequest},
	} {
		t.Run(tc.query, func(t *testing.T) {
			resp, body := fx.get(t, "/search.atom?"+tc.query)
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", cc)
			}
			if !strings.Contains(body, "<html") {
				t.Errorf("not an error page: %.200s", body)
			}
		})
	}
}

func idOf(t *testing.T, u string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(strings.TrimPrefix(u, feedBase+"/listings/"), 10, 64)
	if err != nil {
		t.Fatalf("entry id %q is not a listing URL", u)
	}
	return id
}

type parsedURLSet struct {
	XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
	} `xml:"url"`
}

type parsedIndex struct {
	XMLName  xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 sitemapindex"`
	Sitemaps []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
	} `xml:"sitemap"`
}

// fetchSitemap reads one sitemap file, checking its headers.
func (fx *feedFixture) fetchSitemap(t *testing.T, path string) string {
	t.Helper()
	resp, body := fx.get(t, path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d: %.300s", path, resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/xml; charset=utf-8" {
		t.Errorf("GET %s: Content-Type %q", path, ct)
	}
	if !strings.HasPrefix(body, `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Errorf("GET %s: no XML declaration: %.80s", path, body)
	}
	return body
}

// urls parses a urlset into loc → lastmod, failing on a loc listed twice.
func urls(t *testing.T, path, body string, into map[string]string) int {
	t.Helper()
	var set parsedURLSet
	if err := xml.Unmarshal([]byte(body), &set); err != nil {
		t.Fatalf("%s is not a urlset: %v\n%s", path, err, body)
	}
	for _, u := range set.URLs {
		if _, dup := into[u.Loc]; dup {
			t.Errorf("%s: %s listed again", path, u.Loc)
		}
		into[u.Loc] = u.LastMod
	}
	return len(set.URLs)
}

// sitePages are the site's pages every sitemap lists, whatever the
// listings: top, search, market, each role's page, the features, the
// agencies' list, the guides. (An agency's page is listed while it has
// open listings: the feed fixture's sakura has throughout.)
func sitePages(t *testing.T) []string {
	t.Helper()
	out := []string{"/", "/search", "/market", "/guides", "/agencies",
		"/features/full-remote", "/features/weekly-3", "/features/side-job", "/features/high-rate"}
	for _, r := range listing.Roles {
		out = append(out, "/roles/"+string(r))
	}
	lib, err := guide.New(nil, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	gs, err := lib.Guides(context.Background())
	if err != nil || len(gs) < 8 {
		t.Fatalf("%d guides, %v", len(gs), err)
	}
	for _, g := range gs {
		out = append(out, "/guides/"+g.Slug)
	}
	return out
}

func TestSitemap(t *testing.T) {
	// The fixture's open listings have go three times, postgresql,
	// typescript and java once; python's one listing is closed. With
	// pages indexed from three listings, /skills/go alone is listed.
	// Two are in Tokyo, one in Osaka: with area pages indexed from two,
	// /areas/tokyo alone is.
	defer func(n, m int) { skillPageMin, areaPageMin = n, m }(skillPageMin, areaPageMin)
	skillPageMin, areaPageMin = 3, 2
	fx := newFeedFixture(t)
	ctx := context.Background()
	// want is every URL the sitemap must list, with its lastmod (empty
	// for the site's pages, checked apart).
	want := map[string]string{feedBase + "/skills/go": "", feedBase + "/areas/tokyo": "", feedBase + "/agencies/sakura": ""}
	for _, p := range sitePages(t) {
		want[feedBase+p] = ""
	}
	site := len(want)
	for _, f := range feedListings {
		if f.ext == "closed" {
			continue
		}
		l, err := fx.st.Listing(ctx, fx.ids[f.ext])
		if err != nil {
			t.Fatal(err)
		}
		want[fx.listingURL(f.ext)] = l.UpdatedAt.UTC().Format(time.RFC3339)
	}
	defer func(n int) { sitemapPageSize = n }(sitemapPageSize)
	// Page sizes around the total, the site's pages alone and the
	// listings: a page of only site pages, one that mixes both, one URL
	// a page.
	total := len(want)
	for _, size := range []int{50_000, total, total - 1, site, site - 1, site / 2, 3, 1} {
		tc := struct{ size, pages int }{size, (total + size - 1) / size} // pages 1: one urlset at /sitemap.xml
		if tc.pages == 1 {
			tc.pages = 0
		}
		t.Run(fmt.Sprint("page size ", tc.size), func(t *testing.T) {
			sitemapPageSize = tc.size
			got := map[string]string{}
			body := fx.fetchSitemap(t, "/sitemap.xml")
			if tc.pages == 0 {
				if n := urls(t, "/sitemap.xml", body, got); n > tc.size {
					t.Errorf("%d URLs on a page of %d", n, tc.size)
				}
			} else {
				var idx parsedIndex
				if err := xml.Unmarshal([]byte(body), &idx); err != nil {
					t.Fatalf("not a sitemap index: %v\n%s", err, body)
				}
				if len(idx.Sitemaps) != tc.pages {
					t.Fatalf("%d sitemaps, want %d:\n%s", len(idx.Sitemaps), tc.pages, body)
				}
				for i, sm := range idx.Sitemaps {
					path := "/sitemaps/" + strconv.Itoa(i+1) + ".xml"
					if sm.Loc != feedBase+path {
						t.Errorf("sitemap %d at %q, want %q", i+1, sm.Loc, feedBase+path)
					}
					page := map[string]string{}
					if n := urls(t, path, fx.fetchSitemap(t, path), page); n == 0 || n > tc.size {
						t.Errorf("%s: %d URLs, want 1 to %d", path, n, tc.size)
					}
					newest := ""
					for loc, mod := range page {
						if _, dup := got[loc]; dup {
							t.Errorf("%s: %s is on an earlier page too", path, loc)
						}
						got[loc] = mod
						newest = max(newest, mod)
					}
					if sm.LastMod != newest {
						t.Errorf("%s: lastmod %q in the index, newest URL on it %q", path, sm.LastMod, newest)
					}
				}
				path := "/sitemaps/" + strconv.Itoa(tc.pages+1) + ".xml"
				if resp, _ := fx.get(t, path); resp.StatusCode != http.StatusNotFound {
					t.Errorf("GET %s: status %d, want 404", path, resp.StatusCode)
				}
			}
			for loc, mod := range want {
				gotMod, ok := got[loc]
				switch {
				case !ok:
					t.Errorf("%s missing", loc)
				case mod != "" && gotMod != mod:
					t.Errorf("%s: lastmod %q, want %q", loc, gotMod, mod)
				case gotMod == "":
					t.Errorf("%s: no lastmod", loc)
				}
			}
			for loc := range got {
				if _, ok := want[loc]; !ok {
					t.Errorf("%s listed, want only open listings and the site's pages", loc)
				}
			}
		})
	}
}

// TestSitemapFollowsTheStore: a listing closed after the pages were
// planned leaves its page at once; one added joins the last page.
func TestSitemapFollowsTheStore(t *testing.T) {
	fx := newFeedFixture(t)
	defer func(n int) { sitemapPageSize = n }(sitemapPageSize)
	site := len(sitePages(t)) + 1 // and /agencies/sakura
	sitemapPageSize = site + 2    // [site pages, go-full-old, java-osaka] [go-partial, go-full-new]
	fx.fetchSitemap(t, "/sitemap.xml")
	if _, err := fx.st.CloseListing(context.Background(), fx.agency, "java-osaka"); err != nil {
		t.Fatal(err)
	}
	fresh := fx.put(t, "fresh", "新規のデータ基盤案件", []string{"go"}, listing.RemoteFull, "", 900_000, "2026-11-29", 99)

	first, last := map[string]string{}, map[string]string{}
	urls(t, "/sitemaps/1.xml", fx.fetchSitemap(t, "/sitemaps/1.xml"), first)
	urls(t, "/sitemaps/2.xml", fx.fetchSitemap(t, "/sitemaps/2.xml"), last)
	if _, ok := first[fx.listingURL("java-osaka")]; ok {
		t.Error("a closed listing is still listed")
	}
	if _, ok := first[fx.listingURL("go-full-old")]; !ok || len(first) != site+1 {
		t.Errorf("first page %v, want the site's pages and go-full-old", first)
	}
	if _, ok := last[feedBase+"/listings/"+strconv.FormatInt(fresh, 10)]; !ok || len(last) != 3 {
		t.Errorf("last page %v, want go-partial, go-full-new and the new listing", last)
	}
}

func TestRobots(t *testing.T) {
	fx := newFeedFixture(t)
	resp, body := fx.get(t, "/robots.txt")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("status %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	lines := strings.Split(body, "\n")
	for _, want := range []string{"User-agent: *", "Disallow: /v1/", "Disallow: /search.atom", "Disallow: /search?*cursor=",
		"Disallow: /me/", "Disallow: /go/", "Sitemap: " + feedBase + "/sitemap.xml"} {
		if !slices.Contains(lines, want) {
			t.Errorf("robots.txt lacks %q:\n%s", want, body)
		}
	}
	for _, l := range lines {
		if l == "Disallow: /" || l == "Disallow: /search" || l == "Disallow: /listings/" {
			t.Errorf("robots.txt keeps crawlers from pages: %q", l)
		}
	}
}
