// Package wording writes listing fields the way Japanese readers expect
// them, for the pages and the mail alike: 月額60万〜70万円, 週3〜5日,
// フルリモート, 東京都渋谷区, 3日前.
package wording

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"anken/internal/listing"
	"anken/internal/skill"
)

// jst is Japan Standard Time: dates are Japanese dates.
var jst = time.FixedZone("JST", 9*60*60)

var roleNames = map[listing.Role]string{
	listing.RoleBackend:   "バックエンド",
	listing.RoleFrontend:  "フロントエンド",
	listing.RoleFullstack: "フルスタック",
	listing.RoleInfra:     "インフラ",
	listing.RoleSRE:       "SRE",
	listing.RoleData:      "データエンジニア",
	listing.RoleML:        "機械学習・AI",
	listing.RoleMobile:    "モバイルアプリ",
	listing.RolePM:        "PM・PMO",
	listing.RoleQA:        "QA・テスト",
	listing.RoleSecurity:  "セキュリティ",
	listing.RoleDesign:    "デザイナー",
	listing.RoleOther:     "その他",
}

var remoteNames = map[listing.Remote]string{
	listing.RemoteFull:    "フルリモート",
	listing.RemotePartial: "一部リモート",
	listing.RemoteOnsite:  "常駐",
}

var contractNames = map[listing.Contract]string{
	listing.ContractQuasiMandate: "準委任",
	listing.ContractWork:         "請負",
	listing.ContractOutsourcing:  "業務委託",
	listing.ContractDispatch:     "派遣",
}

func Role(r listing.Role) string {
	if n, ok := roleNames[r]; ok {
		return n
	}
	return string(r)
}

func Remote(r listing.Remote) string {
	if n, ok := remoteNames[r]; ok {
		return n
	}
	return string(r)
}

func Contract(c listing.Contract) string {
	if n, ok := contractNames[c]; ok {
		return n
	}
	return string(c)
}

func Prefecture(code string) string {
	if p, ok := listing.PrefectureByCode(code); ok {
		return p.Name
	}
	return code
}

func Skill(slug string) string {
	if s, ok := skill.BySlug(slug); ok {
		return s.Name
	}
	return slug
}

