package web_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"anken/internal/server/servertest"
	"anken/internal/store"
	"anken/internal/traffic"
)

// raws are the fixture's listings, as agencies send them.
var raws = map[string][]string{
	"techlink": {
		`{"external_id":"go-1","title":"決済基盤のバックエンド開発【Go/フルリモート】","description":"決済APIの設計と開発をお任せします。GoとPostgreSQLを使います。\n週3日から相談可能です。",
		  "rate":"月額60万〜70万円","remote":"フルリモート","days":"週3〜5日","skills":["go","postgresql"],"role":"backend","contract":"準委任","side_job":true,
		  "apply_url":"https://techlink.example/jobs/1","posted_at":"2026-11-28T09:00:00+09:00"}`,
		`{"external_id":"fe-1","title":"ECサイトのフロントエンド開発（React）","description":"大手ECサイトのフロントエンドをReactとTypeScriptで開発します。渋谷のオフィスに常駐です。",
		  "rate":"時給4,000円〜5,000円","remote":"常駐","days":"週5日","location":"東京都渋谷区","skills":["react","typescript"],"role":"frontend",
		  "apply_url":"https://techlink.example/jobs/2","posted_at":"2026-11-27T09:00:00+09:00"}`,
		`{"external_id":"old-1","title":"終了したインフラ案件","description":"AWSの運用保守。","rate":"月額50万円","remote":"一部リモート","role":"infra",
		  "skills":["aws"],"posted_at":"2026-10-01T09:00:00+09:00"}`,
	},
	"codebridge": {
		`{"external_id":"CB-1","title":"物流システムのバックエンド開発（Java）","description":"物流管理システムの機能追加と保守。JavaとSpring Bootで開発します。大阪のオフィスに常駐となります。",
		  "rate":"月額55万〜65万円","remote":"常駐","days":"週5日","location":"大阪府大阪市","skills":["java","spring-boot"],"role":"backend",
		  "apply_url":"https://codebridge.example/jobs/1","posted_at":"2026-11-26T09:00:00+09:00"}`,
	},
}

// fixtureNow is the pages' (and the fixture store's) time.
func fixtureNow() time.Time { return time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC) }

// fixture is the whole server (servertest) on the pages' clock over a
// store of the feeds' listings.
type fixture struct {
	*servertest.Server
	st      *store.Store
	ids     map[string]int64 // external id → listing id
	traffic *traffic.Counter // the pages' counts, written when a test flushes
}

// agencyNames names the fixture's agencies.
var agencyNames = map[string]string{"techlink": "テックリンク", "codebridge": "コードブリッジ", "sidework": "サイドワーク"}

func newFixture(t *testing.T) *fixture { return newFixtureOf(t, raws) }

// newFixtureOf is the fixture with the listings of feeds (agency slug →
// raw listings; techlink first, then codebridge, then the others);
// techlink's old-1 is closed. The store stamps with the pages' clock
// (first seen, sessions), so what the pages compare agrees with what the
// store wrote.
func newFixtureOf(t *testing.T, feeds map[string][]string) *fixture {
	return newFixtureWith(t, feeds, servertest.Options{Now: fixtureNow})
}

// newFixtureWith is newFixtureOf on a server started with o.
func newFixtureWith(t *testing.T, feeds map[string][]string, o servertest.Options) *fixture {
	t.Helper()
	s := servertest.Start(t, o)
	fx := &fixture{Server: s, st: s.Store, ids: map[string]int64{}, traffic: s.Traffic}
	slugs := []string{"techlink", "codebridge"}
	for _, slug := range slices.Sorted(maps.Keys(feeds)) {
		if !slices.Contains(slugs, slug) {
			slugs = append(slugs, slug)
		}
	}
	for _, slug := range slugs {
		a, _ := s.Agency(t, slug, agencyNames[slug])
		maps.Copy(fx.ids, s.Put(t, a, feeds[slug]...))
		if slug == "techlink" {
			if _, err := s.Store.CloseListing(context.Background(), a, "old-1"); err != nil {
				t.Fatal(err)
			}
			s.CatchUp(t)
		}
	}
	return fx
}

