package listing

import "testing"

// Every quote unit against stated days and hours, computed by hand from
// DESIGN.md "Pay".
func TestPayOf(t *testing.T) {
	r := func(u RateUnit, lo, hi int64) Rate { return Rate{Unit: u, Min: lo, Max: hi} }
	d := func(lo, hi int) Range { return Range{Min: lo, Max: hi} }
	for _, c := range []struct {
		name        string
		quote       Rate
		days, hours Range
		want        [4]int64 // monthly min, max; hourly min, max
		workload    Workload
	}{
		{"month, nothing stated", r(PerMonth, 600_000, 700_000), d(0, 0), d(0, 0), [4]int64{600_000, 700_000, 3750, 4375}, WorkloadFull},
		{"month, 週3〜5日: 128 h", r(PerMonth, 640_000, 0), d(3, 5), d(0, 0), [4]int64{640_000, 0, 5000, 0}, WorkloadFull},
		{"month, 週3〜4日: 112 h", r(PerMonth, 0, 560_000), d(3, 4), d(0, 0), [4]int64{0, 560_000, 0, 5000}, WorkloadFull},
		{"month, 週1日〜: 32 h", r(PerMonth, 100_000, 100_000), d(1, 0), d(0, 0), [4]int64{100_000, 100_000, 3125, 3125}, WorkloadPart},
		{"month, 精算幅 140〜180h", r(PerMonth, 600_000, 600_000), d(5, 5), d(140, 180), [4]int64{600_000, 600_000, 3750, 3750}, WorkloadFull},
		{"month, 週1日・月40時間", r(PerMonth, 100_000, 100_000), d(1, 1), d(40, 40), [4]int64{100_000, 100_000, 2500, 2500}, WorkloadPart},
		{"month, 140〜181h rounds down", r(PerMonth, 321_000, 0), d(0, 0), d(140, 181), [4]int64{321_000, 0, 2000, 0}, WorkloadFull},
		{"year ÷ 12 first", r(PerYear, 10_000_000, 12_000_000), d(0, 0), d(0, 0), [4]int64{833_333, 1_000_000, 5208, 6250}, WorkloadFull},
		{"hour, nothing stated: 160 h", r(PerHour, 4000, 0), d(0, 0), d(0, 0), [4]int64{640_000, 0, 4000, 0}, WorkloadFull},
		{"hour, 週1日〜: the missing max is 1", r(PerHour, 2000, 3500), d(1, 0), d(0, 0), [4]int64{64_000, 112_000, 2000, 3500}, WorkloadPart},
		{"hour, 週1〜2日", r(PerHour, 4500, 4500), d(1, 2), d(0, 0), [4]int64{144_000, 288_000, 4500, 4500}, WorkloadPart},
		{"hour, 〜週3日: the missing min is 3", r(PerHour, 3000, 3000), d(0, 3), d(0, 0), [4]int64{288_000, 288_000, 3000, 3000}, WorkloadPart},
		{"hour, hours before days", r(PerHour, 5000, 5000), d(5, 5), d(140, 180), [4]int64{700_000, 900_000, 5000, 5000}, WorkloadFull},
		{"hour, 月80時間〜", r(PerHour, 3000, 0), d(0, 0), d(80, 0), [4]int64{240_000, 0, 3000, 0}, WorkloadPart},
		{"day, nothing stated: 20 days", r(PerDay, 40_000, 0), d(0, 0), d(0, 0), [4]int64{800_000, 0, 5000, 0}, WorkloadFull},
		{"day, 週3日", r(PerDay, 30_000, 30_000), d(3, 3), d(0, 0), [4]int64{360_000, 360_000, 3750, 3750}, WorkloadPart},
		{"day, 週2〜3日; hours do not change a day's pay", r(PerDay, 30_001, 0), d(2, 3), d(100, 100), [4]int64{240_008, 0, 3750, 0}, WorkloadPart},
		{"週4日 is full", r(PerHour, 4000, 4000), d(4, 4), d(0, 0), [4]int64{512_000, 512_000, 4000, 4000}, WorkloadFull},
		{"週5日 under 120 h is part", r(PerHour, 4000, 4000), d(5, 5), d(100, 100), [4]int64{400_000, 400_000, 4000, 4000}, WorkloadPart},
		{"negotiable, no amount", Rate{Negotiable: true}, d(1, 2), d(0, 0), [4]int64{}, WorkloadPart},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := PayOf(c.quote, c.days, c.hours)
			got := [4]int64{p.MonthlyMin, p.MonthlyMax, p.HourlyMin, p.HourlyMax}
			if got != c.want {
				t.Errorf("monthly %d–%d, hourly %d–%d; want monthly %d–%d, hourly %d–%d",
					got[0], got[1], got[2], got[3], c.want[0], c.want[1], c.want[2], c.want[3])
			}
			if p.Unit != c.quote.Unit || p.Min != c.quote.Min || p.Max != c.quote.Max || p.Negotiable != c.quote.Negotiable {
				t.Errorf("the quote changed: %+v from %+v", p, c.quote)
			}
			if w := WorkloadOf(c.days, c.hours); w != c.workload {
				t.Errorf("workload %s, want %s", w, c.workload)
			}
			// Deriving again from a derived rate changes nothing.
			if again := PayOf(p, c.days, c.hours); again != p {
				t.Errorf("not idempotent: %+v then %+v", p, again)
			}
		})
	}
}
