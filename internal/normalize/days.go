package normalize

import (
	"strings"

	"anken/internal/listing"
)

// ParseDays reads days of work per week (稼働日数) from the free text of a
// days field: 週5日, 週3〜5日, 週2日〜, 週4-5, 3日/週, 週3日から相談可, and
// in days' stead 稼働率60%〜80% (3-4), 週20時間 or 月80時間 (2-3).
// A lower bound alone (週2日〜) leaves Max zero; an upper bound alone
// (〜週3日) leaves Min zero.
func ParseDays(text string) (listing.Range, bool) {
	return parseDays(fold(text), true)
}

// ParseHours reads hours of work per month (精算幅) from the free text of
// an hours field: 140〜180h, 140h-180h, 月160時間程度.
func ParseHours(text string) (listing.Range, bool) {
	return parseHours(fold(text), true)
}

// numRange is one number or range of small numbers: 3, 3~5, 2,3.
type numRange struct {
	lo, hi     int
	start, end int
	ranged     bool
}

// readNums reads a number or a range at s[i], where a digit stands.
// Separators between numbers: ~ - ー から ・ , or.
func readNums(s string, i int, unit string) (numRange, bool) {
	r := numRange{start: i}
	lo, j, ok := readInt(s, i)
	if !ok {
		return r, false
	}
	r.lo, r.hi, r.end = lo, lo, j
	k := skipSpaces(s, j)
	if unit != "" && strings.HasPrefix(s[k:], unit) {
		k = skipSpaces(s, k+len(unit)) // 3日~5日, 140h~180h
	}
	for _, sep := range [...]string{"~", "-", "ー", "から", "・", ",", "、", "or", "または", "/"} {
		if !strings.HasPrefix(s[k:], sep) {
			continue
		}
		m := skipSpaces(s, k+len(sep))
		if unit == "日" && strings.HasPrefix(s[m:], "週") {
			m += len("週") // 週3日〜週5日
		}
		if hi, e, ok := readInt(s, m); ok {
			if (sep == "・" || sep == "," || sep == "、" || sep == "/") && hi != lo+1 {
				break // 2,3日 is a range; 5,000 is not
			}
			r.hi, r.end, r.ranged = hi, e, true
		}
		break
	}
	if r.lo > r.hi {
		r.lo, r.hi = r.hi, r.lo
	}
	return r, true
}

// readInt reads up to 4 digits at s[i].
func readInt(s string, i int) (n, end int, ok bool) {
	j := i
	for j < len(s) && isDigit(s[j]) {
		if j-i == 4 {
			return 0, i, false
		}
		n = n*10 + int(s[j]-'0')
		j++
	}
	return n, j, j > i
}

// bounds reads what follows a number: 〜, から, 以上 (a lower bound) or
// まで, 以下 (an upper bound), skipping 程度 and 前後.
func bounds(s string, i int) (minOnly, maxOnly bool) {
	j := skipSpaces(s, i)
	for _, w := range [...]string{"程度", "前後", "くらい", "ぐらい", "ほど"} {
		if strings.HasPrefix(s[j:], w) {
			j = skipSpaces(s, j+len(w))
		}
	}
	switch {
	case strings.HasPrefix(s[j:], "~"), strings.HasPrefix(s[j:], "から"), strings.HasPrefix(s[j:], "以上"),
		strings.HasPrefix(s[j:], "より"), strings.HasPrefix(s[j:], "-") && (j+1 >= len(s) || !isDigit(s[j+1])):
		return true, false
	case strings.HasPrefix(s[j:], "まで"), strings.HasPrefix(s[j:], "以下"), strings.HasPrefix(s[j:], "以内"), strings.HasPrefix(s[j:], "迄"):
		return false, true
	}
	return false, false
}

// boundedRange applies a lone bound: 週2日〜 → {2, 0}; 〜週3日 → {0, 3}.
func boundedRange(r numRange, minOnly, maxOnly bool) listing.Range {
	switch {
	case r.ranged:
		return listing.Range{Min: r.lo, Max: r.hi}
	case minOnly:
		return listing.Range{Min: r.lo}
	case maxOnly:
		return listing.Range{Max: r.lo}
	}
	return listing.Range{Min: r.lo, Max: r.lo}
}

