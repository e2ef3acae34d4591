package web_test

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"anken/internal/guide"
	"anken/internal/server/servertest"
)

func TestGuidesIndex(t *testing.T) {
	fx := newFixture(t)
	p := fx.Get(t, "/guides")
	if p.Status != 200 {
		t.Fatalf("GET /guides = %d", p.Status)
	}
	cards := p.All(`li.guide-card`)
	if len(cards) != len(guide.GuideOrder) {
		t.Fatalf("%d guide cards, want %d", len(cards), len(guide.GuideOrder))
	}
	first := servertest.Text(cards[0])
	if !strings.Contains(first, "バックエンド開発") || !strings.Contains(first, "355／500点") || !strings.Contains(first, "月4.4万〜35.2万円") {
		t.Errorf("first card = %q, want バックエンド開発 with 355／500点 and 月4.4万〜35.2万円", first)
	}
	if links := servertest.All(cards[0], `a[href="/guides/backend"]`); len(links) != 1 {
		t.Error("the backend card does not link /guides/backend")
	}
	rows := rowTexts(p.All(`table.compare`)[0])
	if len(rows) != len(guide.GuideOrder)+1 || rows[1] != "バックエンド開発|90|40|90|70|65|355|78" {
		t.Errorf("comparison: %d rows, backend %q", len(rows), rows[1])
	}
}

// TestGuidePage checks every part of a guide's page: the scores as an
// SVG chart with a title and as a table, the tiers with their monthly
// estimates, every section, the FAQ, and the live figures of the
// category's side-job listings (the fixture has one: go-1, backend,
// 月額60万〜70万円, 副業OK).
func TestGuidePage(t *testing.T) {
	fx := newFixture(t)
	p := fx.Get(t, "/guides/backend")
	if p.Status != 200 {
		t.Fatalf("GET /guides/backend = %d", p.Status)
	}
	if h1 := p.Text(`h1`); h1 != "バックエンド開発の副業" {
		t.Errorf("h1 = %q", h1)
	}
	svg := p.All(`svg[role="img"]`)
	if len(svg) != 2 {
		t.Fatalf("%d charts, want the scores and the live distribution", len(svg))
	}
	title := servertest.All(svg[0], `title`)
	if len(title) != 1 || !strings.Contains(servertest.Text(title[0]), "合計355点") {
		t.Errorf("score chart title = %v", title)
	}
	if l := servertest.Attr(svg[0], "aria-labelledby"); !strings.Contains(l, "scores-title") {
		t.Errorf("score chart aria-labelledby = %q", l)
	}
	if bars := servertest.All(svg[0], `rect.bar`); len(bars) != 6 {
		t.Errorf("%d score bars, want 5 scores and AI", len(bars))
	}
	scores := strings.Join(rowTexts(p.First(`#scores table`)), "\n")
	for _, want := range []string{"収益性|90", "始めやすさ|40", "継続性|90", "時間の柔軟性|70", "リスクの低さ|65", "合計（500点満点）|355", "AIとの相性|78"} {
		if !strings.Contains(scores, want) {
			t.Errorf("score table %q lacks %q", scores, want)
		}
	}
	tiers := strings.Join(rowTexts(p.All(`table.tiers`)[0]), "\n")
	for _, want := range []string{"初級|2,000〜3,500円|1〜2時間|44,000〜154,000円", "中級|4,000〜8,000円|1〜2時間|88,000〜352,000円",
		"時給2,000円 × 1時間 × 22日 〜 時給3,500円 × 2時間 × 22日"} {
		if !strings.Contains(tiers, want) {
			t.Errorf("tiers %q lack %q", tiers, want)
		}
	}
	for _, s := range guide.Sections[guide.KindGuide] {
		h := p.All(`h2[id="` + s.ID + "-h" + `"]`)
		if len(h) != 1 || !strings.HasPrefix(servertest.Text(h[0]), s.Heading) {
			t.Errorf("section %s: %d headings", s.ID, len(h))
		}
	}
	if steps := servertest.All(p.All(`section#first_steps`)[0], `li`); len(steps) != 3 {
		t.Errorf("%d first steps, want 3", len(steps))
	}
	if qs := servertest.All(p.All(`section#faq`)[0], `h3`); len(qs) < 2 {
		t.Errorf("%d questions", len(qs))
	}
	if h := p.Text(`h2#ai-h`); h != "AIとの相性（78点）" {
		t.Errorf("AI heading = %q", h)
	}
	liveSec := p.All(`section.live`)[0]
	live := servertest.Text(liveSec) + "\n" + strings.Join(rowTexts(servertest.All(liveSec, `table`)[0]), "\n")
	for _, want := range []string{"1件の副業OK案件を掲載中", "うち単価の記載あり 1件", "時給 5,077円", "5,000〜6,000円|1件"} {
		if !strings.Contains(live, want) {
			t.Errorf("live figures %q lack %q", live, want)
		}
	}
	if len(p.All(`a[href="/search?role=backend&side_job=true"]`)) == 0 {
		t.Error("no link to the side-job backend listings")
	}
	// The writing guide maps to a free-text search; nothing matches here.
	p = fx.Get(t, "/guides/writing")
	if p.Status != 200 || !strings.Contains(p.Text(`section.live`), "いま掲載中の副業OK案件はありません") {
		t.Errorf("GET /guides/writing = %d, want the empty live figures", p.Status)
	}
	for _, path := range []string{"/guides/plumbing", "/guides/Bad_Slug"} {
		if p := fx.Get(t, path); p.Status != 404 {
			t.Errorf("GET %s = %d, want 404", path, p.Status)
		}
	}
}

