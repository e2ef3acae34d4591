package normalize

import (
	"strings"
	"unicode/utf8"

	"anken/internal/listing"
)

// ParseRate reads the pay (単価) from the free text of a rate field:
// 月額60万〜70万円, 〜80万円/月, 時給4,000円〜, 単価: 700,000円,
// スキル見合い. Amounts without a unit take one by size (unitByAmount), and
// bare numbers below 1,000 are read as 万円 (60-70 → 60万〜70万円). It
// reports false when the text states neither an amount nor negotiable pay.
// The monthly and hourly figures are those of a listing that states no
// days or hours (listing.PayOf); a listing's own follow from its days and
// hours.
func ParseRate(text string) (listing.Rate, bool) {
	s := fold(text)
	r, ok := parseRate(s, lexicon.scan(s, true, nil), true)
	return listing.PayOf(r, listing.Range{}, listing.Range{}), ok
}

// Limits on what is read as an amount of yen.
const (
	minYen = 100            // less is not pay
	maxYen = 10_000_000_000 // 100億円: more is not pay
)

// payLabel is a word before an amount that says what the amount is.
type payLabel struct {
	word  string
	unit  listing.RateUnit // "" when the word says nothing of the unit
	score int              // 0: the amount is not pay (売上, 資本金)
}

// payLabels, longest first where one word contains another.
var payLabels = []payLabel{
	{"想定年収", listing.PerYear, 3}, {"年収", listing.PerYear, 3}, {"年俸", listing.PerYear, 3}, {"年額", listing.PerYear, 3},
	{"月単価", listing.PerMonth, 5}, {"人月単価", listing.PerMonth, 5}, {"人月", listing.PerMonth, 4},
	{"月額", listing.PerMonth, 4}, {"月給", listing.PerMonth, 4}, {"月収", listing.PerMonth, 4}, {"月額報酬", listing.PerMonth, 5},
	{"時間単価", listing.PerHour, 5}, {"時給", listing.PerHour, 4}, {"時間給", listing.PerHour, 4}, {"1時間あたり", listing.PerHour, 4}, {"時間あたり", listing.PerHour, 4},
	{"日額", listing.PerDay, 4}, {"日給", listing.PerDay, 4}, {"日当", listing.PerDay, 4}, {"1日あたり", listing.PerDay, 4},
	{"単価", "", 5}, {"報酬", "", 4}, {"給与", "", 4}, {"金額", "", 3}, {"予算", "", 2}, {"価格", "", 2}, {"rate", "", 3}, {"pay", "", 3},
	// Not pay: sales, capital, counts of people, allowances, agency bonuses.
	{"売上", "", 0}, {"年商", "", 0}, {"資本金", "", 0}, {"調達", "", 0}, {"従業員", "", 0}, {"社員数", "", 0},
	{"規模", "", 0}, {"投資", "", 0}, {"取引", "", 0}, {"流通", "", 0}, {"時価総額", "", 0}, {"利用者", "", 0},
	{"会員", "", 0}, {"ユーザー", "", 0}, {"累計", "", 0}, {"交通費", "", 0}, {"経費", "", 0}, {"手当", "", 0},
	{"補助", "", 0}, {"賞与", "", 0}, {"家賃", "", 0}, {"お祝い金", "", 0}, {"祝い金", "", 0}, {"紹介料", "", 0},
	{"キャッシュバック", "", 0}, {"特典", "", 0}, {"ポイント", "", 0}, {"前職", "", 0}, {"現年収", "", 0}, {"現在の年収", "", 0},
	{"開発費", "", 0}, {"費用", "", 0}, {"受注", "", 0}, {"支給", "", 0}, {"報奨", "", 0}, {"インセンティブ", "", 0},
}

