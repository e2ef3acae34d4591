package market

import (
	"math"
	"strconv"
	"strings"

	"anken/internal/listing"
	"anken/internal/problem"
)

// EstimateInput is what an income estimate is asked from. A zero field
// was not given. One of four questions is asked, by the fields given:
//
//   - Hourly (or HourlyMin and HourlyMax) with HoursPerDay (or HoursMin
//     and HoursMax), and Days: monthly = hourly × hours a day × days,
//     a range when either is one (the side-job guides' tiers);
//   - Monthly with DaysPerWeek: the hourly rate of a monthly rate worked
//     N days a week, at 8 hours a day and 4 weeks a month: the rule a
//     listing's hourly pay is derived by (listing.PayOf), so the estimate
//     and the listing pages agree;
//   - Monthly alone: the annual equivalent (× 12);
//   - Annual alone: the monthly equivalent (÷ 12, rounded down).
type EstimateInput struct {
	Hourly, HourlyMin, HourlyMax    int64   // yen an hour
	HoursPerDay, HoursMin, HoursMax float64 // hours a day, at most one decimal (1.5)
	Days                            int     // days a month; DefaultDays when 0
	Monthly, Annual                 int64   // yen
	DaysPerWeek                     int     // 週N日
}

// Estimate is an income estimate, with the formula that gave it.
type Estimate struct {
	Hourly     int64  `json:"hourly,omitempty" doc:"Yen an hour (asked, or the answer for monthly with days_per_week)."`
	Monthly    int64  `json:"monthly,omitempty" doc:"Yen a month."`
	MonthlyMin int64  `json:"monthly_min,omitempty" doc:"Yen a month, low end of a range."`
	MonthlyMax int64  `json:"monthly_max,omitempty" doc:"Yen a month, high end of a range."`
	Annual     int64  `json:"annual,omitempty" doc:"Yen a year: monthly × 12."`
	AnnualMin  int64  `json:"annual_min,omitempty" doc:"monthly_min × 12."`
	AnnualMax  int64  `json:"annual_max,omitempty" doc:"monthly_max × 12."`
	Formula    string `json:"formula" doc:"How the figures were computed, with every assumption."`
}

// The formula is written in Japanese, as the rest of the site:
// 時給3,000円 × 1日2時間 × 22日 = 月額132,000円、× 12 = 年額1,584,000円.

// Assumptions and limits of the estimates.
const (
	DefaultDays   = 22      // working days a month, as the side-job guides count
	HoursPerDay   = 8       // a full day, for a monthly rate worked N days a week
	WeeksPerMonth = 4       // as listing.PayOf counts a month: 週5日 is 160 h
	MaxHourly     = 100_000 // yen an hour
	MaxMonthly    = 5_000_000
	MaxAnnual     = MaxMonthly * 12
	maxDays       = 31
	maxHours      = 24
)

