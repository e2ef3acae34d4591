package query

import (
	"slices"
	"strings"
	"testing"
)

// TestParse checks how query text splits into terms and phrases.
func TestParse(t *testing.T) {
	type want struct {
		kind string // word (ASCII words), substr, phrase
		text string
		not  bool
		// words is each ASCII word's alternatives, joined by "|".
		words []string
	}
	w := func(text string, words ...string) want { return want{kind: "word", text: text, words: words} }
	// syn is an unquoted word with its synonyms.
	syn := func(text string) want { return w(text, strings.Join(synonyms(text), "|")) }
	sub := func(text string) want { return want{kind: "substr", text: text} }
	ph := func(text string) want { return want{kind: "phrase", text: text} }
	not := func(x want) want { x.not = true; return x }
	tests := []struct {
		q    string
		want []want
	}{
		{``, nil},
		{`go 東京`, []want{syn("go"), sub("東京")}},
		{`-java -常駐 - --`, []want{not(syn("java")), not(sub("常駐"))}},
		{`"react native"`, []want{ph("react native")}},
		{`"東京 駅"`, []want{ph("東京 駅")}},
		{`"c++ engineer"`, []want{ph("c++ engineer")}},
		{`go "リモート 可" -java`, []want{syn("go"), ph("リモート 可"), not(syn("java"))}},
		{`-"full remote"`, []want{not(ph("full remote"))}},
		{`－＂Full　Remote＂`, []want{not(ph("full remote"))}},
		{"\"  React \t\n  Native  \"", []want{ph("react native")}},
		{`"react native`, []want{ph("react native")}},
		{`go "react native`, []want{syn("go"), ph("react native")}},
		{`"" go`, []want{syn("go")}},
		{`"  " -"" -"!!" "++"`, nil},
		// One ASCII word: the word, without synonyms.
		{`"golang"`, []want{w("golang", "golang")}},
		{`"C#"`, []want{w("c#", "c#")}},
		{`"(go)"`, []want{w("go", "go")}},
		{`-"js"`, []want{not(w("js", "js"))}},
		// No white space, no ASCII letter or digit at the ends: a substring.
		{`"東京"`, []want{sub("東京")}},
		{`「フルリモート」`, []want{sub("フルリモート")}},
		{`-「常駐」`, []want{not(sub("常駐"))}},
		{`"go言語"`, []want{ph("go言語")}},
		{`"ci/cd"`, []want{ph("ci/cd")}},
		// Other quotes.
		{`“react native”`, []want{ph("react native")}},
		{`”react native”`, []want{ph("react native")}},
		{`“react native"`, []want{ph("react native")}},
		{`「東京 駅」`, []want{ph("東京 駅")}},
		{`｢東京 駅｣`, []want{ph("東京 駅")}},
		{`『東京 駅』 go`, []want{ph("東京 駅"), syn("go")}},
		{`「a "b" c」`, []want{ph(`a "b" c`)}},
		{`"a 「b」 c"`, []want{ph("a 「b」 c")}},
		{`「東京 駅`, []want{ph("東京 駅")}},
		// Quotes split terms; only a '-' right before the quote at the
		// start of a term excludes.
		{`go"react native"js`, []want{syn("go"), ph("react native"), syn("js")}},
		{`go-"react native"`, []want{w("go-", strings.Join(synonyms("go"), "|")), ph("react native")}},
		{`- "react native"`, []want{ph("react native")}},
		{`"a b"-"c d"`, []want{ph("a b"), not(ph("c d"))}},
		{`東京」`, []want{sub("東京」")}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			var got []want
			for _, x := range Parse(tt.q) {
				g := want{text: x.Text, not: x.Not}
				switch {
				case x.Phrase:
					g.kind = "phrase"
				case x.Substr:
					g.kind = "substr"
				default:
					g.kind = "word"
					for _, syns := range x.Words {
						g.words = append(g.words, strings.Join(syns, "|"))
					}
				}
				got = append(got, g)
			}
			if !slices.EqualFunc(got, tt.want, func(a, b want) bool {
				return a.kind == b.kind && a.text == b.text && a.not == b.not && slices.Equal(a.words, b.words)
			}) {
				t.Errorf("Parse(%q) =\n %+v\nwant\n %+v", tt.q, got, tt.want)
			}
		})
	}
}