func TestTopPage(t *testing.T) {
	fx := newFixture(t)
	p := fx.Get(t, "/")
	if p.Status != 200 {
		t.Fatalf("GET / = %d", p.Status)
	}
	count := p.All(`p.count`)
	if len(count) != 1 || !strings.Contains(servertest.Text(count[0]), "3件の案件を掲載中") || !strings.Contains(servertest.Text(count[0]), "更新") {
		t.Errorf("count = %q, want 3件の案件を掲載中 with the update date", servertest.Text(count[0]))
	}
	if len(p.All(`input[name="q"]`)) == 0 {
		t.Error("no search box")
	}
	roles := p.Text(`ul.chips`)
	if !strings.Contains(roles, "バックエンド 2") || !strings.Contains(roles, "フロントエンド 1") || strings.Contains(roles, "インフラ") {
		t.Errorf("roles = %q, want バックエンド 2 and フロントエンド 1 and no closed インフラ", roles)
	}
	cards := p.All(`article.card`)
	if len(cards) != 3 || !strings.Contains(servertest.Text(cards[0]), "決済基盤") {
		t.Errorf("newest = %d cards, first %q; want 3, newest first", len(cards), servertest.Text(cards[0]))
	}
}

func TestSearchPage(t *testing.T) {
	fx := newFixture(t)
	tests := []struct {
		name     string
		path     string
		titles   []string // the cards, in order
		contains []string // text of the page
	}{
		{"everything newest first", "/search?sort=newest", []string{"決済基盤", "ECサイト", "物流"}, []string{"新着順"}},
		{"full remote", "/search?remote=full", []string{"決済基盤"}, []string{"フルリモート", "月額60万〜70万円", "副業OK", "テックリンク", "2日前"}},
		{"japanese substring", "/search?q=物流", []string{"物流"}, []string{"「物流」"}},
		{"hourly rate", "/search?skill=react", []string{"ECサイト"}, []string{"時給4,000〜5,000円", "東京都"}},
		{"rate filter, highest first", "/search?rate_min=650000&sort=rate", []string{"ECサイト", "決済基盤", "物流"}, []string{"65万円以上"}},
		{"rate floor", "/search?rate_min=700000", []string{"決済基盤", "ECサイト"}, nil},
		{"repeated values", "/search?role=frontend&role=backend&sort=newest", []string{"決済基盤", "ECサイト", "物流"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := fx.Get(t, tt.path)
			if p.Status != 200 {
				t.Fatalf("GET %s = %d", tt.path, p.Status)
			}
			cards := p.All(`article.card`)
			if len(cards) != len(tt.titles) {
				t.Fatalf("%d cards, want %d", len(cards), len(tt.titles))
			}
			for i, want := range tt.titles {
				if got := servertest.Text(servertest.First(cards[i], `h3`)); !strings.Contains(got, want) {
					t.Errorf("card %d = %q, want %q", i, got, want)
				}
			}
			all := servertest.Text(p.Doc)
			for _, want := range tt.contains {
				if !strings.Contains(all, want) {
					t.Errorf("page lacks %q", want)
				}
			}
		})
	}
}