// EstimateOf answers in, or fails Unprocessable naming the query parameter
// (query.hourly, query.hours_per_day, …) that is missing, conflicting or
// out of range. Yen are rounded down.
func EstimateOf(in EstimateInput) (Estimate, error) {
	bad := func(name string, value any, msg string) error {
		return problem.Field(problem.Unprocessable, "query."+name, value, msg)
	}
	hourly := in.Hourly > 0 || in.HourlyMin > 0 || in.HourlyMax > 0
	hours := in.HoursPerDay > 0 || in.HoursMin > 0 || in.HoursMax > 0
	switch {
	case in.Hourly < 0 || in.HourlyMin < 0 || in.HourlyMax < 0 || in.Monthly < 0 || in.Annual < 0 ||
		in.HoursPerDay < 0 || in.HoursMin < 0 || in.HoursMax < 0 || in.Days < 0 || in.DaysPerWeek < 0:
		return Estimate{}, bad(negative(in), "", "must be positive")
	case hourly && (in.Monthly > 0 || in.Annual > 0):
		return Estimate{}, bad(cond(in.Monthly > 0, "monthly", "annual"), cond(in.Monthly > 0, in.Monthly, in.Annual),
			"give either an hourly rate with hours a day, or a monthly or annual amount, not both")
	case (hourly || hours) && in.DaysPerWeek > 0:
		return Estimate{}, bad("days_per_week", in.DaysPerWeek, "days a week go with monthly; with an hourly rate give hours_per_day and days (a month)")
	case hourly || hours:
		return hourlyEstimate(in, bad)
	case in.Days > 0:
		return Estimate{}, bad("days", in.Days, "days a month go with hourly and hours_per_day")
	case in.Monthly > 0 && in.Annual > 0:
		return Estimate{}, bad("annual", in.Annual, "give monthly or annual, not both")
	case in.Monthly > MaxMonthly:
		return Estimate{}, bad("monthly", in.Monthly, "must be at most 5,000,000 yen")
	case in.Annual > MaxAnnual:
		return Estimate{}, bad("annual", in.Annual, "must be at most 60,000,000 yen")
	case in.DaysPerWeek > 0 && in.Monthly == 0:
		return Estimate{}, bad("days_per_week", in.DaysPerWeek, "days a week go with monthly: the hourly rate of a monthly rate worked N days a week")
	case in.DaysPerWeek > 7:
		return Estimate{}, bad("days_per_week", in.DaysPerWeek, "must be from 1 to 7")
	case in.DaysPerWeek > 0:
		// hourly = monthly ÷ (N days × 8 h × 4 weeks), rounded down: a
		// listing quoting the monthly rate at 週N日 shows the same.
		days := listing.Range{Min: in.DaysPerWeek, Max: in.DaysPerWeek}
		h := listing.PayOf(listing.Rate{Unit: listing.PerMonth, Min: in.Monthly}, days, listing.Range{}).HourlyMin
		return Estimate{Hourly: h, Monthly: in.Monthly, Annual: in.Monthly * 12,
			Formula: "月額" + yen(in.Monthly) + " ÷（週" + strconv.Itoa(in.DaysPerWeek) + "日 × 8時間 × 4週）= 時給" + yen(h) +
				"（1日8時間、1か月を4週として計算。案件の時給と同じ換算。円未満は切り捨て）"}, nil
	case in.Monthly > 0:
		return Estimate{Monthly: in.Monthly, Annual: in.Monthly * 12,
			Formula: "月額" + yen(in.Monthly) + " × 12 = 年額" + yen(in.Monthly*12)}, nil
	case in.Annual > 0:
		m := in.Annual / 12
		return Estimate{Monthly: m, Annual: in.Annual,
			Formula: "年額" + yen(in.Annual) + " ÷ 12 = 月額" + yen(m) + "（円未満は切り捨て）"}, nil
	}
	return Estimate{}, bad("hourly", "", "give hourly and hours_per_day (or their _min and _max), monthly (with days_per_week for its hourly rate), or annual")
}

