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
	Count  int `json:"count" doc:"Listings the search returns (each job once when collapsed, as its total)."`
	Priced int `json:"priced" doc:"Of them, listings that state a rate."`
	// Rate and VolumeZone are nil when no listing states a rate.
	Rate       *RateSummary `json:"rate,omitempty" doc:"Monthly rates in yen over the priced listings. A listing's rate is the midpoint of rate.monthly_min and rate.monthly_max (integer division) when both are given, else the one given. Quartiles and median by nearest rank (the value at 1-based position ⌈p·n⌉ of the ascending rates); mean rounded down. Absent when priced is 0."`
	Histogram  []Band       `json:"histogram" doc:"Priced listings per 5万円 band [from, to) of their rate, from the band of rate.min to that of rate.max; empty when priced is 0."`
	VolumeZone *Zone        `json:"volume_zone,omitempty" doc:"ボリュームゾーン: the 10万円 band [k×100,000, (k+1)×100,000) holding the most priced listings (the lower on a tie), with its annual equivalent (×12). Absent when priced is 0."`
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
	From       int64 `json:"from" doc:"Monthly yen, inclusive."`
	To         int64 `json:"to" doc:"Monthly yen, exclusive."`
	Count      int   `json:"count" doc:"Priced listings in the band."`
	AnnualFrom int64 `json:"annual_from" doc:"from × 12."`
	AnnualTo   int64 `json:"annual_to" doc:"to × 12."`
}

// Breakdown counts listings by a few of their fields: value → listings.
type Breakdown struct {
	Role       map[string]int `json:"role"`
	Skill      map[string]int `json:"skill"`
	Prefecture map[string]int `json:"prefecture"`
	Remote     map[string]int `json:"remote"`
}

// Widths of the histogram's bands and of the volume zone, in monthly yen.
const (
	BandWidth = search.StatsBand // 5万円
	ZoneWidth = 100_000          // 10万円
)

// FromIndex shapes the index's counts into the figures.
func FromIndex(s search.Stats) Stats {
	out := Stats{
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
	for i := s.Min / BandWidth; i < int64(len(s.Bands)); i++ {
		out.Histogram = append(out.Histogram, Band{From: i * BandWidth, To: (i + 1) * BandWidth, Count: s.Bands[i]})
	}
	out.VolumeZone = volumeZone(s.Bands)
	return out
}

// volumeZone finds the 10万円 band with the most listings in 5万円 bands;
// nil when they hold none.
func volumeZone(bands []int) *Zone {
	const per = ZoneWidth / BandWidth
	var best *Zone
	for k := 0; k*per < len(bands); k++ {
		n := 0
		for _, c := range bands[k*per : min(len(bands), (k+1)*per)] {
			n += c
		}
		if n > 0 && (best == nil || n > best.Count) { // strictly more: the lower band wins a tie
			from := int64(k) * ZoneWidth
			best = &Zone{From: from, To: from + ZoneWidth, Count: n}
		}
	}
	if best != nil {
		best.AnnualFrom, best.AnnualTo = best.From*12, best.To*12
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
func (z Zone) Annual() string { return manRange(z.AnnualFrom, z.AnnualTo) }

// Sentence words the zone as the job-type pages state it:
// "案件単価は月額60万〜70万円の範囲がボリュームゾーンで、年収に換算すると約720万〜840万円です。"
func (z Zone) Sentence() string {
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