// TestSearchCounts checks that a checked filter value's group still counts
// the other values (what checking them would add), and that the other
// groups count within the hits.
func TestSearchCounts(t *testing.T) {
	fx := newFixture(t)
	p := fx.Get(t, "/search?remote=full")
	label := func(param, value string) string {
		for _, in := range p.All(`input[name="` + param + `"][value="` + value + `"]`) {
			id := servertest.Attr(in, "id")
			for _, l := range p.All(`label[for="` + id + `"]`) {
				return servertest.Text(l)
			}
		}
		return ""
	}
	tests := []struct{ param, value, want string }{
		{"remote", "full", "フルリモート 1"},
		{"remote", "onsite", "常駐 2"}, // not 0: counted without the remote filter
		{"role", "backend", "バックエンド 1"},
		{"skill", "go", "Go 1"},
		{"side_job", "true", "副業OK の案件だけ 1"},
	}
	for _, tt := range tests {
		if got := label(tt.param, tt.value); got != tt.want {
			t.Errorf("%s=%s label = %q, want %q", tt.param, tt.value, got, tt.want)
		}
	}
	if len(p.All(`input[name="remote"][value="full"][checked]`)) != 1 {
		t.Error("remote=full is not checked")
	}
}

func TestSearchPages(t *testing.T) {
	fx := newFixture(t)
	seen := map[string]bool{}
	path := "/search?sort=newest&limit=1"
	for i := 0; path != ""; i++ {
		if i > 5 {
			t.Fatal("more pages than listings")
		}
		p := fx.Get(t, path)
		cards := p.All(`article.card`)
		if len(cards) != 1 {
			t.Fatalf("%s: %d cards, want 1", path, len(cards))
		}
		title := servertest.Text(servertest.First(cards[0], `h3`))
		if seen[title] {
			t.Fatalf("%s: %q again", path, title)
		}
		seen[title] = true
		path = ""
		if next := p.All(`a[rel="next"]`); len(next) == 1 {
			path = servertest.Attr(next[0], "href")
			if !strings.Contains(path, "cursor=") || !strings.Contains(path, "limit=1") {
				t.Fatalf("next link %q lacks the cursor or the page size", path)
			}
		}
	}
	if len(seen) != 3 {
		t.Errorf("paged through %d listings, want 3", len(seen))
	}
}

func TestEmptySearchSuggestsWhatToDrop(t *testing.T) {
	fx := newFixture(t)
	p := fx.Get(t, "/search?remote=full&prefecture=JP-27")
	if len(p.All(`article.card`)) != 0 {
		t.Fatal("want no hits")
	}
	empty := p.All(`div.empty`)
	if len(empty) != 1 {
		t.Fatal("no empty-result block")
	}
	got := servertest.Text(empty[0])
	for _, want := range []string{"見つかりませんでした", "フルリモート を外す（1件）", "大阪府 を外す（1件）"} {
		if !strings.Contains(got, want) {
			t.Errorf("empty block %q lacks %q", got, want)
		}
	}
}

