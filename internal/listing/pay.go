package listing

// Pay (単価), read three ways. A listing quotes pay once, in one unit
// (Rate.Unit, Min, Max); from the quote and the stated workload (days a
// week, hours a month) follow what the engineer is paid in a month at that
// workload, what the work pays per hour, and whether it is a full month's
// work. The rules are the contract in DESIGN.md "Pay"; PayOf and
// WorkloadOf are their one implementation, used by the normalizer, the
// demo's ground truth and the re-derivation of stored listings alike.

// Workload says whether a listing's stated days and hours make a full
// month's work.
type Workload string

const (
	WorkloadFull Workload = "full" // days not stated or reaching 4, hours (if stated) reaching 120
	WorkloadPart Workload = "part"
)

// Workloads lists every workload.
var Workloads = []Workload{WorkloadFull, WorkloadPart}

// The hours behind the conversions.
const (
	HoursPerDay     = 8                           // a day's work, for 日額 ÷ 8
	WeeksPerMonth   = 4                           // 週N日 is N × 4 days a month
	HoursPerWeekday = HoursPerDay * WeeksPerMonth // 32: one day a week is 32 hours a month
	FullMonthHours  = 160                         // 週5日, or nothing stated
	FullMonthDays   = 20                          // 日額 × 20 when no days are stated
	fullFromDays    = 4                           // 週4日 and more is full-time work
	fullFromHours   = 120                         // 月120時間 and more is full-time work
	MonthsPerYear   = 12
)

// filled returns r with a missing bound taking the stated one (週1日〜 is
// 1–1); the zero Range stays zero.
func filled(r Range) Range {
	if r.Min == 0 {
		r.Min = r.Max
	}
	if r.Max == 0 {
		r.Max = r.Min
	}
	return r
}

// PayOf returns the quote r (its Unit, Min, Max and Negotiable) with the
// derived figures set from the stated days a week and hours a month:
//
//   - MonthlyMin/Max, pay for a month at the stated workload: a monthly
//     quote as is, a yearly one ÷ 12; an hourly one × the hours a month
//     (stated hours, min with min and max with max, else days × 32, else
//     160); a daily one × the days a month (days × 4, else 20).
//   - HourlyMin/Max, pay per hour, rounded down: an hourly quote as is, a
//     daily one ÷ 8, a monthly or yearly one (÷ 12 first) ÷ the hours a
//     month at the middle of what is stated (140〜180h: 160; 週3〜5日:
//     128; else 160).
//
// A bound not quoted (時給4,000円〜 has no max) derives nothing.
func PayOf(r Rate, days, hours Range) Rate {
	q := Rate{Unit: r.Unit, Min: r.Min, Max: r.Max, Negotiable: r.Negotiable}
	if q.Min == 0 && q.Max == 0 {
		return q
	}
	d, h := filled(days), filled(hours)
	q.MonthlyMin, q.HourlyMin = derive(q.Unit, q.Min, d.Min, h.Min, d, h)
	q.MonthlyMax, q.HourlyMax = derive(q.Unit, q.Max, d.Max, h.Max, d, h)
	return q
}

// derive converts one bound of a quote: amount in unit u, with dayBound
// and hourBound the same bound of the stated days and hours (0 when not
// stated), and d and h both bounds for the middle hours.
func derive(u RateUnit, amount int64, dayBound, hourBound int, d, h Range) (monthly, hourly int64) {
	if amount <= 0 {
		return 0, 0
	}
	switch u {
	case PerHour:
		switch {
		case hourBound > 0:
			monthly = amount * int64(hourBound)
		case dayBound > 0:
			monthly = amount * int64(dayBound) * HoursPerWeekday
		default:
			monthly = amount * FullMonthHours
		}
		return monthly, amount
	case PerDay:
		if dayBound > 0 {
			monthly = amount * int64(dayBound) * WeeksPerMonth
		} else {
			monthly = amount * FullMonthDays
		}
		return monthly, amount / HoursPerDay
	case PerYear:
		monthly = amount / MonthsPerYear
	default:
		monthly = amount
	}
	// The middle of the stated hours (or days) as a fraction num/den of
	// hours, so 140〜181h and 週3〜4日 divide exactly before rounding down.
	num, den := int64(FullMonthHours), int64(1)
	switch {
	case h.Min > 0:
		num, den = int64(h.Min+h.Max), 2
	case d.Min > 0:
		num, den = int64(d.Min+d.Max)*HoursPerWeekday, 2
	}
	return monthly, monthly * den / num
}

// WorkloadOf returns full when the days a week are not stated or reach 4
// and the hours a month, if stated, reach 120; part otherwise.
func WorkloadOf(days, hours Range) Workload {
	d, h := filled(days), filled(hours)
	if (d.Max == 0 || d.Max >= fullFromDays) && (h.Max == 0 || h.Max >= fullFromHours) {
		return WorkloadFull
	}
	return WorkloadPart
}

// DerivePay sets the listing's derived pay (Rate's monthly and hourly
// figures) and Workload from its quote, days a week and hours a month.
func (l *Listing) DerivePay() {
	l.Rate = PayOf(l.Rate, l.DaysPerWeek, l.HoursPerMonth)
	l.Workload = WorkloadOf(l.DaysPerWeek, l.HoursPerMonth)
}
