package web_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"anken/internal/server/servertest"
	"anken/internal/store"
)

// The fixture's agencies: techlink has 決済基盤 (フルリモート, 月額60万〜70万円,
// 65万 for figures) and ECサイト (常駐, 時給4,000〜5,000円 at 週5日: 72万)
// open, both full workload; codebridge has 物流 (常駐, 月額55万〜65万円: 60万).
// Every one was first seen within the last 30 days.

func TestAgencyPages(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	a, err := fx.st.AgencyBySlug(ctx, "techlink")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fx.st.SetAgencyProfile(ctx, a.ID, store.AgencyProfile{Name: "テックリンク",
		Description: "Go と React の案件が中心です。\n\n副業向けの案件も扱っています。", SiteURL: "https://techlink.example/about"}); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.st.CreateAgency(ctx, "quiet", "募集のないエージェント"); err != nil {
		t.Fatal(err)
	}
	// figures checks one agency's figures (the agencyfigs part), by the
	// text of each of its terms.
	figures := func(t *testing.T, dl []string, want map[string]string) {
		t.Helper()
		got := map[string]string{}
		for _, item := range dl {
			term, def, _ := strings.Cut(item, "|")
			got[term] = def
		}
		for term, w := range want {
			if !strings.Contains(got[term], w) {
				t.Errorf("%s = %q, want it to say %q", term, got[term], w)
			}
		}
	}
	techlink := map[string]string{"掲載中の案件": "2件", "主な職種": "バックエンド 1件 フロントエンド 1件",
		"月額単価の中央値": "月額65万円（フルタイム相当で単価の記載がある2件の中央値）", "リモート可の割合": "50.0%（フルリモート1件・一部リモート0件）",
		"30日以内の新着": "2件"}
	for _, c := range []struct {
		path   string
		status int
		check  func(t *testing.T, p servertest.Page)
	}{
		{"/agencies", 200, func(t *testing.T, p servertest.Page) {
			if h1 := p.All(`h1`); len(h1) != 1 || servertest.Text(h1[0]) != "掲載エージェント一覧" {
				t.Errorf("h1 = %q", servertest.Texts(h1))
			}
			cards := p.All(`li.agency-card`)
			if len(cards) != 2 {
				t.Fatalf("%d agencies, want techlink and codebridge (quiet has no open listing)", len(cards))
			}
			for i, want := range [][2]string{{"テックリンク", "/agencies/techlink"}, {"コードブリッジ", "/agencies/codebridge"}} {
				links := servertest.All(servertest.All(cards[i], `h2`)[0], `a[href="`+want[1]+`"]`)
				if len(links) != 1 || servertest.Text(links[0]) != want[0] {
					t.Errorf("agency %d: %q, want %s linking %s", i+1, servertest.Text(cards[i]), want[0], want[1])
				}
			}
			figures(t, dlItems(cards[0]), techlink)
			figures(t, dlItems(cards[1]), map[string]string{"掲載中の案件": "1件", "主な職種": "バックエンド 1件",
				"月額単価の中央値": "月額60万円", "リモート可の割合": "0.0%", "30日以内の新着": "1件"})
			if len(servertest.All(cards[0], `a[href="/search?agency=techlink&collapse=false"]`)) != 1 {
				t.Error("no link to techlink's listings")
			}
			if strings.Contains(servertest.Text(p.Doc), "募集のないエージェント") {
				t.Error("an agency without open listings is listed")
			}
		}},
		{"/agencies/techlink", 200, func(t *testing.T, p servertest.Page) {
			if h1 := p.All(`h1`); len(h1) != 1 || servertest.Text(h1[0]) != "テックリンク" {
				t.Errorf("h1 = %q", servertest.Texts(h1))
			}
			if got := servertest.Texts(p.All(`p.agency-desc`)); strings.Join(got, "|") != "Go と React の案件が中心です。|副業向けの案件も扱っています。" {
				t.Errorf("description paragraphs %q", got)
			}
			site := p.All(`a[href="https://techlink.example/about"]`)
			if len(site) != 1 {
				t.Fatal("no link to the agency's site")
			}
			if rel := servertest.Attr(site[0], "rel"); rel != "nofollow noopener" {
				t.Errorf("site link rel=%q, want nofollow noopener", rel)
			}
			figures(t, dlItems(p.Doc), techlink)
			cards := p.All(`article.card`)
			if len(cards) != 2 || !strings.Contains(servertest.Text(cards[0]), "決済基盤") || !strings.Contains(servertest.Text(cards[1]), "ECサイト") {
				t.Errorf("newest = %q; want 決済基盤 then ECサイト", servertest.Texts(cards))
			}
			// The search within its listings: a GET form to /search that
			// keeps agency=techlink, each of its own listings (not a shared
			// job's representative, which may be another agency's).
			var form bool
			for _, f := range p.All(`form[action="/search"][method="get"]`) {
				if len(servertest.All(f, `input[type="hidden"][name="agency"][value="techlink"]`)) == 1 && len(servertest.All(f, `input[name="q"]`)) == 1 &&
					len(servertest.All(f, `input[type="hidden"][name="collapse"][value="false"]`)) == 1 {
					form = true
				}
			}
			if !form {
				t.Error("no search form within techlink's listings")
			}
			for _, href := range []string{"/market?agency=techlink&collapse=false", "/search?agency=techlink&collapse=false&sort=newest",
				"/search?agency=techlink&collapse=false&posted_within=30d&sort=newest"} {
				if len(p.All(`a[href="`+href+`"]`)) == 0 {
					t.Errorf("no link to %s", href)
				}
			}
			if canon := p.All(`link[rel="canonical"][href="https://anken.example/agencies/techlink"]`); len(canon) != 1 {
				t.Error("no canonical link")
			}
		}},
		{"/search?agency=techlink&collapse=false", 200, func(t *testing.T, p servertest.Page) {
			// The condition is named by the agency's display name, in the
			// chips and the title.
			chips := servertest.Texts(p.All(`ul.applied a`))
			if len(chips) != 1 || !strings.Contains(chips[0], "テックリンク") {
				t.Errorf("applied conditions %q, want テックリンク", chips)
			}
			if title := servertest.Texts(p.All(`title`)); len(title) != 1 || !strings.HasPrefix(title[0], "テックリンクの案件") {
				t.Errorf("title %q", title)
			}
		}},
		{"/agencies/codebridge", 200, func(t *testing.T, p servertest.Page) {
			if len(p.All(`p.agency-desc`)) != 0 || len(p.All(`p.agency-site`)) != 0 {
				t.Error("an agency that set no profile shows a description or a site")
			}
			if cards := p.All(`article.card`); len(cards) != 1 {
				t.Errorf("%d cards, want 物流", len(cards))
			}
		}},
		{"/agencies/quiet", 404, nil},
		{"/agencies/nobody", 404, nil},
		{"/agencies/No%20Such", 404, nil},
	} {
		t.Run(c.path, func(t *testing.T) {
			p := fx.Get(t, c.path)
			if p.Status != c.status {
				t.Fatalf("status %d, want %d", p.Status, c.status)
			}
			if ct := p.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if c.status == http.StatusNotFound {
				if h1 := p.All(`h1`); len(h1) != 1 || servertest.Text(h1[0]) != "ページが見つかりません" {
					t.Errorf("404 page h1 = %q", servertest.Texts(h1))
				}
				return
			}
			c.check(t, p)
		})
	}
}

