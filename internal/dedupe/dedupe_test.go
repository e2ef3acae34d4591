package dedupe

import (
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"anken/internal/demo"
)

// referenceLetters is letters written the obvious way: the fast path must
// give the same runes, or signatures stored earlier stop matching.
func referenceLetters(s string) []rune {
	var out []rune
	for _, r := range norm.NFKC.String(s) {
		if unicode.IsLetter(r) {
			out = append(out, unicode.ToLower(r))
		}
	}
	return out
}

func TestLetters(t *testing.T) {
	tests := []string{
		"",
		"Go/ＴｙｐｅＳｃｒｉｐｔ エンジニア【フルリモート】",
		"ｶﾞｲﾄﾞ・ゝゞ〜ー ㈱ ①② ＡＢＣ abc 123",
		"Straße İstanbul ΣΑΣ",
		"\xff\xfe 不正 UTF-8",
		"月額60万〜70万円 (スキル見合い)",
	}
	for it := range demo.Generate(300, demo.Options{Seed: 7}) {
		tests = append(tests, it.Raw.Title+"\n"+it.Raw.Description)
	}
	for _, s := range tests {
		if got, want := letters(s), referenceLetters(s); !slices.Equal(got, want) {
			t.Errorf("letters(%.40q) = %q, want %q", s, string(got), string(want))
		}
	}
}

func FuzzLetters(f *testing.F) {
	f.Add("Go/ＴｙｐｅＳｃｒｉｐｔ エンジニア")
	f.Add("ｶﾞｲﾄﾞ・ゝゞ〜ー ㈱ ①")
	f.Add("\xff\xfe")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := letters(s), referenceLetters(s); !slices.Equal(got, want) {
			t.Errorf("letters(%q) = %q, want %q", s, string(got), string(want))
		}
	})
}

func TestSimilarity(t *testing.T) {
	base := strings.Repeat("決済システムのバックエンド開発をお任せします。Goとマイクロサービスの経験がある方を歓迎します。", 3)
	tests := []struct {
		name     string
		a, b     string
		min, max float64
	}{
		{"same text", base, base, 1, 1},
		{"rate and punctuation differ", base + "月額80万円！", base + "月額75万円。", 1, 1},
		{"small edit", base, strings.Replace(base, "歓迎", "優遇", 1), Threshold, 1},
		{"other job", base, strings.Repeat("看護師の求人です。夜勤のある病棟で働ける方を募集します。", 3), 0, 0.2},
		{"no text", "", base, 0, 0},
	}
	for _, tt := range tests {
		a, b := Sign("", tt.a), Sign("", tt.b)
		if s := a.Similarity(&b); s < tt.min || s > tt.max {
			t.Errorf("%s: similarity %.2f, want %.2f–%.2f", tt.name, s, tt.min, tt.max)
		}
	}
}

func TestCanonicalURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://www.Example.com/jobs/1/?utm_source=x&id=2#top", "https://example.com/jobs/1?id=2"},
		{"http://example.com/jobs/1", "https://example.com/jobs/1"},
		{"mailto:x@example.com", ""},
		{"not a url", ""},
	}
	for _, tt := range tests {
		if got := CanonicalURL(tt.in); got != tt.want {
			t.Errorf("CanonicalURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