// parseDays reads days per week from s, a folded text: 週N日 and its kin
// anywhere; in field mode also a bare 3日 or 3〜5.
func parseDays(s string, field bool) (listing.Range, bool) {
	for i := 0; i < len(s); {
		k := strings.Index(s[i:], "週")
		if k < 0 {
			break
		}
		k += i
		i = k + len("週")
		if strings.HasSuffix(s[:k], "毎") {
			continue // 毎週
		}
		j := skipSpaces(s, i)
		if strings.HasPrefix(s[j:], "休") {
			continue // 週休2日
		}
		for _, w := range [...]string{"に", "あたり", "当たり", ":"} {
			if strings.HasPrefix(s[j:], w) {
				j = skipSpaces(s, j+len(w))
			}
		}
		if j >= len(s) || !isDigit(s[j]) {
			continue
		}
		r, ok := readNums(s, j, "日")
		if !ok || r.lo < 1 || r.hi > 7 {
			continue
		}
		e := skipSpaces(s, r.end)
		if strings.HasPrefix(s[e:], "日") {
			e += len("日")
		} else if !dayless(s, e) {
			continue // 週1回, 週20時間, 週2出社
		}
		if officeWord(s, e) && r.lo < 5 {
			continue // 週1日出社, 週2日リモート: office or remote days, not work days
		}
		minOnly, maxOnly := bounds(s, e)
		if p := strings.TrimRight(s[max(0, k-3):k], " "); strings.HasSuffix(p, "~") {
			maxOnly, minOnly = true, false
		}
		return boundedRange(r, minOnly, maxOnly), true
	}
	// 3日/週, 5days/week
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) || i > 0 && isDigit(s[i-1]) {
			continue
		}
		r, ok := readNums(s, i, "日")
		if !ok {
			continue
		}
		e := skipSpaces(s, r.end)
		ue := 0 // where the unit ends
		for _, u := range [...]string{"日", "days", "day"} {
			if strings.HasPrefix(s[e:], u) {
				ue = e + len(u)
				break
			}
		}
		if ue == 0 {
			i = r.end
			continue
		}
		k := skipSpaces(s, ue)
		per := 0 // length of /週 and its kin
		for _, w := range [...]string{"/週", "/week", "a week", "per week"} {
			if strings.HasPrefix(s[k:], w) {
				per = len(w)
				break
			}
		}
		if (per > 0 || field && dayLabelBefore(s, i)) && r.lo >= 1 && r.hi <= 7 {
			end := ue
			if per > 0 {
				end = k + per
			}
			minOnly, maxOnly := bounds(s, end)
			return boundedRange(r, minOnly, maxOnly), true
		}
		i = r.end
	}
	if r, ok := shareDays(s, field); ok {
		return r, true
	}
	if r, ok := weeklyHoursDays(s); ok {
		return r, true
	}
	if field {
		if h, ok := parseHours(s, true); ok && !strings.Contains(s, "精算") {
			// 月80時間: 4 weeks of 8-hour days
			return hoursDays(h, 32), true
		}
		return bareDays(s)
	}
	for _, w := range [...]string{"フル稼働", "フルタイム", "週5常駐"} {
		if strings.Contains(s, w) {
			return listing.Range{Min: 5, Max: 5}, true
		}
	}
	return listing.Range{}, false
}

// dayless reports whether s[i:], after 週N with no 日, still reads as days:
// 週4-5, 週5 (end of text or a break), but not 週1回 or 週20時間.
func dayless(s string, i int) bool {
	if i >= len(s) {
		return true
	}
	for _, w := range [...]string{"回", "時間", "h", "出社", "出勤", "来社", "コマ", "本", "件", "程度出社", "mtg", "ミーティング", "定例"} {
		if strings.HasPrefix(s[i:], w) {
			return false
		}
	}
	return true
}

// officeWord reports whether s[i:] says the days are office or remote
// days (週1日出社, 週2日リモート), not work days.
func officeWord(s string, i int) bool {
	j := skipSpaces(s, i)
	for _, w := range [...]string{"程度", "ほど", "の", "は", "のみ", "だけ"} {
		if strings.HasPrefix(s[j:], w) {
			j = skipSpaces(s, j+len(w))
		}
	}
	for _, w := range [...]string{"出社", "出勤", "来社", "オフィス", "客先", "現地", "リモート", "在宅", "テレワーク"} {
		if strings.HasPrefix(s[j:], w) {
			return true
		}
	}
	return false
}

// dayLabelBefore reports whether a days label (稼働日数, 稼働日) stands
// before s[i] on its line.
func dayLabelBefore(s string, i int) bool {
	w := s[lineStart(s, i):i]
	return strings.Contains(w, "稼働日") || strings.Contains(w, "勤務日") || strings.Contains(w, "日数")
}

