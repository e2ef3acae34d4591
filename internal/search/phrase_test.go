package search

import (
	"context"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"anken/internal/listing"
	"anken/internal/search/query"
)

func TestHoldsPhrase(t *testing.T) {
	tests := []struct {
		text, phrase string
		want         bool
	}{
		{"react native", "react native", true},
		{"use react \n\t native.", "react native", true},
		{"(react native)", "react native", true},
		{"x-react native-app", "react native", true},
		{"preact native", "react native", false},
		{"react natives", "react native", false},
		{"react nativeの案件", "react native", true},
		{"reactnative", "react native", false},
		{"javascript engineer", "java script", false},
		{"java script", "java script", true},
		{"javascript", "java", false},
		{"preact native react native", "react native", true}, // a later place
		{"c++ engineer", "c++ engineer", true},
		{"c++engineer c++ engineer", "c++ engineer", true},
		{"c++engineer", "c++ engineer", false},
		{"vc++ engineer", "c++ engineer", false},
		{"東京 駅", "東京 駅", true},
		{"東京　駅", "東京 駅", true}, // not folded here: U+3000 is white space
		{"東京駅", "東京 駅", false},
		{"大東京 駅前", "東京 駅", true},
		{"go言語", "go言語", true},
		{"ago言語", "go言語", false},
		{"go言語で", "go言語", true},
		{"ci/cd", "ci/cd", true},
		{"ci/cdk", "ci/cd", false},
		{"ci/cd.", "ci/cd", true},
		{"", "a b", false},
		{"a", "a b", false},
		{"a ", "a b", false},
		{"a b", "a b", true},
	}
	for _, tt := range tests {
		if got := query.HoldsPhrase(tt.text, tt.phrase); got != tt.want {
			t.Errorf("HoldsPhrase(%q, %q) = %t, want %t", tt.text, tt.phrase, got, tt.want)
		}
		if got := oraclePhraseIn(strings.Join(strings.Fields(tt.text), " "), tt.phrase); got != tt.want {
			t.Errorf("oracle: %q holds %q = %t, want %t", tt.text, tt.phrase, got, tt.want)
		}
	}
}

func TestPhraseSearch(t *testing.T) {
	x := NewIndex()
	docs := []struct {
		title, desc string
		skills      []string
	}{
		{"React Native エンジニア", "アプリ開発", nil},                     // 1
		{"React 案件", "Native アプリ", nil},                          // 2: across fields
		{"フルリモート", "full  remote\nOK", nil},                      // 3
		{"JavaScript 開発", "java script", []string{"javascript"}}, // 4
		{"C++ engineer 募集", "", []string{"cpp"}},                 // 5
		{"東京 駅 徒歩5分", "", nil},                                   // 6
		{"東京駅", "Go言語 案件", []string{"go"}},                       // 7
		{"x-react native-app", "golang", nil},                    // 8
		{"案件", "", []string{"csharp", "kubernetes"}},             // 9: skills "csharp c# kubernetes"
	}
	for i, d := range docs {
		x.Upsert(&listing.Listing{ID: int64(i + 1), Title: d.title, Description: d.desc, Skills: d.skills,
			Status: listing.StatusOpen, ExternalID: "x"})
	}
	tests := []struct {
		q    string
		want []int64
	}{
		{`"react native"`, []int64{1, 8}},
		{`react native`, []int64{1, 2}},
		{`-"react native" react`, []int64{2}},
		{`"full remote"`, []int64{3}},
		{`“Full Remote”`, []int64{3}},
		{`"remote ok"`, []int64{3}},
		{`"java"`, []int64{4}}, // "java script", not "javascript"
		{`"java script"`, []int64{4}},
		{`"javascript"`, []int64{4}},
		{`"js"`, nil}, // no synonyms in quotes
		{`js`, []int64{4}},
		{`"c++ engineer"`, []int64{5}},
		{`"東京 駅"`, []int64{6}},
		{`「東京 駅」`, []int64{6}},
		{`「東京駅」`, []int64{7}},
		{`東京 -"東京 駅"`, []int64{7}},
		{`"go言語"`, []int64{7}},
		{`"golang"`, []int64{8}},
		{`"go"`, []int64{7}},
		{`go`, []int64{7, 8}},
		{`"c# kubernetes"`, []int64{9}},
		{`"案件 csharp"`, nil}, // title end and skills start
		{`"native app"`, nil},
		{`""`, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{`"react native`, []int64{1, 8}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) { checkTextHits(t, x, tt.q, tt.want) })
	}
}

