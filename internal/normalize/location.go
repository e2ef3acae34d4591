package normalize

import (
	"strings"
)

// ParseLocation reads where a listing is from the free text of a location
// field: 東京都渋谷区, 渋谷駅徒歩5分, 大阪市北区, 都内, 横浜. It returns the
// ISO 3166-2:JP code and the place text found.
func ParseLocation(text string) (code, where string, ok bool) {
	s := fold(text)
	p, ok := readPlace(s, lexicon.scan(s, true, nil), true, 0, false)
	return p.code, p.text, ok
}

// spot is a place found in text.
type spot struct {
	code, text string
}

// placeLabels start a line that says where the work is.
var placeLabels = []string{"勤務地", "作業場所", "就業場所", "勤務場所", "作業地", "場所", "最寄", "エリア", "所在地", "住所", "アクセス", "勤務先", "location"}

// readPlace picks the place of a listing among the place hits of s: in
// field mode the first; in a description the first on a line with a place
// label (勤務地: …), else the first in the title (s[:titleEnd]), else the
// first anywhere. Places written one after another (東京都 渋谷区) are
// joined into one text.
//
// With sure set, a description's place counts only when labelled or in
// the title (a fully remote listing may name a city in passing).
func readPlace(s string, hits []hit, field bool, titleEnd int, sure bool) (spot, bool) {
	var places []hit
	for _, h := range hits {
		for _, m := range h.t.means {
			if m.kind == kPlace && (field || !m.strict) {
				places = append(places, h)
				break
			}
		}
	}
	if len(places) == 0 {
		return spot{}, false
	}
	pick := 0
	if !field {
		pick = -1
		for i, h := range places {
			if labelled(s, h.start) {
				pick = i
				break
			}
		}
		if pick < 0 && (places[0].start < titleEnd || !sure) {
			pick = 0
		}
		if pick < 0 {
			return spot{}, false
		}
	}
	h := places[pick]
	code := placeCode(h, field)
	end := h.end
	for _, n := range places[pick+1:] {
		if strings.TrimSpace(s[end:n.start]) != "" || placeCode(n, field) != code {
			break
		}
		end = n.end
	}
	return spot{code: code, text: strings.TrimSpace(s[h.start:end])}, true
}

func placeCode(h hit, field bool) string {
	for _, m := range h.t.means {
		if m.kind == kPlace && (field || !m.strict) {
			return m.val
		}
	}
	return ""
}

// labelled reports whether the line holding s[i] has a place label before i.
func labelled(s string, i int) bool {
	w := s[lineStart(s, i):i]
	for _, l := range placeLabels {
		if strings.Contains(w, l) {
			return true
		}
	}
	return false
}

// FindSkills returns the slugs of the skills named in free text, in order
// of first mention: Go / Golang / Go言語 → go, k8s → kubernetes.
func FindSkills(text string) []string {
	s := fold(text)
	return readSkills(lexicon.scan(s, false, nil), false, nil)
}

// readSkills appends to dst the slugs of the skill hits not yet in it.
func readSkills(hits []hit, field bool, dst []string) []string {
	means(hits, kSkill, field, func(h hit, m meaning) {
		dst = appendNew(dst, m.val)
	})
	return dst
}
