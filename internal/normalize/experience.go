package normalize

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"anken/internal/listing"
	"anken/internal/skill"
)

// ParseExperience reads the years of experience (経験年数) a listing's
// free text requires: 「Go経験2年以上」 → {go, 2}, 「Javaでの開発経験3年以上」
// → {java, 3}, 「AWS実務経験1年以上」 → {aws, 1}, 「3年以上のPython開発経験」 →
// {python, 3}; with no skill tied to the years, experience in general:
// 「実務経験3年以上」, 「エンジニア経験5年以上」, 「開発経験2年〜」 → {"", N}.
// Years must follow a word of experience (経験, 実務) or lead to one
// (N年以上の…経験), so 「創業10年」, 「3年後」, 「2026年」 and 「年収」 are not
// read; nor is a requirement in a 歓迎・尚可 section or line, an upper
// bound (経験3年未満), or years outside 1–30. Skills listed with いずれか,
// または or など give one requirement of experience in general. Each skill
// (and experience in general) appears once, with the most years asked.
func ParseExperience(text string) []listing.Experience {
	s := fold(text)
	return readExperience(s, lexicon.scan(s, false, nil), 0, false)
}

// ListingExperience reads the years of experience a listing's title and
// description require, as Normalize does when the agency sent no
// experience field.
func ListingExperience(title, description string) []listing.Experience {
	s, titleEnd := foldPair(title, description)
	return readExperience(s, lexicon.scan(s, false, nil), titleEnd, false)
}

// The words years of experience hang on: 経験 (and 経験年数, 実務経験,
// 開発経験, …) and 実務 alone (Java実務3年以上).
const (
	wordExp  = "経験"
	wordWork = "実務"
)

// welcomeWords mark a skill as welcome, not required (歓迎スキル, 尚可).
var welcomeWords = [...]string{"尚可", "なお可", "歓迎", "望ましい", "優遇", "尚良", "なお良", "あれば", "あると", "加点"}

// eitherWords give skills (or other fields) as alternatives (Java、Python
// いずれかの開発経験3年以上, PMまたはPMOとしての実務経験): any one of them will
// do, so the requirement is of experience in general.
var eitherWords = [...]string{"いずれか", "どちらか", "または", "もしくは", "又は", "若しくは", "あるいは", " or ", "など", "等", "問わず", "問いません"}

// readExperience reads the requirements of years of experience in s, a
// folded text whose dictionary hits are hits; from is where a
// description starts after its title (0 for one text). In field mode
// (the agency's own experience field) a skill and years in one list item
// are a requirement without a word of experience: 「Go 3年以上、AWS 1年」.
func readExperience(s string, hits []hit, from int, field bool) []listing.Experience {
	var out []listing.Experience
	prevEnd := 0 // the end of the last years read: a part never reaches back over it
	read := 0
	var next anchors
	for i := 0; i < len(s) && read < maxExperienceRead; {
		a, word := next.after(s, i)
		if a < 0 {
			break
		}
		e := a + len(word)
		i = e
		if word == wordWork && strings.HasPrefix(s[e:], wordExp) {
			continue // 実務経験: read at its 経験
		}
		if word == wordExp && strings.HasSuffix(s[:a], "未") {
			continue // 未経験
		}
		line := lineStart(s, a)
		lo := max(line, prevEnd)
		var years, end int
		var ok bool
		var skip [2]int // the years, when they stand before the word within the part
		if j := afterAnchor(s, e); j < len(s) {
			years, end, ok = readYears(s, j)
		}
		if !ok && word == wordExp {
			var p int
			if p, years, end, ok = yearsBefore(s, lo, a); ok {
				skip = [2]int{p, end}
				end = e
			}
		}
		if !ok {
			continue
		}
		read++
		part := partStart(s, a, lo, hits)
		prevEnd = max(prevEnd, end)
		i = max(i, end)
		if negated(s, end) || welcome(s, line, part, a, end, from, field) {
			continue
		}
		out = addRequirement(out, years, skillsFor(s, hits, part, a, skip, field))
	}
	if field && len(out) == 0 {
		for _, part := range splitExperienceField(s) {
			for j := 0; j < len(part.text); j++ {
				if !startsNumber(part.text, j) {
					continue
				}
				if years, _, ok := readYears(part.text, j); ok {
					out = addRequirement(out, years, skillsFor(s, hits, part.start, part.start+len(part.text), [2]int{}, true))
					break
				}
			}
		}
	}
	return out
}