// hourlyEstimate answers hourly rate × hours a day × days, each a value
// or a range.
func hourlyEstimate(in EstimateInput, bad func(string, any, string) error) (Estimate, error) {
	hLo, hHi, err := pair(in.Hourly, in.HourlyMin, in.HourlyMax, "hourly", bad)
	if err != nil {
		return Estimate{}, err
	}
	if hHi > MaxHourly {
		return Estimate{}, bad(cond(in.Hourly > 0, "hourly", "hourly_max"), hHi, "must be at most 100,000 yen an hour")
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"hours_per_day", in.HoursPerDay}, {"hours_min", in.HoursMin}, {"hours_max", in.HoursMax}} {
		if f.v == 0 {
			continue
		}
		if f.v > maxHours {
			return Estimate{}, bad(f.name, f.v, "must be at most 24 hours a day")
		}
		if t := f.v * 10; math.Abs(t-math.Round(t)) > 1e-9 || math.Round(t) < 1 {
			return Estimate{}, bad(f.name, f.v, "must be hours a day with at most one decimal, from 0.1 (1.5 is an hour and a half)")
		}
	}
	tenths := func(v float64) int64 { return int64(math.Round(v * 10)) }
	tLo, tHi, err := pair(tenths(in.HoursPerDay), tenths(in.HoursMin), tenths(in.HoursMax), "hours", bad)
	if err != nil {
		return Estimate{}, err
	}
	days := int64(in.Days)
	switch {
	case days == 0:
		days = DefaultDays
	case days > maxDays:
		return Estimate{}, bad("days", in.Days, "must be days a month, from 1 to 31")
	}
	mLo, mHi := hLo*tLo*days/10, hHi*tHi*days/10
	formula := "時給" + yenRange(hLo, hHi) + " × 1日" + rangeText(tenthsText(tLo), tenthsText(tHi)) + "時間 × " +
		strconv.FormatInt(days, 10) + "日 = 月額"
	if mLo == mHi && hLo == hHi && tLo == tHi {
		return Estimate{Hourly: hLo, Monthly: mLo, Annual: mLo * 12,
			Formula: formula + yen(mLo) + "、× 12 = 年額" + yen(mLo*12)}, nil
	}
	return Estimate{MonthlyMin: mLo, MonthlyMax: mHi, AnnualMin: mLo * 12, AnnualMax: mHi * 12,
		Formula: formula + yenRange(mLo, mHi) + "、× 12 = 年額" + yenRange(mLo*12, mHi*12)}, nil
}

// pair reads a value given alone (v) or as a range (lo and hi): both ends
// are needed, lo ≤ hi, and not both forms at once. name is the parameter's
// stem: hourly (hourly, hourly_min, hourly_max) or hours (hours_per_day,
// hours_min, hours_max).
func pair(v, lo, hi int64, name string, bad func(string, any, string) error) (int64, int64, error) {
	single := name
	if name == "hours" {
		single = "hours_per_day"
	}
	switch {
	case v > 0 && (lo > 0 || hi > 0):
		return 0, 0, bad(single, v, "give "+single+" or "+name+"_min and "+name+"_max, not both")
	case v > 0:
		return v, v, nil
	case lo > 0 && hi == 0:
		return 0, 0, bad(name+"_max", "", "needed with "+name+"_min")
	case hi > 0 && lo == 0:
		return 0, 0, bad(name+"_min", "", "needed with "+name+"_max")
	case lo == 0:
		return 0, 0, bad(single, "", "needed: "+single+", or "+name+"_min and "+name+"_max")
	case lo > hi:
		return 0, 0, bad(name+"_min", lo, "must not exceed "+name+"_max")
	}
	return lo, hi, nil
}

// rangeText writes lo〜hi, or lo alone when they are equal.
func rangeText(lo, hi string) string {
	if lo == hi {
		return lo
	}
	return lo + "〜" + hi
}

// yen writes an amount as the formula does: 132,000円.
func yen(n int64) string { return strings.TrimPrefix(Yen(n), "¥") + "円" }

// yenRange writes 2,000〜3,500円, or 3,000円 when lo is hi.
func yenRange(lo, hi int64) string {
	if lo == hi {
		return yen(lo)
	}
	return strings.TrimPrefix(Yen(lo), "¥") + "〜" + yen(hi)
}

func tenthsText(t int64) string {
	return strconv.FormatFloat(float64(t)/10, 'f', -1, 64)
}

// negative names the first field of in that is negative.
func negative(in EstimateInput) string {
	for _, f := range []struct {
		name string
		neg  bool
	}{{"hourly", in.Hourly < 0}, {"hourly_min", in.HourlyMin < 0}, {"hourly_max", in.HourlyMax < 0},
		{"hours_per_day", in.HoursPerDay < 0}, {"hours_min", in.HoursMin < 0}, {"hours_max", in.HoursMax < 0},
		{"days", in.Days < 0}, {"monthly", in.Monthly < 0}, {"annual", in.Annual < 0}, {"days_per_week", in.DaysPerWeek < 0}} {
		if f.neg {
			return f.name
		}
	}
	return "query"
}

func cond[T any](c bool, a, b T) T {
	if c {
		return a
	}
	return b
}