// bareDays reads a days field holding only numbers: 3, 3〜5, 3日, フル稼働.
func bareDays(s string) (listing.Range, bool) {
	if strings.Contains(s, "休") || strings.Contains(s, "週") && !strings.Contains(s, "週5") {
		return listing.Range{}, false // 週休2日; 週… was read by parseDays
	}
	for _, w := range [...]string{"フル稼働", "フルタイム", "週5"} {
		if strings.Contains(s, w) {
			return listing.Range{Min: 5, Max: 5}, true
		}
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) || i > 0 && isDigit(s[i-1]) {
			continue
		}
		r, ok := readNums(s, i, "日")
		if !ok || r.lo < 1 || r.hi > 7 {
			return listing.Range{}, false
		}
		e := skipSpaces(s, r.end)
		if strings.HasPrefix(s[e:], "日") {
			e += len("日")
		} else if e < len(s) && !dayless(s, e) || e < len(s) && !isBreak(s, e) {
			return listing.Range{}, false
		}
		minOnly, maxOnly := bounds(s, e)
		if p := strings.TrimRight(s[:i], " "); strings.HasSuffix(p, "~") {
			maxOnly, minOnly = true, false
		}
		return boundedRange(r, minOnly, maxOnly), true
	}
	return listing.Range{}, false
}

// isBreak reports whether s[i:] starts with something that may end a bare
// number: a space, bracket, bound word or punctuation.
func isBreak(s string, i int) bool {
	if i >= len(s) {
		return true
	}
	switch s[i] {
	case ' ', '(', ')', '~', '-', ',', '/', '.', '\n':
		return true
	}
	for _, w := range [...]string{"から", "以上", "まで", "以下", "程度", "、", "。", "(", "【", "※", "応相談", "相談"} {
		if strings.HasPrefix(s[i:], w) {
			return true
		}
	}
	return false
}

// parseHours reads hours per month from s, a folded text: N(h|時間) or a
// range of them, in a description only after 精算, 月 or 稼働時間 (or
// with /月), never hours a day or a week.
func parseHours(s string, field bool) (listing.Range, bool) {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) || i > 0 && (isDigit(s[i-1]) || isLetter(s[i-1]) || s[i-1] == '.') ||
			i > 1 && s[i-1] == ':' && isDigit(s[i-2]) { // 9:00
			continue
		}
		r, ok := readNums(s, i, "")
		if !ok {
			continue
		}
		if !r.ranged { // 140h~180h
			e := skipSpaces(s, r.end)
			for _, u := range [...]string{"時間", "hrs", "hr", "h"} {
				if strings.HasPrefix(s[e:], u) {
					if r2, ok := readNums(s, i, u); ok && r2.ranged {
						r = r2
					}
					break
				}
			}
		}
		e := skipSpaces(s, r.end)
		var u string
		for _, w := range [...]string{"時間", "hours", "hour", "hrs", "hr", "h"} {
			if strings.HasPrefix(s[e:], w) && (w != "h" || e+1 >= len(s) || !isLetter(s[e+1])) {
				u = w
				break
			}
		}
		if u == "" {
			i = r.end
			continue
		}
		after := skipSpaces(s, e+len(u))
		per := ""
		for _, w := range [...]string{"/月", "/month", "per month", "/週", "/week", "/日", "/day", "per day", "per week"} {
			if strings.HasPrefix(s[after:], w) {
				per = w
				break
			}
		}
		before := s[max(lineStart(s, i), i-30):i]
		switch {
		case strings.Contains(per, "週") || strings.Contains(per, "week") || strings.Contains(per, "日") || strings.Contains(per, "day"):
		case strings.HasSuffix(strings.TrimRight(before, " "), "日") || strings.HasSuffix(strings.TrimRight(before, " "), "週") ||
			strings.Contains(before, "1日") || strings.Contains(before, "一日") || strings.Contains(before, "週に"):
		case r.lo < 1 || r.hi > 400:
		case per != "" || field || r.lo >= 100 && r.hi <= 300 || strings.Contains(before, "精算") ||
			strings.Contains(before, "月") || strings.Contains(before, "稼働時間") || strings.Contains(before, "基準時間"):
			minOnly, maxOnly := bounds(s, after+len(per))
			if p := strings.TrimRight(before, " "); strings.HasSuffix(p, "~") {
				maxOnly, minOnly = true, false
			}
			return boundedRange(r, minOnly, maxOnly), true
		}
		i = r.end
	}
	return listing.Range{}, false
}

