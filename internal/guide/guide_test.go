package guide

import (
	"errors"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"anken/internal/listing"
)

// TestEmbeddedContent parses every content file: each is valid, every
// role has an article, and the eight required guides are there.
func TestEmbeddedContent(t *testing.T) {
	e, err := loadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	var slugs []string
	for _, g := range e.guides {
		slugs = append(slugs, g.Slug)
	}
	if !reflect.DeepEqual(slugs[:len(GuideOrder)], GuideOrder) {
		t.Errorf("guides = %v, want %v first", slugs, GuideOrder)
	}
	for _, role := range listing.Roles {
		if _, ok := e.articles[role]; !ok {
			t.Errorf("no article for role %s", role)
		}
	}
	// No stray files: every file under content/ is a guide or a role's article.
	fs.WalkDir(contentFS, "content", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name := strings.TrimSuffix(path[strings.LastIndex(path, "/")+1:], ".md")
		switch {
		case strings.HasPrefix(path, "content/guides/") && slices.Contains(slugs, name):
		case strings.HasPrefix(path, "content/roles/") && slices.Contains(listing.Roles, listing.Role(name)):
		default:
			t.Errorf("stray content file %s", path)
		}
		return nil
	})
}

// TestBackendGuideFigures checks the backend guide against DESIGN.md's
// figures: the five scores, their total, AI 78, and the two tiers with
// their monthly estimates at 22 days.
func TestBackendGuideFigures(t *testing.T) {
	e, err := loadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	g := e.guides[0]
	if g.Slug != "backend" {
		t.Fatalf("first guide = %s, want backend", g.Slug)
	}
	want := map[string]int{"収益性": 90, "始めやすさ": 40, "継続性": 90, "時間の柔軟性": 70, "リスクの低さ": 65}
	got := map[string]int{}
	for _, s := range g.Scores {
		got[s.Name] = s.Value
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("scores = %v, want %v", got, want)
	}
	if g.Total != 355 || g.AI != 78 {
		t.Errorf("total, AI = %d, %d; want 355, 78", g.Total, g.AI)
	}
	tiers := []Tier{
		{ID: "entry", HourlyMin: 2000, HourlyMax: 3500, HoursMin: 1, HoursMax: 2, MonthlyMin: 44_000, MonthlyMax: 154_000},
		{ID: "mid", HourlyMin: 4000, HourlyMax: 8000, HoursMin: 1, HoursMax: 2, MonthlyMin: 88_000, MonthlyMax: 352_000},
	}
	if len(g.Tiers) != len(tiers) {
		t.Fatalf("tiers = %+v, want %d", g.Tiers, len(tiers))
	}
	for i, w := range tiers {
		tr := g.Tiers[i]
		tr.Name, tr.Note = "", ""
		if tr != w {
			t.Errorf("tier %d = %+v, want %+v", i, tr, w)
		}
	}
	if p := g.Params(); !reflect.DeepEqual(p.Role, []string{"backend"}) || p.SideJob != "true" {
		t.Errorf("params = %+v, want role=backend side_job=true", p)
	}
	if u := g.SearchURL(); u != "/search?role=backend&side_job=true" {
		t.Errorf("search URL = %s", u)
	}
}

// TestGuidesAreComplete checks what the pages rely on in every guide.
func TestGuidesAreComplete(t *testing.T) {
	e, err := loadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range e.guides {
		if len(g.Scores) != 5 || len(g.Tiers) < 2 || len(g.FAQ) < 2 {
			t.Errorf("%s: %d scores, %d tiers, %d questions", g.Slug, len(g.Scores), len(g.Tiers), len(g.FAQ))
		}
		if len(g.Sections) != len(Sections[KindGuide]) {
			t.Errorf("%s: %d sections", g.Slug, len(g.Sections))
		}
		sum := 0
		for _, s := range g.Scores {
			sum += s.Value
		}
		if sum != g.Total {
			t.Errorf("%s: total %d, scores sum to %d", g.Slug, g.Total, sum)
		}
		for _, tr := range g.Tiers {
			if tr.MonthlyMin != tr.HourlyMin*int64(tr.HoursMin)*22 || tr.MonthlyMax != tr.HourlyMax*int64(tr.HoursMax)*22 {
				t.Errorf("%s: tier %s monthly %d-%d", g.Slug, tr.ID, tr.MonthlyMin, tr.MonthlyMax)
			}
		}
	}
	for role, a := range e.articles {
		if len(a.Sections) != len(Sections[KindRole]) || len(a.FAQ) < 2 {
			t.Errorf("%s: %d sections, %d questions", role, len(a.Sections), len(a.FAQ))
		}
	}
}

