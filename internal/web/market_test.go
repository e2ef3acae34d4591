package web_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"anken/internal/market"
	"anken/internal/server/servertest"
	"anken/internal/store"
)

// The fixture's open backend listings: 月額60万〜70万円 (rate 65万) and
// 月額55万〜65万円 (60万), so both sit in the 60万〜70万円 band.

func TestRolePage(t *testing.T) {
	fx := newFixture(t)
	// Two days of the role's snapshots: the trend draws them.
	now := time.Now()
	yesterday, today := market.Day(now.AddDate(0, 0, -1)), market.Day(now)
	err := fx.st.PutMarketSnapshots(context.Background(), []store.MarketSnapshot{
		{Day: yesterday, Scope: "role:backend", Count: 1, Priced: 1, P25: 600_000, Median: 600_000, P75: 600_000, ZoneFrom: 600_000, ZoneTo: 700_000},
		{Day: today, Scope: "role:backend", Count: 2, Priced: 2, P25: 600_000, Median: 650_000, P75: 650_000, ZoneFrom: 600_000, ZoneTo: 700_000},
	})
	if err != nil {
		t.Fatal(err)
	}
	p := fx.Get(t, "/roles/backend")
	if p.Status != http.StatusOK {
		t.Fatalf("status %d\n%s", p.Status, p.Body)
	}
	h1 := p.All(`h1`)
	if len(h1) != 1 || servertest.Text(h1[0]) != "バックエンドエンジニアとは" {
		t.Errorf("h1 = %q", servertest.Texts(h1))
	}
	// The figures say when they were computed, in Japan's time (the
	// fixture's clock is 12:00 UTC).
	if got := p.Text(`p.count`); got != "募集中の案件は2件※11月30日 21:00時点" {
		t.Errorf("count = %q", got)
	}
	// The volume zone is stated once on the page: in its sentence.
	const zone = "案件単価は月額60万〜70万円の範囲がボリュームゾーンで、年収に換算すると約720万〜840万円です。"
	if got := p.Text(`p.zone-sentence`); got != zone {
		t.Errorf("zone sentence = %q, want %q", got, zone)
	}
	if n, m := strings.Count(servertest.Text(p.Doc), "ボリュームゾーンで"), strings.Count(servertest.Text(p.Doc), "720万"); n != 1 || m != 1 {
		t.Errorf("the volume zone is stated %d times (its annual figure %d), want once", n, m)
	}
	// The article's sections are there, rendered.
	if n := len(p.All(`article.marticle`)); n != 1 {
		t.Fatalf("%d articles", n)
	}
	if h2 := servertest.Texts(p.All(`article.marticle h2`)); !slices.Contains(h2, "どんな仕事か") || !slices.Contains(h2, "よくある質問") {
		t.Errorf("the article's sections are %q, want どんな仕事か and よくある質問 among them", h2)
	}
	// Quartiles by nearest rank of [60万, 65万]: p25 60万, median 60万, p75 65万.
	rates := map[string]string{}
	for _, tr := range servertest.All(p.All(`table.rates`)[0], `tr`) {
		rates[servertest.Text(servertest.First(tr, `th`))] = servertest.Text(servertest.First(tr, `td`))
	}
	for k, want := range map[string]string{"中央値": "60万円", "下位25%（第1四分位）": "60万円", "上位25%（第3四分位）": "65万円",
		"平均": "62.5万円"} {
		if rates[k] != want {
			t.Errorf("rates[%s] = %q, want %q", k, rates[k], want)
		}
	}
	// The histogram: an accessible SVG, and its table has the same numbers.
	fig := p.First(`#hist`)
	if fig == nil {
		t.Fatal("no histogram")
	}
	svg := servertest.All(fig, `svg`)[0]
	if r := servertest.Attr(svg, "role"); r != "img" {
		t.Errorf("svg role %q", r)
	}
	labels := servertest.Attr(svg, "aria-labelledby")
	for _, id := range strings.Fields(labels) {
		if n := p.First(`[id="` + id + `"]`); n == nil || servertest.Text(n) == "" {
			t.Errorf("aria-labelledby %s names nothing", id)
		}
	}
	if title := servertest.Text(servertest.First(svg, `title`)); !strings.Contains(title, "2件") {
		t.Errorf("svg title %q", title)
	}
	rows := map[string]string{}
	zoneRows := 0
	for _, tr := range servertest.All(fig, `table tr`) {
		if th, td := servertest.All(tr, `th`), servertest.All(tr, `td`); len(th) == 1 && len(td) == 1 {
			rows[servertest.Text(th[0])] = servertest.Text(td[0])
		}
	}
	zoneRows = len(servertest.All(fig, `table tr.zone`))
	if rows["60万〜65万円"] != "1件" || rows["65万〜70万円"] != "1件" || zoneRows != 2 {
		t.Errorf("histogram table %v (%d in the zone)", rows, zoneRows)
	}
	if n := len(servertest.All(svg, `rect.zone`)); n != 2 {
		t.Errorf("%d bars marked as the volume zone, want 2", n)
	}
	// Remote share: one fully remote of two.
	rem := p.First(`#remote`)
	if rem == nil || !strings.Contains(servertest.Text(servertest.First(rem, `table`)), "フルリモート1件50.0%") {
		t.Errorf("remote table: %q", servertest.Texts(servertest.All(rem, `table`)))
	}
	// The trend: the count and the median as lines, one table of both.
	tr := p.First(`#trend`)
	if tr == nil || len(servertest.All(tr, `svg[role="img"]`)) != 2 || len(servertest.All(tr, `polyline`)) != 2 {
		t.Fatal("no trend charts")
	}
	var days []string
	for _, row := range servertest.All(servertest.All(tr, `tbody`)[0], `tr`) {
		days = append(days, servertest.Text(row))
	}
	want := []string{strings.ReplaceAll(today, "-", "/") + "2件65万円60万〜70万円", strings.ReplaceAll(yesterday, "-", "/") + "1件60万円60万〜70万円"}
	if strings.Join(days, "|") != strings.Join(want, "|") {
		t.Errorf("trend table %q, want %q", days, want)
	}
	// The newest listings, and the ways on.
	if n := len(p.All(`article.card`)); n != 2 {
		t.Errorf("%d cards, want 2", n)
	}
	links := hrefs(p.Doc)
	for _, want := range []string{"/search?role=backend", "/search?role=backend#save-search", "/skills/go", "/market?role=backend"} {
		if !links[want] {
			t.Errorf("no link to %s", want)
		}
	}
	if c := p.Header.Get("Content-Security-Policy"); !strings.Contains(c, "style-src 'self' 'nonce-") {
		t.Errorf("CSP %q", c)
	}
}