// maxExperienceRead is how many phrases of years one text may give: far
// more than any listing states, few enough that a text made of nothing
// else costs no more than an ordinary one.
const maxExperienceRead = 64

// anchors finds the words of experience in a text in order, remembering
// where the next of each is so that the text is searched once.
type anchors struct {
	exp, work int // where the next 経験 and 実務 start, plus one; 0: not searched yet; -1: none left
}

// after returns where the next word of experience at or after s[i]
// starts, and the word; -1 when there is none.
func (x *anchors) after(s string, i int) (int, string) {
	find := func(next *int, w string) {
		if *next >= 0 && *next-1 < i {
			if k := strings.Index(s[i:], w); k >= 0 {
				*next = i + k + 1
			} else {
				*next = -1
			}
		}
	}
	find(&x.exp, wordExp)
	find(&x.work, wordWork)
	switch {
	case x.exp < 0 && x.work < 0:
		return -1, ""
	case x.work < 0 || x.exp >= 0 && x.exp < x.work:
		return x.exp - 1, wordExp
	}
	return x.work - 1, wordWork
}

// afterAnchor skips what may stand between a word of experience and its
// years: 年数, 者, a colon, a bracket, が, は, として, 目安 (経験年数：3年以上,
// 経験者（3年以上）, 経験が3年以上).
func afterAnchor(s string, j int) int {
	for _, w := range [...]string{"年数", "者"} {
		if strings.HasPrefix(s[j:], w) {
			j += len(w)
		}
	}
	for n := 0; n < 4; n++ {
		j = skipSpaces(s, j)
		moved := false
		for _, w := range [...]string{":", "(", "[", "が", "は", "を", "として", "目安", "で", "約"} {
			if strings.HasPrefix(s[j:], w) {
				j += len(w)
				moved = true
				break
			}
		}
		if !moved {
			break
		}
	}
	return skipSpaces(s, j)
}

// kanjiDigits are the numerals read before 年 besides digits: 三年 = 3年.
var kanjiDigits = [...]string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}

// startsNumber reports whether a number starts at s[j]: a digit not
// preceded by one (nor by a decimal point), or a kanji numeral.
func startsNumber(s string, j int) bool {
	if isDigit(s[j]) {
		return j == 0 || !isDigit(s[j-1]) && s[j-1] != '.'
	}
	return kanjiAt(s, j) > 0
}

// kanjiAt returns the value of the kanji numeral at s[j], or 0.
func kanjiAt(s string, j int) int {
	for n, k := range kanjiDigits {
		if strings.HasPrefix(s[j:], k) {
			return n + 1
		}
	}
	return 0
}

// notYears are what, right after N年, make it something else than years
// of experience: 3年後, 3年目, 2026年1月, 年度, 年生, 年収, 年代, 年半 (not
// whole years), and upper bounds (3年未満, 3年以下).
var notYears = [...]string{"後", "目", "前", "度", "生", "月", "次", "収", "代", "制", "契", "齢", "末", "初", "始", "中", "半"}

// upTo are the words of an upper bound: 3年未満, 3年以下, 3年間まで.
var upTo = [...]string{"以下", "未満", "以内", "まで", "迄", "弱"}