// TestMalformed feeds the parser broken files; each must be refused with
// a message naming the fault.
func TestMalformed(t *testing.T) {
	// A frozen copy of the backend guide, so editing the content does not
	// break this test.
	b, err := os.ReadFile("testdata/guide.md")
	if err != nil {
		t.Fatal(err)
	}
	good := string(b)
	if _, err := ParseGuide("backend", good); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, old, new, want string
	}{
		{"score above 100", "income: 90", "income: 101", `"income" is "101"`},
		{"negative score", "ease: 40", "ease: -1", `"ease" is "-1"`},
		{"score not a number", "ai: 78", "ai: 高い", `"ai" is "高い"`},
		{"score missing", "safety: 65\n", "", `"safety" is missing`},
		{"unknown key", "ai: 78", "ai: 78\naffinity: 3", `unknown key "affinity"`},
		{"duplicate key", "ai: 78", "ai: 78\nai: 80", `"ai" given twice`},
		{"section missing", "## リスクと注意点\n", "", `section "risks"`},
		{"section empty", "実務経験がある人なら、案件探しを始めてから最初の契約まで1〜2か月、初回の入金まではさらに1か月ほどが目安です。最初の数週間は取引先のコードと開発の流れに慣れる時間で、時間あたりの成果は低く感じられます。3か月ほど続けると作業の見積もりが合うようになり、稼働が安定します。", "", `is empty`},
		{"unknown section", "## 副業の形", "## 副業のかたち", `unknown section "副業のかたち"`},
		{"sections out of order", "## どんな仕事か", "## AIとの相性\nx\n## どんな仕事か", "out of order"},
		{"two steps", "1. 本業の就業規則で", "本業の就業規則で", "lists 2 steps"},
		{"tier pay reversed", "2000-3500", "3500-2000", `tier "entry": hourly`},
		{"tier too many hours", "2000-3500 | 1-2", "2000-3500 | 1-20", "hours a day"},
		{"tiers out of order", "tier: mid | 中級 | 4000-8000", "tier: mid | 中級 | 1000-8000", "from the lowest pay up"},
		{"tier without fields", "| 1-2 | 実務1〜3年", "", "want id | name"},
		{"no tier", "tier: ", "# tier: ", "no \"tier\""},
		{"bad search", "search: role=backend", "search: role=plumber", "not a valid listing search"},
		{"no search", "search: role=backend\n", "", `"search" is missing`},
		{"unclosed front matter", "---\n\n## どんな仕事か", "\n## どんな仕事か", "not closed"},
		{"javascript link", "(/search?role=backend&side_job=true)", "(javascript:alert(1))", "use a path on this site"},
		{"unclosed strong", "**機能開発の業務委託**", "**機能開発の業務委託", "unclosed **"},
		{"no question", "### ", "", `must start with a "### " question`},
		{"question without answer", "### 本業と同じ技術でないといけませんか？\n", "### 本業と同じ技術でないといけませんか？\n\n### 最後の質問\n", "has no answer"},
		{"heading level 4", "## 副業の形\n", "## 副業の形\n#### 小見出し\n", "only \"## \""},
	}
	// One question only: the file cut after the first answer.
	second := strings.Index(good, "### 週に何時間")
	if _, err := ParseGuide("backend", good[:second]); err == nil || !strings.Contains(err.Error(), "at least 2") {
		t.Errorf("one question: error = %v, want at least 2", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(good, tt.old) {
				t.Fatalf("fixture lacks %q", tt.old)
			}
			src := strings.ReplaceAll(good, tt.old, tt.new)
			_, err := ParseGuide("backend", src)
			if err == nil {
				t.Fatalf("accepted")
			}
			var fe *Error
			if !errors.As(err, &fe) {
				t.Errorf("error %v is not a *guide.Error", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to say %q", err, tt.want)
			}
		})
	}
}

