package skill

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func slowFold(s string) string { return strings.ToLower(norm.NFKC.String(s)) }

func TestFold(t *testing.T) {
	for _, s := range []string{
		"", "go", "Go言語", "ＧＯ言語", "ｶﾞｲﾄﾞ", "ガイド", "か\u3099", "e\u0301", "E\u0301x",
		"東京都　港区", "〜80万円／月", "C#・C++", "①②", "㈱アンケン", "ﾊﾟｲｿﾝ", "Ⅻ", "ﬁle", "Straße",
		"\u0130stanbul", "ΑΒΓ", "a\u0300\u0301", "\xff\xfe", "全角ＡＢＣ１２３！", "ー〜～∼‐―−",
		"【Go/フルリモート】決済基盤のバックエンド開発", "k8s/Ｋ８ｓ", "\u3099", "x\u3099",
		"000\xf4ʵ0", // found by FuzzFold: invalid UTF-8 before a rune NFKC maps
	} {
		if got, want := Fold(s), slowFold(s); got != want {
			t.Errorf("Fold(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"Go言語", "ｶﾞｲﾄﾞ", "か\u3099", "e\u0301", "〜～", "ＡＢＣ", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Fold(s), slowFold(s); got != want {
			t.Errorf("Fold(%q) = %q, want %q", s, got, want)
		}
	})
}

func BenchmarkFold(b *testing.B) {
	s := strings.Repeat("【Go/フルリモート】決済基盤のバックエンド開発。ＡＷＳ、Ｋｕｂｅｒｎｅｔｅｓ。月額60万〜70万円。", 10)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		Fold(s)
	}
}

func BenchmarkFoldNFKC(b *testing.B) {
	s := strings.Repeat("【Go/フルリモート】決済基盤のバックエンド開発。ＡＷＳ、Ｋｕｂｅｒｎｅｔｅｓ。月額60万〜70万円。", 10)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		slowFold(s)
	}
}
