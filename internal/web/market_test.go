package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"anken/internal/market"
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
	p := fx.get(t, "/roles/backend")
	if p.status != http.StatusOK {
		t.Fatalf("status %d\n%s", p.status, p.body)
	}
	h1 := find(p.doc, "h1")
	if len(h1) != 1 || text(h1[0]) != "バックエンドエンジニアとは" {
		t.Errorf("h1 = %q", textsOf(h1))
	}
	// The figures say when they were computed, in Japan's time (the
	// fixture's clock is 12:00 UTC).
	if got := text(find(p.doc, "p", "class=count")[0]); got != "募集中の案件は2件※11月30日 21:00時点" {
		t.Errorf("count = %q", got)
	}
	// The volume zone is stated once on the page: in its sentence.
	const zone = "案件単価は月額60万〜70万円の範囲がボリュームゾーンで、年収に換算すると約720万〜840万円です。"
	if got := text(find(p.doc, "p", "class=zone-sentence")[0]); got != zone {
		t.Errorf("zone sentence = %q, want %q", got, zone)
	}
	if n, m := strings.Count(text(p.doc), "ボリュームゾーンで"), strings.Count(text(p.doc), "720万"); n != 1 || m != 1 {
		t.Errorf("the volume zone is stated %d times (its annual figure %d), want once", n, m)
	}
	// The article's sections are there, rendered.
	if n := len(find(p.doc, "article", "class=marticle")); n != 1 {
		t.Fatalf("%d articles", n)
	}
	if !strings.Contains(p.body, "どんな仕事か") || !strings.Contains(p.body, "よくある質問") {
		t.Error("the article's sections are missing")
	}
	// Quartiles by nearest rank of [60万, 65万]: p25 60万, median 60万, p75 65万.
	rates := map[string]string{}
	for _, tr := range find(find(p.doc, "table", "class=rates")[0], "tr") {
		rates[text(find(tr, "th")[0])] = text(find(tr, "td")[0])
	}
	for k, want := range map[string]string{"中央値": "60万円", "下位25%（第1四分位）": "60万円", "上位25%（第3四分位）": "65万円",
		"平均": "62.5万円"} {
		if rates[k] != want {
			t.Errorf("rates[%s] = %q, want %q", k, rates[k], want)
		}
	}
	// The histogram: an accessible SVG, and its table has the same numbers.
	fig := byID(p.doc, "hist")
	if fig == nil {
		t.Fatal("no histogram")
	}
	svg := find(fig, "svg")[0]
	if r, _ := attr(svg, "role"); r != "img" {
		t.Errorf("svg role %q", r)
	}
	labels, _ := attr(svg, "aria-labelledby")
	for _, id := range strings.Fields(labels) {
		if n := byID(p.doc, id); n == nil || text(n) == "" {
			t.Errorf("aria-labelledby %s names nothing", id)
		}
	}
	if title := text(find(svg, "title")[0]); !strings.Contains(title, "2件") {
		t.Errorf("svg title %q", title)
	}
	rows := map[string]string{}
	zoneRows := 0
	for _, tr := range find(find(fig, "table")[0], "tr") {
		if th, td := find(tr, "th"), find(tr, "td"); len(th) == 1 && len(td) == 1 {
			rows[text(th[0])] = text(td[0])
			if hasClass(tr, "zone") {
				zoneRows++
			}
		}
	}
	if rows["60万〜65万円"] != "1件" || rows["65万〜70万円"] != "1件" || zoneRows != 2 {
		t.Errorf("histogram table %v (%d in the zone)", rows, zoneRows)
	}
	if n := len(find(svg, "rect", "class=zone")); n != 2 {
		t.Errorf("%d bars marked as the volume zone, want 2", n)
	}
	// Remote share: one fully remote of two.
	rem := byID(p.doc, "remote")
	if rem == nil || !strings.Contains(text(find(rem, "table")[0]), "フルリモート1件50.0%") {
		t.Errorf("remote table: %q", textsOf(find(rem, "table")))
	}
	// The trend: the count and the median as lines, one table of both.
	tr := byID(p.doc, "trend")
	if tr == nil || len(find(tr, "svg", "role=img")) != 2 || len(find(tr, "polyline")) != 2 {
		t.Fatal("no trend charts")
	}
	var days []string
	for _, row := range find(find(tr, "tbody")[0], "tr") {
		days = append(days, text(row))
	}
	want := []string{strings.ReplaceAll(today, "-", "/") + "2件65万円60万〜70万円", strings.ReplaceAll(yesterday, "-", "/") + "1件60万円60万〜70万円"}
	if strings.Join(days, "|") != strings.Join(want, "|") {
		t.Errorf("trend table %q, want %q", days, want)
	}
	// The newest listings, and the ways on.
	if n := len(find(p.doc, "article", "class=card")); n != 2 {
		t.Errorf("%d cards, want 2", n)
	}
	links := hrefs(p.doc)
	for _, want := range []string{"/search?role=backend", "/search?role=backend#save-search", "/skills/go", "/market?role=backend"} {
		if !links[want] {
			t.Errorf("no link to %s", want)
		}
	}
	if c := p.header.Get("Content-Security-Policy"); !strings.Contains(c, "style-src 'self' 'nonce-") {
		t.Errorf("CSP %q", c)
	}
}