func TestListingPage(t *testing.T) {
	fx := newFixture(t)
	type jobPosting struct {
		Type           string   `json:"@type"`
		Title          string   `json:"title"`
		Description    string   `json:"description"`
		DatePosted     string   `json:"datePosted"`
		EmploymentType []string `json:"employmentType"`
		Hiring         struct {
			Name string `json:"name"`
		} `json:"hiringOrganization"`
		Identifier struct {
			Type  string `json:"@type"`
			Value string `json:"value"`
		} `json:"identifier"`
		LocationType string `json:"jobLocationType"`
		Applicant    *struct {
			Type, Name string
		} `json:"applicantLocationRequirements"`
		JobLocation *struct {
			Address struct {
				Region   string `json:"addressRegion"`
				Locality string `json:"addressLocality"`
				Country  string `json:"addressCountry"`
			} `json:"address"`
		} `json:"jobLocation"`
		BaseSalary *struct {
			Type     string `json:"@type"`
			Currency string `json:"currency"`
			Value    struct {
				Min  int64  `json:"minValue"`
				Max  int64  `json:"maxValue"`
				Unit string `json:"unitText"`
			} `json:"value"`
		} `json:"baseSalary"`
	}
	ld := func(p servertest.Page) *jobPosting {
		scripts := p.All(`script[type="application/ld+json"]`)
		if len(scripts) == 0 {
			return nil
		}
		var jp jobPosting
		if err := json.Unmarshal([]byte(scripts[0].FirstChild.Data), &jp); err != nil {
			t.Fatalf("JSON-LD does not parse: %v", err)
		}
		return &jp
	}

	t.Run("full remote", func(t *testing.T) {
		p := fx.Get(t, "/listings/"+itoa(fx.ids["go-1"]))
		jp := ld(p)
		if jp == nil || jp.Type != "JobPosting" || jp.Title == "" || jp.Description == "" || jp.DatePosted == "" {
			t.Fatalf("JobPosting = %+v", jp)
		}
		if jp.LocationType != "TELECOMMUTE" || jp.Applicant == nil || jp.Applicant.Name != "JP" {
			t.Errorf("full remote: jobLocationType %q, applicantLocationRequirements %+v", jp.LocationType, jp.Applicant)
		}
		if s := jp.BaseSalary; s == nil || s.Type != "MonetaryAmount" || s.Currency != "JPY" || s.Value.Min != 600000 || s.Value.Max != 700000 || s.Value.Unit != "MONTH" {
			t.Errorf("baseSalary = %+v", jp.BaseSalary)
		}
		if jp.Hiring.Name != "テックリンク" || jp.Identifier.Value != "go-1" || !slices.Contains(jp.EmploymentType, "CONTRACTOR") {
			t.Errorf("organization %q, identifier %+v, employmentType %v", jp.Hiring.Name, jp.Identifier, jp.EmploymentType)
		}
		canon := p.All(`link[rel="canonical"]`)
		if href := servertest.Attr(canon[0], "href"); href != "https://anken.example/listings/"+itoa(fx.ids["go-1"]) {
			t.Errorf("canonical = %q", href)
		}
		if crumbs := p.Text(`nav.crumbs`); !strings.Contains(crumbs, "バックエンドの案件") {
			t.Errorf("breadcrumbs = %q", crumbs)
		}
		body := servertest.Text(p.Doc)
		for _, want := range []string{"月額60万〜70万円", "フルリモート", "週3〜5日", "準委任", "副業OK", "Go", "PostgreSQL", "テックリンク で詳細を見る・応募する"} {
			if !strings.Contains(body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
	})
	t.Run("onsite hourly", func(t *testing.T) {
		jp := ld(fx.Get(t, "/listings/"+itoa(fx.ids["fe-1"])))
		if jp == nil || jp.JobLocation == nil || jp.JobLocation.Address.Region != "東京都" || jp.JobLocation.Address.Country != "JP" || jp.LocationType != "" {
			t.Fatalf("jobLocation = %+v, type %q", jp.JobLocation, jp.LocationType)
		}
		if s := jp.BaseSalary; s == nil || s.Value.Unit != "HOUR" || s.Value.Min != 4000 || s.Value.Max != 5000 {
			t.Errorf("baseSalary = %+v", jp.BaseSalary)
		}
	})
	t.Run("closed", func(t *testing.T) {
		p := fx.Get(t, "/listings/"+itoa(fx.ids["old-1"]))
		if p.Status != 200 || !strings.Contains(p.Text(`[role=status]`), "募集終了") {
			t.Errorf("closed listing: %d, 募集終了 shown: %v", p.Status, strings.Contains(servertest.Text(p.Doc), "募集終了"))
		}
		if ld(p) != nil {
			t.Error("a closed listing still has a JobPosting")
		}
	})
	for _, path := range []string{"/listings/999999", "/listings/abc", "/listings/-1"} {
		if p := fx.Get(t, path); p.Status != 404 || !strings.Contains(p.Text(`h1`), "ページが見つかりません") {
			t.Errorf("GET %s = %d, want the 404 page", path, p.Status)
		}
	}
}

// TestNoInlineCode holds the search and listing pages to checkMarkup.
func TestNoInlineCode(t *testing.T) {
	fx := newFixture(t)
	for _, path := range []string{"/", "/search", "/search?remote=full&q=Go", "/search?q=nothing-at-all", "/listings/" + itoa(fx.ids["go-1"]), "/listings/0"} {
		checkMarkup(t, path, fx.Get(t, path))
	}
}

// checkMarkup checks what every page must be: nothing the CSP would
// block (a script without src other than a JSON-LD block with the nonce,
// an event-handler or style attribute, a <style>), <html lang=ja>, one
// h1, each id once, every visible input and select labelled, every table
// captioned and every button named.
func checkMarkup(t *testing.T, path string, p servertest.Page) {
	t.Helper()
	for _, s := range p.All(`script:not([src])`) {
		if servertest.Attr(s, "type") != "application/ld+json" || servertest.Attr(s, "nonce") == "" {
			t.Errorf("%s: inline script %q", path, servertest.Attr(s, "type"))
		}
	}
	ids := map[string]bool{}
	for _, n := range p.All(`*`) {
		for _, a := range n.Attr {
			if strings.HasPrefix(strings.ToLower(a.Key), "on") || a.Key == "style" {
				t.Errorf("%s: <%s %s=…>", path, n.Data, a.Key)
			}
			if a.Key == "id" {
				if ids[a.Val] {
					t.Errorf("%s: id %q twice", path, a.Val)
				}
				ids[a.Val] = true
			}
		}
	}
	if n := len(p.All(`style`)); n > 0 {
		t.Errorf("%s: %d <style>", path, n)
	}
	if len(p.All(`html[lang="ja"]`)) != 1 {
		t.Errorf("%s: no <html lang=ja>", path)
	}
	if h1 := p.All(`h1`); len(h1) != 1 {
		t.Errorf("%s: %d h1, want 1", path, len(h1))
	}
	for _, in := range p.All(`input:not([type=hidden]), select`) {
		id := servertest.Attr(in, "id")
		if id == "" || len(p.All(`label[for="`+id+`"]`)) == 0 {
			t.Errorf("%s: %s %q has no label", path, in.Data, id)
		}
	}
	for _, tbl := range p.All(`table`) {
		if servertest.First(tbl, `caption`) == nil {
			t.Errorf("%s: a table without a caption", path)
		}
	}
	for _, b := range p.All(`button`) {
		if servertest.Text(b) == "" && servertest.Attr(b, "aria-label") == "" {
			t.Errorf("%s: a button without a name", path)
		}
	}
}

// route is how a test tries one route: a concrete path, the form posted
// (nil for a GET) and the status it wants.
type route struct {
	path string
	form url.Values
	want int
}

// eachRoute runs try in a subtest for each of patterns, the routes as
// registered, with its row of table; a route without a row, or a row
// without a route, fails the test.
func eachRoute(t *testing.T, patterns []string, table map[string]route, try func(t *testing.T, method string, r route)) {
	t.Helper()
	for _, pattern := range patterns {
		r, ok := table[pattern]
		if !ok {
			t.Errorf("route %q is not in the authorization table: add it", pattern)
			continue
		}
		method, _, _ := strings.Cut(pattern, " ")
		t.Run(pattern, func(t *testing.T) { try(t, method, r) })
	}
	for pattern := range table {
		if !slices.Contains(patterns, pattern) {
			t.Errorf("the table has %q, which is not a route", pattern)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestSkillSpelling checks that a skill asked by another spelling (golang)
// is the taxonomy's skill on the page: its checkbox checked, its name in
// the title, and no second box for the spelling.
func TestSkillSpelling(t *testing.T) {
	fx := newFixture(t)
	p := fx.Get(t, "/search?skill=golang")
	if len(p.All(`input[name="skill"][value="go"][checked]`)) != 1 {
		t.Error("skill=golang does not check the Go box")
	}
	if len(p.All(`input[name="skill"][value="golang"]`)) != 0 {
		t.Error("a second box for the spelling golang")
	}
	if h1 := p.Text(`h1`); h1 != "Goの案件（1件）" {
		t.Errorf("h1 = %q, want Goの案件（1件）", h1)
	}
}