// readYears reads years of experience at s[j], where a number starts:
// 3年, 3年以上, 3年〜, 2〜3年 (the least), 三年以上, 3年間以上, 3年程度. It
// returns the years and where the phrase ends (after 以上 and the like).
func readYears(s string, j int) (years, end int, ok bool) {
	if j > 0 && s[j-1] == '~' {
		return 0, j, false // 〜3年: at most
	}
	var k int
	if v := kanjiAt(s, j); v > 0 {
		years, k = v, j+len(kanjiDigits[0])
	} else {
		r, ok := readNums(s, j, "年")
		if !ok {
			return 0, j, false
		}
		years, k = r.lo, r.end
	}
	k = skipSpaces(s, k)
	if !strings.HasPrefix(s[k:], "年") {
		return 0, j, false
	}
	k += len("年")
	for _, w := range notYears {
		if strings.HasPrefix(s[k:], w) {
			return 0, j, false
		}
	}
	if strings.HasPrefix(s[k:], "間") {
		k += len("間")
	}
	k = skipSpaces(s, k)
	for _, w := range upTo {
		if strings.HasPrefix(s[k:], w) {
			return 0, j, false
		}
	}
	for _, w := range [...]string{"以上", "~", "+", "超", "程度", "前後", "くらい", "ぐらい", "ほど", "から"} {
		if strings.HasPrefix(s[k:], w) {
			k += len(w)
			break
		}
	}
	if years < listing.MinExperienceYears || years > listing.MaxExperienceYears {
		return 0, j, false
	}
	return years, k, true
}

// joinedWords may stand between years and the word of experience with no
// の: 3年以上経験, 3年以上実務経験.
var joinedWords = [...]string{"", "実務", "開発", "業務", "職務", "就業", "エンジニア"}

// notExperience are words whose years, led to a word of experience, are
// a company's or a service's: 創業10年の開発経験, 10年の歴史と開発経験.
var notExperience = [...]string{"創業", "設立", "社歴", "運用", "運営", "継続", "実績", "歴史", "導入", "開始", "経過", "歩み", "取引", "築"}

// yearsBefore finds years of experience that lead, within their part, to
// the word of experience at a from within s[lo:a]: 3年以上の実務経験,
// 3年以上のJava開発経験, Java3年以上経験者. It returns where the number
// starts, the years and where they end. Only the last few 年 are tried, so
// a long line costs no more than a short one.
func yearsBefore(s string, lo, a int) (p, years, end int, ok bool) {
	y := a
	for n := 0; n < 3; n++ {
		k := strings.LastIndex(s[lo:y], "年")
		if k < 0 {
			break
		}
		y = lo + k
		for j := max(lo, y-12); j < y; j++ {
			if !startsNumber(s, j) {
				continue
			}
			yr, e, found := readYears(s, j)
			if !found {
				continue
			}
			between := s[skipSpaces(s, e):a]
			if rest, of := strings.CutPrefix(between, "の"); of { // 3年以上のJava開発経験
				if len(rest) > 60 || strings.ContainsAny(rest, "、,。;()!?\n") {
					return 0, 0, 0, false
				}
			} else if !slices.Contains(joinedWords[:], between) { // 3年以上実務経験; not 10年にわたり開発経験
				return 0, 0, 0, false
			}
			for _, w := range notExperience {
				if strings.Contains(s[max(lo, j-12):a], w) {
					return 0, 0, 0, false
				}
			}
			return j, yr, e, true
		}
	}
	return 0, 0, 0, false
}

// partSeps end one part of a line: what stands before them is another
// requirement (Go経験3年以上、実務経験5年以上).
var partSeps = [...]string{"、", ",", "。", ";", "!", "?"}

// partStart returns where the part of the line holding s[a] starts, not
// before lo: after the last separator, reaching back over parts that only
// list skills (Java、Pythonでの開発経験 ties both).
func partStart(s string, a, lo int, hits []hit) int {
	start := lastSep(s, lo, a)
	for start > lo {
		prev := lastSep(s, lo, start-sepLen(s, start))
		if !onlySkills(s, prev, start-sepLen(s, start), hits) {
			break
		}
		start = prev
	}
	return start
}

// lastSep returns where the text after the last part separator in
// s[lo:i] starts, or lo.
func lastSep(s string, lo, i int) int {
	best := lo
	for _, sep := range partSeps {
		if k := strings.LastIndex(s[lo:i], sep); k >= 0 && lo+k+len(sep) > best {
			best = lo + k + len(sep)
		}
	}
	return best
}

// sepLen returns the length of the separator that ends just before s[i].
func sepLen(s string, i int) int {
	for _, sep := range partSeps {
		if strings.HasSuffix(s[:i], sep) {
			return len(sep)
		}
	}
	return 0
}