// unitWords follow a slash or "per" after an amount: 80万円/月, 4,000円/h.
var unitWords = []struct {
	word string
	unit listing.RateUnit
}{
	{"人月", listing.PerMonth}, {"月額", listing.PerMonth}, {"月", listing.PerMonth}, {"ヶ月", listing.PerMonth}, {"か月", listing.PerMonth},
	{"カ月", listing.PerMonth}, {"month", listing.PerMonth}, {"mo", listing.PerMonth},
	{"時間", listing.PerHour}, {"時給", listing.PerHour}, {"時", listing.PerHour}, {"hour", listing.PerHour}, {"hr", listing.PerHour}, {"h", listing.PerHour},
	{"日額", listing.PerDay}, {"日", listing.PerDay}, {"day", listing.PerDay},
	{"年収", listing.PerYear}, {"年", listing.PerYear}, {"year", listing.PerYear}, {"yr", listing.PerYear},
}

// amount is one number of yen as written, with what followed it.
type amount struct {
	v          int64
	start, end int
	mult       bool // 万, 千 or k followed
	yen        bool // 円 followed or ¥ preceded
}

// rateCand is one amount or range of amounts found in text.
type rateCand struct {
	lo, hi     amount // hi.v == 0 without a range
	ranged     bool
	start, end int
	unit       listing.RateUnit
	minOnly    bool // 60万円〜, 以上
	maxOnly    bool // 〜80万円, まで, 上限
	score      int
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' }

// readAmount reads a number starting at s[i]: 700,000 / 65.5万 / 65万5千円
// / 3万円 / ¥650,000.
func readAmount(s string, i int) (amount, bool) {
	a := amount{start: i}
	j := i
	var v, frac, scale int64 = 0, 0, 1
	for j < len(s) {
		c := s[j]
		if isDigit(c) {
			if v > 1e12 {
				return a, false
			}
			v = v*10 + int64(c-'0')
			j++
			continue
		}
		if c == ',' && isDigit3(s[j+1:]) && (j+4 == len(s) || !isDigit(s[j+4])) { // 700,000
			j++
			continue
		}
		break
	}
	if j < len(s)-1 && s[j] == '.' && isDigit(s[j+1]) {
		j++
		for j < len(s) && isDigit(s[j]) {
			if scale < 1e4 {
				frac = frac*10 + int64(s[j]-'0')
				scale *= 10
			}
			j++
		}
	}
	k := skipSpaces(s, j)
	switch {
	case strings.HasPrefix(s[k:], "万"):
		a.mult = true
		v = v*10_000 + frac*10_000/scale
		j = k + len("万")
		// 65万5千円, 65万5000円
		n, m := 0, j
		for m < len(s) && isDigit(s[m]) && n < 5 {
			n++
			m++
		}
		if n > 0 {
			x := atoi(s[j:m])
			switch {
			case strings.HasPrefix(s[m:], "千"):
				v += x * 1_000
				j = m + len("千")
			case strings.HasPrefix(s[m:], "円") && x < 10_000:
				v += x
				j = m
			}
		}
	case strings.HasPrefix(s[k:], "千"):
		a.mult = true
		v = v*1_000 + frac*1_000/scale
		j = k + len("千")
	case k < len(s) && s[k] == 'k' && (k+1 >= len(s) || !isLetter(s[k+1])):
		a.mult = true
		v = v*1_000 + frac*1_000/scale
		j = k + 1
	}
	if k := skipSpaces(s, j); strings.HasPrefix(s[k:], "円") {
		a.yen = true
		j = k + len("円")
	}
	if k := skipSpaces(s, j); currencyCode(s, k) > 0 { // 600,000 jpy, 600,000 yen
		a.yen = true
		j = k + currencyCode(s, k)
	}
	if p := strings.TrimRight(s[:i], " "); strings.HasSuffix(p, "¥") || strings.HasSuffix(p, "\\") || strings.HasSuffix(p, "jpy") {
		a.yen = true
	}
	a.v, a.end = v, j
	return a, true
}

// currencyCode returns the length of jpy or yen written as a word at
// s[i], or 0.
func currencyCode(s string, i int) int {
	for _, w := range [...]string{"jpy", "yen"} {
		if strings.HasPrefix(s[i:], w) && (i+len(w) == len(s) || !isLetter(s[i+len(w)])) {
			return len(w)
		}
	}
	return 0
}

func isDigit3(s string) bool { return len(s) >= 3 && isDigit(s[0]) && isDigit(s[1]) && isDigit(s[2]) }

func atoi(s string) int64 {
	var n int64
	for i := 0; i < len(s); i++ {
		n = n*10 + int64(s[i]-'0')
	}
	return n
}

func skipSpaces(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// rangeSep reads a range separator at s[i] (~ - ー から to) that a number
// follows, and returns where the number starts.
func rangeSep(s string, i int) (int, bool) {
	var n int
	switch {
	case i >= len(s):
		return 0, false
	case s[i] == '~' || s[i] == '-':
		n = 1
	case strings.HasPrefix(s[i:], "ー"):
		n = len("ー")
	case strings.HasPrefix(s[i:], "から"):
		n = len("から")
	case strings.HasPrefix(s[i:], "to "):
		n = len("to ")
	default:
		return 0, false
	}
	j := skipSpaces(s, i+n)
	if strings.HasPrefix(s[j:], "¥") {
		j = skipSpaces(s, j+len("¥"))
	}
	if j < len(s) && isDigit(s[j]) {
		return j, true
	}
	return 0, false
}

// counters are words after a number that say it counts something other
// than yen, by their first rune: 3年, 2名, 100億, 300万人.
var counters = func() map[rune][]string {
	m := map[rune][]string{}
	for _, w := range [...]string{"名", "人", "件", "社", "%", "年", "ヶ月", "か月", "カ月", "ケ月", "ヵ月", "歳", "時間", "日", "回",
		"分", "秒", "億", "兆", "ユーザ", "点", "個", "台", "行", "画面", "ページ", "本", "文字", "倍", "期", "次", "号", "月", "週",
		"代", "位", "階", "部", "店", "拠点", "種", "色", "枚", "冊", "円玉", "ドル", "$"} {
		r, _ := utf8.DecodeRuneInString(w)
		m[r] = append(m[r], w)
	}
	return m
}()

// notMoney reports whether s[i:], just after a number, says the number
// counts something other than yen: 3年, 2名, 140h, 100億, 300万人.
func notMoney(s string, i int) bool {
	i = skipSpaces(s, i)
	if i >= len(s) {
		return false
	}
	if isLetter(s[i]) {
		return !strings.HasPrefix(s[i:], "per ")
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	for _, w := range counters[r] {
		if strings.HasPrefix(s[i:], w) {
			return true
		}
	}
	return false
}

// unitAfter reads a unit after an amount at s[i]: /月, /人月, per month,
// (月額), 人月, and returns where it ends.
func unitAfter(s string, i int) (listing.RateUnit, int) {
	j := skipSpaces(s, i)
	switch {
	case strings.HasPrefix(s[j:], "/"):
		j++
	case strings.HasPrefix(s[j:], "per "):
		j += len("per ")
	case strings.HasPrefix(s[j:], "("):
		j++
	case strings.HasPrefix(s[j:], "人月"):
	default:
		return "", i
	}
	j = skipSpaces(s, j)
	if j < len(s) && s[j] == '1' {
		j++
	}
	for _, u := range unitWords {
		if strings.HasPrefix(s[j:], u.word) {
			end := j + len(u.word)
			if isLetter(u.word[0]) && end < len(s) && isLetter(s[end]) && !strings.HasPrefix(s[end:], "s") && !strings.HasPrefix(s[end:], "ly") {
				continue // /hours is fine, /home is not
			}
			if strings.HasPrefix(s[end:], ")") {
				end++
			}
			return u.unit, end
		}
	}
	return "", i
}

// qualifierAfter reads 〜, から, 以上 (min), まで, 以下, 上限 (max) or 前後,
// 程度 (about) after an amount, skipping tax notes (税込).
func qualifierAfter(s string, i int) (minOnly, maxOnly bool, end int) {
	j := skipTax(s, skipSpaces(s, i))
	switch {
	case j < len(s) && s[j] == '~':
		if _, ok := rangeSep(s, j); !ok {
			return true, false, j + 1
		}
	case strings.HasPrefix(s[j:], "から"), strings.HasPrefix(s[j:], "以上"), strings.HasPrefix(s[j:], "より"), strings.HasPrefix(s[j:], "~"):
		return true, false, j + len("から")
	case strings.HasPrefix(s[j:], "まで"), strings.HasPrefix(s[j:], "以下"), strings.HasPrefix(s[j:], "上限"), strings.HasPrefix(s[j:], "未満"):
		return false, true, j + len("まで")
	case strings.HasPrefix(s[j:], "迄"):
		return false, true, j + len("迄")
	}
	return false, false, i
}

// skipTax skips a tax note at s[i]: (税込), 税別, +税.
func skipTax(s string, i int) int {
	j := i
	if strings.HasPrefix(s[j:], "(") {
		j++
	}
	if strings.HasPrefix(s[j:], "+税") {
		return skipSpaces(s, j+len("+税"))
	}
	for _, w := range [...]string{"税込み", "税込", "税別", "税抜き", "税抜", "外税", "内税", "消費税込", "消費税別"} {
		if strings.HasPrefix(s[j:], w) {
			j += len(w)
			if strings.HasPrefix(s[j:], ")") {
				j++
			}
			return skipSpaces(s, j)
		}
	}
	return i
}

// lineWindow bounds how far lineStart and lineEnd look, so that reading
// stays linear in the text however long its lines are.
const lineWindow = 240

// lineStart returns where the line or sentence holding s[i] begins, at
// most lineWindow bytes back.
func lineStart(s string, i int) int {
	lo := max(0, i-lineWindow)
	w := s[lo:i]
	j := strings.LastIndexByte(w, '\n')
	if k := strings.LastIndex(w, "。"); k >= 0 && k+len("。") > j+1 {
		return lo + k + len("。")
	}
	if j < 0 {
		return runeStart(s, lo)
	}
	return lo + j + 1
}

// lineEnd returns where the line or sentence holding s[i] ends, at most
// lineWindow bytes on.
func lineEnd(s string, i int) int {
	e := runeStart(s, min(len(s), i+lineWindow))
	if k := strings.IndexByte(s[i:e], '\n'); k >= 0 {
		e = i + k
	}
	if k := strings.Index(s[i:e], "。"); k >= 0 {
		e = i + k
	}
	return e
}

// runeStart moves i back to the start of the rune holding s[i].
func runeStart(s string, i int) int {
	for n := 0; n < 3 && i > 0 && i < len(s) && s[i]&0xC0 == 0x80; n++ {
		i--
	}
	return i
}

// labelBefore finds the pay label nearest before s[i] on its line, within
// a few words.
func labelBefore(s string, i, from int) (payLabel, bool) {
	w := s[max(from, runeStart(s, max(0, i-36))):i]
	best, at := payLabel{}, -1
	for _, l := range payLabels {
		if k := strings.LastIndex(w, l.word); k >= 0 && (k > at || k == at && len(l.word) > len(best.word)) {
			best, at = l, k
		}
	}
	return best, at >= 0
}

// parseRate reads a rate from s, a folded text, and its dictionary hits.
// In field mode s is the agency's rate field; else a description, where
// only amounts labelled as pay (単価, 月額, 時給 …) or carrying a unit
// (80万円/月) are read.
func parseRate(s string, hits []hit, field bool) (listing.Rate, bool) {
	var best rateCand
	found := false
	prevEnd := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) || i > 0 && (isDigit(s[i-1]) || s[i-1] == '.' || s[i-1] == ',') {
			continue
		}
		if i > 0 && isLetter(s[i-1]) && !amountWordBefore(s, i) {
			continue // ec2, s3, h264
		}
		c, ok := readCand(s, i, prevEnd, field)
		if c.end > i {
			i = c.end - 1
			prevEnd = c.end
		}
		if ok && (!found || c.score > best.score) {
			best, found = c, true
		}
	}
	neg := negotiablePay(s, hits, field, best, found)
	if !found {
		if neg {
			return listing.Rate{Negotiable: true}, true
		}
		return listing.Rate{}, false
	}
	lo, hi := best.lo.v, best.hi.v
	switch {
	case best.ranged:
	case best.minOnly:
		hi = 0
	case best.maxOnly:
		lo, hi = 0, lo
	default:
		hi = lo
	}
	if lo > 0 && hi > 0 && lo > hi {
		lo, hi = hi, lo
	}
	u := best.unit
	if u == "" {
		u = unitByAmount(max(lo, hi))
	}
	return rateOf(u, lo, hi, neg), true
}

// amountWordBefore reports whether the letters just before s[i] may
// stand right before an amount: max90万円, jpy650000.
func amountWordBefore(s string, i int) bool {
	for _, w := range [...]string{"max", "min", "jpy", "yen", "rate"} {
		if strings.HasSuffix(s[:i], w) && (i == len(w) || !isLetter(s[i-len(w)-1])) {
			return true
		}
	}
	return false
}

// readCand reads the amount or range starting at s[i] with its label, unit
// and qualifiers, and scores how surely it is the pay.
func readCand(s string, i, prevEnd int, field bool) (rateCand, bool) {
	c := rateCand{start: i}
	a, ok := readAmount(s, i)
	if !ok {
		return c, false
	}
	c.lo, c.end = a, a.end
	if k, ok := rangeSep(s, skipSpaces(s, a.end)); ok {
		if b, ok := readAmount(s, k); ok {
			c.hi, c.end, c.ranged = b, b.end, true
		}
	}
	if notMoney(s, c.end) {
		return c, false
	}
	if c.ranged {
		// 60〜70万円: the first number takes the second's 万; 60万〜70: the reverse.
		lo, hi := &c.lo, &c.hi
		switch {
		case !lo.mult && hi.mult && !lo.yen:
			if m := multOf(s, hi); lo.v*m <= hi.v {
				lo.v *= m
				lo.mult = true
			}
		case lo.mult && !hi.mult && !hi.yen:
			if m := multOf(s, lo); hi.v*m >= lo.v {
				hi.v *= m
				hi.mult = true
			}
		}
	}
	yen := c.lo.yen || c.hi.yen
	mult := c.lo.mult || c.hi.mult
	if !field && !yen && !mult && max(c.lo.v, c.hi.v) < 1_000 {
		return c, false // 1.22, 17, 3: no amount of yen in a description
	}

	// After: unit, then qualifier (80万円/月まで), or the reverse.
	u, j := unitAfter(s, c.end)
	minOnly, maxOnly, j2 := qualifierAfter(s, j)
	if u == "" {
		u, _ = unitAfter(s, j2)
	}
	c.unit = u
	score := 0
	if u != "" {
		score += 2
	}
	if yen || mult {
		score++
	}

	// Before: 〜80万円, 上限80万円, and the nearest label on the line.
	from := max(lineStart(s, i), prevEnd)
	p := strings.TrimRight(s[from:i], " :¥\\")
	p = strings.TrimSuffix(p, "jpy")
	p = strings.TrimRight(p, " :")
	// The bound may stand before the label or unit too: 〜時給4,000円,
	// 上限 月額85万円, MAX 月80万.
	for q, n := p, 0; n < 2; n++ {
		if mn, mx, rest, ok := boundBefore(q); ok {
			if n > 0 && strings.HasSuffix(q, "~") && afterNumber(s, from+len(q)-1) {
				break // 2026-01〜 月額70万円: the tilde bounds the date
			}
			minOnly, maxOnly = mn, mx
			if n == 0 {
				p = rest // 月〜80万円: the 月 before the tilde still gives the unit
			}
			break
		}
		r := trimPayWord(q)
		if r == q {
			break
		}
		q = r
	}
	if strings.HasSuffix(p, "月") && !strings.HasSuffix(p, "ヶ月") && !strings.HasSuffix(p, "か月") {
		// 月60万円, 月に60万円
		if c.unit == "" {
			c.unit = listing.PerMonth
		}
		score += 2
	}
	if l, ok := labelBefore(s, i, from); ok {
		if l.score == 0 {
			return c, false
		}
		score += l.score
		if l.unit != "" {
			c.unit = l.unit
		}
	}
	c.minOnly, c.maxOnly, c.score = minOnly, maxOnly, score

	if !field && score < 3 {
		return c, false
	}
	if field && !yen && !mult && max(c.lo.v, c.hi.v) < 1_000 && (c.unit == "" || c.unit == listing.PerMonth) {
		// 60-70, 65: 万円 left out.
		c.lo.v *= 10_000
		c.hi.v *= 10_000
	}
	for _, v := range [...]int64{c.lo.v, c.hi.v} {
		if v != 0 && (v < minYen || v > maxYen) {
			return c, false
		}
	}
	if c.lo.v == 0 && c.hi.v == 0 {
		return c, false
	}
	return c, true
}

// boundBefore reads a bound at the end of p, the text before an amount:
// 〜 (max), 上限, 最大, max, 最高 (max), 最低, 下限, min, 最小 (min). rest is
// p without a tilde.
func boundBefore(p string) (minOnly, maxOnly bool, rest string, ok bool) {
	switch {
	case strings.HasSuffix(p, "~"):
		return false, true, strings.TrimRight(p[:len(p)-1], " "), true
	case strings.HasSuffix(p, "上限"), strings.HasSuffix(p, "最大"), strings.HasSuffix(p, "max"), strings.HasSuffix(p, "最高"):
		return false, true, p, true
	case strings.HasSuffix(p, "最低"), strings.HasSuffix(p, "下限"), strings.HasSuffix(p, "min"), strings.HasSuffix(p, "最小"):
		return true, false, p, true
	}
	return false, false, p, false
}

// afterNumber reports whether s[:i] ends with a number, or a date such
// as 1月 or 5日: then a tilde at s[i] belongs to it.
func afterNumber(s string, i int) bool {
	p := strings.TrimRight(s[:i], " ")
	for _, w := range [...]string{"月", "日", "年", "旬"} {
		if strings.HasSuffix(p, w) {
			p = strings.TrimSuffix(p, w)
			p = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(p, "上"), "中"), "下")
			break
		}
	}
	return p != "" && isDigit(p[len(p)-1])
}

