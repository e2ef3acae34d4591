package search

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"anken/internal/listing"
	"anken/internal/skill"
)

// Vocabulary for random listings: Japanese words, ASCII words that are
// skills or synonyms, traps for whole-word matching, width variants, emoji.
var (
	jaWords = []string{"東京", "港区", "渋谷", "開発", "リモート", "フルリモート", "バックエンド",
		"決済", "基盤", "案件", "週3日", "月額", "万円", "設計", "運用", "保守", "港", "京都",
		"東", "ｼﾞｬﾊﾞ", "ジャバ", "パイソン", "ポスグレ", "Go言語", "Ｇｏ言語", "ＡＷＳ", "副業OK",
		"🚀", "😀開発", "東京都", "横浜", "大阪", "データ", "機械学習", "ｶﾞｲﾄﾞ", "ガイド"}
	asciiWords = []string{"go", "Go", "golang", "Golang", "GO", "google", "good", "mongodb",
		"java", "javascript", "JavaScript", "js", "JS", "typescript", "ts", "c", "C", "c#", "C#",
		"c++", "C++", "ci/cd", "CI/CD", "k8s", "kubernetes", "Kubernetes", "node.js", "Node.js",
		"react", "React.js", "aws", "AWS", "r", "python", "rust", "go.", "(go)", "#go", "c-sharp",
		".net", "vue.js", "a", "x", "2026", "api", "REST", "sql", "SQL", "React Native", "full remote",
		"x-react", "Ruby on Rails"}
	fillers = []string{"の", "で", "を", "、", "。", " ", "\n", "・", "/", "（", "）", "【", "】", "-", "〜",
		"「", "」", "\"", "　"}
)

