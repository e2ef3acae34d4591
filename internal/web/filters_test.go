package web_test

import (
	"strings"
	"testing"

	"anken/internal/server/servertest"
)

// The search page takes the pay, workload, freshness and agency filters,
// offers them in its panel and names each applied one with a way to drop
// it.
func TestSearchPageNewFilters(t *testing.T) {
	fx := newFixture(t)
	for _, c := range []struct {
		path   string
		titles []string // the cards, any order
		chip   string   // the applied condition
		input  string   // the panel's checked input: name=value
	}{
		{"/search?workload=full", []string{"決済基盤", "ECサイト", "物流"}, "フルタイム相当", "workload=full"},
		{"/search?workload=part", nil, "週3日以下・短時間", "workload=part"},
		// 決済基盤 is 月額60万〜70万円 at 週3〜5日 (128 h): 4,687〜5,468円 an hour.
		{"/search?hourly_min=4500", []string{"決済基盤", "ECサイト"}, "時給4,500円以上", ""},
		{"/search?hourly_min=5000", []string{"決済基盤", "ECサイト"}, "時給5,000円以上", "hourly_min=5000"},
		{"/search?posted_within=30d", []string{"決済基盤", "ECサイト", "物流"}, "30日以内の新着", "posted_within=30d"},
		{"/search?agency=codebridge", []string{"物流"}, "コードブリッジ", ""},
	} {
		t.Run(c.path, func(t *testing.T) {
			p := fx.Get(t, c.path)
			if p.Status != 200 {
				t.Fatalf("GET %s = %d", c.path, p.Status)
			}
			cards := p.All(`article.card`)
			if len(cards) != len(c.titles) {
				t.Fatalf("%d cards, want %d (%v)", len(cards), len(c.titles), c.titles)
			}
			all := ""
			for _, card := range cards {
				all += servertest.Text(servertest.First(card, `h3`)) + "\n"
			}
			for _, want := range c.titles {
				if !strings.Contains(all, want) {
					t.Errorf("no card %q in\n%s", want, all)
				}
			}
			if !strings.Contains(p.Text(`h1`), c.chip) {
				t.Errorf("page does not name the condition %q", c.chip)
			}
			if c.input != "" {
				name, value, _ := strings.Cut(c.input, "=")
				var checked bool
				for _, in := range p.All(`input[name="` + name + `"]`) {
					v := servertest.Attr(in, "value")
					if _, on := servertest.LookupAttr(in, "checked"); v == value && on {
						checked = true
					}
				}
				if !checked {
					t.Errorf("the panel has no checked %s", c.input)
				}
			}
		})
	}
}
