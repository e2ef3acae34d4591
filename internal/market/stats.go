// Package market turns the listings into market figures (相場): the
// statistics of any search (/v1/stats), their daily snapshots and trend,
// and the income estimates of the side-job guides (/v1/estimate). How
// each figure is computed is fixed by DESIGN.md ("Market figures") and
// stated with the figures, so a reader can check them.
//
// The index counts (search.Index.Stats); this package shapes the counts
// into the answer the API and the pages share, and words them.
package market

import (
	"strconv"
	"strings"

	"anken/internal/search"
)

// Stats are the figures of the listings one search returns.
type Stats struct {
	Basis  string `json:"basis" enum:"monthly,hourly" doc:"Which pay the figures describe: monthly (rate.monthly_min/max, the pay for a month at each listing's stated workload) or hourly (rate.hourly_min/max)."`
	Count  int    `json:"count" doc:"Listings the search returns (each job once when collapsed, as its total)."`
	Priced int    `json:"priced" doc:"Of them, listings that state a rate."`
	// Rate and VolumeZone are nil when no listing states a rate.
	Rate       *RateSummary `json:"rate,omitempty" doc:"Rates in yen over the priced listings, monthly or hourly as basis says. A listing's rate is the midpoint of rate.monthly_min and rate.monthly_max (hourly: rate.hourly_min and rate.hourly_max; integer division) when both are given, else the one given. Quartiles and median by nearest rank (the value at 1-based position ⌈p·n⌉ of the ascending rates); mean rounded down. Absent when priced is 0."`
	Histogram  []Band       `json:"histogram" doc:"Priced listings per band [from, to) of their rate (5万円 monthly, 500円 hourly), from the band of rate.min to that of rate.max; empty when priced is 0."`
	VolumeZone *Zone        `json:"volume_zone,omitempty" doc:"ボリュームゾーン: the band [k×width, (k+1)×width) holding the most priced listings (the lower on a tie), width 10万円 monthly or 1,000円 hourly, with its annual equivalent (×12) for the monthly basis. Absent when priced is 0."`
	Breakdown  Breakdown    `json:"breakdown" doc:"Listings by role, skill (the 30 most frequent), prefecture and remote: value → listings. A listing that does not state a value is in none."`
}

// RateSummary sums up the priced listings' monthly rates, in yen.
type RateSummary struct {
	Min    int64 `json:"min"`
	P25    int64 `json:"p25"`
	Median int64 `json:"median"`
	P75    int64 `json:"p75"`
	Max    int64 `json:"max"`
	Mean   int64 `json:"mean"`
}

// Band is one band of the histogram: the priced listings whose rate is
// at least From and below To.
type Band struct {
	From  int64 `json:"from"`
	To    int64 `json:"to"`
	Count int   `json:"count"`
}

// Zone is the volume zone (ボリュームゾーン): the 10万円 band holding the
// most priced listings.
type Zone struct {
	From       int64  `json:"from" doc:"Yen (monthly, or hourly on the hourly basis), inclusive."`
	To         int64  `json:"to" doc:"Yen, exclusive."`
	Count      int    `json:"count" doc:"Priced listings in the band."`
	AnnualFrom *int64 `json:"annual_from,omitempty" doc:"from × 12; monthly basis only."`
	AnnualTo   *int64 `json:"annual_to,omitempty" doc:"to × 12; monthly basis only."`
	// Hourly says the zone is of hourly rates (1,000円 wide, no annual).
	Hourly bool `json:"-"`
}

// Breakdown counts listings by a few of their fields: value → listings.
type Breakdown struct {
	Role       map[string]int `json:"role"`
	Skill      map[string]int `json:"skill"`
	Prefecture map[string]int `json:"prefecture"`
	Remote     map[string]int `json:"remote"`
}

// Widths of the histogram's bands and of the volume zone, in monthly yen,
// and in yen an hour for the hourly figures.
const (
	BandWidth       = search.StatsBand       // 5万円
	ZoneWidth       = 100_000                // 10万円
	HourlyBandWidth = search.StatsHourlyBand // 500円
	HourlyZoneWidth = 1_000                  // 1,000円
)

// Basis names, as the API and the pages write them.
const (
	BasisMonthly = "monthly"
	BasisHourly  = "hourly"
)

