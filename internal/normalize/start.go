package normalize

import (
	"strings"
	"time"

	"anken/internal/listing"
)

// ParseStart reads when work starts from the free text of a start field:
// immediate, 即日, 2026-01-05, 2026年1月〜, 1月中旬, 来月から. Months
// without a year and relative words are read against now. It returns
// listing.StartImmediate or a date YYYY-MM-DD.
func ParseStart(text string, now time.Time) (string, bool) {
	s := fold(text)
	return parseStart(s, lexicon.scan(s, true, nil), now, true)
}

// parseStart reads a start from s, a folded text, and its dictionary
// hits. In a description a date counts only when 〜, から, 開始 … follows
// it or a start label (開始時期, 参画時期) precedes it on its line.
func parseStart(s string, hits []hit, now time.Time, field bool) (string, bool) {
	best, at := "", len(s)+1
	var rel []int // where 来月 and its kin stand
	means(hits, kStart, field, func(h hit, m meaning) {
		switch {
		case m.val == "immediate" && h.start < at && !negated(s, h.end):
			best, at = listing.StartImmediate, h.start
		case m.val == "relative":
			rel = append(rel, h.start)
		}
	})
	for i := 0; i < len(s) && i < at; i++ {
		var (
			d   time.Time
			end int
			ok  bool
		)
		switch {
		case len(rel) > 0 && rel[0] == i:
			rel = rel[1:]
			d, end, ok = relative(s, i, now)
		case isDigit(s[i]) && (i == 0 || !isDigit(s[i-1]) && s[i-1] != '/' && s[i-1] != '-' && s[i-1] != '.'):
			d, end, ok = readDate(s, i, now)
		}
		if !ok {
			continue
		}
		if field || startAfter(s, end) || startLabelBefore(s, i) {
			best, at = d.Format(time.DateOnly), i
			break
		}
		i = end - 1
	}
	return best, best != ""
}

// readDate reads a date at s[i]: 2026-01-05, 2026/1/5, 2026年1月5日,
// 2026年1月(上旬|中旬|下旬|末), 2026/1, 1月. A month without a year is the
// next such month from now (this month counts).
func readDate(s string, i int, now time.Time) (time.Time, int, bool) {
	y, j, ok := readInt(s, i)
	if !ok {
		return time.Time{}, i, false
	}
	var m, d int
	switch {
	case j-i == 4 && j < len(s) && (s[j] == '-' || s[j] == '/' || s[j] == '.'):
		sep := s[j]
		m, j, ok = readInt(s, j+1)
		if !ok {
			return time.Time{}, i, false
		}
		if j < len(s) && s[j] == sep {
			if d, j, ok = readInt(s, j+1); !ok {
				return time.Time{}, i, false
			}
		}
	case j-i == 4 && strings.HasPrefix(s[j:], "年"):
		m, j, ok = readInt(s, skipSpaces(s, j+len("年")))
		if !ok || !strings.HasPrefix(s[j:], "月") {
			return time.Time{}, i, false
		}
		j += len("月")
		d, j = dayOfMonth(s, j)
	case j-i <= 2 && strings.HasPrefix(s[j:], "月") && !strings.HasSuffix(s[:i], "ヶ") && !strings.HasSuffix(s[:i], "か"):
		m, y = y, 0
		j += len("月")
		d, j = dayOfMonth(s, j)
	default:
		return time.Time{}, j, false
	}
	if m < 1 || m > 12 {
		return time.Time{}, j, false
	}
	if y == 0 {
		y = now.Year()
		if time.Month(m) < now.Month() {
			y++
		}
	}
	if y < 2000 || y > 2100 {
		return time.Time{}, j, false
	}
	if d == 0 {
		d = 1
	}
	if d == -1 { // 月末
		d = time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, j, false // 2月30日
	}
	return t, j, true
}

// dayOfMonth reads what may follow 月: 5日, 上旬 (1), 中旬 (11), 下旬 (21),
// 末 (-1: the last day).
func dayOfMonth(s string, j int) (int, int) {
	k := skipSpaces(s, j)
	if d, e, ok := readInt(s, k); ok && strings.HasPrefix(s[e:], "日") {
		return d, e + len("日")
	}
	for _, w := range [...]struct {
		word string
		day  int
	}{{"上旬", 1}, {"初旬", 1}, {"頭", 1}, {"中旬", 11}, {"下旬", 21}, {"末", -1}} {
		if strings.HasPrefix(s[k:], w.word) {
			return w.day, k + len(w.word)
		}
	}
	return 0, j
}

// relative reads 今月, 来月, 再来月, 翌月 (the first of that month) or 来週
// (next Monday) at s[i].
func relative(s string, i int, now time.Time) (time.Time, int, bool) {
	y, m, _ := now.Date()
	first := func(add int) time.Time { return time.Date(y, m+time.Month(add), 1, 0, 0, 0, 0, time.UTC) }
	for _, w := range [...]struct {
		word string
		t    func() time.Time
	}{
		{"再来月", func() time.Time { return first(2) }},
		{"来月", func() time.Time { return first(1) }},
		{"翌月", func() time.Time { return first(1) }},
		{"今月", func() time.Time { return first(0) }},
		{"来週", func() time.Time {
			d := time.Date(y, m, now.Day(), 0, 0, 0, 0, time.UTC)
			n := (8 - int(d.Weekday())) % 7
			if n == 0 {
				n = 7
			}
			return d.AddDate(0, 0, n)
		}},
	} {
		if strings.HasPrefix(s[i:], w.word) {
			t, end := w.t(), i+len(w.word)
			if w.word != "来週" {
				var d int
				if d, end = dayOfMonth(s, end); d == -1 {
					t = t.AddDate(0, 1, -1)
				} else if d > 0 {
					t = t.AddDate(0, 0, d-1)
				}
			}
			return t, end, true
		}
	}
	return time.Time{}, i, false
}

// startAfter reports whether s[i:] says a start: 〜, から, より, 開始,
// スタート, 参画, 入場, 稼働.
func startAfter(s string, i int) bool {
	j := skipSpaces(s, i)
	for _, w := range [...]string{"頃", "ごろ", "以降", "中", "予定", "の"} {
		if strings.HasPrefix(s[j:], w) {
			j = skipSpaces(s, j+len(w))
		}
	}
	for _, w := range [...]string{"~", "から", "より", "開始", "スタート", "参画", "入場", "稼働", "start", "着任", "-"} {
		if strings.HasPrefix(s[j:], w) {
			return w != "-" || j+1 >= len(s) || !isDigit(s[j+1])
		}
	}
	return false
}

// startLabelBefore reports whether a start label (開始時期, 参画時期, 期間)
// stands before s[i] on its line.
func startLabelBefore(s string, i int) bool {
	w := s[lineStart(s, i):i]
	for _, l := range [...]string{"開始", "時期", "参画", "入場", "期間", "start", "稼働日"} {
		if strings.Contains(w, l) {
			return !strings.Contains(w, "設立") && !strings.Contains(w, "創業")
		}
	}
	return false
}

// startText is a start field value read as given: "immediate" or a date.
func startText(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == listing.StartImmediate {
		return s, true
	}
	if len(s) == len(time.DateOnly) && s[4] == '-' {
		if t, err := time.Parse(time.DateOnly, s); err == nil {
			return t.Format(time.DateOnly), true
		}
	}
	return "", false
}
