package search

import (
	"slices"
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
	// phrase is set for a quoted phrase that is neither one ASCII word nor
	// a plain substring: text, its white space collapsed to single spaces,
	// must occur in one field with whole-word edges (see holdsPhrase).
	phrase bool
	// not is set for a term written with a leading '-': a listing that
	// holds it does not match.
	not bool
}

// parseText splits folded query text into terms at white space and
// quotes.
//
// A term that starts with '-' excludes what follows it ("-java", "-常駐");
// an exclusion of punctuation alone is ignored. Text between quotes is a
// phrase (see the package documentation): "…", with “ and ” counting as
// the same quote, 「…」 and 『…』; a '-' right before the opening quote
// excludes the phrase.
func parseText(text string) []term {
	var terms []term
	s := fold(text)
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
func plainTerm(f string) (term, bool) {
	not := false
	if len(f) > 1 && f[0] == '-' {
		f, not = f[1:], true
	}
	if !isASCII(f) {
		return term{text: f, substr: true, not: not}, true
	}
	ws := words(f)
	if len(ws) == 0 {
		return term{}, false
	}
	t := term{text: f, not: not}
	for _, w := range ws {
		t.words = append(t.words, synonyms(w))
	}
	return t, true
}

// phraseTerm reads the text between quotes. An empty phrase, or one of
// ASCII punctuation alone, is ignored; one ASCII word is that word without
// synonyms; a phrase with no white space, no ASCII letter or digit at
// either end and some non-ASCII rune is a plain substring, which it is
// equal to.
func phraseTerm(body string, not bool) (term, bool) {
	p := collapse(body)
	if isASCII(p) {
		ws := words(p)
		switch len(ws) {
		case 0:
			return term{}, false
		case 1:
			return term{text: ws[0], words: [][]string{{ws[0]}}, not: not}, true
		}
		return term{text: p, phrase: true, not: not}, true
	}
	if !strings.Contains(p, " ") && !isAlnumByte(p[0]) && !isAlnumByte(p[len(p)-1]) {
		return term{text: p, substr: true, not: not}, true
	}
	return term{text: p, phrase: true, not: not}, true
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

// holdsPhrase reports whether folded field text holds phrase p (white
// space collapsed, trimmed, not empty) the way the package documentation
// defines: p occurs in text with each of its spaces standing for a run of
// white space, and where p begins (ends) with an ASCII letter or digit,
// the byte before (after) the occurrence is not one.
func holdsPhrase(text, p string) bool {
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

// phraseKeys are postings every listing holding a phrase is in, which
// narrow its candidates before each is confirmed.
type phraseKeys struct {
	grams []gram   // of its parts with non-ASCII runes
	words []string // ASCII words inside it, which a match holds whole
	edges []edge   // ASCII words at its ends, which may be part of a longer word
}

// edge is an ASCII word at an end of a phrase. A match may hold it as the
// end (at the phrase's start) or the start (at its end) of a longer word:
// "react native" occurs in "x-react native", whose word is "x-react".
type edge struct {
	word string
	end  bool // the word ends the longer word
	// sep is set when the longer word has a byte other than an ASCII
	// letter or digit next to word.
	sep bool
}

// holds reports whether text word w can hold the edge.
func (e edge) holds(w string) bool {
	n := len(e.word)
	switch {
	case w == e.word:
		return true
	case len(w) <= n:
		return false
	case e.end:
		return strings.HasSuffix(w, e.word) && (!e.sep || !isAlnumByte(w[len(w)-n-1]))
	}
	return strings.HasPrefix(w, e.word) && (!e.sep || !isAlnumByte(w[n]))
}

// keysOf returns the keys of phrase p (collapsed, not empty).
//
// A run of word bytes inside p is bounded by the same bytes in a match, so
// its word is a word of the text. A run at p's start may go on to the left
// in the text, making a longer word that ends with the run's word. Next to
// it that word has a byte other than a letter or digit: by the edge rule
// where p begins with one, and because words drop a leading - _ # + where
// p begins with one of those; where p begins with '.', it may have any
// byte. The same holds at p's end, where words drop a trailing . - _ and
// may have any byte after a trailing # or +.
func keysOf(p string) phraseKeys {
	var k phraseKeys
	for part := range strings.SplitSeq(p, " ") {
		if !isASCII(part) {
			k.grams = append(k.grams, queryGrams(part)...)
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
			k.edges = append(k.edges, edge{word: w, end: true, sep: p[0] != '.'})
		case j == len(p):
			k.edges = append(k.edges, edge{word: w, sep: p[j-1] != '#' && p[j-1] != '+'})
		default:
			k.words = append(k.words, w)
		}
		i = j
	}
	slices.Sort(k.grams)
	k.grams = slices.Compact(k.grams)
	slices.Sort(k.words)
	k.words = slices.Compact(k.words)
	return k
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
// PostgreSQL baseline of `anken bench`) uses it; it leaves out exclusions
// and phrases, other than phrases of one ASCII word (a word without
// synonyms) and those equal to a substring.
func Terms(text string) (substrings []string, words [][]string) {
	for _, t := range parseText(text) {
		if t.not || t.phrase {
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

// finder looks for one substring in many texts. strings.Index skips ahead
// by the needle's first byte, and in Japanese UTF-8 that is one of a few
// lead bytes found every third byte, so it ends up comparing at nearly
// every position. finder skips by the needle's rarest byte instead, as
// counted in a sample of the texts it will search: a continuation byte of
// an uncommon kanji is seen every few hundred bytes, and IndexByte passes
// over the rest at memory speed.
type finder struct {
	needle string
	at     int  // offset in needle of the anchor byte
	anchor byte // needle[at]
}

// finderSample is how many bytes of text newFinder counts.
const finderSample = 64 << 10

// newFinder returns a finder for needle, which is not empty, tuned to the
// texts sample yields (at most finderSample bytes of them are read).
func newFinder(needle string, sample func(yield func(string) bool)) finder {
	var freq [256]int
	n := 0
	for t := range sample {
		t = t[:min(len(t), finderSample-n)]
		for i := 0; i < len(t); i++ {
			freq[t[i]]++
		}
		if n += len(t); n >= finderSample {
			break
		}
	}
	f := finder{needle: needle}
	for i := 1; i < len(needle); i++ {
		if freq[needle[i]] < freq[needle[f.at]] {
			f.at = i
		}
	}
	f.anchor = needle[f.at]
	return f
}

// in reports whether s holds the needle.
func (f finder) in(s string) bool {
	n := len(f.needle)
	for i := 0; i+n <= len(s); {
		j := strings.IndexByte(s[i+f.at:len(s)-n+f.at+1], f.anchor)
		if j < 0 {
			return false
		}
		if s[i+j:i+j+n] == f.needle {
			return true
		}
		i += j + 1
	}
	return false
}