// onlySkills reports whether s[lo:hi] names skills and nothing else but
// bullets, spaces and joining words (・Java、 or Go/Python、).
func onlySkills(s string, lo, hi int, hits []hit) bool {
	rest := []byte(s[lo:hi])
	n := 0
	for _, h := range hitsIn(hits, lo, hi) {
		if !isSkillHit(h, false) {
			continue
		}
		for k := h.start; k < h.end; k++ {
			rest[k-lo] = ' '
		}
		n++
	}
	if n == 0 {
		return false
	}
	left := string(rest)
	for _, w := range [...]string{"・", "/", "-", "●", "*", "と", "や", "および", "及び", "(", ")", "[", "]", ":"} {
		left = strings.ReplaceAll(left, w, "")
	}
	return strings.TrimSpace(left) == ""
}

// hitsIn returns the hits that lie within s[lo:hi]; hits are in order.
func hitsIn(hits []hit, lo, hi int) []hit {
	k := sort.Search(len(hits), func(i int) bool { return hits[i].start >= lo })
	m := k
	for m < len(hits) && hits[m].start < hi {
		m++
	}
	out := hits[k:m]
	for len(out) > 0 && out[len(out)-1].end > hi {
		out = out[:len(out)-1]
	}
	return out
}

func isSkillHit(h hit, field bool) bool {
	for _, m := range h.t.means {
		if m.kind == kSkill && (field || !m.strict) {
			return true
		}
	}
	return false
}

// skillsFor returns the skills the years of s[lo:hi] are tied to, less
// those within skip (the years themselves): none when the part names
// none, or when it gives them as alternatives (いずれか, または, など).
func skillsFor(s string, hits []hit, lo, hi int, skip [2]int, field bool) []string {
	var out []string
	means(hitsIn(hits, lo, hi), kSkill, field, func(h hit, m meaning) {
		if skip[0] <= h.start && h.start < skip[1] {
			return // within the years (a skill's version, java3, may reach into them)
		}
		out = appendNew(out, m.val)
	})
	if len(out) == 0 {
		return nil
	}
	part := s[lo:hi]
	for _, w := range eitherWords {
		if strings.Contains(part, w) { // PMまたはPMO: the other may be no skill at all
			return nil
		}
	}
	return out
}

// welcome reports whether the years read at s[a:end] are welcome rather
// than required: a 歓迎・尚可 word in their part (尚可のGo経験3年) or after
// them in it (3年以上あれば尚可), a welcome label on their line (尚可：,
// 歓迎スキル), or the heading of a welcome section above them
// (【歓迎スキル】). Not in field mode: the agency's experience field is
// what it requires.
func welcome(s string, line, part, a, end, from int, field bool) bool {
	if field {
		return false
	}
	tail := s[end:lineEnd(s, end)]
	if k := strings.IndexAny(tail, "、,;()"); k >= 0 {
		tail = tail[:k]
	}
	pre := s[line:a]
	for _, w := range welcomeWords {
		if strings.Contains(s[part:a], w) || strings.Contains(tail, w) {
			return true
		}
		if k := strings.Index(pre, w); k >= 0 {
			after := pre[k+len(w):]
			if strings.HasPrefix(after, ":") || strings.HasPrefix(after, "スキル") || strings.HasPrefix(after, "要件") ||
				strings.HasPrefix(after, "条件") || strings.HasPrefix(after, "]") || strings.HasPrefix(after, "】") {
				return true
			}
		}
	}
	return a >= from && welcomeSection(s, a, from)
}

// headingMarks start a heading line of a description: ■必須スキル,
// 【歓迎スキル】, ◆尚可, <必須要件>, ▼歓迎.
var headingMarks = [...]string{"■", "□", "◆", "◇", "▼", "▽", "★", "☆", "【", "<", "[", "≪"}

// welcomeSection reports whether the nearest heading above the line
// holding s[i] (and after from) names a welcome section (歓迎, 尚可) and
// not a required one (必須).
func welcomeSection(s string, i, from int) bool {
	end := strings.LastIndexByte(s[:i], '\n') // the newline before the line
	for n := 0; end > from && n < 64 && i-end < 4096; n++ {
		st := max(strings.LastIndexByte(s[:end], '\n')+1, from)
		if h := strings.TrimSpace(s[st:end]); heading(h) {
			if strings.Contains(h, "必須") {
				return false
			}
			for _, w := range welcomeWords {
				if strings.Contains(h, w) {
					return true
				}
			}
			return false
		}
		end = st - 1
	}
	return false
}