// shareDays reads 稼働率 (the share of a full 5-day week) as days:
// 稼働率60%〜80% → 3-4, 稼働率100% → 5, 稼働50% → 2-3 (2.5 days is
// neither). In a description 稼働 must start its line or follow a label or
// a comma, so a server's 稼働率99.9% is not read; shares are whole
// percents up to 100.
func shareDays(s string, field bool) (listing.Range, bool) {
	for i := 0; i < len(s); {
		k := strings.Index(s[i:], "稼働")
		if k < 0 {
			break
		}
		k += i
		i = k + len("稼働")
		if !field && !labelStart(s[lineStart(s, k):k]) {
			continue
		}
		j := i
		if strings.HasPrefix(s[j:], "率") {
			j += len("率")
		}
		for _, w := range [...]string{" ", ")", "】", "]", "は", ":", " "} {
			if strings.HasPrefix(s[j:], w) {
				j += len(w)
			}
		}
		upTo := false // 稼働率〜60%
		if strings.HasPrefix(s[j:], "~") {
			upTo = true
			j = skipSpaces(s, j+1)
		}
		if j >= len(s) || !isDigit(s[j]) {
			continue
		}
		r, ok := readNums(s, j, "%")
		if !ok || r.hi > 100 || r.lo < 1 {
			continue
		}
		e := skipSpaces(s, r.end)
		if !strings.HasPrefix(s[e:], "%") || r.end < len(s) && s[r.end] == '.' {
			continue // 99.9%, 稼働率は60名
		}
		e += len("%")
		minOnly, maxOnly := bounds(s, e)
		if upTo {
			minOnly, maxOnly = false, true
		}
		lo, hi := max(r.lo*5/100, 1), (r.hi*5+99)/100
		if !r.ranged {
			switch {
			case minOnly:
				hi = 0
			case maxOnly:
				lo = 0
			}
		} else if minOnly {
			hi = 0
		}
		return listing.Range{Min: clampDays(lo), Max: clampDays(hi)}, true
	}
	return listing.Range{}, false
}

// labelStart reports whether before, the text of a line up to a word,
// is empty or ends with a label or list mark: 【稼働率】, ■, ・, 、.
func labelStart(before string) bool {
	before = strings.TrimRight(before, " ")
	if before == "" {
		return true
	}
	for _, w := range [...]string{"】", "]", ")", ":", "、", ",", "・", "■", "●", "◆", "◇", "□", "○", "*", "-", "【", "(", "/"} {
		if strings.HasSuffix(before, w) {
			return true
		}
	}
	return false
}

// clampDays keeps a day count read from a share or hours within 1..5; 0
// stays 0 (an open bound).
func clampDays(n int) int {
	switch {
	case n == 0:
		return 0
	case n > 5:
		return 5
	}
	return max(n, 1)
}

// weeklyHoursDays reads hours a week (週20時間, 20h/週) as days of 8
// hours: 週20時間 → 2-3, 週40時間 → 5.
func weeklyHoursDays(s string) (listing.Range, bool) {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) || i > 0 && (isDigit(s[i-1]) || s[i-1] == '.') {
			continue
		}
		before := strings.TrimRight(s[max(0, i-8):i], " ")
		r, ok := readNums(s, i, "時間")
		if !ok {
			continue
		}
		e := skipSpaces(s, r.end)
		u := ""
		for _, w := range [...]string{"時間", "hours", "hrs", "h"} {
			if strings.HasPrefix(s[e:], w) {
				u = w
				break
			}
		}
		if u == "" {
			i = r.end
			continue
		}
		after := skipSpaces(s, e+len(u))
		per := 0
		for _, w := range [...]string{"/週", "/week", "per week", "a week"} {
			if strings.HasPrefix(s[after:], w) {
				per = len(w)
				break
			}
		}
		weekly := per > 0 || strings.HasSuffix(before, "週") || strings.HasSuffix(before, "週に") || strings.HasSuffix(before, "週:")
		if !weekly || r.hi > 60 {
			i = r.end
			continue
		}
		minOnly, maxOnly := bounds(s, after+per)
		return hoursDays(boundedRange(r, minOnly, maxOnly), 8), true
	}
	return listing.Range{}, false
}

// hoursDays turns hours into days at perDay hours a day (8 for a week's
// hours, 32 for a month's): a bound falling between two days gives both.
func hoursDays(h listing.Range, perDay int) listing.Range {
	lo, hi := h.Min/perDay, (h.Max+perDay-1)/perDay
	if h.Min > 0 {
		lo = max(lo, 1) // 週4時間: at least a day
	}
	return listing.Range{Min: clampDays(lo), Max: clampDays(hi)}
}