// TestRoleMailLink follows a role page's 「新着案件をメールで受け取る」
// button to the search page: its fragment names the form that saves the
// search, the role filtered.
func TestRoleMailLink(t *testing.T) {
	c := newMeFixture(t).Browser()
	p := c.Get(t, "/roles/backend")
	var link string
	for _, a := range p.All(`a`) {
		if servertest.Text(a) == "新着案件をメールで受け取る" {
			link = servertest.Attr(a, "href")
		}
	}
	path, frag, ok := strings.Cut(link, "#")
	if !ok || !strings.HasPrefix(path, "/search?") {
		t.Fatalf("mail link %q", link)
	}
	p = c.Get(t, path)
	form := p.First(`form.save-search[id="` + frag + `"]`)
	if form == nil {
		t.Fatalf("%s: #%s is not the save-search form", path, frag)
	}
	if q := servertest.All(form, `input[name="query"]`); len(q) != 1 || servertest.Attr(q[0], "value") != "role=backend" {
		t.Errorf("the form saves %v, want role=backend", servertest.Attr(servertest.First(form, `input[name="query"]`), "value"))
	}
}

// TestSearchRoleMarketLink: a search of one role links that role's page
// beside its heading; a search of none or of several does not.
func TestSearchRoleMarketLink(t *testing.T) {
	fx := newFixture(t)
	for path, want := range map[string]string{
		"/search?role=backend":               "/roles/backend",
		"/search?role=backend&skill=go":      "/roles/backend",
		"/search?role=frontend":              "/roles/frontend",
		"/search":                            "",
		"/search?role=backend&role=frontend": "",
		"/search?skill=go":                   "",
	} {
		p := fx.Get(t, path)
		if p.Status != http.StatusOK {
			t.Fatalf("GET %s = %d", path, p.Status)
		}
		var got []string
		for _, a := range p.All(`a`) {
			if servertest.Text(a) == "この職種の相場" {
				h := servertest.Attr(a, "href")
				got = append(got, h)
			}
		}
		if want == "" && len(got) != 0 || want != "" && (len(got) != 1 || got[0] != want) {
			t.Errorf("%s: role market links %q, want %q", path, got, want)
		}
		if want != "" && len(servertest.All(p.All(`div.results-head`)[0], `a[href="`+want+`"]`)) != 1 {
			t.Errorf("%s: the link is not by the results' heading", path)
		}
	}
}