// TestPhraseCacheWrites checks that a cached phrase stays exact as
// listings that hold it are written, changed and closed.
func TestPhraseCacheWrites(t *testing.T) {
	x := NewIndex()
	x.cache.min = 0
	up := func(id int64, title, desc string) {
		x.Upsert(&listing.Listing{ID: id, Title: title, Description: desc, Status: listing.StatusOpen, ExternalID: "x"})
	}
	search := func() []int64 {
		t.Helper()
		res, err := x.Search(context.Background(), Query{Text: `"react native" 開発`, Sort: SortRelevance})
		if err != nil {
			t.Fatal(err)
		}
		return hitIDs(res.Hits)
	}
	up(1, "React Native 開発", "")
	up(2, "開発", "react")
	if got := search(); !slices.Equal(got, []int64{1}) {
		t.Fatalf("first search: %v", got)
	}
	if !slices.Contains(x.cache.list(), phraseKey("react native")) {
		t.Fatalf("phrase not cached: %q", x.cache.list())
	}
	up(2, "開発", "react  native")   // now in the description
	up(3, "react native 開発", "")   // new, in the title
	up(4, "開発 react", "native 開発") // across two fields
	up(5, "開発", "preact native")
	if got, want := search(), []int64{3, 1, 2}; !slices.Equal(got, want) {
		t.Errorf("after writes: %v, want %v (title first, newest first)", got, want)
	}
	x.Delete(3)
	up(1, "開発", "")
	if got, want := search(), []int64{2}; !slices.Equal(got, want) {
		t.Errorf("after close and change: %v, want %v", got, want)
	}
}

// FuzzPhrase checks query.HoldsPhrase against the oracle's plain reading, and
// that every match holds the keys that narrow a phrase's candidates.
func FuzzPhrase(f *testing.F) {
	for _, s := range [][2]string{
		{"x-react native-app", "react native"}, {"asp.net core", ".net core"}, {"c#go lang", "#go lang"},
		{"use go.mod", "use go"}, {"c++x engineer", "engineer c++"}, {"東京 駅", "東京 駅"},
		{"node.js react", "js react"}, {"ruby on rails", "on"}, {"ci/cd", "ci/cd"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, text, phrase string) {
		if !utf8.ValidString(text) || !utf8.ValidString(phrase) {
			t.Skip()
		}
		text = query.Fold(text)
		ts := query.Parse(`"` + strings.NewReplacer(`"`, "", "“", "", "”", "").Replace(phrase) + `"`)
		if len(ts) != 1 || !ts[0].Phrase {
			return
		}
		p := ts[0].Text
		if p == "" || p != strings.Join(strings.Fields(p), " ") {
			t.Fatalf("phrase %q not collapsed", p)
		}
		got := query.HoldsPhrase(text, p)
		if want := oraclePhraseIn(strings.Join(strings.Fields(text), " "), p); got != want {
			t.Fatalf("HoldsPhrase(%q, %q) = %t, oracle %t", text, p, got, want)
		}
		if !got {
			return
		}
		k := query.KeysOf(p)
		ws := Words(text)
		for _, w := range k.Words {
			if !slices.Contains(ws, w) {
				t.Errorf("%q holds %q but not its word %q (words %q)", text, p, w, ws)
			}
		}
		for _, e := range k.Edges {
			if !slices.ContainsFunc(ws, e.Holds) {
				t.Errorf("%q holds %q but no word holds edge %+v (words %q)", text, p, e, ws)
			}
		}
		grams := map[query.Gram]bool{}
		query.EachGram(text, func(g query.Gram) { grams[g] = true })
		for _, g := range k.Grams {
			if !grams[g] {
				t.Errorf("%q holds %q but not its gram %q", text, p, g)
			}
		}
	})
}
