package normalize

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// kind is what a dictionary term names.
type kind uint8

const (
	kSkill    kind = iota + 1 // val: skill slug
	kPlace                    // val: ISO 3166-2:JP code
	kRemote                   // val: full, partial, onsite, remote (unqualified)
	kRole                     // val: listing.Role
	kContract                 // val: listing.Contract
	kSideJob                  // val: yes, no
	kStart                    // val: immediate, open (相談), relative (来月)
	kRate                     // val: negotiable (スキル見合い), ask (応相談)
)

// meaning is one thing a term says.
type meaning struct {
	kind   kind
	val    string
	strict bool // only in the agency's own field text or a title, never in a description
}

// term is one entry of the dictionary, folded.
type term struct {
	text      string
	means     []meaning
	fieldOnly bool // every meaning is strict
	probe     int  // a byte after the first rune that tells terms apart cheaply
	wordEnd   bool // ends with one: needs a word boundary after
	skill     bool // may be followed by a version (python3, php8.1, vue3)
}

// ref is a term in a candidate list, with what rules most candidates out
// without reading the term.
type ref struct {
	n     int  // len(t.text)
	probe int  // t.probe
	b     byte // t.text[t.probe]
	t     *term
}

// hit is a term found in text at [start, end).
type hit struct {
	start, end int
	t          *term
}

// dict finds every term of a fixed set in folded text in one pass. ASCII
// terms match whole words only; other terms match anywhere. At each
// position the longest term wins and the scan resumes after it, so ジャバ
// is not found inside ジャバスクリプト, nor java inside javascript.
type dict struct {
	ascii1 [128][]ref                       // one-byte ASCII terms by their byte
	ascii2 map[uint16][]ref                 // longer ASCII-led terms by their first two bytes, longest first
	cjk    [cjkEnd - cjkStart]uint16        // for first runes of CJK, kana and punctuation: index in lists
	bits   [(cjkEnd - cjkStart) / 64]uint64 // which of those runes start a term
	lists  [][]ref                          // longest first
	other  map[rune][]ref                   // by other first runes, longest first

	// skillRoles maps a skill slug to the role it gives a title naming a
	// lead or engineer word but no role (keywords.tsv "skill" rows).
	skillRoles map[string]string
}

// The block of runes cjk indexes: CJK punctuation, kana and kanji.
const cjkStart, cjkEnd = 0x3000, 0xA000

func newDict() *dict {
	return &dict{ascii2: map[uint16][]ref{}, other: map[rune][]ref{}, lists: [][]ref{nil}, skillRoles: map[string]string{}}
}

// add adds text with a meaning. The same text may carry several meanings
// (ios is a skill and, in a title, says the role is mobile).
func (d *dict) add(text string, m meaning) {
	text = fold(strings.TrimSpace(text))
	if text == "" {
		return
	}
	r, _ := utf8.DecodeRuneInString(text)
	var list *[]ref
	switch {
	case r < utf8.RuneSelf && len(text) == 1:
		list = &d.ascii1[r]
	case r < utf8.RuneSelf:
		k := pair(text[0], text[1])
		l := d.ascii2[k]
		list = &l
		defer func() { d.ascii2[k] = *list }()
	case cjkStart <= r && r < cjkEnd:
		if d.cjk[r-cjkStart] == 0 {
			d.lists = append(d.lists, nil)
			d.cjk[r-cjkStart] = uint16(len(d.lists) - 1)
			d.bits[(r-cjkStart)/64] |= 1 << ((r - cjkStart) % 64)
		}
		list = &d.lists[d.cjk[r-cjkStart]]
	default:
		l := d.other[r]
		list = &l
		defer func() { d.other[r] = *list }()
	}
	for _, x := range *list {
		if t := x.t; t.text == text {
			t.fieldOnly = t.fieldOnly && m.strict
			for i, x := range t.means {
				if x.kind == m.kind && x.val == m.val {
					t.means[i].strict = x.strict && m.strict
					return
				}
			}
			t.means = append(t.means, m)
			t.skill = t.skill || m.kind == kSkill
			return
		}
	}
	last, _ := utf8.DecodeLastRuneInString(text)
	_, first := utf8.DecodeRuneInString(text)
	probe := 0
	if len(text) > first { // the last byte of the second rune differs most
		_, second := utf8.DecodeRuneInString(text[first:])
		probe = first + second - 1
	}
	t := &term{text: text, means: []meaning{m}, fieldOnly: m.strict, probe: probe,
		wordEnd: last < utf8.RuneSelf && isWord(byte(last)),
		skill:   m.kind == kSkill}
	*list = append(*list, ref{n: len(text), probe: probe, b: text[probe], t: t})
	sort.SliceStable(*list, func(i, j int) bool { return (*list)[i].n > (*list)[j].n })
}