// TestRoleMailLink follows a role page's 「新着案件をメールで受け取る」
// button to the search page: its fragment names the form that saves the
// search, the role filtered.
func TestRoleMailLink(t *testing.T) {
	c := newMeFixture(t).client()
	p := c.get(t, "/roles/backend")
	var link string
	for _, a := range find(p.doc, "a") {
		if text(a) == "新着案件をメールで受け取る" {
			link, _ = attr(a, "href")
		}
	}
	path, frag, ok := strings.Cut(link, "#")
	if !ok || !strings.HasPrefix(path, "/search?") {
		t.Fatalf("mail link %q", link)
	}
	p = c.get(t, path)
	form := byID(p.doc, frag)
	if form == nil || form.Data != "form" || !hasClass(form, "save-search") {
		t.Fatalf("%s: #%s is %v, want the save-search form", path, frag, form)
	}
	if q := find(form, "input", "name=query"); len(q) != 1 || !hasAttrs(q[0], []string{"value=role=backend"}) {
		t.Errorf("the form saves %v, want role=backend", q)
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
		p := fx.get(t, path)
		if p.status != http.StatusOK {
			t.Fatalf("GET %s = %d", path, p.status)
		}
		var got []string
		for _, a := range find(p.doc, "a") {
			if text(a) == "この職種の相場" {
				h, _ := attr(a, "href")
				got = append(got, h)
			}
		}
		if want == "" && len(got) != 0 || want != "" && (len(got) != 1 || got[0] != want) {
			t.Errorf("%s: role market links %q, want %q", path, got, want)
		}
		if want != "" && len(find(find(p.doc, "div", "class=results-head")[0], "a", "href="+want)) != 1 {
			t.Errorf("%s: the link is not by the results' heading", path)
		}
	}
}

func TestRolePageUnknown(t *testing.T) {
	fx := newFixture(t)
	for _, path := range []string{"/roles/nope", "/skills/not-a-skill", "/skills/rust"} {
		p := fx.get(t, path)
		if p.status != http.StatusNotFound || len(find(p.doc, "section", "class=error")) != 1 {
			t.Errorf("GET %s: %d", path, p.status)
		}
	}
}

func TestSkillPage(t *testing.T) {
	fx := newFixture(t)
	p := fx.get(t, "/skills/go")
	if p.status != http.StatusOK {
		t.Fatalf("status %d\n%s", p.status, p.body)
	}
	if got := text(find(p.doc, "h1")[0]); got != "Goの案件の単価相場" {
		t.Errorf("h1 %q", got)
	}
	if got := text(find(p.doc, "p", "class=count")[0]); got != "募集中の案件は1件※11月30日 21:00時点" {
		t.Errorf("count %q", got)
	}
	if n, m := strings.Count(text(p.doc), "ボリュームゾーンで"), strings.Count(text(p.doc), "720万"); n != 1 || m != 1 {
		t.Errorf("the volume zone is stated %d times (its annual figure %d), want once", n, m)
	}
	intro := text(find(p.doc, "article", "class=marticle")[0])
	if !strings.Contains(intro, "Goを使う案件は1件") || !strings.Contains(intro, "バックエンド（1件）") {
		t.Errorf("intro %q", intro)
	}
	if !hrefs(p.doc)["/roles/backend"] {
		t.Error("no link to the role's page")
	}
	if !strings.Contains(p.body, `<meta name="robots" content="noindex">`) {
		t.Error("a skill with few listings should not be indexed")
	}
	// Another spelling redirects to the one address.
	resp, err := noRedirect.Get(fx.srv.URL + "/skills/golang")
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
	p := fx.get(t, "/market?role=backend&remote=full")
	if p.status != http.StatusOK {
		t.Fatalf("status %d\n%s", p.status, p.body)
	}
	if got := text(find(p.doc, "p", "class=count")[0]); got != "募集中の案件は1件※11月30日 21:00時点" {
		t.Errorf("count %q", got)
	}
	if got := text(find(p.doc, "p", "class=zone-sentence")[0]); !strings.Contains(got, "月額60万〜70万円") {
		t.Errorf("zone %q", got)
	}
	// The filters are shown and editable: a GET form back to /market.
	form := find(p.doc, "form", "class=mform")
	if len(form) != 1 {
		t.Fatal("no filter form")
	}
	if a, _ := attr(form[0], "action"); a != "/market" {
		t.Errorf("form action %q", a)
	}
	if len(find(form[0], "input", "name=role", "value=backend", "checked")) != 1 ||
		len(find(form[0], "input", "name=remote", "value=full", "checked")) != 1 {
		t.Error("the search's filters are not checked in the form")
	}
	links := hrefs(p.doc)
	for _, want := range []string{"/search?remote=full&role=backend", "/market?role=backend", "/market?remote=full"} {
		if !links[want] {
			t.Errorf("no link to %s", want)
		}
	}
	if n := len(find(p.doc, "svg", "role=img")); n < 2 {
		t.Errorf("%d charts", n)
	}
	// No filters: every open listing. A bad filter: the error page.
	if p := fx.get(t, "/market"); p.status != http.StatusOK || !strings.HasPrefix(text(find(p.doc, "p", "class=count")[0]), "募集中の案件は3件※") {
		t.Errorf("/market: %d", p.status)
	}
	if p := fx.get(t, "/market?role=chef"); p.status != http.StatusUnprocessableEntity {
		t.Errorf("/market?role=chef: %d", p.status)
	}
}

func byID(n *html.Node, id string) *html.Node {
	for _, e := range find(n, "", "id="+id) {
		return e
	}
	return nil
}

func hasClass(n *html.Node, c string) bool { return hasAttrs(n, []string{"class=" + c}) }

func hrefs(n *html.Node) map[string]bool {
	out := map[string]bool{}
	for _, a := range find(n, "a") {
		h, _ := attr(a, "href")
		out[h] = true
	}
	return out
}

func textsOf(ns []*html.Node) []string {
	var out []string
	for _, n := range ns {
		out = append(out, text(n))
	}
	return out
}
