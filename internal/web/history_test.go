package web_test

import (
	"net/url"
	"strings"
	"testing"

	"anken/internal/server/servertest"
)

// 閲覧履歴: a logged-in engineer's listing views, latest first, each once;
// another engineer's and anonymous views are not in it; clearing empties
// it, and the export carries it.
func TestHistoryPage(t *testing.T) {
	fx := newMeFixture(t)
	a := fx.signUp(t, "hist-a@example.jp")
	b := fx.signUp(t, "hist-b@example.jp")
	for _, ext := range []string{"go-1", "fe-1", "go-1"} { // go-1 again: latest
		if p := a.Get(t, "/listings/"+itoa(fx.ids[ext])); p.Status != 200 {
			t.Fatalf("listing %s: %d", ext, p.Status)
		}
	}
	b.Get(t, "/listings/"+itoa(fx.ids["fe-1"]))
	fx.Browser().Get(t, "/listings/"+itoa(fx.ids["fe-1"])) // anonymous: no history

	p := a.Get(t, "/me/history")
	cards := p.All(`article.card`)
	if len(cards) != 2 || !strings.Contains(servertest.Text(cards[0]), "決済基盤") || !strings.Contains(servertest.Text(cards[1]), "ECサイト") {
		t.Fatalf("A's history: %d cards\n%s", len(cards), p.Main())
	}
	if cards := servertest.All(b.Get(t, "/me/history").Doc, `article.card`); len(cards) != 1 {
		t.Errorf("B's history: %d cards, want its own one", len(cards))
	}
	if x := a.Get(t, "/me/export"); !strings.Contains(x.Body, `"history"`) || !strings.Contains(strings.ReplaceAll(x.Body, " ", ""), `"listing_id":`+itoa(fx.ids["fe-1"])) {
		t.Errorf("the export lacks the history")
	}
	wantRedirect(t, "clear", a.Post(t, "/me/history/delete", url.Values{}), "/me/history")
	if cards := servertest.All(a.Get(t, "/me/history").Doc, `article.card`); len(cards) != 0 {
		t.Errorf("%d cards after clearing", len(cards))
	}
	if cards := servertest.All(b.Get(t, "/me/history").Doc, `article.card`); len(cards) != 1 {
		t.Errorf("clearing A's history changed B's: %d cards", len(cards))
	}
}