// TestGuideCalculator sends the income calculator's form as a browser
// without JavaScript does.
func TestGuideCalculator(t *testing.T) {
	fx := newFixture(t)
	p := fx.Get(t, "/guides/backend")
	form := p.All(`form.calc-form`)
	if len(form) != 1 {
		t.Fatal("no calculator form")
	}
	if a := servertest.Attr(form[0], "action"); a != "/guides/backend#calc" {
		t.Errorf("form action = %q", a)
	}
	if m := servertest.Attr(form[0], "method"); m != "get" {
		t.Errorf("form method = %q", m)
	}
	for _, name := range []string{"hourly", "hours_per_day", "days"} {
		if len(servertest.All(form[0], `input[name="`+name+`"]`)) != 1 {
			t.Errorf("no input %s", name)
		}
	}
	// Without the form sent: the entry tier's lower end at its hours.
	if r := p.Text(`div.calc-result`); !strings.Contains(r, "時給2,000円 × 2時間 × 22日 = 88,000円") {
		t.Errorf("default result = %q", r)
	}
	tests := []struct {
		query, want string
		invalid     []string
	}{
		{"hourly=3000&hours_per_day=2&days=22", "月収の目安 132,000円（年収換算 1,584,000円） 時給3,000円 × 2時間 × 22日 = 132,000円", nil},
		{"hourly=4%2C500&hours_per_day=1.5&days=20", "時給4,500円 × 1.5時間 × 20日 = 135,000円", nil},
		{"hourly=%EF%BC%93%EF%BC%90%EF%BC%90%EF%BC%90&hours_per_day=%EF%BC%92&days=22", "時給3,000円 × 2時間 × 22日 = 132,000円", nil}, // full-width digits
		{"hourly=abc&hours_per_day=2&days=22", "入力内容を確認してください", []string{"hourly"}},
		{"hourly=3000&hours_per_day=25&days=40", "入力内容を確認してください", []string{"hours_per_day", "days"}},
		{"hourly=3000&hours_per_day=1.25&days=22", "入力内容を確認してください", []string{"hours_per_day"}},
	}
	for _, tt := range tests {
		p := fx.Get(t, "/guides/backend?"+tt.query)
		if p.Status != 200 {
			t.Errorf("%s: status %d", tt.query, p.Status)
			continue
		}
		if r := p.Text(`div.calc-result`); !strings.Contains(r, tt.want) {
			t.Errorf("%s: result %q, want %q", tt.query, r, tt.want)
		}
		invalid := p.All(`input[aria-invalid="true"]`)
		if len(invalid) != len(tt.invalid) {
			t.Errorf("%s: %d invalid inputs, want %v", tt.query, len(invalid), tt.invalid)
		}
		for i, in := range invalid {
			name := servertest.Attr(in, "name")
			desc := servertest.Attr(in, "aria-describedby")
			if i < len(tt.invalid) && name != tt.invalid[i] || len(p.All(`p[id="`+desc+`"]`)) != 1 {
				t.Errorf("%s: invalid input %s described by %q", tt.query, name, desc)
			}
		}
		if len(p.All(`meta[name="robots"][content="noindex"]`)) != 1 {
			t.Errorf("%s: a calculator answer is indexable", tt.query)
		}
	}
}

// TestGuidePagesNoInlineCode holds the guide pages to the CSP's rules and
// to the site's accessibility basics, as TestNoInlineCode does the others.
func TestGuidePagesNoInlineCode(t *testing.T) {
	fx := newFixture(t)
	paths := []string{"/guides", "/guides/backend?hourly=x"}
	for _, slug := range guide.GuideOrder {
		paths = append(paths, "/guides/"+slug)
	}
	for _, path := range paths {
		checkMarkup(t, path, fx.Get(t, path))
	}
}

// TestGuideEditOnPage: an operator's edit in the store is what the page
// shows, with the date it was made.
func TestGuideEditOnPage(t *testing.T) {
	ctx := context.Background()
	fx := servertest.Start(t, servertest.Options{})
	lib := fx.Guides
	if _, err := lib.Seed(ctx); err != nil {
		t.Fatal(err)
	}
	op, _, _ := fx.Store.CreateOperator(ctx, "編集部")
	g, _ := lib.Guide(ctx, "qa")
	src := strings.Replace(g.Source, "title: QA・テスト", "title: QA・テスト自動化", 1)
	if _, err := lib.PutGuide(ctx, "qa", src, op, ""); err != nil {
		t.Fatal(err)
	}
	p := fx.Get(t, "/guides/qa")
	if h1 := p.Text(`h1`); h1 != "QA・テスト自動化の副業" {
		t.Errorf("h1 = %q, want the edited title", h1)
	}
	if !strings.HasPrefix(p.Text(`main p.hint`), "最終更新 ") {
		t.Error("no 最終更新 date on an edited guide")
	}
	if p := fx.Get(t, "/guides"); p.Text(`h3 a[href="/guides/qa"]`) != "QA・テスト自動化" {
		t.Error("the index does not show the edited title")
	}
}

// rowTexts returns each row of a table as its cells' texts joined by |.
func rowTexts(table *html.Node) []string {
	var out []string
	for _, tr := range servertest.All(table, `tr`) {
		out = append(out, strings.Join(servertest.Texts(servertest.All(tr, `th, td`)), "|"))
	}
	return out
}