// dlItems are the term|definition pairs of the agencyfigs lists under n.
func dlItems(n *html.Node) []string {
	dts, dds := servertest.All(n, `dl.agency-figs dt`), servertest.All(n, `dl.agency-figs dt + dd`)
	out := make([]string, min(len(dts), len(dds)))
	for i := range out {
		out[i] = servertest.Text(dts[i]) + "|" + servertest.Text(dds[i])
	}
	return out
}

// Listing pages link each offer's agency to its page; a closed listing's
// agency is named without a link.
func TestListingLinksAgency(t *testing.T) {
	fx := newFixture(t)
	for _, c := range []struct {
		ext  string
		link bool
	}{{"go-1", true}, {"CB-1", true}, {"old-1", false}} {
		p := fx.Get(t, "/listings/"+strconv.FormatInt(fx.ids[c.ext], 10))
		agency := map[string]string{"go-1": "techlink", "CB-1": "codebridge", "old-1": "techlink"}[c.ext]
		links := p.All(`a[href="/agencies/` + agency + `"]`)
		if c.link && (len(links) == 0 || servertest.Text(links[0]) != agencyNames[agency]) {
			t.Errorf("%s: agency links %q; want %s linking /agencies/%s", c.ext, servertest.Texts(links), agencyNames[agency], agency)
		}
		if !c.link && len(links) != 0 {
			t.Errorf("%s: a closed listing links its agency's page", c.ext)
		}
	}
}

