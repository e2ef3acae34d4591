// Package query reads the text of a search the way the index does:
// folding, the words and grams text splits into, and query text parsed
// into terms (Parse). Package search posts listings' texts under these
// words and grams, plans a query's terms against those postings and
// matches a single listing by them; its percolator chooses a saved
// search's keys from them. This package holds no index: it is what a
// listing and a query must agree on to be compared.
//
// Query text and listings are compared after folding: NFKC, then lower
// case (Ｇｏ is go, ｶﾞ is ガ, ＂ is "). A listing's searchable text is three
// fields: its title, its skills (each skill's slug, then its name where
// that folds to something else, separated by spaces: "go csharp c#") and
// its description. The text splits into terms at white space and quotes,
// and a listing must hold every term:
//
//   - A term made only of ASCII is one or more words (runs of a-z 0-9 # +
//     . _ -, without a leading - _ # + or a trailing . - _; "c#", "node.js",
//     "ci/cd" is ci and cd): each must be a whole word of the text, or a
//     synonym of it from the skill taxonomy (golang = go, k8s = kubernetes,
//     js = javascript). A term of punctuation alone is ignored.
//   - Any other term matches as a substring of a field (港, 東京, go言語).
//   - A phrase is text between quotes: "…" (＂…＂), with “ and ” counting
//     as the same quote since IMEs type ” on both sides, and the Japanese
//     brackets 「…」 and 『…』. After folding, each run of white space in
//     it becomes one space and white space at its ends is dropped. A
//     listing holds the phrase when one of its fields, with each run of
//     white space collapsed the same way, holds it as a substring such
//     that where the phrase begins (ends) with an ASCII letter or digit,
//     the character before (after) it is not one: "java" in a phrase does
//     not match "javascript", "react native" matches "React  Native" and
//     "(react native)". A phrase never matches across two fields and has
//     no synonyms. A phrase of one ASCII word ("golang", "c#") is that
//     word, whole, without synonyms; an empty phrase or one of ASCII
//     punctuation alone is ignored; an unclosed quote runs to the end of
//     the text.
//   - A term or phrase written with a leading '-' (-java, -"full remote",
//     -「常駐」) excludes the listings that hold it instead.
package query

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Term is one free-text term of a query, already folded.
type Term struct {
	Text string
	// Words is set for a term made only of ASCII: each word must occur as a
	// whole word, and each entry lists the word and its synonyms, any of
	// which will do. A term of punctuation alone has no words and matches
	// everything.
	Words [][]string
	// Substr is set for any other term: it must occur as a substring.
	Substr bool
	// Phrase is set for a quoted phrase that is neither one ASCII word nor
	// a plain substring: text, its white space collapsed to single spaces,
	// must occur in one field with whole-word edges (see HoldsPhrase).
	Phrase bool
	// Not is set for a term written with a leading '-': a listing that
	// holds it does not match.
	Not bool
}

// Parse splits folded query text into terms at white space and
// quotes.
//
// A term that starts with '-' excludes what follows it ("-java", "-常駐");
// an exclusion of punctuation alone is ignored. Text between quotes is a
// phrase (see the package documentation): "…", with “ and ” counting as
// the same quote, 「…」 and 『…』; a '-' right before the opening quote
// excludes the phrase.
func Parse(text string) []Term {
	var terms []Term
	s := Fold(text)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if separates(r) {
			i += n
			continue
		}
		not := false
		if r == '-' && i+1 < len(s) {
			if q, _ := utf8.DecodeRuneInString(s[i+1:]); opens(q) {
				not, i = true, i+1
				r, n = q, utf8.RuneLen(q)
			}
		}
		if opens(r) {
			body, rest := cutPhrase(s[i+n:], r)
			if t, ok := phraseTerm(body, not); ok {
				terms = append(terms, t)
			}
			i = len(s) - len(rest)
			continue
		}
		j := i
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if separates(r) || opens(r) {
				break
			}
			j += n
		}
		if t, ok := plainTerm(s[i:j]); ok {
			terms = append(terms, t)
		}
		i = j
	}
	return terms
}

// plainTerm reads one unquoted term.
func plainTerm(f string) (Term, bool) {
	not := false
	if len(f) > 1 && f[0] == '-' {
		f, not = f[1:], true
	}
	if !IsASCII(f) {
		return Term{Text: f, Substr: true, Not: not}, true
	}
	ws := words(f)
	if len(ws) == 0 {
		return Term{}, false
	}
	t := Term{Text: f, Not: not}
	for _, w := range ws {
		t.Words = append(t.Words, synonyms(w))
	}
	return t, true
}

// phraseTerm reads the text between quotes. An empty phrase, or one of
// ASCII punctuation alone, is ignored; one ASCII word is that word without
// synonyms; a phrase with no white space, no ASCII letter or digit at
// either end and some non-ASCII rune is a plain substring, which it is
// equal to.
func phraseTerm(body string, not bool) (Term, bool) {
	p := collapse(body)
	if IsASCII(p) {
		ws := words(p)
		switch len(ws) {
		case 0:
			return Term{}, false
		case 1:
			return Term{Text: ws[0], Words: [][]string{{ws[0]}}, Not: not}, true
		}
		return Term{Text: p, Phrase: true, Not: not}, true
	}
	if !strings.Contains(p, " ") && !isAlnumByte(p[0]) && !isAlnumByte(p[len(p)-1]) {
		return Term{Text: p, Substr: true, Not: not}, true
	}
	return Term{Text: p, Phrase: true, Not: not}, true
}