// pair keys ASCII-led terms by their first two bytes.
func pair(a, b byte) uint16 { return uint16(a)<<8 | uint16(b) }

// isWord reports whether c belongs to an ASCII word.
func isWord(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_'
}

// scan appends to dst every term found in s, a folded text. When field is
// false (a description) terms whose every meaning is strict are skipped;
// the caller skips strict meanings of the others.
func (d *dict) scan(s string, field bool, dst []hit) []hit {
	for i := 0; i < len(s); {
		c := s[i]
		size := 1
		var t *term
		end := 0
		switch {
		case c < utf8.RuneSelf:
			if i > 0 && isWord(s[i-1]) && isWord(c) {
				i++ // inside an ASCII word
				continue
			}
			if i+1 < len(s) {
				t, end = d.match(s, i, d.ascii2[pair(c, s[i+1])], field)
			}
			if t == nil {
				t, end = d.match(s, i, d.ascii1[c], field)
			}
		case c >= 0xE0 && c < 0xF0 && i+2 < len(s):
			// Three bytes: CJK, kana, most punctuation. Invalid bytes only
			// give a wrong rune to look up; HasPrefix checks every match.
			size = 3
			r := rune(c&0x0F)<<12 | rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F)
			switch k := r - cjkStart; {
			case cjkStart <= r && r < cjkEnd:
				if d.bits[k/64]&(1<<(k%64)) != 0 {
					t, end = d.match(s, i, d.lists[d.cjk[k]], field)
				}
			case len(d.other) > 0:
				t, end = d.match(s, i, d.other[r], field)
			}
		default:
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			if len(d.other) > 0 {
				t, end = d.match(s, i, d.other[r], field)
			}
		}
		if t == nil {
			i += size
			continue
		}
		dst = append(dst, hit{start: i, end: end, t: t})
		i = end
		if j := strings.IndexByte(t.text, '/'); j >= 0 {
			i = dst[len(dst)-1].start + j + 1 // c/c++, ci/cd: read what follows the slash too
		}
	}
	return dst
}

// match returns the first of cands (longest first) that s[i:] starts with
// and where the match ends.
func (d *dict) match(s string, i int, cands []ref, field bool) (*term, int) {
	for _, x := range cands {
		if x.n > len(s)-i || x.b != s[i+x.probe] {
			continue
		}
		t := x.t
		if (t.fieldOnly && !field) || !strings.HasPrefix(s[i:], t.text) {
			continue
		}
		if end, ok := d.endOf(s, i+len(t.text), t); ok {
			return t, end
		}
	}
	return nil, 0
}

// endOf checks the boundary after a term ending at end, letting a skill
// carry a version (python3, php8.1), and returns where the match ends.
func (d *dict) endOf(s string, end int, t *term) (int, bool) {
	if !t.wordEnd || end >= len(s) {
		return end, true
	}
	if t.skill && !('0' <= t.text[len(t.text)-1] && t.text[len(t.text)-1] <= '9') {
		j := end
		for j < len(s) && ('0' <= s[j] && s[j] <= '9' || s[j] == '.' && j > end && j+1 < len(s) && '0' <= s[j+1] && s[j+1] <= '9') {
			j++
		}
		if j > end {
			end = j
		}
	}
	if end < len(s) {
		if c := s[end]; isWord(c) || c == '+' || c == '#' {
			return 0, false
		}
	}
	return end, true
}
