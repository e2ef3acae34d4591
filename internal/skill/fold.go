package skill

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold normalizes a term the way the taxonomy and search compare them:
// NFKC, then lower case. It equals strings.ToLower(norm.NFKC.String(s))
// (FuzzFold checks it) but copies the runes listings are made of — ASCII,
// kana, kanji, CJK punctuation, full-width ASCII — itself, and hands only
// other runs, with the rune before them (a combining mark may join it), to
// the NFKC normalizer: the search index folds every listing it holds.
func Fold(s string) string {
	if utf8.ValidString(s) && folded(s) {
		return s
	}
	return string(AppendFold(make([]byte, 0, len(s)+8), s))
}

// AppendFold appends Fold(s) to b.
func AppendFold(b []byte, s string) []byte {
	if !utf8.ValidString(s) {
		// x/text reads invalid bytes differently in a part of a string
		// than in the whole; such text is rare, so it takes the slow path.
		return append(b, strings.ToLower(norm.NFKC.String(s))...)
	}
	prevIn, prevOut := 0, len(b) // where the last rune began in s and in b
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf && (i+1 >= len(s) || s[i+1] < utf8.RuneSelf || stableBefore(s[i+1:])) {
			prevIn, prevOut = i, len(b)
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b = append(b, c)
			i++
			continue
		}
		r, size := decode3(s, i)
		if m, ok := stable(r); ok {
			prevIn, prevOut = i, len(b)
			if m == r {
				b = append(b, s[i:i+size]...)
			} else {
				b = utf8.AppendRune(b, m)
			}
			i += size
			continue
		}
		// A run of other runes: normalize it with the rune before it.
		j := i + size
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if _, ok := stable(r); ok || r < utf8.RuneSelf {
				break
			}
			j += n
		}
		from := i
		if i > 0 {
			from = prevIn
			b = b[:prevOut]
		}
		prevIn, prevOut = from, len(b)
		b = append(b, strings.ToLower(norm.NFKC.String(s[from:j]))...)
		i = j
	}
	return b
}

// folded reports whether s is its own fold: ASCII without upper case,
// and runes NFKC keeps that combine with nothing.
func folded(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' || i+1 < len(s) && s[i+1] >= utf8.RuneSelf && !stableBefore(s[i+1:]) {
				return false
			}
			i++
			continue
		}
		r, size := decode3(s, i)
		if m, ok := stable(r); !ok || m != r {
			return false
		}
		i += size
	}
	return true
}

// decode3 decodes the rune at s[i], three-byte runes (kana, kanji) inline.
func decode3(s string, i int) (rune, int) {
	if c := s[i]; c >= 0xE0 && c < 0xF0 && i+2 < len(s) && s[i+1]&0xC0 == 0x80 && s[i+2]&0xC0 == 0x80 {
		if r := rune(c&0x0F)<<12 | rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F); r >= 0x800 && (r < 0xD800 || r > 0xDFFF) {
			return r, 3
		}
	}
	return utf8.DecodeRuneInString(s[i:])
}

// stableBefore reports whether an ASCII byte may stand before s
// unchanged: s starts with a rune that combines with nothing before it.
func stableBefore(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	_, ok := stable(r)
	return ok
}

// stable returns the fold of r when r is a rune whose NFKC form is one
// rune and that combines with no neighbour: kana (without the half-width
// forms and the combining sound marks), kanji, CJK punctuation, shapes
// and symbols, full-width ASCII, the ideographic space.
func stable(r rune) (rune, bool) {
	switch {
	case 0x3041 <= r && r <= 0x3096, 0x30A1 <= r && r <= 0x30FA, r == 0x30FB, r == 0x30FC,
		0x4E00 <= r && r <= 0x9FFF, 0x3001 <= r && r <= 0x301F,
		0x25A0 <= r && r <= 0x25FF, 0x2600 <= r && r <= 0x26FF, r == 0x203B,
		0x2010 <= r && r <= 0x2010, 0x2012 <= r && r <= 0x2015, r == 0x2212, r == 0x223C:
		// hiragana, katakana, ・ ー, kanji, 、。「」【】〒〜, ■○◎, ★, ※, dashes, ∼
		return r, true
	case 0xFF21 <= r && r <= 0xFF3A: // Ａ-Ｚ
		return r - 0xFEE0 + 'a' - 'A', true
	case 0xFF01 <= r && r <= 0xFF5E: // full-width ASCII, ～ included
		return r - 0xFEE0, true
	case r == 0x3000: // ideographic space
		return ' ', true
	}
	return 0, false
}