// FromIndex shapes the index's counts of basis into the figures.
func FromIndex(s search.Stats, basis search.Basis) Stats {
	band, zone, name := int64(BandWidth), int64(ZoneWidth), BasisMonthly
	if basis == search.BasisHourly {
		band, zone, name = HourlyBandWidth, HourlyZoneWidth, BasisHourly
	}
	out := Stats{
		Basis:     name,
		Count:     s.Count,
		Priced:    s.Priced,
		Histogram: []Band{},
		Breakdown: Breakdown{
			Role:       orEmpty(s.Breakdown[search.FacetRole]),
			Skill:      orEmpty(s.Breakdown[search.FacetSkills]),
			Prefecture: orEmpty(s.Breakdown[search.FacetPrefecture]),
			Remote:     orEmpty(s.Breakdown[search.FacetRemote]),
		},
	}
	if s.Priced == 0 {
		return out
	}
	out.Rate = &RateSummary{Min: s.Min, P25: s.P25, Median: s.Median, P75: s.P75, Max: s.Max, Mean: s.Mean}
	for i := s.Min / band; i < int64(len(s.Bands)); i++ {
		out.Histogram = append(out.Histogram, Band{From: i * band, To: (i + 1) * band, Count: s.Bands[i]})
	}
	out.VolumeZone = volumeZone(s.Bands, band, zone)
	if z := out.VolumeZone; z != nil && basis == search.BasisHourly {
		z.Hourly, z.AnnualFrom, z.AnnualTo = true, nil, nil
	}
	return out
}

// volumeZone finds the zone-wide band with the most listings in bands of
// width band; nil when they hold none.
func volumeZone(bands []int, band, zoneWidth int64) *Zone {
	per := int(zoneWidth / band)
	var best *Zone
	for k := 0; k*per < len(bands); k++ {
		n := 0
		for _, c := range bands[k*per : min(len(bands), (k+1)*per)] {
			n += c
		}
		if n > 0 && (best == nil || n > best.Count) { // strictly more: the lower band wins a tie
			from := int64(k) * zoneWidth
			best = &Zone{From: from, To: from + zoneWidth, Count: n}
		}
	}
	if best != nil {
		af, at := best.From*12, best.To*12
		best.AnnualFrom, best.AnnualTo = &af, &at
	}
	return best
}

func orEmpty(m map[string]int) map[string]int {
	if m == nil {
		return map[string]int{}
	}
	return m
}

// Monthly words the zone as a monthly range: "60万〜70万円".
func (z Zone) Monthly() string { return manRange(z.From, z.To) }

// Annual words the zone's annual equivalent: "720万〜840万円".
func (z Zone) Annual() string { return manRange(z.From*12, z.To*12) }

// HourlyRange words an hourly zone: "3,000〜4,000円".
func (z Zone) HourlyRange() string {
	return strings.TrimPrefix(Yen(z.From), "¥") + "〜" + strings.TrimPrefix(Yen(z.To), "¥") + "円"
}

// Sentence words the zone as the job-type pages state it:
// "案件単価は月額60万〜70万円の範囲がボリュームゾーンで、年収に換算すると約720万〜840万円です。";
// an hourly zone: "時給は3,000〜4,000円の範囲がボリュームゾーンです。".
func (z Zone) Sentence() string {
	if z.Hourly {
		return "時給は" + z.HourlyRange() + "の範囲がボリュームゾーンです。"
	}
	return "案件単価は月額" + z.Monthly() + "の範囲がボリュームゾーンで、年収に換算すると約" + z.Annual() + "です。"
}

func manRange(from, to int64) string { return Man(from) + "〜" + Man(to) + "円" }

// Man writes yen in 万 (ten thousands) as Japanese prices are read:
// 650000 is "65万", 655000 "65.5万", 1234 "0.1万" (one decimal, rounded
// down), 0 "0".
func Man(yen int64) string {
	if yen == 0 {
		return "0"
	}
	neg := yen < 0
	if neg {
		yen = -yen
	}
	s := strconv.FormatInt(yen/10_000, 10)
	if d := yen % 10_000 / 1000; d > 0 {
		s += "." + strconv.FormatInt(d, 10)
	}
	if neg {
		s = "-" + s
	}
	return s + "万"
}

// ManYen is Man with 円: "65万円".
func ManYen(yen int64) string { return Man(yen) + "円" }

// Yen writes yen with the sign and thousands separators: "¥650,000".
func Yen(yen int64) string {
	if yen < 0 {
		return "-" + Yen(-yen)
	}
	s := strconv.FormatInt(yen, 10)
	var b strings.Builder
	b.WriteString("¥")
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
