package query

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"anken/internal/skill"
)

// Fold normalizes text the way listings and queries are compared: NFKC,
// then lower case (so Ｇｏ, GO and go are one word, ｶﾞ is ガ).
func Fold(s string) string { return skill.Fold(s) }

func IsASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// isWordByte reports whether c can be part of an ASCII word. # and + keep
// C# and C++ apart from C; . keeps node.js and .net whole.
func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '#' || c == '+' || c == '.' || c == '_' || c == '-'
}

// words returns the ASCII words of folded text in order, with repeats.
// Anything that is not a word byte separates words, Japanese text included,
// so "goでの開発" holds the word "go". Leading - _ # + and trailing . - _ are
// trimmed: "#go" is "go", "go." at the end of a sentence is "go".
func words(s string) []string {
	var out []string
	EachWord(s, func(w string) { out = append(out, w) })
	return out
}

func EachWord(s string, fn func(string)) {
	for i := 0; i < len(s); {
		if !isWordByte(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isWordByte(s[j]) {
			j++
		}
		w := strings.TrimLeft(s[i:j], "-_#+")
		w = strings.TrimRight(w, ".-_")
		if w != "" && strings.ContainsFunc(w, isAlnum) {
			fn(w)
		}
		i = j
	}
}

func isAlnum(r rune) bool { return 'a' <= r && r <= 'z' || '0' <= r && r <= '9' }

// synonyms returns w and the words the skill taxonomy counts as the same
// skill (go: golang; k8s: kubernetes; js: javascript), w first. Only
// spellings that are one ASCII word themselves take part.
func synonyms(w string) []string {
	out := []string{w}
	sk, ok := skill.Lookup(w)
	if !ok {
		return out
	}
	for _, s := range append([]string{sk.Slug, Fold(sk.Name)}, sk.Aliases...) {
		if s != w && isOneWord(s) && !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func isOneWord(s string) bool {
	if !IsASCII(s) {
		return false
	}
	ws := words(s)
	return len(ws) == 1 && ws[0] == s
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Gram is a key of the substring index: one or two runes, packed.
type Gram uint64

func unigram(r rune) Gram   { return Gram(r) << 32 }
func bigram(a, b rune) Gram { return Gram(a)<<32 | Gram(b) }
func indexable(r rune) bool { return r >= utf8.RuneSelf && !separates(r) }

// separates reports white space, which no query term contains, so grams
// never span it. It is unicode.IsSpace with a fast path for the ASCII and
// CJK text listings are made of.
func separates(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return r == ' ' || '\t' <= r && r <= '\r'
	case r < 0x85 || 0x3000 < r && r < 0xFEFF:
		return false
	}
	return unicode.IsSpace(r)
}
func (g Gram) String() string { return string([]rune{rune(g >> 32), rune(g & 0xffffffff)}) }

// EachGram calls fn with every Gram of folded text that a substring query
// can ask for: each non-ASCII rune alone, and each pair of adjacent runes
// of which at least one is non-ASCII (white space never is in a query).
func EachGram(s string, fn func(Gram)) {
	prev := rune(-1)
	for _, r := range s {
		if separates(r) {
			prev = -1
			continue
		}
		if indexable(r) {
			fn(unigram(r))
		}
		if prev >= 0 && (indexable(prev) || indexable(r)) {
			fn(bigram(prev, r))
		}
		prev = r
	}
}

// Grams returns the grams whose postings a substring term needs: its
// bigrams with a non-ASCII rune, or for a single rune, its unigram. Every
// listing holding the term holds them all.
func Grams(t string) []Gram {
	rs := []rune(t)
	if len(rs) == 1 {
		return []Gram{unigram(rs[0])}
	}
	var out []Gram
	for i := 1; i < len(rs); i++ {
		if indexable(rs[i-1]) || indexable(rs[i]) {
			out = append(out, bigram(rs[i-1], rs[i]))
		}
	}
	return out
}

// EachRun calls fn with the bounds of every maximal run of ASCII letters
// and digits in folded text s.
func EachRun(s string, fn func(i, j int)) {
	for i := 0; i < len(s); {
		if !isAlnumByte(s[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(s) && isAlnumByte(s[j]) {
			j++
		}
		fn(i, j)
		i = j
	}
}

// InNoTerm reports whether no term Parse returns holds r: white space,
// which separates terms, and the quotes that open a phrase.
func InNoTerm(r rune) bool { return separates(r) || opens(r) }