// boundLabels are the pay words a bound may stand before: 〜時給, 上限 月額.
var boundLabels = [...]string{"人月単価", "時間単価", "月単価", "月額", "月給", "時給", "時間給", "日額", "日給", "年収", "年俸", "年額", "単価", "月"}

// trimPayWord strips one pay word (月額, 時給, 月 …) from the end of p with
// the spaces, colon and particle (で, は) before it: 最大で月 → 最大.
func trimPayWord(p string) string {
	for _, w := range boundLabels {
		if strings.HasSuffix(p, w) && (w != "月" || !strings.HasSuffix(p, "ヶ月") && !strings.HasSuffix(p, "か月")) {
			p = strings.TrimRight(p[:len(p)-len(w)], " :")
			for _, x := range [...]string{"で", "は"} {
				p = strings.TrimRight(strings.TrimSuffix(p, x), " ")
			}
			return p
		}
	}
	return p
}

// multOf returns the multiplier a's text carried: 10,000 for 万, 1,000
// for 千 or k.
func multOf(s string, a *amount) int64 {
	if strings.Contains(s[a.start:a.end], "万") {
		return 10_000
	}
	return 1_000
}

// negotiablePay reports whether s says the pay is negotiable: by words
// about pay (スキル見合い) wherever they stand; by words that ask (応相談)
// anywhere in a rate field, and in a description on the line of the amount
// or of a pay label (単価: 応相談).
func negotiablePay(s string, hits []hit, field bool, c rateCand, found bool) bool {
	neg := false
	means(hits, kRate, field, func(h hit, m meaning) {
		switch {
		case neg:
		case m.val == "negotiable", field:
			neg = true
		case found:
			neg = h.start < lineEnd(s, c.end) && h.end > lineStart(s, c.start)
		default:
			line := s[lineStart(s, h.start):h.start]
			for _, l := range payLabels {
				if l.score > 0 && strings.Contains(line, l.word) {
					neg = true
					break
				}
			}
		}
	})
	return neg
}

// unitByAmount guesses the unit of an amount stated without one: under
// 1万円 an hour, under 5万円 a day, from 300万円 a year, else a month.
func unitByAmount(a int64) listing.RateUnit {
	switch {
	case a < 10_000:
		return listing.PerHour
	case a < 50_000:
		return listing.PerDay
	case a >= 3_000_000:
		return listing.PerYear
	}
	return listing.PerMonth
}
