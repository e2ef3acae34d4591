package normalize

import (
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// foldRef is fold written plainly, to check fold against: NFKC, lower
// case, dashes and tildes unified.
func foldRef(s string) string {
	var b []byte
	for _, r := range norm.NFKC.String(s) {
		switch r {
		case '〜', '∼':
			r = '~'
		case '‐', '‑', '‒', '–', '—', '―', '−', '﹣':
			r = '-'
		default:
			r = unicode.ToLower(r)
		}
		b = utf8.AppendRune(b, r)
	}
	return string(b)
}

var foldCases = []string{
	"", "go", "Go言語", "ＧＯ言語", "月額６０万～７０万円", "〜80万円／月", "ﾌﾙﾘﾓｰﾄ", "ｶﾞｷﾞ", "か\u3099",
	"A\u0301", "Ａ\u0301x", "㈱アンケン", "①②", "…", "Ⅳ", "ＣＩ／ＣＤ", "Ｃ＃", "‐–—―−", "Café", "İstanbul",
	"東京都渋谷区（渋谷駅徒歩5分）", "\u3000全角スペース", "ヴ", "ｳﾞ", "㍻", "ﬁle", "Ω", "x\u0308\u0323", "한국어",
	"e\u0301\u0301", "a\u030a", "ÅB", "※注意", "★★★", "abc\u0301", "\u0301start",
}

func TestFold(t *testing.T) {
	for _, s := range foldCases {
		if got, want := fold(s), foldRef(s); got != want {
			t.Errorf("fold(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzFold(f *testing.F) {
	for _, s := range foldCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			fold(s) // must not panic
			return
		}
		if got, want := fold(s), foldRef(s); got != want {
			t.Errorf("fold(%q) = %q, want %q", s, got, want)
		}
	})
}