func TestRolePageUnknown(t *testing.T) {
	fx := newFixture(t)
	for _, path := range []string{"/roles/nope", "/skills/not-a-skill", "/skills/rust"} {
		p := fx.Get(t, path)
		if p.Status != http.StatusNotFound || len(p.All(`section.error`)) != 1 {
			t.Errorf("GET %s: %d", path, p.Status)
		}
	}
}

func TestSkillPage(t *testing.T) {
	fx := newFixture(t)
	p := fx.Get(t, "/skills/go")
	if p.Status != http.StatusOK {
		t.Fatalf("status %d\n%s", p.Status, p.Body)
	}
	if got := p.Text(`h1`); got != "Goの案件の単価相場" {
		t.Errorf("h1 %q", got)
	}
	if got := p.Text(`p.count`); got != "募集中の案件は1件※11月30日 21:00時点" {
		t.Errorf("count %q", got)
	}
	if n, m := strings.Count(servertest.Text(p.Doc), "ボリュームゾーンで"), strings.Count(servertest.Text(p.Doc), "720万"); n != 1 || m != 1 {
		t.Errorf("the volume zone is stated %d times (its annual figure %d), want once", n, m)
	}
	intro := p.Text(`article.marticle`)
	if !strings.Contains(intro, "Goを使う案件は1件") || !strings.Contains(intro, "バックエンド（1件）") {
		t.Errorf("intro %q", intro)
	}
	if !hrefs(p.Doc)["/roles/backend"] {
		t.Error("no link to the role's page")
	}
	if len(p.All(`meta[name="robots"][content="noindex"]`)) != 1 {
		t.Error("a skill with few listings should not be indexed")
	}
	// Another spelling redirects to the one address.
	resp, err := noRedirect.Get(fx.URL + "/skills/golang")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/skills/go" {
		t.Errorf("/skills/golang: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func TestMarketPage(t *testing.T) {
	fx := newFixture(t)
	p := fx.Get(t, "/market?role=backend&remote=full")
	if p.Status != http.StatusOK {
		t.Fatalf("status %d\n%s", p.Status, p.Body)
	}
	if got := p.Text(`p.count`); got != "募集中の案件は1件※11月30日 21:00時点" {
		t.Errorf("count %q", got)
	}
	if got := p.Text(`p.zone-sentence`); !strings.Contains(got, "月額60万〜70万円") {
		t.Errorf("zone %q", got)
	}
	// The filters are shown and editable: a GET form back to /market.
	form := p.All(`form.mform`)
	if len(form) != 1 {
		t.Fatal("no filter form")
	}
	if a := servertest.Attr(form[0], "action"); a != "/market" {
		t.Errorf("form action %q", a)
	}
	if len(servertest.All(form[0], `input[name="role"][value="backend"][checked]`)) != 1 ||
		len(servertest.All(form[0], `input[name="remote"][value="full"][checked]`)) != 1 {
		t.Error("the search's filters are not checked in the form")
	}
	links := hrefs(p.Doc)
	for _, want := range []string{"/search?remote=full&role=backend", "/market?role=backend", "/market?remote=full"} {
		if !links[want] {
			t.Errorf("no link to %s", want)
		}
	}
	if n := len(p.All(`svg[role="img"]`)); n < 2 {
		t.Errorf("%d charts", n)
	}
	// No filters: every open listing. A bad filter: the error page.
	if p := fx.Get(t, "/market"); p.Status != http.StatusOK || !strings.HasPrefix(p.Text(`p.count`), "募集中の案件は3件※") {
		t.Errorf("/market: %d", p.Status)
	}
	if p := fx.Get(t, "/market?role=chef"); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("/market?role=chef: %d", p.Status)
	}
}

func hrefs(n *html.Node) map[string]bool {
	out := map[string]bool{}
	for _, a := range servertest.All(n, `a`) {
		h := servertest.Attr(a, "href")
		out[h] = true
	}
	return out
}