// An agency's market figures are /market?agency=slug: its listings'
// figures, and the page's form keeps the agency when sent again.
func TestAgencyMarket(t *testing.T) {
	fx := newFixture(t)
	p := fx.Get(t, "/market?agency=techlink")
	if p.Status != 200 {
		t.Fatalf("status %d", p.Status)
	}
	if got := p.Text(`p.count`); !strings.HasPrefix(got, "募集中の案件は2件") {
		t.Errorf("count = %q, want techlink's 2", got)
	}
	form := p.All(`form[action="/market"]`)
	if len(form) != 1 || len(servertest.All(form[0], `input[type="hidden"][name="agency"][value="techlink"]`)) != 1 {
		t.Error("the market form drops the agency")
	}
}

// A search within an agency's listings keeps the agency: the filter form
// sends it again, and saving the search saves it.
func TestSearchKeepsAgency(t *testing.T) {
	fx := newFixture(t)
	p := fx.Get(t, "/search?agency=techlink&q=Go")
	if n := len(p.All(`article.card`)); n != 1 {
		t.Errorf("%d cards, want techlink's Go listing", n)
	}
	form := p.All(`form#filters`)
	if len(form) != 1 || len(servertest.All(form[0], `input[type="hidden"][name="agency"][value="techlink"]`)) != 1 {
		t.Error("the filter form drops the agency")
	}
	if a := p.All(`ul.applied`); len(a) != 1 || !strings.Contains(servertest.Text(a[0]), "テックリンク") {
		t.Errorf("applied conditions %q, want the agency among them, by its name", servertest.Texts(a))
	}
}

// TestAgencyPageShowsItsOwnListings: a job two agencies offer is one
// group, shown in collapsed searches as its first listing (techlink's
// here). codebridge's page and its links list codebridge's own listing,
// not the group's representative of another agency.
func TestAgencyPageShowsItsOwnListings(t *testing.T) {
	const job = `{"external_id":"%s","title":"物流倉庫の在庫管理システム刷新【Java/Spring】","description":"物流倉庫の在庫管理システムを刷新します。JavaとSpring Bootを使います。\n週5日、横浜の現場に常駐です。",
		"rate":"月額55万〜65万円","remote":"常駐","days":"週5日","location":"神奈川県横浜市","skills":["java","spring"],"role":"backend","contract":"準委任",
		"apply_url":"https://jobs.example/logistics-1","posted_at":"2026-11-26T09:00:00+09:00"}`
	fx := newFixtureOf(t, map[string][]string{
		"techlink": {strings.Replace(job, "%s", "tl-1", 1), // old-1: the fixture closes it
			`{"external_id":"old-1","title":"終了したインフラ案件","description":"AWSの運用保守。","rate":"月額50万円","role":"infra"}`},
		"codebridge": {strings.Replace(job, "%s", "cb-1", 1)},
	})
	ctx := context.Background()
	tl, err := fx.st.Listing(ctx, fx.ids["tl-1"])
	if err != nil {
		t.Fatal(err)
	}
	cb, err := fx.st.Listing(ctx, fx.ids["cb-1"])
	if err != nil {
		t.Fatal(err)
	}
	if tl.GroupID == 0 || cb.GroupID != tl.GroupID {
		t.Fatalf("the two offers are not one group: %d, %d", tl.GroupID, cb.GroupID)
	}
	p := fx.Get(t, "/agencies/codebridge")
	cards := p.All(`article.card`)
	if len(cards) != 1 {
		t.Fatalf("%d cards on codebridge's page, want its one listing", len(cards))
	}
	own := "/listings/" + strconv.FormatInt(cb.ID, 10)
	if len(servertest.All(cards[0], `a[href^="`+own+`"]`)) == 0 {
		t.Errorf("codebridge's card does not link its own listing %s: %q", own, servertest.Text(cards[0]))
	}
	// Its "all listings" search shows codebridge's listing too.
	all := fx.Get(t, "/search?agency=codebridge&collapse=false&sort=newest")
	if hits := all.All(`article.card a[href^="` + own + `"]`); len(hits) == 0 {
		t.Errorf("/search?agency=codebridge&collapse=false does not show %s", own)
	}
}
