package search

import (
	"strings"

	"anken/internal/listing"
	"anken/internal/search/query"
)

// Terms splits query text as the index reads it: the terms matched as
// substrings, and for each ASCII word the words (with synonyms) of which
// one must occur. Another implementation of the same semantics (the
// PostgreSQL baseline of `anken bench`) uses it; it leaves out exclusions
// and phrases, other than phrases of one ASCII word (a word without
// synonyms) and those equal to a substring.
func Terms(text string) (substrings []string, words [][]string) {
	for _, t := range query.Parse(text) {
		if t.Not || t.Phrase {
			continue
		}
		if t.Substr {
			substrings = append(substrings, t.Text)
			continue
		}
		words = append(words, t.Words...)
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
	query.EachWord(folded, func(w string) {
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
