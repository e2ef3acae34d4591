package web_test

import (
	"testing"

	"golang.org/x/net/html"

	"anken/internal/server/servertest"
)

// On a phone the results come first and the filter panel after them; a
// 「絞り込み」 control at the top of the results leads to the panel without
// JavaScript (an in-page link to the form's id), and the panel leads
// back. The control comes before the first card, the cards before the
// panel's filters.
func TestSearchPhoneFilters(t *testing.T) {
	fx := newFixture(t)
	for _, c := range []struct {
		path    string
		label   string
		noCards bool
	}{
		{"/search", "絞り込み", false},
		{"/search?remote=full&side_job=true", "絞り込み（2件指定中）", false},
		{"/search?q=存在しない言葉", "絞り込み（1件指定中）", true},
	} {
		t.Run(c.path, func(t *testing.T) {
			p := fx.Get(t, c.path)
			if p.Status != 200 {
				t.Fatalf("status %d", p.Status)
			}
			results := p.All(`section#results`)
			if len(results) != 1 {
				t.Fatal("no results section")
			}
			controls := servertest.All(results[0], `a[href="#filters"]`)
			if len(controls) != 1 || servertest.Text(controls[0]) != c.label {
				t.Fatalf("controls %q in the results; want one %q linking #filters", servertest.Texts(controls), c.label)
			}
			forms := p.All(`form#filters`)
			if len(forms) != 1 || len(servertest.All(forms[0], `input[type="checkbox"]`)) == 0 {
				t.Fatal("no filter form with id filters: the control leads nowhere")
			}
			if len(servertest.All(forms[0], `a[href="#results"]`)) != 1 {
				t.Error("the panel does not lead back to the results")
			}
			order := map[*html.Node]int{} // the elements, numbered in document order
			for i, n := range p.All(`*`) {
				order[n] = i
			}
			control, panel := order[controls[0]], order[forms[0]]
			if control > panel {
				t.Error("the control comes after the filter panel")
			}
			if c.noCards {
				return
			}
			cards := p.All(`article.card`)
			if len(cards) == 0 {
				t.Fatal("no cards")
			}
			if first, last := order[cards[0]], order[cards[len(cards)-1]]; !(control < first && last < panel) {
				t.Errorf("page order: control %d, cards %d–%d, panel %d; want control, cards, panel", control, first, last, panel)
			}
		})
	}
}
