package web_test

import (
	"strings"
	"testing"
)

// The top page says how many jobs anken first saw in the last 24 hours
// (今日の新着), linking to them, and each such card carries 新着.
func TestTodaysNew(t *testing.T) {
	fx := newFixture(t) // every fixture listing was first seen just now
	p := fx.get(t, "/")
	if p.status != 200 {
		t.Fatalf("top: %d", p.status)
	}
	links := find(p.doc, "a", "href=/search?posted_within=1d&sort=newest")
	if len(links) != 1 || !strings.Contains(text(links[0]), "今日の新着 3件") {
		t.Errorf("top page's 今日の新着: %q", textsOf(links))
	}
	s := fx.get(t, "/search?posted_within=1d")
	cards := find(s.doc, "article", "class=card")
	if len(cards) != 3 {
		t.Fatalf("%d cards of today's new, want 3", len(cards))
	}
	for _, c := range cards {
		if len(find(c, "li", "class=new")) != 1 {
			t.Errorf("card without 新着: %s", text(c))
		}
	}
}
