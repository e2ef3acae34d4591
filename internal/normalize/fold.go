package normalize

import "anken/internal/skill"

// fold normalizes text the way every matcher here reads it: the one fold
// of the codebase, skill.Fold (NFKC, then lower case, as search and dedupe
// read text too), then every tilde and dash variant as '~' or '-'
// (〜 ∼ → ~; ‐ – — ― − → -). The katakana long vowel ー is kept: it belongs
// to words; the number parsers accept it as a dash between digits.
// TestFold and FuzzFold check it against norm.NFKC.String.
func fold(s string) string {
	f := skill.Fold(s)
	if !hasDash(f) {
		return f
	}
	return string(unifyDashes([]byte(f), 0))
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
	start := len(b)
	return unifyDashes(skill.AppendFold(b, s), start)
}

// Every dash and tilde variant left after NFKC is three bytes in UTF-8,
// led by one of these bytes.
const (
	lead2 = 0xE2 // ‐ ‑ ‒ – — ― (U+2010–2015), − (U+2212), ∼ (U+223C)
	lead3 = 0xE3 // 〜 (U+301C)
	leadF = 0xEF // ～ (U+FF5E), ﹣ (U+FE63): NFKC maps them, kept for safety
)

// hasDash reports whether s holds a dash or tilde variant.
func hasDash(s string) bool {
	for i := 0; i+2 < len(s); i++ {
		if c := s[i]; (c == lead2 || c == lead3 || c == leadF) && dashAt(c, s[i+1], s[i+2]) != 0 {
			return true
		}
	}
	return false
}

// dashAt returns '-' or '~' when the three bytes encode a dash or tilde
// variant, else 0. Kana and kanji share the lead byte 0xE3 with 〜, so it
// compares bytes rather than decoding.
func dashAt(c0, c1, c2 byte) byte {
	switch c0 {
	case lead2:
		switch {
		case c1 == 0x80 && 0x90 <= c2 && c2 <= 0x95, c1 == 0x88 && c2 == 0x92: // ‐ ‑ ‒ – — ―, −
			return '-'
		case c1 == 0x88 && c2 == 0xBC: // ∼
			return '~'
		}
	case lead3:
		if c1 == 0x80 && c2 == 0x9C { // 〜
			return '~'
		}
	case leadF:
		switch {
		case c1 == 0xB9 && c2 == 0xA3: // ﹣
			return '-'
		case c1 == 0xBD && c2 == 0x9E: // ～
			return '~'
		}
	}
	return 0
}

// unifyDashes writes each dash and tilde variant in b[from:] as '-' or '~',
// in place.
func unifyDashes(b []byte, from int) []byte {
	w := from
	for i := from; i < len(b); {
		if c := b[i]; (c == lead2 || c == lead3 || c == leadF) && i+2 < len(b) {
			if d := dashAt(c, b[i+1], b[i+2]); d != 0 {
				b[w] = d
				w++
				i += 3
				continue
			}
		}
		b[w] = b[i]
		w++
		i++
	}
	return b[:w]
}
