package search

import (
	"strings"
	"testing"
)

// finderSampleOf yields the texts as newFinder's sample.
func finderSampleOf(texts ...string) func(yield func(string) bool) {
	return func(yield func(string) bool) {
		for _, t := range texts {
			if !yield(t) {
				return
			}
		}
	}
}

func TestFinder(t *testing.T) {
	texts := []string{
		"", "あ", "開発", "開発経験", "web開発経験3年以上", "経験開発経", "開発経験開発経験",
		"ソフトウェア開発経験者歓迎", "開発経", "発経験", "aaaaab", "ab", "ba", "xxxabxxx",
		"フルリモート可・週3日〜", "週3日", "日〜週3", "\xe3\x81", "\x81\x82\xe3",
	}
	needles := []string{"開発経験", "経験", "開発経", "ab", "b", "aab", "週3日", "〜", "フルリモート", "\x81\xe3", "ソフトウェア開発経験者歓迎!"}
	for _, n := range needles {
		f := newFinder(n, finderSampleOf(texts...))
		for _, s := range texts {
			if got, want := f.in(s), strings.Contains(s, n); got != want {
				t.Errorf("finder(%q).in(%q) = %t, want %t (anchor at %d)", n, s, got, want, f.at)
			}
		}
	}
}

// FuzzFinder checks finder against strings.Contains, whatever byte the
// sample makes the anchor.
func FuzzFinder(f *testing.F) {
	f.Add("開発経験", "web開発経験3年以上", "経験")
	f.Add("aab", "aaaab", "b")
	f.Add("週3日", "日〜週3日", "")
	f.Fuzz(func(t *testing.T, needle, s, sample string) {
		if needle == "" {
			return
		}
		fd := newFinder(needle, finderSampleOf(sample, s))
		if got, want := fd.in(s), strings.Contains(s, needle); got != want {
			t.Fatalf("finder(%q).in(%q) = %t, want %t (anchor at %d)", needle, s, got, want, fd.at)
		}
	})
}
