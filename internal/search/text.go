package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"anken/internal/listing"
	"anken/internal/skill"
)

// fold normalizes text the way listings and queries are compared: NFKC,
// then lower case (so Ｇｏ, GO and go are one word, ｶﾞ is ガ).
func fold(s string) string { return skill.Fold(s) }

// term is one free-text term of a query, already folded.
type term struct {
	text string
	// words is set for a term made only of ASCII: each word must occur as a
	// whole word, and each entry lists the word and its synonyms, any of
	// which will do. A term of punctuation alone has no words and matches
	// everything.
	words [][]string
	// substr is set for any other term: it must occur as a substring.
	substr bool
	// not is set for a term written with a leading '-': a listing that
	// holds it does not match.
	not bool
}

// parseText splits folded query text into terms at white space.
//
// A term that starts with '-' excludes what follows it ("-java", "-常駐");
// an exclusion of punctuation alone is ignored.
func parseText(text string) []term {
	var terms []term
	for _, f := range strings.Fields(fold(text)) {
		not := false
		if len(f) > 1 && f[0] == '-' {
			f, not = f[1:], true
		}
		if isASCII(f) {
			ws := words(f)
			if len(ws) == 0 {
				continue
			}
			t := term{text: f, not: not}
			for _, w := range ws {
				t.words = append(t.words, synonyms(w))
			}
			terms = append(terms, t)
			continue
		}
		terms = append(terms, term{text: f, substr: true, not: not})
	}
	return terms
}

func isASCII(s string) bool {
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
	eachWord(s, func(w string) { out = append(out, w) })
	return out
}

func eachWord(s string, fn func(string)) {
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
	for _, s := range append([]string{sk.Slug, fold(sk.Name)}, sk.Aliases...) {
		if s != w && isOneWord(s) && !contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func isOneWord(s string) bool {
	if !isASCII(s) {
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

// gram is a key of the substring index: one or two runes, packed.
type gram uint64

func unigram(r rune) gram   { return gram(r) << 32 }
func bigram(a, b rune) gram { return gram(a)<<32 | gram(b) }
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
func (g gram) String() string { return string([]rune{rune(g >> 32), rune(g & 0xffffffff)}) }

// eachGram calls fn with every gram of folded text that a substring query
// can ask for: each non-ASCII rune alone, and each pair of adjacent runes
// of which at least one is non-ASCII (white space never is in a query).
func eachGram(s string, fn func(gram)) {
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

// queryGrams returns the grams whose postings a substring term needs: its
// bigrams with a non-ASCII rune, or for a single rune, its unigram. Every
// listing holding the term holds them all.
func queryGrams(t string) []gram {
	rs := []rune(t)
	if len(rs) == 1 {
		return []gram{unigram(rs[0])}
	}
	var out []gram
	for i := 1; i < len(rs); i++ {
		if indexable(rs[i-1]) || indexable(rs[i]) {
			out = append(out, bigram(rs[i-1], rs[i]))
		}
	}
	return out
}

// Terms splits query text as the index reads it: the terms matched as
// substrings, and for each ASCII word the words (with synonyms) of which
// one must occur. Another implementation of the same semantics (the
// PostgreSQL baseline of `anken bench`) uses it; it leaves out exclusions.
func Terms(text string) (substrings []string, words [][]string) {
	for _, t := range parseText(text) {
		if t.not {
			continue
		}
		if t.substr {
			substrings = append(substrings, t.text)
			continue
		}
		words = append(words, t.words...)
	}
	return substrings, words
}

// FoldedText returns the text the index matches a listing's terms in: the
// folded title, skills (slugs and names) and description, one per line.
func FoldedText(l *listing.Listing) string { return prepare(l, nil).text }

// Words returns the distinct ASCII words of folded text.
func Words(folded string) []string {
	seen := map[string]bool{}
	var out []string
	eachWord(folded, func(w string) {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	})
	return out
}