func TestParseBlocks(t *testing.T) {
	src := []string{
		"一行目の文章",
		"二行目の文章 and",
		"English words",
		"",
		"- 項目 **強調** と [検索](/search?q=Go)",
		"  の続き",
		"- 二つ目",
		"",
		"1. 一番",
		"2. 二番",
		"",
		"[閉じていない括弧",
	}
	got, err := parseBlocks(src, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := []Block{
		{Kind: "p", Text: []Span{{Text: "一行目の文章二行目の文章 and English words"}}},
		{Kind: "ul", Items: [][]Span{
			{{Text: "項目 "}, {Text: "強調", Strong: true}, {Text: " と "}, {Text: "検索", URL: "/search?q=Go"}, {Text: "の続き"}},
			{{Text: "二つ目"}},
		}},
		{Kind: "ol", Items: [][]Span{{{Text: "一番"}}, {{Text: "二番"}}}},
		{Kind: "p", Text: []Span{{Text: "[閉じていない括弧"}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("blocks =\n%+v\nwant\n%+v", got, want)
	}
}

func TestMonthly(t *testing.T) {
	if got := Monthly(2000, 1, WorkDays); got != 44_000 {
		t.Errorf("Monthly(2000, 1, 22) = %d", got)
	}
	if got := Monthly(8000, 2, WorkDays); got != 352_000 {
		t.Errorf("Monthly(8000, 2, 22) = %d", got)
	}
}

func FuzzParseGuide(f *testing.F) {
	b, _ := contentFS.ReadFile("content/guides/backend.md")
	f.Add(string(b))
	f.Add("---\ntitle: x\n---\n## どんな仕事か\n- [a](/b)**c")
	f.Fuzz(func(t *testing.T, src string) {
		g, err := ParseGuide("fuzz", src)
		if err != nil {
			return
		}
		// What parses reads the same again.
		g2, err := ParseGuide("fuzz", g.Source)
		if err != nil || g2.Total != g.Total || len(g2.Sections) != len(g.Sections) {
			t.Fatalf("reparse: %v", err)
		}
	})
}

func TestRenderHTML(t *testing.T) {
	blocks, err := parseBlocks([]string{"<b>太字</b> と **強調** と [検索 & 絞り込み](/search?q=Go&role=backend)", "", "- 一つ目", "- 二つ目"}, 1)
	if err != nil {
		t.Fatal(err)
	}
	got := string(Section{Blocks: blocks}.HTML())
	want := "<p>&lt;b&gt;太字&lt;/b&gt; と <strong>強調</strong> と <a href=\"/search?q=Go&amp;role=backend\">検索 &amp; 絞り込み</a></p>\n<ul>\n<li>一つ目</li>\n<li>二つ目</li>\n</ul>\n"
	if got != want {
		t.Errorf("HTML =\n%s\nwant\n%s", got, want)
	}
}

// Whatever a block holds, the markup escapes it for its context: a link
// that is not http, https or a site path is neutralised, not written.
func TestRenderHTMLContexts(t *testing.T) {
	for _, c := range []struct {
		span     Span
		want     string
		wantNone string
	}{
		{Span{Text: `"><script>alert(1)</script>`}, "&#34;&gt;&lt;script&gt;", "<script>"},
		{Span{Text: "押す", URL: "javascript:alert(1)"}, `href="#ZgotmplZ"`, "javascript:"},
		{Span{Text: "検索", URL: `/search?q="x"&role=a`}, `href="/search?q=%22x%22&amp;role=a"`, `q="x"`},
		{Span{Text: "<強調>", Strong: true}, "<strong>&lt;強調&gt;</strong>", "<強調>"},
	} {
		got := string(Section{Blocks: []Block{{Kind: "p", Text: []Span{c.span}}}}.HTML())
		if !strings.Contains(got, c.want) || strings.Contains(got, c.wantNone) {
			t.Errorf("%+v: %s; want %s and no %s", c.span, got, c.want, c.wantNone)
		}
	}
}
