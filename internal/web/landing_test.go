package web_test

import (
	"net/http"
	"strings"
	"testing"

	"anken/internal/server/servertest"
)

// The ways in: an area's page and each feature's page show their live
// figures (count, 今日の新着, monthly figures over full-workload listings or,
// for the part-time themes, hourly ones), the newest listings, their
// search and the new-listing mail's button. In the fixture, ECサイト
// (東京都, 時給4,000〜5,000円 週5日: up to 月額80万円) and 物流 (大阪府) are
// onsite; 決済基盤 is フルリモート, 週3〜5日 and 副業OK. All three were first
// seen just now.
func TestLandingPages(t *testing.T) {
	fx := newFixture(t)
	for _, c := range []struct {
		path    string
		h1      string
		cards   []string // the newest listings' titles, in order
		search  string   // the search link
		today   string   // its 今日の新着: the search within 24 hours, newest first
		hourly  bool     // figures of pay per hour
		noIndex bool
	}{
		{"/areas/tokyo", "東京都のフリーランス案件", []string{"ECサイト"}, "/search?prefecture=JP-13", "/search?posted_within=1d&prefecture=JP-13&sort=newest", false, true},
		{"/areas/osaka", "大阪府のフリーランス案件", []string{"物流"}, "/search?prefecture=JP-27", "/search?posted_within=1d&prefecture=JP-27&sort=newest", false, true},
		{"/features/full-remote", "フルリモートの案件", []string{"決済基盤"}, "/search?remote=full", "/search?posted_within=1d&remote=full&sort=newest", false, false},
		{"/features/weekly-3", "週3日以下の案件", []string{"決済基盤"}, "/search?days_max=3", "/search?days_max=3&posted_within=1d&sort=newest", true, false},
		{"/features/side-job", "副業OKの案件", []string{"決済基盤"}, "/search?side_job=true", "/search?posted_within=1d&side_job=true&sort=newest", true, false},
		{"/features/high-rate", "月額80万円以上の案件", []string{"ECサイト"}, "/search?rate_min=800000", "/search?posted_within=1d&rate_min=800000&sort=newest", false, false},
	} {
		t.Run(c.path, func(t *testing.T) {
			p := fx.Get(t, c.path)
			if p.Status != http.StatusOK {
				t.Fatalf("status %d", p.Status)
			}
			if h1 := p.All(`h1`); len(h1) != 1 || servertest.Text(h1[0]) != c.h1 {
				t.Errorf("h1 = %q, want %q", servertest.Texts(h1), c.h1)
			}
			if got := p.Text(`p.count`); !strings.HasPrefix(got, "募集中の案件は1件") {
				t.Errorf("count = %q", got)
			}
			today := p.All(`p.today`)
			if len(today) != 1 || !strings.HasPrefix(servertest.Text(today[0]), "今日の新着 1件") ||
				len(servertest.All(today[0], `a[href="`+c.today+`"]`)) != 1 {
				t.Errorf("今日の新着 = %q; want 1件 linking %s", servertest.Texts(today), c.today)
			}
			cards := p.All(`article.card`)
			if len(cards) != len(c.cards) {
				t.Fatalf("%d cards, want %v", len(cards), c.cards)
			}
			for i, want := range c.cards {
				if !strings.Contains(servertest.Text(servertest.First(cards[i], `h3`)), want) {
					t.Errorf("card %d = %q, want %s", i+1, servertest.Text(cards[i]), want)
				}
			}
			if len(p.All(`a[href="`+c.search+`"]`)) == 0 {
				t.Errorf("no link to %s", c.search)
			}
			if len(p.All(`a[href="`+c.search+"#save-search"+`"]`)) != 1 {
				t.Errorf("no new-listing mail button (%s#save-search)", c.search)
			}
			caption := servertest.Text(servertest.All(p.All(`table.rates`)[0], `caption`)[0])
			if want := map[bool]string{false: "月額単価の要約", true: "時給の要約"}[c.hourly]; !strings.HasPrefix(caption, want) {
				t.Errorf("figures %q, want %s", caption, want)
			}
			if c.hourly != strings.Contains(p.Text(`details.method ul`), "1時間あたりの単価（時給）で数えています") {
				t.Errorf("the method does not say the figures are hourly (%v)", c.hourly)
			}
			if len(p.All(`meta[name="robots"][content="noindex"]`)) == 1 != c.noIndex {
				t.Errorf("noindex: want %v (an area below areaPageMin is not indexed)", c.noIndex)
			}
			if len(p.All(`link[rel="canonical"][href="https://anken.example`+c.path+`"]`)) != 1 {
				t.Error("no canonical link to the page")
			}
		})
	}
	// The part-time themes' figures are hourly: 決済基盤's 月額60万〜70万円
	// over 週3〜5日 (128 hours a month) is 4,687〜5,468円 an hour.
	p := fx.Get(t, "/features/weekly-3")
	if !strings.Contains(p.Text(`table.rates`), "中央値時給5,077円") {
		t.Errorf("weekly-3 figures: %q", p.Text(`table.rates`))
	}
	for _, c := range []struct {
		path     string
		status   int
		location string
	}{
		{"/areas/atlantis", 404, ""},
		{"/areas/tottori", 404, ""}, // no open listing there
		{"/features/cheap", 404, ""},
		{"/areas/Tokyo", 301, "/areas/tokyo"},
	} {
		resp, err := noFollow.Get(fx.URL + c.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.status || resp.Header.Get("Location") != c.location {
			t.Errorf("GET %s = %d %q, want %d %q", c.path, resp.StatusCode, resp.Header.Get("Location"), c.status, c.location)
		}
		if c.status == 404 && !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("GET %s: a 404 that is not a page", c.path)
		}
	}
}

// Job-type and skill pages say 今日の新着 as the ways in do: the fixture's
// two backend listings and its one Go listing were first seen just now.
func TestTopicPagesTodaysNew(t *testing.T) {
	fx := newFixture(t)
	for path, want := range map[string]string{"/roles/backend": "今日の新着 2件", "/roles/frontend": "今日の新着 1件"} {
		p := fx.Get(t, path)
		today := p.All(`p.today`)
		if p.Status != http.StatusOK || len(today) != 1 || !strings.HasPrefix(servertest.Text(today[0]), want) {
			t.Errorf("%s: %d, 今日の新着 %q; want %q", path, p.Status, servertest.Texts(today), want)
		}
	}
}
