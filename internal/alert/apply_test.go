package alert

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"anken/internal/catalog"
	"anken/internal/listing"
	"anken/internal/search"
	"anken/internal/web"
)

// TestMailApplyLinks: an alert mail links each listing's application as
// the absolute /go/{id}/{agency} of the agency offering it (rel=nofollow
// in HTML), never the agency's URL itself; and the site answers each of
// those links with a 302 to the apply URL that agency stored.
func TestMailApplyLinks(t *testing.T) {
	f := newFixture(t, "sqlite")
	f.save(f.engineer, "決済のGo案件", "q=決済&skill=go", "instant")
	w := f.worker("node-1")
	f.step(w)
	want := map[string]string{} // /go path → the apply URL stored
	for _, c := range []struct {
		ext, title, text, apply string
		byB                     bool
	}{
		{"a1", "【Go】決済APIの開発", "決済サービスのAPIをGoで開発します。", "https://techlink.example/jobs/a1?ref=anken", false},
		{"b1", "ポイント決済基盤の刷新（Go）", "ポイントと決済の基盤をマイクロサービスに分けます。", "https://freeworks.example/entry/77", true},
		{"a2", "決済代行の管理画面", "加盟店向け管理画面のサーバーサイドをGoで。", "", false}, // no apply URL: no apply link
	} {
		l := job(c.ext, c.title, c.text, listing.RemoteFull, "go")
		l.ApplyURL = c.apply
		ag := f.a
		if c.byB {
			ag = f.b
		}
		id := f.put(ag, l)
		if c.apply != "" {
			want["/go/"+strconv.FormatInt(id, 10)+"/"+ag.Slug] = c.apply
		}
	}
	f.step(w)
	mails := f.alerts()
	if len(mails) != 1 {
		t.Fatalf("%d alert mails, want 1", len(mails))
	}
	m := mails[0]
	if n := len(listingIDs(m)); n != 3 {
		t.Fatalf("the mail shows %d listings, want 3:\n%s", n, m.Text)
	}
	if strings.Contains(m.Text+m.HTML, "techlink.example") || strings.Contains(m.Text+m.HTML, "freeworks.example") {
		t.Errorf("the mail links an agency's URL itself:\n%s\n%s", m.Text, m.HTML)
	}
	textLinks := regexp.MustCompile(`https://anken\.example(/go/\S+)`).FindAllStringSubmatch(m.Text, -1)
	htmlLinks := regexp.MustCompile(`<a href="https://anken\.example(/go/[^"]+)"([^>]*)>`).FindAllStringSubmatch(m.HTML, -1)
	if len(textLinks) != len(want) || len(htmlLinks) != len(want) {
		t.Fatalf("%d apply links in the text, %d in the HTML; want %d each\n%s\n%s", len(textLinks), len(htmlLinks), len(want), m.Text, m.HTML)
	}
	for _, l := range htmlLinks {
		if !strings.Contains(l[2], `rel="nofollow"`) {
			t.Errorf("HTML apply link %s without rel=nofollow: %s", l[1], l[0])
		}
	}

	site, err := web.New(web.Deps{Catalog: &catalog.Catalog{Store: f.st, Index: search.NewIndex()}, BaseURL: "https://anken.example"})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	site.Register(mux)
	for _, links := range [][][]string{textLinks, htmlLinks} {
		for _, l := range links {
			path := l[1]
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
			if loc := rec.Header().Get("Location"); rec.Code != http.StatusFound || want[path] == "" || loc != want[path] {
				t.Errorf("GET %s: %d to %q; want 302 to %q", path, rec.Code, loc, want[path])
			}
		}
	}
}
