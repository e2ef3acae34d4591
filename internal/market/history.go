package market

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"time"

	"anken/internal/store"
)

// HistoryDays is how many days of market history a demo store starts
// with, today included.
const HistoryDays = 180

// History makes believable market history for the days-1 days before
// today's snapshots, so that a fresh demo's trend charts are not empty.
// Each scope's series ends at today's figures and runs back from them:
// its count and median drift by a gentle trend of their own (mostly
// growth: more listings and slightly higher rates today than half a year
// ago), with a weekly rhythm (fewer open listings over the weekend) and
// autocorrelated noise; the quartiles move with the median, rates are
// kept to 5,000-yen steps and the volume zone is the 10万円 band the
// shifted zone falls in. Every snapshot is marked Demo. The output depends
// only on today's snapshots and seed.
func History(today []store.MarketSnapshot, days int, seed uint64) []store.MarketSnapshot {
	var out []store.MarketSnapshot
	for _, t := range today {
		day, err := time.Parse(time.DateOnly, t.Day)
		if err != nil {
			continue
		}
		h := fnv.New64a()
		h.Write([]byte(t.Scope))
		r := rand.New(rand.NewPCG(seed, h.Sum64()))
		// Over the whole period: count −10 % … +35 %, median −2 % … +6 %.
		countGrowth := -0.10 + 0.45*r.Float64()
		rateGrowth := -0.02 + 0.08*r.Float64()
		var countNoise, rateNoise float64
		for d := 1; d < days; d++ {
			ago := float64(d) / float64(days)
			countNoise = 0.8*countNoise + 0.008*r.NormFloat64()
			rateNoise = 0.9*rateNoise + 0.004*r.NormFloat64()
			date := day.AddDate(0, 0, -d)
			weekly := 1.0
			switch date.Weekday() {
			case time.Saturday:
				weekly = 0.985
			case time.Sunday:
				weekly = 0.975
			}
			s := store.MarketSnapshot{Day: date.Format(time.DateOnly), Scope: t.Scope, Demo: true}
			count := float64(t.Count) * (1 - countGrowth*ago) * weekly * (1 + countNoise)
			s.Count = max(0, int(math.Round(count)))
			if t.Count > 0 {
				s.Priced = min(s.Count, int(math.Round(float64(s.Count)*float64(t.Priced)/float64(t.Count))))
			}
			if t.Median > 0 && s.Priced > 0 {
				factor := (1 - rateGrowth*ago) * (1 + rateNoise)
				shift := func(v int64) int64 { return max(0, step(float64(v)*factor)) }
				s.P25, s.Median, s.P75 = shift(t.P25), shift(t.Median), shift(t.P75)
				if t.ZoneTo > 0 {
					mid := float64(t.ZoneFrom+t.ZoneTo) / 2 * factor
					s.ZoneFrom = int64(mid) / 100_000 * 100_000
					s.ZoneTo = s.ZoneFrom + 100_000
				}
			}
			out = append(out, s)
		}
	}
	return out
}

// step rounds yen to 5,000-yen steps, as agencies quote rates.
func step(v float64) int64 { return int64(math.Round(v/5000)) * 5000 }