// Comma writes n with thousands separators: 12,345.
func Comma(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Man writes yen in 万 as Japanese listings do: 650000 is 65万, 655000 is
// 65.5万, 1200000 is 120万.
func Man(yen int64) string {
	whole, rest := yen/10000, yen%10000
	if rest == 0 {
		return strconv.FormatInt(whole, 10) + "万"
	}
	s := strconv.FormatFloat(float64(yen)/10000, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0") + "万"
}

// rangeText writes a range of amounts as listings do: 60万〜70万円,
// 〜80万円, 60万円〜, 65万円.
func rangeText(lo, hi int64, amount func(int64) string, unit string) string {
	switch {
	case lo > 0 && hi > 0 && lo != hi:
		return amount(lo) + "〜" + amount(hi) + unit
	case lo > 0 && hi > 0:
		return amount(lo) + unit
	case lo > 0:
		return amount(lo) + unit + "〜"
	case hi > 0:
		return "〜" + amount(hi) + unit
	}
	return ""
}

// Rate writes a listing's pay in the unit the agency quoted it:
// 月額60万〜70万円, 時給4,000円〜, 日額5万円, スキル見合い.
func Rate(r listing.Rate) string {
	yen := func(n int64) string { return Comma(n) }
	var s string
	switch r.Unit {
	case listing.PerHour:
		s = "時給" + rangeText(r.Min, r.Max, yen, "円")
	case listing.PerDay:
		s = "日額" + rangeText(r.Min, r.Max, yen, "円")
	case listing.PerYear:
		s = "年収" + rangeText(r.Min, r.Max, Man, "円")
	default:
		if r.MonthlyMin > 0 || r.MonthlyMax > 0 {
			s = "月額" + rangeText(r.MonthlyMin, r.MonthlyMax, Man, "円")
		}
	}
	if s == "時給" || s == "日額" || s == "年収" {
		s = ""
	}
	switch {
	case s == "" && r.Negotiable:
		return "スキル見合い"
	case s == "":
		return "単価応相談"
	case r.Negotiable:
		return s + "（スキル見合い）"
	}
	return s
}

// Pay writes a listing's pay for people: the quote first, as the agency
// stated it (Rate), then what it comes to in a month at the listing's
// stated workload, with the workload that gives it:
//
//	時給4,500円（週1〜2日で月14.4万〜28.8万円）
//	日額3万円（週3日で月36万円）
//	月額10万円（週1日・月40時間、時給換算 2,500円）
//	時給4,000円〜（月額換算 64万円〜）
//	月額60万〜70万円
//
// A part-time listing's monthly figure is always at its stated days or
// hours, never a 160-hour conversion: when nothing it states gives the
// month (a daily rate with only hours stated), the quote stands alone.
// Pay is the one way pages, mail and feeds write a listing's pay.
func Pay(l *listing.Listing) string {
	quote, note := PayParts(l)
	if note == "" {
		return quote
	}
	return quote + "（" + note + "）"
}

// PayParts is Pay in two parts, for pages that set the quote apart: the
// quote (時給4,500円) and the note that follows it, without parentheses
// (週1〜2日で月14.4万〜28.8万円, スキル見合い); the note may be empty.
func PayParts(l *listing.Listing) (quote, note string) {
	r, w := l.Rate, l.Workload
	if w == "" {
		// Derived before pay was read at the stated workload: derive now,
		// so no old row shows a part-time rate over 160 hours.
		if r.Min == 0 && r.Max == 0 && (r.Unit == "" || r.Unit == listing.PerMonth) {
			r.Unit, r.Min, r.Max = listing.PerMonth, r.MonthlyMin, r.MonthlyMax
		}
		r = listing.PayOf(r, l.DaysPerWeek, l.HoursPerMonth)
		w = listing.WorkloadOf(l.DaysPerWeek, l.HoursPerMonth)
	}
	neg := r.Negotiable
	r.Negotiable = false
	quote = Rate(r)
	var notes []string
	if quote == "単価応相談" {
		if neg {
			return "スキル見合い", ""
		}
		return quote, ""
	}
	if n := payNote(r, w, l.DaysPerWeek, l.HoursPerMonth); n != "" {
		notes = append(notes, n)
	}
	if neg {
		notes = append(notes, "スキル見合い")
	}
	return quote, strings.Join(notes, "、")
}

// payNote is what a quote comes to at the stated workload: the month for
// an hourly, daily or yearly quote, the workload and the hour for a
// part-time monthly one.
func payNote(r listing.Rate, w listing.Workload, days, hours listing.Range) string {
	days, hours = filled(days), filled(hours)
	month := Monthly(r.MonthlyMin, r.MonthlyMax)
	var at []string // the stated workload that gives the month
	switch r.Unit {
	case listing.PerHour:
		if days.Known() {
			at = append(at, Days(days))
		}
		if hours.Known() {
			at = append(at, workHours(hours))
		}
	case listing.PerDay:
		if days.Known() {
			at = append(at, Days(days))
		}
	case listing.PerYear:
		if month == "" {
			return ""
		}
		return "月額換算 " + month
	default: // a monthly quote is the month's pay already
		if w != listing.WorkloadPart {
			return ""
		}
		if days.Known() {
			at = append(at, Days(days))
		}
		if hours.Known() {
			at = append(at, workHours(hours))
		}
		var note []string
		if len(at) > 0 {
			note = append(note, strings.Join(at, "・"))
		}
		if h := rangeText(r.HourlyMin, r.HourlyMax, Comma, "円"); h != "" {
			note = append(note, "時給換算 "+h)
		}
		return strings.Join(note, "、")
	}
	switch {
	case month == "":
		return ""
	case len(at) > 0:
		return strings.Join(at, "・") + "で月" + month
	case w == listing.WorkloadPart:
		return "" // the month would be a full-time conversion
	}
	return "月額換算 " + month
}

// workHours writes hours a month in prose: 月40時間, 月140〜180時間.
func workHours(h listing.Range) string {
	return "月" + rangeText(int64(h.Min), int64(h.Max), func(n int64) string { return strconv.FormatInt(n, 10) }, "時間")
}

// filled is a stated range with a missing bound taking the stated one, as
// pay is derived (週1日〜 is paid as 週1日).
func filled(r listing.Range) listing.Range {
	if r.Min == 0 {
		r.Min = r.Max
	}
	if r.Max == 0 {
		r.Max = r.Min
	}
	return r
}

// Monthly writes a monthly range: 60万〜70万円.
func Monthly(lo, hi int64) string { return rangeText(lo, hi, Man, "円") }

// Days writes days a week: 週3〜5日, 週5日.
func Days(d listing.Range) string {
	s := rangeText(int64(d.Min), int64(d.Max), func(n int64) string { return strconv.FormatInt(n, 10) }, "日")
	if s == "" {
		return ""
	}
	return "週" + s
}

// Hours writes settlement hours a month: 140〜180h.
func Hours(d listing.Range) string {
	return rangeText(int64(d.Min), int64(d.Max), func(n int64) string { return strconv.FormatInt(n, 10) }, "h")
}

// Start writes when work starts: 即日〜, 2026年1月〜.
func Start(s string) string {
	if s == listing.StartImmediate {
		return "即日〜"
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return fmt.Sprintf("%d年%d月〜", t.Year(), t.Month())
	}
	return s
}

// Date writes a date in Japanese: 2026年11月30日.
func Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(jst)
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}

// ShortDate writes a month and day: 11月17日.
func ShortDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(jst)
	return fmt.Sprintf("%d月%d日", t.Month(), t.Day())
}

// AsOf writes when figures were computed, in Japan's time to the minute:
// 12月8日 9:00時点.
func AsOf(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(jst)
	return fmt.Sprintf("%d月%d日 %d:%02d時点", t.Month(), t.Day(), t.Hour(), t.Minute())
}

// Ago writes how long Ago t was, as listing sites do: たった今, 5分前,
// 3時間前, 2日前; past four weeks, the date.
func Ago(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case t.IsZero():
		return ""
	case d < time.Minute:
		return "たった今"
	case d < time.Hour:
		return fmt.Sprintf("%d分前", int(d/time.Minute))
	case d < 24*time.Hour:
		return fmt.Sprintf("%d時間前", int(d/time.Hour))
	case d < 28*24*time.Hour:
		return fmt.Sprintf("%d日前", int(d/(24*time.Hour)))
	}
	return Date(t)
}

// Excerpt returns the first n characters of s on one line.
func Excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// Place writes where the work is: the prefecture, then the agency's
// place text unless it already starts with the prefecture (東京都文京区).
func Place(pref, location string) string {
	name := ""
	if pref != "" {
		name = Prefecture(pref)
	}
	switch {
	case location == "":
		return name
	case name == "" || strings.HasPrefix(location, name):
		return location
	}
	return name + " " + location
}