func randomText(r *rand.Rand, words int) string {
	var b strings.Builder
	for range words {
		switch r.IntN(3) {
		case 0:
			b.WriteString(asciiWords[r.IntN(len(asciiWords))])
		default:
			b.WriteString(jaWords[r.IntN(len(jaWords))])
		}
		b.WriteString(fillers[r.IntN(len(fillers))])
		if r.IntN(4) == 0 {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

var testSkills = []string{"go", "java", "javascript", "typescript", "python", "csharp", "cpp", "c",
	"kubernetes", "aws", "react", "postgresql", "rust", "nodejs"}

func randomListing(r *rand.Rand, id int64) *listing.Listing {
	pick := func(n int) int { return r.IntN(n) }
	l := &listing.Listing{
		ID:          id,
		Agency:      "a" + strconv.Itoa(pick(3)),
		ExternalID:  "X" + strconv.FormatInt(id, 10),
		Title:       randomText(r, 2+pick(5)),
		Description: randomText(r, 5+pick(40)),
		Status:      listing.StatusOpen,
		PostedAt:    time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(pick(60*24)) * time.Hour),
		SideJobOK:   pick(4) == 0,
	}
	if pick(6) > 0 {
		l.Role = listing.Roles[pick(len(listing.Roles))]
	}
	if pick(6) > 0 {
		l.Remote = listing.Remotes[pick(len(listing.Remotes))]
	}
	if pick(5) > 0 {
		l.Prefecture = listing.PrefectureCodes[[]int{12, 12, 12, 13, 26, 22, 39}[pick(7)]]
	}
	if pick(5) > 0 {
		l.Contract = listing.Contracts[pick(len(listing.Contracts))]
	}
	for range pick(5) {
		s := testSkills[pick(len(testSkills))]
		if !slices.Contains(l.Skills, s) {
			l.Skills = append(l.Skills, s)
		}
	}
	switch pick(5) {
	case 0: // unknown
	case 1:
		lo := int64(40+pick(60)) * 10_000
		l.Rate = listing.Rate{Unit: listing.PerMonth, Min: lo, Max: lo + 100_000}
	case 2:
		hi := int64(50+pick(60)) * 10_000
		l.Rate = listing.Rate{Unit: listing.PerMonth, Max: hi}
	case 3:
		d := int64(20_000 + 5_000*pick(8))
		l.Rate = listing.Rate{Unit: listing.PerDay, Min: d}
	default:
		h := int64(2000 + 500*pick(10))
		l.Rate = listing.Rate{Unit: listing.PerHour, Min: h, Max: h + int64(500*pick(3))}
	}
	if pick(5) > 0 {
		lo := 1 + pick(5)
		l.DaysPerWeek = listing.Range{Min: lo, Max: max(lo, 1+pick(5))}
	}
	if pick(6) == 0 {
		l.HoursPerMonth = listing.Range{Min: 20 + 20*pick(8)}
	}
	l.DerivePay()
	l.Agency = testAgencies[pick(len(testAgencies))]
	l.FirstSeenAt = testNow.Add(-time.Duration(pick(60*24)) * time.Hour)
	return l
}

// testAgencies are the agencies random listings belong to; testNow is
// the time their first-seen times count back from.
var (
	testAgencies = []string{"techlink", "freeworks", "midori", "kansai-it"}
	testNow      = time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
)

// randomQuery draws a query, often from the listings' own text so that it
// has hits, with the edge cases of the oracle: empty text, one kana, width
// variants, emoji, a 200-character query, punctuation only, phrases.
func randomQuery(r *rand.Rand, ls []*listing.Listing) Query {
	pick := func(n int) int { return r.IntN(n) }
	var q Query
	var terms []string
	for range pick(4) {
		switch pick(11) {
		case 0, 1:
			terms = append(terms, jaWords[pick(len(jaWords))])
		case 2, 3:
			terms = append(terms, asciiWords[pick(len(asciiWords))])
		case 4, 5: // a slice of some listing's text: 1 to 4 runes
			if len(ls) > 0 {
				rs := []rune(ls[pick(len(ls))].Description)
				if len(rs) > 0 {
					i := pick(len(rs))
					terms = append(terms, string(rs[i:min(len(rs), i+1+pick(4))]))
				}
			}
		case 6:
			terms = append(terms, []string{"ア", "ｱ", "ー", "🚀", "!!", "-", "東京都港区の案件", "Ｊａｖａ", "c ++"}[pick(9)])
		case 7:
			terms = append(terms, strings.Repeat("開発", 100))
		default:
			terms = append(terms, randomPhrase(r, ls))
		}
	}
	for i := range terms {
		if pick(6) == 0 {
			terms[i] = []string{"-", "－", "--"}[pick(3)] + terms[i] // an exclusion
		}
	}
	if pick(40) == 0 { // exclusions only
		terms = []string{"-" + jaWords[pick(len(jaWords))], "-" + asciiWords[pick(len(asciiWords))]}
	}
	q.Text = strings.Join(terms, []string{" ", "　", "  "}[pick(3)])
	if pick(4) == 0 {
		q.Skills = []string{testSkills[pick(len(testSkills))]}
	}
	if pick(4) == 0 {
		q.Roles = []listing.Role{listing.Roles[pick(len(listing.Roles))], listing.Roles[pick(len(listing.Roles))]}
	}
	if pick(4) == 0 {
		q.Remotes = []listing.Remote{listing.Remotes[pick(len(listing.Remotes))]}
	}
	if pick(5) == 0 {
		q.Prefectures = []string{"JP-13"}
	}
	if pick(6) == 0 {
		q.Contracts = []listing.Contract{listing.Contracts[pick(len(listing.Contracts))]}
	}
	if pick(4) == 0 {
		q.RateMin = int64(30+pick(80)) * 10_000
	}
	if pick(5) == 0 {
		q.RateMax = q.RateMin + int64(pick(50))*10_000
	}
	if pick(5) == 0 {
		q.DaysMax = 1 + pick(5)
	}
	if pick(5) == 0 {
		q.HourlyMin = int64(1500 + 250*pick(20))
	}
	if pick(6) == 0 {
		q.HourlyMax = q.HourlyMin + int64(250*pick(20))
	}
	if pick(5) == 0 {
		q.Workload = listing.Workloads[pick(len(listing.Workloads))]
	}
	if pick(6) == 0 {
		q.Agencies = []string{testAgencies[pick(len(testAgencies))]}
		if pick(3) == 0 {
			q.Agencies = append(q.Agencies, []string{"techlink", "nosuchagency"}[pick(2)])
		}
	}
	if pick(6) == 0 {
		q.SeenSince = testNow.Add(-time.Duration([]int{1, 3, 7, 30}[pick(4)]*24) * time.Hour).Unix()
	}
	if pick(6) == 0 {
		b := pick(2) == 0
		q.SideJob = &b
	}
	q.Sort = Sorts[pick(len(Sorts))]
	q.Facets = slices.Clone(Facets)
	q.Limit = []int{1, 5, 20, 50, 100}[pick(5)]
	return q
}

// phraseBodies are phrases that need no listing: the cases the package
// documentation names, and ones the random texts often hold.
var phraseBodies = []string{"react native", "React  Native", "full remote", "c++ c#", "c# .net", "ci/cd",
	"node.js react", "js react", "x-react native", "react native.", "東京 港区", "リモート 可", "go言語",
	"Go言語", "java", "golang", "c++", "", "!!", "  ", "- -", "ruby on rails", "c#/.net", "東京", "東京の",
	"案件 go", "go 案件", "開発\n東京", "🚀", "＂", "（go）", "react.js", "rails ruby"}

// randomPhrase draws a quoted phrase, most often a piece of a listing's
// text: whole white-space separated fields or any run of runes (which may
// begin or end inside a word), with its white space changed; quoted in
// any of the ways the parser knows, or not closed.
func randomPhrase(r *rand.Rand, ls []*listing.Listing) string {
	pick := func(n int) int { return r.IntN(n) }
	body := phraseBodies[pick(len(phraseBodies))]
	if len(ls) > 0 && pick(4) > 0 {
		l := ls[pick(len(ls))]
		src := []string{l.Title, l.Description, l.Description, oracleDocOf(l).skills}[pick(4)]
		if fs := strings.Fields(src); pick(2) == 0 && len(fs) > 0 {
			i := pick(len(fs))
			fs = fs[i:min(len(fs), i+1+pick(3))]
			body = strings.Join(fs, []string{" ", "  ", "　", "\n "}[pick(4)])
		} else if rs := []rune(src); len(rs) > 0 {
			i := pick(len(rs))
			body = string(rs[i:min(len(rs), i+1+pick(12))])
		}
	}
	if pick(5) == 0 {
		body = strings.ToUpper(body)
	}
	if pick(8) == 0 {
		body = " " + body + "\t"
	}
	quotes := [][2]string{{`"`, `"`}, {`"`, `"`}, {`"`, `"`}, {"＂", "＂"}, {"“", "”"}, {"”", "”"},
		{"「", "」"}, {"『", "』"}, {"｢", "｣"}, {`"`, ""}}
	q := quotes[pick(len(quotes))]
	return q[0] + body + q[1]
}

// The oracle: DESIGN.md's search semantics written as plainly as possible,
// sharing no code with the index but the taxonomy.

var oracleWordRE = regexp.MustCompile(`[a-z0-9#+._-]+`)

func oracleFold(s string) string { return strings.ToLower(norm.NFKC.String(s)) }

func oracleWords(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range oracleWordRE.FindAllString(s, -1) {
		w = strings.TrimRight(strings.TrimLeft(w, "-_#+"), ".-_")
		if strings.ContainsAny(w, "abcdefghijklmnopqrstuvwxyz0123456789") {
			out[w] = true
		}
	}
	return out
}

func oracleSynonyms(w string) []string {
	out := []string{w}
	if sk, ok := skill.Lookup(w); ok {
		for _, s := range append([]string{sk.Slug, oracleFold(sk.Name)}, sk.Aliases...) {
			if ws := oracleWords(s); len(ws) == 1 && ws[s] && s == strings.ToValidUTF8(s, "") && isPlainASCII(s) {
				out = append(out, s)
			}
		}
	}
	return out
}

func isPlainASCII(s string) bool {
	for _, r := range s {
		if r > 127 {
			return false
		}
	}
	return true
}

// oracleText caches each listing's folded text and words, and its fields
// with white space collapsed: the oracle would otherwise spend the test's
// time in NFKC.
type oracleDoc struct {
	text, title, skills, desc     string
	words, titleWords, skillWords map[string]bool
	collapsed                     [3]string // title, skills, description
}

func oracleDocOf(l *listing.Listing) oracleDoc {
	od, ok := oracleCache.Load(l)
	if !ok {
		od = newOracleDoc(l)
		oracleCache.Store(l, od)
	}
	return od.(oracleDoc)
}

var oracleCache sync.Map // *listing.Listing → oracleDoc

func oracleMatch(l *listing.Listing, q Query) bool {
	return oracleMatchText(oracleDocOf(l), q) && oracleMatchFilters(l, q)
}

func newOracleDoc(l *listing.Listing) oracleDoc {
	// Skills: each slug, then its name where that folds to something else.
	var skillText []string
	for _, s := range l.Skills {
		skillText = append(skillText, s)
		if sk, ok := skill.BySlug(s); ok && oracleFold(sk.Name) != s {
			skillText = append(skillText, sk.Name)
		}
	}
	text := oracleFold(l.Title + "\n" + strings.Join(skillText, " ") + "\n" + l.Description)
	title, skills, desc := oracleFold(l.Title), oracleFold(strings.Join(skillText, " ")), oracleFold(l.Description)
	od := oracleDoc{text: text, words: oracleWords(text), title: title, skills: skills, desc: desc,
		titleWords: oracleWords(title), skillWords: oracleWords(skills)}
	for i, f := range []string{title, skills, desc} {
		od.collapsed[i] = strings.Join(strings.Fields(f), " ")
	}
	return od
}

// oracleTerm is one term of query text as the oracle reads it.
type oracleTerm struct {
	kind oracleKind
	text string
	not  bool
}

type oracleKind int

const (
	oracleASCII     oracleKind = iota // whole words, or synonyms
	oracleSubstring                   // a substring of the text
	oracleOneWord                     // a quoted ASCII word: whole, no synonyms
	oraclePhrase                      // a quoted phrase
)

// oracleTokenRE reads folded query text with all white space made ' ': a
// phrase (with the '-' that excludes it), or a run of other characters.
var oracleTokenRE = regexp.MustCompile(`-?(?:["“”]([^"“”]*)["“”]?|「([^」]*)」?|『([^』]*)』?)|[^ "“”「『]+`)

// oracleTerms returns the terms of query text, remembered: the oracle
// reads each query once for every listing.
func oracleTerms(q string) []oracleTerm {
	if ts, ok := oracleTermCache.Load(q); ok {
		return ts.([]oracleTerm)
	}
	ts := oracleParse(q)
	oracleTermCache.Store(q, ts)
	return ts
}

var oracleTermCache sync.Map // query text → []oracleTerm

func oracleParse(q string) []oracleTerm {
	q = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, oracleFold(q))
	var out []oracleTerm
	for _, m := range oracleTokenRE.FindAllStringSubmatch(q, -1) {
		tok := m[0]
		inner, not := strings.CutPrefix(tok, "-")
		if first, _ := utf8.DecodeRuneInString(inner); strings.ContainsRune(`"“”「『`, first) && inner != "" {
			// A phrase: its white space collapsed.
			p := strings.Join(strings.Fields(m[1]+m[2]+m[3]), " ")
			switch {
			case p == "":
			case !isPlainASCII(p):
				out = append(out, oracleTerm{oraclePhrase, p, not})
			case len(oracleWordList(p)) == 1:
				out = append(out, oracleTerm{oracleOneWord, oracleWordList(p)[0], not})
			case len(oracleWordList(p)) > 1:
				out = append(out, oracleTerm{oraclePhrase, p, not})
			}
			continue
		}
		if !not || inner == "" {
			inner, not = tok, false
		}
		switch {
		case !isPlainASCII(inner):
			out = append(out, oracleTerm{oracleSubstring, inner, not})
		case len(oracleWords(inner)) > 0:
			// ASCII punctuation alone is no term, and excludes nothing.
			out = append(out, oracleTerm{oracleASCII, inner, not})
		}
	}
	return out
}

// oracleWordList returns the words of ASCII text in order, with repeats.
func oracleWordList(s string) []string {
	var out []string
	for _, w := range oracleWordRE.FindAllString(s, -1) {
		w = strings.TrimRight(strings.TrimLeft(w, "-_#+"), ".-_")
		if strings.ContainsAny(w, "abcdefghijklmnopqrstuvwxyz0123456789") {
			out = append(out, w)
		}
	}
	return out
}

func oracleMatchText(od oracleDoc, q Query) bool {
	for _, t := range oracleTerms(q.Text) {
		if oracleHolds(od, t) == t.not {
			return false
		}
	}
	return true
}

// oracleHolds reports whether a listing holds one folded term: as a
// substring, or for ASCII, each of its words (or a synonym) whole; a
// phrase within one field.
func oracleHolds(od oracleDoc, t oracleTerm) bool {
	switch t.kind {
	case oracleSubstring:
		return strings.Contains(od.text, t.text)
	case oracleOneWord:
		return od.words[t.text]
	case oraclePhrase:
		return slices.ContainsFunc(od.collapsed[:], func(f string) bool { return oraclePhraseIn(f, t.text) })
	}
	return oracleAllIn(oracleWords(t.text), od.words)
}

// oracleAllIn reports whether each of words, or a synonym, is in.
func oracleAllIn(words map[string]bool, in map[string]bool) bool {
	for w := range words {
		found := false
		for _, s := range oracleSynonyms(w) {
			found = found || in[s]
		}
		if !found {
			return false
		}
	}
	return true
}

// oraclePhraseIn reports whether a field, white space collapsed, holds
// phrase p at some place where an ASCII letter or digit at either end of
// p has none next to it.
func oraclePhraseIn(field, p string) bool {
	alnum := func(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }
	for i := range len(field) {
		if !strings.HasPrefix(field[i:], p) {
			continue
		}
		end := i + len(p)
		if alnum(p[0]) && i > 0 && alnum(field[i-1]) || alnum(p[len(p)-1]) && end < len(field) && alnum(field[end]) {
			continue
		}
		return true
	}
	return false
}

func oracleMatchFilters(l *listing.Listing, q Query) bool {
	for _, s := range q.Skills {
		if !slices.Contains(l.Skills, s) {
			return false
		}
	}
	if len(q.Roles) > 0 && !slices.Contains(q.Roles, l.Role) ||
		len(q.Remotes) > 0 && !slices.Contains(q.Remotes, l.Remote) ||
		len(q.Prefectures) > 0 && !slices.Contains(q.Prefectures, l.Prefecture) ||
		len(q.Contracts) > 0 && !slices.Contains(q.Contracts, l.Contract) ||
		q.SideJob != nil && *q.SideJob != l.SideJobOK {
		return false
	}
	hi, lo := l.Rate.MonthlyMax, l.Rate.MonthlyMin
	if hi == 0 {
		hi = lo
	}
	if lo == 0 {
		lo = hi
	}
	if q.RateMin > 0 && hi < q.RateMin || q.RateMax > 0 && (lo == 0 || lo > q.RateMax) {
		return false
	}
	hhi, hlo := cmp.Or(l.Rate.HourlyMax, l.Rate.HourlyMin), cmp.Or(l.Rate.HourlyMin, l.Rate.HourlyMax)
	if q.HourlyMin > 0 && hhi < q.HourlyMin || q.HourlyMax > 0 && (hlo == 0 || hlo > q.HourlyMax) {
		return false
	}
	if q.Workload != "" && l.Workload != q.Workload {
		return false
	}
	if len(q.Agencies) > 0 && !slices.Contains(q.Agencies, l.Agency) {
		return false
	}
	if q.SeenSince > 0 && (l.FirstSeenAt.IsZero() || l.FirstSeenAt.Unix() < q.SeenSince) {
		return false
	}
	days := l.DaysPerWeek.Min
	if days == 0 {
		days = l.DaysPerWeek.Max
	}
	return q.DaysMax == 0 || days > 0 && days <= q.DaysMax
}

func oracleFacets(hits []*listing.Listing, want []Facet) map[Facet]map[string]int {
	out := map[Facet]map[string]int{}
	for _, f := range want {
		m := map[string]int{}
		for _, l := range hits {
			switch f {
			case FacetRole:
				if l.Role != "" {
					m[string(l.Role)]++
				}
			case FacetRemote:
				if l.Remote != "" {
					m[string(l.Remote)]++
				}
			case FacetPrefecture:
				if l.Prefecture != "" {
					m[l.Prefecture]++
				}
			case FacetContract:
				if l.Contract != "" {
					m[string(l.Contract)]++
				}
			case FacetSkills:
				for _, s := range l.Skills {
					m[s]++
				}
			case FacetSideJob:
				m[strconv.FormatBool(l.SideJobOK)]++
			case FacetDays:
				d := l.DaysPerWeek.Min
				if d == 0 {
					d = l.DaysPerWeek.Max
				}
				if d > 0 {
					m[strconv.Itoa(d)]++
				}
			case FacetAgency:
				if l.Agency != "" {
					m[l.Agency]++
				}
			case FacetRate:
				r := l.Rate.MonthlyMax
				if r == 0 {
					r = l.Rate.MonthlyMin
				}
				if r > 0 {
					m[strconv.FormatInt(r-r%50_000, 10)]++
				}
			}
		}
		out[f] = m
	}
	return out
}

// searchAll follows cursors to the last page and checks that no listing
// repeats and that pages come in sort order.
func searchAll(t *testing.T, x *Index, q Query, byID map[int64]*listing.Listing) ([]int64, Result) {
	t.Helper()
	var all []int64
	seen := map[int64]bool{}
	first, err := x.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	res := first
	for pages := 0; ; pages++ {
		if len(res.Hits) > max(q.Limit, 1) {
			t.Fatalf("page of %d hits, limit %d", len(res.Hits), q.Limit)
		}
		if res.Total != first.Total {
			t.Fatalf("page %d: total %d, first page said %d", pages, res.Total, first.Total)
		}
		for _, h := range res.Hits {
			if seen[h.ID] {
				t.Fatalf("query %+v: listing %d repeated on page %d", q, h.ID, pages)
			}
			seen[h.ID] = true
			all = append(all, h.ID)
		}
		if res.NextCursor == "" {
			break
		}
		if pages > 10_000 {
			t.Fatal("cursor never ends")
		}
		next := q
		next.Cursor = res.NextCursor
		if res, err = x.Search(context.Background(), next); err != nil {
			t.Fatalf("page %d: %v", pages+1, err)
		}
	}
	for i := 1; i < len(all); i++ {
		a, b := byID[all[i-1]], byID[all[i]]
		switch q.Sort {
		case SortNewest:
			if a.PostedAt.Before(b.PostedAt) {
				t.Fatalf("newest: %v before %v", a.PostedAt, b.PostedAt)
			}
		case SortRate:
			if rateHi(a.Rate) < rateHi(b.Rate) {
				t.Fatalf("rate: %d before %d", rateHi(a.Rate), rateHi(b.Rate))
			}
		}
	}
	return all, first
}

// oracleOrder sorts hits as DESIGN.md's sorts define them: relevance by the
// sum over terms of the best field each is in (title 4, skills 2,
// description 1), then newest; newest by posted_at; rate by the most the
// listing pays; the listing id last, larger first.
func oracleOrder(hits []*listing.Listing, q Query) []int64 {
	type scored struct {
		l    *listing.Listing
		a, b int64
	}
	var out []scored
	for _, l := range hits {
		switch q.Sort {
		case SortNewest:
			out = append(out, scored{l, l.PostedAt.Unix(), 0})
		case SortRate:
			hi := l.Rate.MonthlyMax
			if hi == 0 {
				hi = l.Rate.MonthlyMin
			}
			out = append(out, scored{l, hi, 0})
		default:
			out = append(out, scored{l, oracleScore(l, q), l.PostedAt.Unix()})
		}
	}
	slices.SortFunc(out, func(x, y scored) int {
		if x.a != y.a {
			return cmp.Compare(y.a, x.a)
		}
		if x.b != y.b {
			return cmp.Compare(y.b, x.b)
		}
		return cmp.Compare(y.l.ID, x.l.ID)
	})
	ids := make([]int64, len(out))
	for i, s := range out {
		ids[i] = s.l.ID
	}
	return ids
}

func oracleScore(l *listing.Listing, q Query) int64 {
	od := oracleDocOf(l)
	// in reports whether field 0 (title) or 1 (skills) holds t.
	in := func(t oracleTerm, field int) bool {
		switch t.kind {
		case oracleSubstring:
			return strings.Contains([]string{od.title, od.skills}[field], t.text)
		case oracleOneWord:
			return []map[string]bool{od.titleWords, od.skillWords}[field][t.text]
		case oraclePhrase:
			return oraclePhraseIn(od.collapsed[field], t.text)
		}
		return oracleAllIn(oracleWords(t.text), []map[string]bool{od.titleWords, od.skillWords}[field])
	}
	var score int64
	for _, t := range oracleTerms(q.Text) {
		switch {
		case t.not: // exclusions do not score
		case in(t, 0):
			score += 4
		case in(t, 1):
			score += 2
		default:
			score++
		}
	}
	return score
}

func hitIDs(hs []Hit) []int64 {
	out := make([]int64, len(hs))
	for i, h := range hs {
		out[i] = h.ID
	}
	return out
}

// TestOracle compares the index with a brute-force scan on random queries
// over random listings, across updates and deletes.
func TestOracle(t *testing.T) {
	t.Run("default", func(t *testing.T) { testOracle(t, NewIndex(), false, nil) })
	t.Run("rebuilt in parallel", func(t *testing.T) { testOracle(t, NewIndex(), true, nil) })
	t.Run("bitmap facets and bucket order", func(t *testing.T) {
		// The paths for searches with many hits, and parallel parts;
		// phrases narrowed without their edge words where they can be.
		x := NewIndex()
		x.walkMax, x.countWalkMax = 0, 0
		x.runMax = 16 // buckets in time order split and merge
		defer func(n int, r uint64) { minPart, edgeScanRatio = n, r }(minPart, edgeScanRatio)
		minPart = 64
		edgeScanRatio = 0
		testOracle(t, x, false, nil)
	})
	t.Run("walked facets and bucket order", func(t *testing.T) {
		// Hits too many to walk for their page but few enough to count
		// their facets by walking them, in parallel parts.
		x := NewIndex()
		x.walkMax = 0
		defer func(n int) { minPart = n }(minPart)
		minPart = 64
		testOracle(t, x, false, nil)
	})
	t.Run("every term cached", func(t *testing.T) {
		// A small cache that keeps every substring term and phrase:
		// cached answers must stay exact through writes and evictions.
		x := NewIndex()
		x.cache = newTermCache(8)
		x.cache.min = 0
		testOracle(t, x, false, nil)
	})
}

// TestOracleOnePostedTime is TestOracle on catalogues that arrive all at
// once, as a feed without posted_at does: every listing posted at the
// same instant, or within one minute. The pages in time order go by the
// listing id then, through buckets that split, merge and are rebuilt.
func TestOracleOnePostedTime(t *testing.T) {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name    string
		rebuild bool
		posted  func(r *rand.Rand) time.Time
	}{
		{"same instant", false, func(*rand.Rand) time.Time { return at }},
		{"same instant, rebuilt", true, func(*rand.Rand) time.Time { return at }},
		{"within a minute", false, func(r *rand.Rand) time.Time { return at.Add(time.Duration(r.IntN(60)) * time.Second) }},
		{"within a minute, rebuilt", true, func(r *rand.Rand) time.Time { return at.Add(time.Duration(r.IntN(60)) * time.Second) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			x := NewIndex()
			x.walkMax = 0
			x.runMax = 16
			testOracle(t, x, c.rebuild, c.posted)
		})
	}
}

