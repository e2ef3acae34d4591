package demo

import (
	"math"
	"strconv"

	"anken/internal/listing"
)

// rate is a pay (単価) and the way it is written. Min and Max are yen in
// Unit; zero means not stated. A single amount has Min == Max.
type rate struct {
	unit     listing.RateUnit // "" when negotiable with no amount
	min, max int64
	nego     bool // スキル見合い
	form     int  // which wording, see text
}

// Wordings by shape; form picks one.
const (
	formRange = iota
	formRangeSlash
	formRangeShort
	formMax
	formMaxMonthly
	formMaxNego
	formMin
	formMinSlash
	formSingleYen
	formSingleMan
	formNego
	formNegoTalk
	formHourMin
	formHourRange
	formHourSingle
	formHourMinNego
	formDayMin
	formDayRange
)

func (r rate) text() string {
	switch r.form {
	case formRange:
		return "月額" + man(r.min) + "〜" + man(r.max) + "円"
	case formRangeSlash:
		return man(r.min) + "〜" + man(r.max) + "円/月"
	case formRangeShort:
		return "月額" + itoa(int(r.min/10000)) + "〜" + man(r.max) + "円"
	case formMax:
		return "〜" + man(r.max) + "円/月"
	case formMaxMonthly:
		return "月額〜" + man(r.max) + "円"
	case formMaxNego:
		return "〜" + man(r.max) + "円/月（スキル見合い）"
	case formMin:
		return "月額" + man(r.min) + "円〜"
	case formMinSlash:
		return man(r.min) + "円〜/月"
	case formSingleYen:
		return "単価: " + yen(r.min) + "円"
	case formSingleMan:
		return "月額" + man(r.min) + "円"
	case formNego:
		return "スキル見合い"
	case formNegoTalk:
		return "スキル見合い（応相談）"
	case formHourMin:
		return "時給" + yen(r.min) + "円〜"
	case formHourRange:
		return "時給" + yen(r.min) + "〜" + yen(r.max) + "円"
	case formHourSingle:
		return "時給" + yen(r.min) + "円"
	case formHourMinNego:
		return "時給" + yen(r.min) + "円〜（スキル見合い）"
	case formDayMin:
		return "日額" + yen(r.min) + "円〜"
	case formDayRange:
		return "日額" + yen(r.min) + "〜" + yen(r.max) + "円"
	}
	return ""
}

// truth is the rate as the normalizer should read it, at the job's days a
// week and hours a month.
func (r rate) truth(days, hours listing.Range) listing.Rate {
	return listing.PayOf(listing.Rate{Unit: r.unit, Min: r.min, Max: r.max, Negotiable: r.nego}, days, hours)
}

// shift moves the amounts by one step (5万 a month, 500円 an hour,
// 5,000円 a day), up or down, as another agency quoting the same job does.
func (r rate) shift(up bool) rate {
	var d int64
	switch r.unit {
	case listing.PerMonth:
		d = 50_000
	case listing.PerHour:
		d = 500
	case listing.PerDay:
		d = 5_000
	default:
		return r
	}
	if !up && (r.min > 0 && r.min-d < 3*d || r.max > 0 && r.max-d < 3*d) {
		up = true
	}
	if !up {
		d = -d
	}
	if r.min > 0 {
		r.min += d
	}
	if r.max > 0 {
		r.max += d
	}
	return r
}

// rate chooses the pay of j around its role's centre.
func (g *gen) rate(j *job) rate {
	rw := j.role
	k := g.r.IntN(100)
	if j.side {
		switch {
		case k < 62:
			return g.hourly(rw.hourly)
		case k < 90:
			// a monthly amount for the few days a side job takes
			scale := float64(max(j.days.Min, j.days.Max)) / 5
			return g.monthly(float64(rw.monthly) * scale)
		default:
			return g.negotiable()
		}
	}
	switch {
	case k < 88:
		return g.monthly(float64(rw.monthly))
	case k < 94:
		return g.negotiable()
	case k < 97:
		return g.daily(rw.monthly)
	default:
		return g.hourly(rw.hourly)
	}
}

// monthly draws a monthly rate around centre (万円), skewed upwards as real
// rates are, and writes it in one of the monthly wordings.
func (g *gen) monthly(centre float64) rate {
	d := g.r.NormFloat64() * 9
	if d > 0 {
		d *= 1.4
	}
	mid := min(max(centre+d, 12), 180) // 万円
	r := rate{unit: listing.PerMonth}
	k := g.r.IntN(100)
	switch {
	case k < 45: // range
		w := float64(one(g, []int{5, 10, 10, 10, 15, 20}))
		lo := max(round5(mid-w/2), 10)
		r.min, r.max = int64(lo)*10_000, int64(lo+w)*10_000
		r.form = one(g, []int{formRange, formRange, formRangeSlash, formRangeShort})
	case k < 70: // up to
		r.max = int64(math.Ceil(mid/5)*5) * 10_000
		r.form = one(g, []int{formMax, formMax, formMaxMonthly, formMaxNego})
		r.nego = r.form == formMaxNego
	case k < 82: // from
		r.min = int64(max(math.Floor(mid/5)*5, 10)) * 10_000
		r.form = one(g, []int{formMin, formMin, formMinSlash})
	default: // one amount, in 5千 steps when written in yen
		r.form = one(g, []int{formSingleYen, formSingleYen, formSingleMan})
		if r.form == formSingleYen {
			r.min = int64(math.Round(mid*2)) * 5_000
		} else {
			r.min = int64(math.Round(mid)) * 10_000
		}
		r.max = r.min
	}
	return r
}

// hourly draws 時給 between 3,000 and 8,000 yen in 500 yen steps.
func (g *gen) hourly(centre int) rate {
	h := float64(centre) + g.r.NormFloat64()*900
	lo := int64(min(max(math.Round(h/500)*500, 3000), 8000))
	r := rate{unit: listing.PerHour, min: lo}
	k := g.r.IntN(100)
	switch {
	case k < 50:
		r.form = formHourMin
	case k < 78 && lo < 8000:
		r.form = formHourRange
		r.max = min(lo+int64(one(g, []int{1000, 1000, 2000, 3000})), 8000)
	case k < 90 || lo == 8000:
		r.form = formHourSingle
		r.max = lo
	default:
		r.form, r.nego = formHourMinNego, true
	}
	return r
}

// daily draws 日額 for a monthly centre (万円) over 20 days.
func (g *gen) daily(centre int) rate {
	d := float64(centre)*10_000/20 + g.r.NormFloat64()*4000
	lo := int64(max(math.Round(d/5000)*5000, 15_000))
	r := rate{unit: listing.PerDay, min: lo, form: formDayMin}
	if g.chance(0.5) {
		r.form, r.max = formDayRange, lo+10_000
	}
	return r
}

func (g *gen) negotiable() rate {
	return rate{nego: true, form: one(g, []int{formNego, formNego, formNego, formNegoTalk})}
}

func round5(x float64) float64 { return math.Round(x/5) * 5 }

// man writes whole 万 yen: 650000 → 65万.
func man(v int64) string { return strconv.FormatInt(v/10_000, 10) + "万" }

// yen writes yen with thousands separators: 700000 → 700,000.
func yen(v int64) string {
	s := strconv.FormatInt(v, 10)
	n := len(s)
	if n <= 3 {
		return s
	}
	b := make([]byte, 0, n+n/3)
	for i := range n {
		if i > 0 && (n-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, s[i])
	}
	return string(b)
}
