package web_test

import (
	"net/url"
	"strings"
	"testing"
)

// 閲覧履歴: a logged-in engineer's listing views, latest first, each once;
// another engineer's and anonymous views are not in it; clearing empties
// it, and the export carries it.
func TestHistoryPage(t *testing.T) {
	fx := newMeFixture(t)
	a := fx.signUp(t, "hist-a@example.jp")
	b := fx.signUp(t, "hist-b@example.jp")
	for _, ext := range []string{"go-1", "fe-1", "go-1"} { // go-1 again: latest
		if p := a.get(t, "/listings/"+itoa(fx.ids[ext])); p.status != 200 {
			t.Fatalf("listing %s: %d", ext, p.status)
		}
	}
	b.get(t, "/listings/"+itoa(fx.ids["fe-1"]))
	fx.client().get(t, "/listings/"+itoa(fx.ids["fe-1"])) // anonymous: no history

	p := a.get(t, "/me/history")
	cards := find(p.doc, "article", "class=card")
	if len(cards) != 2 || !strings.Contains(text(cards[0]), "決済基盤") || !strings.Contains(text(cards[1]), "ECサイト") {
		t.Fatalf("A's history: %d cards\n%s", len(cards), excerptOf(p))
	}
	if cards := find(b.get(t, "/me/history").doc, "article", "class=card"); len(cards) != 1 {
		t.Errorf("B's history: %d cards, want its own one", len(cards))
	}
	if x := a.get(t, "/me/export"); !strings.Contains(x.body, `"history"`) || !strings.Contains(strings.ReplaceAll(x.body, " ", ""), `"listing_id":`+itoa(fx.ids["fe-1"])) {
		t.Errorf("the export lacks the history")
	}
	wantRedirect(t, "clear", a.post(t, "/me/history/delete", url.Values{}), "/me/history")
	if cards := find(a.get(t, "/me/history").doc, "article", "class=card"); len(cards) != 0 {
		t.Errorf("%d cards after clearing", len(cards))
	}
	if cards := find(b.get(t, "/me/history").doc, "article", "class=card"); len(cards) != 1 {
		t.Errorf("clearing A's history changed B's: %d cards", len(cards))
	}
}
