package normalize

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// fold normalizes text the way every matcher here reads it: NFKC, lower
// case (as skill.Fold does), then every tilde and dash variant as '~' or
// '-' (〜 ∼ → ~; ‐ – — ― − → -). The katakana long vowel ー is kept: it
// belongs to words; the number parsers accept it as a dash between digits.
//
// Most Japanese text is kana, kanji, ASCII and full-width ASCII, whose NFKC
// forms are known; fold copies or maps those itself and hands only the
// other runs, with the rune before them (a combining mark may join it), to
// the NFKC normalizer. TestFold and FuzzFold check it against
// norm.NFKC.String.
func fold(s string) string {
	if plain(s) {
		return s
	}
	return string(foldAppend(make([]byte, 0, len(s)+8), s))
}

// foldPair folds title and description into one text, title + "\n" +
// description, and returns where the title ends.
func foldPair(title, desc string) (string, int) {
	b := foldAppend(make([]byte, 0, len(title)+len(desc)+16), title)
	n := len(b)
	b = append(b, '\n')
	return string(foldAppend(b, desc)), n
}

// foldAppend appends s, folded, to b.
func foldAppend(b []byte, s string) []byte {
	base := len(b)
	prevIn, prevOut := 0, base // where the last rune began in s and in b
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf && (i+1 >= len(s) || s[i+1] < utf8.RuneSelf || plainASCIIBefore(s[i+1:])) {
			prevIn, prevOut = i, len(b)
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b = append(b, c)
			i++
			continue
		}
		r, size := decode(s, i)
		if m, ok := simple(r); ok {
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
			if _, ok := simple(r); ok || r < utf8.RuneSelf {
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
		b = lowerAppend(b, norm.NFKC.String(s[from:j]))
		i = j
	}
	return b
}

// plain reports whether s is already folded: ASCII without upper case, and
// kana, kanji and CJK punctuation that NFKC keeps.
func plain(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' || i+1 < len(s) && s[i+1] >= utf8.RuneSelf && !plainASCIIBefore(s[i+1:]) {
				return false
			}
			i++
			continue
		}
		r, size := decode(s, i)
		if m, ok := simple(r); !ok || m != r {
			return false
		}
		i += size
	}
	return true
}

// decode decodes the rune at s[i], three-byte runes (kana, kanji) inline.
func decode(s string, i int) (rune, int) {
	if c := s[i]; c >= 0xE0 && c < 0xF0 && i+2 < len(s) && s[i+1]&0xC0 == 0x80 && s[i+2]&0xC0 == 0x80 {
		if r := rune(c&0x0F)<<12 | rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F); r >= 0x800 && (r < 0xD800 || r > 0xDFFF) {
			return r, 3
		}
	}
	return utf8.DecodeRuneInString(s[i:])
}

// plainASCIIBefore reports whether an ASCII byte may stand before s
// unchanged: s starts with a rune that combines with nothing before it.
func plainASCIIBefore(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	_, ok := simple(r)
	return ok
}

// simple returns the folded form of r when r is a rune whose NFKC form is
// one rune and combines with no neighbour: kana, kanji, CJK punctuation,
// full-width ASCII, dashes and tildes.
func simple(r rune) (rune, bool) {
	switch {
	case 0x3041 <= r && r <= 0x3096, 0x30A1 <= r && r <= 0x30FA, r == 0x30FB, r == 0x30FC,
		0x4E00 <= r && r <= 0x9FFF, 0x3001 <= r && r <= 0x301B, 0x301D <= r && r <= 0x301F,
		0x25A0 <= r && r <= 0x25FF, 0x2600 <= r && r <= 0x26FF, r == 0x203B:
		// hiragana, katakana, ・ ー, kanji, 、。「」【】〒, ■○◎, ★, ※
		return r, true
	case 0xFF21 <= r && r <= 0xFF3A: // Ａ-Ｚ
		return r - 0xFEE0 + 'a' - 'A', true
	case 0xFF01 <= r && r <= 0xFF5D: // full-width ASCII
		return r - 0xFEE0, true
	case r == 0xFF5E, r == 0x301C, r == 0x223C: // ～ 〜 ∼
		return '~', true
	case r == 0x2010, r == 0x2012, r == 0x2013, r == 0x2014, r == 0x2015, r == 0x2212, r == 0xFE63:
		return '-', true
	case r == 0x3000: // ideographic space
		return ' ', true
	}
	return 0, false
}

// lowerAppend appends s, NFKC already, to b in lower case with tildes and
// dashes unified.
func lowerAppend(b []byte, s string) []byte {
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b = append(b, byte(r))
			continue
		case r == '〜' || r == '∼':
			r = '~'
		case r == '‐' || r == '‑' || r == '‒' || r == '–' || r == '—' || r == '―' || r == '−' || r == '﹣':
			r = '-'
		default:
			r = unicode.ToLower(r)
		}
		b = utf8.AppendRune(b, r)
	}
	return b
}
