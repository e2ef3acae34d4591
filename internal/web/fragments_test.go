package web

import (
	"strings"
	"testing"
)

// TestCardBodyKept: a card's body is rendered once for the values it
// shows and answered from kept after, a change of any value renders it
// afresh, and what it holds is escaped as the page's template would.
func TestCardBodyKept(t *testing.T) {
	s, err := New(Deps{})
	if err != nil {
		t.Fatal(err)
	}
	c := cardView{ID: 7, Title: `決済基盤 <script>alert(1)</script>`, Rate: "月額60万〜70万円", Facts: []fact{{"フルリモート", "remote"}},
		Skills: []string{"Go"}, Source: "テックリンク", Posted: "2026-12-01T00:00:00Z", Ago: "7日前", Back: "/search", Fav: true}
	first, err := s.cardBody(c)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(first), "<script>") || !strings.Contains(string(first), "&lt;script&gt;") {
		t.Errorf("the title is not escaped: %s", first)
	}
	if strings.Contains(string(first), "お気に入り") {
		t.Error("the favourite button, which depends on the visitor, is in the kept body")
	}
	if _, ok := s.fragments.get("cardbody\x00" + c.bodyKey()); !ok {
		t.Fatal("the body was not kept")
	}
	// Another visitor, another page: the same body.
	other := c
	other.Fav, other.Back = false, "/roles/backend"
	if again, _ := s.cardBody(other); again != first {
		t.Errorf("the same values gave another body:\n%s\n%s", first, again)
	}
	// Every value it shows changes it.
	for name, edit := range map[string]func(*cardView){
		"title":  func(c *cardView) { c.Title = "別の案件" },
		"ago":    func(c *cardView) { c.Ago = "8日前" },
		"facts":  func(c *cardView) { c.Facts = append(c.Facts, fact{Text: "新着", Class: "new"}) },
		"skills": func(c *cardView) { c.Skills = []string{"Go", "AWS"} },
		"source": func(c *cardView) { c.Source, c.Grouped = "2社が掲載", true },
		"closed": func(c *cardView) { c.Closed = true },
	} {
		changed := c
		changed.Facts = append([]fact(nil), c.Facts...)
		edit(&changed)
		if changed.bodyKey() == c.bodyKey() {
			t.Errorf("%s: the same key", name)
		}
	}
}

// TestFilterGroupsKept: the filter groups are rendered once for the values
// they show, and a changed count or check renders them afresh.
func TestFilterGroupsKept(t *testing.T) {
	s, err := New(Deps{})
	if err != nil {
		t.Fatal(err)
	}
	gs := []filterGroup{{Param: "role", Legend: "職種", Type: "checkbox", Open: true,
		Opts: []option{{Value: "backend", Label: "バックエンド", ID: "f-role-backend", CountText: "1,234"}}}}
	first, err := s.filterGroupsHTML(gs)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(first), `value="backend"`) || !strings.Contains(string(first), "1,234") {
		t.Fatalf("groups: %s", first)
	}
	if again, _ := s.filterGroupsHTML(gs); again != first {
		t.Error("the same groups rendered differently")
	}
	for name, edit := range map[string]func(*option){
		"count":   func(o *option) { o.CountText = "1,235" },
		"checked": func(o *option) { o.Checked = true },
		"label":   func(o *option) { o.Label = "<b>" },
	} {
		o := gs[0].Opts[0]
		edit(&o)
		changed := []filterGroup{gs[0]}
		changed[0].Opts = []option{o}
		h, err := s.filterGroupsHTML(changed)
		if err != nil {
			t.Fatal(err)
		}
		if h == first {
			t.Errorf("%s: the kept groups were served for other values", name)
		}
		if strings.Contains(string(h), "<b>") {
			t.Errorf("%s: a label is not escaped: %s", name, h)
		}
	}
}
