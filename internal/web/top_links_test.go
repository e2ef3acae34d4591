package web_test

import (
	"strings"
	"testing"

	"anken/internal/server/servertest"
)

// The top page leads into every feature, each prefecture with open
// listings (with its count) and the agencies' list.
func TestTopPageWaysIn(t *testing.T) {
	fx := newFixture(t)
	p := fx.Get(t, "/")
	if p.Status != 200 {
		t.Fatalf("GET / = %d", p.Status)
	}
	for href, want := range map[string]string{
		"/features/full-remote": "フルリモートの案件",
		"/features/weekly-3":    "週3日以下の案件",
		"/features/side-job":    "副業OKの案件",
		"/features/high-rate":   "月額80万円以上の案件",
		"/areas/tokyo":          "東京都 1",
		"/areas/osaka":          "大阪府 1",
		"/agencies":             "掲載エージェント一覧を見る",
	} {
		links := p.All(`a[href="` + href + `"]`)
		if len(links) == 0 || !strings.Contains(servertest.Text(links[0]), want) {
			t.Errorf("%s: links %q, want one saying %q", href, servertest.Texts(links), want)
		}
	}
	if len(p.All(`a[href="/areas/tottori"]`)) != 0 {
		t.Error("a prefecture without open listings is linked")
	}
}
