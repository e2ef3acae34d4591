package web_test

import (
	"strings"
	"testing"

	"anken/internal/server/servertest"
)

// The top page says how many jobs anken first saw in the last 24 hours
// (今日の新着), linking to them, and each such card carries 新着.
func TestTodaysNew(t *testing.T) {
	fx := newFixture(t) // every fixture listing was first seen just now
	p := fx.Get(t, "/")
	if p.Status != 200 {
		t.Fatalf("top: %d", p.Status)
	}
	links := p.All(`a[href="/search?posted_within=1d&sort=newest"]`)
	if len(links) != 1 || !strings.Contains(servertest.Text(links[0]), "今日の新着 3件") {
		t.Errorf("top page's 今日の新着: %q", servertest.Texts(links))
	}
	s := fx.Get(t, "/search?posted_within=1d")
	cards := s.All(`article.card`)
	if len(cards) != 3 {
		t.Fatalf("%d cards of today's new, want 3", len(cards))
	}
	for _, c := range cards {
		if len(servertest.All(c, `li.new`)) != 1 {
			t.Errorf("card without 新着: %s", servertest.Text(c))
		}
	}
}