// heading reports whether a line (trimmed) is a section heading: it
// starts with a heading mark, or is short and ends with a colon
// (歓迎スキル：).
func heading(line string) bool {
	for _, m := range headingMarks {
		if strings.HasPrefix(line, m) {
			return true
		}
	}
	return len(line) <= 40 && strings.HasSuffix(line, ":")
}

// addRequirement adds years of experience in each of skills (in general
// when none) to out, keeping the most years asked of each.
func addRequirement(out []listing.Experience, years int, skills []string) []listing.Experience {
	if len(skills) == 0 {
		skills = []string{""}
	}
	for _, sk := range skills {
		found := false
		for i := range out {
			if out[i].Skill == sk {
				out[i].Years = max(out[i].Years, years)
				found = true
			}
		}
		if !found && len(out) < listing.MaxExperience {
			out = append(out, listing.Experience{Skill: sk, Years: years})
		}
	}
	return out
}

// fieldPart is one item of an experience field's list, where it starts.
type fieldPart struct {
	text  string
	start int
}

// splitExperienceField splits an experience field's text at list
// separators (、 , ; line breaks), not at / or ・: Go/AWS 3年 is one item.
func splitExperienceField(s string) []fieldPart {
	var out []fieldPart
	start := 0
	for i := 0; i <= len(s); {
		n := 0
		if i < len(s) {
			switch {
			case s[i] == ',' || s[i] == ';' || s[i] == '\n':
				n = 1
			case strings.HasPrefix(s[i:], "、"):
				n = len("、")
			}
		}
		if i == len(s) || n > 0 {
			if strings.TrimSpace(s[start:i]) != "" {
				out = append(out, fieldPart{text: s[start:i], start: start})
			}
			if i == len(s) {
				break
			}
			i += n
			start = i
			continue
		}
		i++
	}
	return out
}

func (n *normalizer) experience(v listing.Value) {
	l := &n.res.Listing
	switch v.Kind() {
	case "":
		if e := readExperience(n.text, n.hits(), n.titleEnd, false); len(e) > 0 {
			l.Experience = e
			n.set("experience", Inferred)
		}
	case "string":
		s, _ := textOf(v)
		f := fold(s)
		if e := readExperience(f, lexicon.scan(f, true, nil), 0, true); len(e) > 0 {
			l.Experience = e
			n.set("experience", Parsed)
		} else if strings.TrimSpace(s) != "" {
			n.warn("experience", s, "no years of experience found (Go経験2年以上, 実務経験3年以上)")
		}
	case "number":
		y, err := strconv.Atoi(v.String())
		if err != nil || y < listing.MinExperienceYears || y > listing.MaxExperienceYears {
			n.warn("experience", v.String(), "want whole years from 1 to 30")
			return
		}
		l.Experience = []listing.Experience{{Years: y}}
		n.set("experience", Given)
	case "array":
		var items []struct {
			Skill string `json:"skill"`
			Years int    `json:"years"`
		}
		if err := v.Decode(&items); err != nil {
			n.warn("experience", v.String(), `want [{"skill": "go", "years": 2}, {"years": 3}]`)
			return
		}
		var out []listing.Experience
		for _, it := range items {
			if it.Years < listing.MinExperienceYears || it.Years > listing.MaxExperienceYears {
				n.warn("experience", strconv.Itoa(it.Years), "years must be from 1 to 30")
				continue
			}
			slug := ""
			if name := strings.TrimSpace(it.Skill); name != "" {
				sk, ok := skill.Lookup(name)
				if !ok {
					n.warn("experience", name, "unknown skill")
					continue
				}
				slug = sk.Slug
			}
			out = addRequirement(out, it.Years, []string{slug})
		}
		if len(out) > 0 {
			l.Experience = out
			n.set("experience", Given)
		}
	default:
		n.warn("experience", v.String(), `want text or [{"skill": "go", "years": 2}]`)
	}
}