// opens reports whether r opens a phrase.
func opens(r rune) bool {
	switch r {
	case '"', '“', '”', '「', '『':
		return true
	}
	return false
}

// cutPhrase splits s, which follows the opening quote open, at the quote
// that closes it: " “ ” close each other (an IME may type ” for both),
// 」 closes 「 and 』 closes 『. An unclosed phrase runs to the end.
func cutPhrase(s string, open rune) (body, rest string) {
	closes := func(r rune) bool { return r == '"' || r == '“' || r == '”' }
	switch open {
	case '「':
		closes = func(r rune) bool { return r == '」' }
	case '『':
		closes = func(r rune) bool { return r == '』' }
	}
	for i, r := range s {
		if closes(r) {
			return s[:i], s[i+utf8.RuneLen(r):]
		}
	}
	return s, ""
}

// collapse trims white space from s and turns each run of it inside into
// one space.
func collapse(s string) string {
	var b strings.Builder
	for f := range strings.FieldsFuncSeq(s, separates) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(f)
	}
	return b.String()
}

func isAlnumByte(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }

// HoldsPhrase reports whether folded field text holds phrase p (white
// space collapsed, trimmed, not empty) the way the package documentation
// defines: p occurs in text with each of its spaces standing for a run of
// white space, and where p begins (ends) with an ASCII letter or digit,
// the byte before (after) the occurrence is not one.
func HoldsPhrase(text, p string) bool {
	first, rest, _ := strings.Cut(p, " ")
	wordStart, wordEnd := isAlnumByte(p[0]), isAlnumByte(p[len(p)-1])
	for off := 0; off < len(text); {
		i := strings.Index(text[off:], first)
		if i < 0 {
			return false
		}
		i += off
		off = i + 1
		if wordStart && i > 0 && isAlnumByte(text[i-1]) {
			continue
		}
		end, ok := matchRest(text, i+len(first), rest)
		if ok && !(wordEnd && end < len(text) && isAlnumByte(text[end])) {
			return true
		}
	}
	return false
}

// matchRest matches the rest of a phrase, " "-separated parts, at text[j:]:
// before each part a run of white space, then the part. It returns where
// the match ends.
func matchRest(text string, j int, rest string) (int, bool) {
	for rest != "" {
		k := j
		for k < len(text) {
			r, n := rune(text[k]), 1
			if r >= utf8.RuneSelf {
				r, n = utf8.DecodeRuneInString(text[k:])
			}
			if !separates(r) {
				break
			}
			k += n
		}
		part, more, _ := strings.Cut(rest, " ")
		if k == j || !strings.HasPrefix(text[k:], part) {
			return 0, false
		}
		j, rest = k+len(part), more
	}
	return j, true
}

// PhraseKeys are postings every listing holding a phrase is in, which
// narrow its candidates before each is confirmed.
type PhraseKeys struct {
	Grams []Gram   // of its parts with non-ASCII runes
	Words []string // ASCII words inside it, which a match holds whole
	Edges []Edge   // ASCII words at its ends, which may be part of a longer word
}

// Edge is an ASCII word at an end of a phrase. A match may hold it as the
// end (at the phrase's start) or the start (at its end) of a longer word:
// "react native" occurs in "x-react native", whose word is "x-react".
type Edge struct {
	Word string
	End  bool // the word ends the longer word
	// Sep is set when the longer word has a byte other than an ASCII
	// letter or digit next to word.
	Sep bool
}

// Holds reports whether text word w can hold the edge.
func (e Edge) Holds(w string) bool {
	n := len(e.Word)
	switch {
	case w == e.Word:
		return true
	case len(w) <= n:
		return false
	case e.End:
		return strings.HasSuffix(w, e.Word) && (!e.Sep || !isAlnumByte(w[len(w)-n-1]))
	}
	return strings.HasPrefix(w, e.Word) && (!e.Sep || !isAlnumByte(w[n]))
}

// KeysOf returns the keys of phrase p (collapsed, not empty).
//
// A run of word bytes inside p is bounded by the same bytes in a match, so
// its word is a word of the text. A run at p's start may go on to the left
// in the text, making a longer word that ends with the run's word. Next to
// it that word has a byte other than a letter or digit: by the edge rule
// where p begins with one, and because words drop a leading - _ # + where
// p begins with one of those; where p begins with '.', it may have any
// byte. The same holds at p's end, where words drop a trailing . - _ and
// may have any byte after a trailing # or +.
func KeysOf(p string) PhraseKeys {
	var k PhraseKeys
	for part := range strings.SplitSeq(p, " ") {
		if !IsASCII(part) {
			k.Grams = append(k.Grams, Grams(part)...)
		}
	}
	for i := 0; i < len(p); {
		if !isWordByte(p[i]) {
			i++
			continue
		}
		j := i
		for j < len(p) && isWordByte(p[j]) {
			j++
		}
		w := strings.TrimRight(strings.TrimLeft(p[i:j], "-_#+"), ".-_")
		switch {
		case w == "" || !strings.ContainsFunc(w, isAlnum):
		case i == 0 && j == len(p):
			// The whole phrase: no key (a phrase of one word is a word term).
		case i == 0:
			k.Edges = append(k.Edges, Edge{Word: w, End: true, Sep: p[0] != '.'})
		case j == len(p):
			k.Edges = append(k.Edges, Edge{Word: w, Sep: p[j-1] != '#' && p[j-1] != '+'})
		default:
			k.Words = append(k.Words, w)
		}
		i = j
	}
	slices.Sort(k.Grams)
	k.Grams = slices.Compact(k.Grams)
	slices.Sort(k.Words)
	k.Words = slices.Compact(k.Words)
	return k
}