// testOracle checks x against the oracle over random listings, posted
// when posted says (nil: randomListing's hours over two months).
func testOracle(t *testing.T, x *Index, rebuild bool, posted func(r *rand.Rand) time.Time) {
	r := rand.New(rand.NewPCG(7, 11))
	live := map[int64]*listing.Listing{}
	var nextID int64 = 1
	newListing := func(r *rand.Rand, id int64) *listing.Listing {
		l := randomListing(r, id)
		if posted != nil {
			l.PostedAt = posted(r)
		}
		return l
	}
	add := func() {
		l := newListing(r, nextID)
		nextID++
		live[l.ID] = l
		x.Upsert(l)
	}
	for range 800 {
		add()
	}
	if rebuild {
		// Rebuild from scratch: the parallel build must equal the
		// one-at-a-time one, duplicates and closed listings included.
		x.Upsert(newListing(r, 100_000))
		err := x.Rebuild(context.Background(), func(add func(*listing.Listing)) error {
			closed := newListing(r, 100_001)
			closed.Status = listing.StatusClosed
			add(closed)
			for id := int64(1); id < nextID; id++ {
				if id%7 == 0 { // added twice: the later one counts
					add(newListing(r, id))
				}
				add(live[id])
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// 2,500 queries in each of four variants: 10,000 in all. The race
	// detector slows the index tenfold, so under it a fifth as many.
	queries := 2500
	if testing.Short() || raceEnabled {
		queries = 500
	}
	for i := range queries {
		if i%50 == 0 { // churn: replace, close, add
			for range 20 {
				id := int64(1 + r.IntN(int(nextID-1)))
				switch r.IntN(3) {
				case 0:
					if _, ok := live[id]; ok {
						l := newListing(r, id)
						live[id] = l
						x.Upsert(l)
					}
				case 1:
					delete(live, id)
					x.Delete(id)
				default:
					add()
				}
			}
			if x.Len() != len(live) {
				t.Fatalf("Len = %d, want %d", x.Len(), len(live))
			}
		}
		ls := slices.Collect(maps.Values(live))
		q := randomQuery(r, ls)
		var want []*listing.Listing
		for _, l := range ls {
			if oracleMatch(l, q) {
				want = append(want, l)
			}
		}
		got, first := searchAll(t, x, q, live)
		if first.Total != len(want) || !slices.Equal(got, oracleOrder(want, q)) {
			t.Fatalf("query %d %+v:\n total %d, hits %v\nwant %d: %v", i, q, first.Total, got, len(want), oracleOrder(want, q))
		}
		wantFacets := oracleFacets(want, q.Facets)
		if skills := wantFacets[FacetSkills]; len(skills) > maxSkillFacet {
			t.Fatalf("test vocabulary has %d skills; facet cap is %d", len(skills), maxSkillFacet)
		}
		for _, f := range q.Facets {
			if !maps.Equal(first.Facets[f], wantFacets[f]) {
				t.Fatalf("query %+v: facet %s = %v, want %v", q, f, first.Facets[f], wantFacets[f])
			}
		}
	}
	checkTimeline(t, x)
}

// checkTimeline checks that the buckets in time order hold every live
// slot once, each within its bucket's range, none over runMax.
func checkTimeline(t *testing.T, x *Index) {
	t.Helper()
	tl := x.byTime
	if len(tl.lo) == 0 || tl.lo[0] != least || len(tl.lo) != len(tl.bits) {
		t.Fatalf("timeline: %d bounds from %v, %d buckets", len(tl.lo), tl.lo[0], len(tl.bits))
	}
	n := 0
	for i, b := range tl.bits {
		if c := int(b.GetCardinality()); c > x.runMax || c == 0 && len(tl.bits) > 1 {
			t.Errorf("timeline bucket %d of %d holds %d slots (most %d)", i, len(tl.bits), c, x.runMax)
		}
		for _, s := range b.ToArray() {
			k := x.timeKey(s)
			if k.compare(tl.lo[i]) < 0 || i+1 < len(tl.lo) && k.compare(tl.lo[i+1]) >= 0 {
				t.Fatalf("timeline bucket %d [%v, …) holds slot %d with key %v", i, tl.lo[i], s, k)
			}
			n++
		}
	}
	if want := int(x.live.GetCardinality()); n != want {
		t.Fatalf("timeline holds %d slots, %d are live", n, want)
	}
}

func TestShortAndTrickyTerms(t *testing.T) {
	x := NewIndex()
	docs := []struct {
		title, desc string
		skills      []string
	}{
		{"港区のGo案件", "Golangでの開発", []string{"go"}},
		{"C#/.NET 開発", "Windows アプリ", []string{"csharp"}},
		{"C++ ゲームエンジン", "", []string{"cpp"}},
		{"Google 広告の運用", "good な MongoDB 案件", nil},
		{"JavaScript フロント", "React", []string{"javascript"}},
		{"東京都 CI/CD 整備", "k8s クラスタ運用", nil},
		{"ｶﾞｲﾄﾞ作成", "ＡＷＳ 構築", nil},
		// Punctuation that ends a piece of text (lines.go), in terms too.
		{"【フルリモート／週3】医療・介護システム開発", "要件定義、設計。運用保守\n医療系", nil},
	}
	for i, d := range docs {
		x.Upsert(&listing.Listing{ID: int64(i + 1), Title: d.title, Description: d.desc, Skills: d.skills,
			Status: listing.StatusOpen, ExternalID: "x"})
	}
	tests := []struct {
		q    string
		want []int64
	}{
		{"港", []int64{1}},
		{"東京", []int64{6}},
		{"go", []int64{1}},
		{"golang", []int64{1}},
		{"Ｇｏ", []int64{1}},
		{"c#", []int64{2}},
		{"C++", []int64{3}},
		{"c", nil},
		{"java", nil},
		{"js", []int64{5}},
		{"kubernetes", []int64{6}},
		{"ci", []int64{6}},
		{"ガイド", []int64{7}},
		{"aws", []int64{7}},
		{"港 go", []int64{1}},
		{"港 java", nil},
		{"", []int64{1, 2, 3, 4, 5, 6, 7, 8}},
		{"!!", []int64{1, 2, 3, 4, 5, 6, 7, 8}},
		{"-港", []int64{2, 3, 4, 5, 6, 7, 8}},
		{"-go -c# -c++", []int64{4, 5, 6, 7, 8}},
		{"開発 -golang", []int64{2, 8}},
		{"--", []int64{1, 2, 3, 4, 5, 6, 7, 8}},
		{"介護システム", []int64{8}},
		{"医療・介護", []int64{8}},
		{"療・介", []int64{8}},
		{"リモート/週3", []int64{8}},
		{"3】医療", []int64{8}},
		{"ト】医療", nil},
		{"【フルリ", []int64{8}},
		{"設計。運", []int64{8}},
		{"定義、", []int64{8}},
		{"保守医療", nil},
		{"医療系", []int64{8}},
		{"医療", []int64{8}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) { checkTextHits(t, x, tt.q, tt.want) })
	}
}

// checkTextHits checks that a search for text q finds exactly the ids
// want, in any order.
func checkTextHits(t *testing.T, x *Index, q string, want []int64) {
	t.Helper()
	res, err := x.Search(context.Background(), Query{Text: q, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	got := hitIDs(res.Hits)
	slices.Sort(got)
	if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
		t.Errorf("Search(%q) = %v, want %v", q, got, want)
	}
}

func TestRelevanceRanksTitleFirst(t *testing.T) {
	x := NewIndex()
	old := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	x.Upsert(&listing.Listing{ID: 1, Title: "保守案件", Description: "決済システム", Status: listing.StatusOpen, PostedAt: old.Add(time.Hour)})
	x.Upsert(&listing.Listing{ID: 2, Title: "決済システム開発", Description: "", Status: listing.StatusOpen, PostedAt: old})
	x.Upsert(&listing.Listing{ID: 3, Title: "決済の新規開発", Description: "", Status: listing.StatusOpen, PostedAt: old.Add(2 * time.Hour)})
	res, _ := x.Search(context.Background(), Query{Text: "決済"})
	got := hitIDs(res.Hits)
	if want := []int64{3, 2, 1}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v (title matches first, newer first among equals)", got, want)
	}
}

func TestBadCursor(t *testing.T) {
	x := NewIndex()
	for i := range 5 {
		x.Upsert(&listing.Listing{ID: int64(i + 1), Title: "案件", Status: listing.StatusOpen})
	}
	res, _ := x.Search(context.Background(), Query{Limit: 2})
	if res.NextCursor == "" {
		t.Fatal("no cursor after the first of three pages")
	}
	for _, c := range []string{"garbage", "!!!", res.NextCursor + "x"} {
		if _, err := x.Search(context.Background(), Query{Limit: 2, Cursor: c}); !errors.Is(err, ErrBadCursor) {
			t.Errorf("cursor %q: error %v, want ErrBadCursor", c, err)
		}
	}
	// A cursor only continues the search that issued it.
	if _, err := x.Search(context.Background(), Query{Limit: 2, Text: "案件", Cursor: res.NextCursor}); !errors.Is(err, ErrBadCursor) {
		t.Errorf("cursor of another search: error %v, want ErrBadCursor", err)
	}
}

// TestConcurrentSearchAndWrite searches while listings are written and
// closed; run under -race it checks the index's locking.
func TestConcurrentSearchAndWrite(t *testing.T) {
	x := NewIndex()
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		x.Upsert(randomListing(r, int64(i+1)))
	}
	var wg sync.WaitGroup
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	errs := make(chan error, 4)
	wg.Add(1)
	go func() {
		defer wg.Done()
		w := rand.New(rand.NewPCG(3, 4))
		for i := 0; ctx.Err() == nil && i < 3000; i++ {
			id := int64(1 + w.IntN(400))
			if w.IntN(3) == 0 {
				x.Delete(id)
			} else {
				x.Upsert(randomListing(w, id))
			}
		}
	}()
	for g := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			qr := rand.New(rand.NewPCG(uint64(g), 9))
			for i := 0; ctx.Err() == nil && i < 300; i++ {
				q := randomQuery(qr, nil)
				res, err := x.Search(ctx, q)
				if err != nil && ctx.Err() == nil {
					errs <- fmt.Errorf("search: %w", err)
					return
				}
				if len(res.Hits) > q.Limit || len(res.Hits) > res.Total {
					errs <- fmt.Errorf("%d hits of %d, limit %d", len(res.Hits), res.Total, q.Limit)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
