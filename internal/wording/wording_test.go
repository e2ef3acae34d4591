package wording

import (
	"testing"
	"time"

	"anken/internal/listing"
)

// TestPay writes DESIGN.md "Pay"'s worked examples, and a few more, as
// pages and mail show them: the quote first, then the month at the
// stated workload; never a part-time rate over 160 hours.
func TestPay(t *testing.T) {
	d := func(lo, hi int) listing.Range { return listing.Range{Min: lo, Max: hi} }
	q := func(u listing.RateUnit, lo, hi int64) listing.Rate { return listing.Rate{Unit: u, Min: lo, Max: hi} }
	for _, c := range []struct {
		name        string
		rate        listing.Rate
		days, hours listing.Range
		want        string
	}{
		// DESIGN.md's table.
		{"月額60万〜70万円", q(listing.PerMonth, 600_000, 700_000), d(0, 0), d(0, 0), "月額60万〜70万円"},
		{"時給4,000円〜", q(listing.PerHour, 4000, 0), d(0, 0), d(0, 0), "時給4,000円〜（月額換算 64万円〜）"},
		{"時給2,000〜3,500円（週1日〜）", q(listing.PerHour, 2000, 3500), d(1, 0), d(0, 0), "時給2,000〜3,500円（週1日で月6.4万〜11.2万円）"},
		{"時給4,500円・週1〜2日", q(listing.PerHour, 4500, 4500), d(1, 2), d(0, 0), "時給4,500円（週1〜2日で月14.4万〜28.8万円）"},
		{"月額10万円・週1日・月40時間", q(listing.PerMonth, 100_000, 100_000), d(1, 1), d(40, 40), "月額10万円（週1日・月40時間、時給換算 2,500円）"},
		{"日額3万円・週3日", q(listing.PerDay, 30_000, 30_000), d(3, 3), d(0, 0), "日額30,000円（週3日で月36万円）"},
		// Hours stated.
		{"時給2,500円・月40時間", q(listing.PerHour, 2500, 2500), d(0, 0), d(40, 40), "時給2,500円（月40時間で月10万円）"},
		{"時給5,000円・週5日・140〜180h", q(listing.PerHour, 5000, 5000), d(5, 5), d(140, 180), "時給5,000円（週5日・月140〜180時間で月70万〜90万円）"},
		{"時給3,000円〜・月80時間〜", q(listing.PerHour, 3000, 0), d(0, 0), d(80, 0), "時給3,000円〜（月80時間で月24万円〜）"},
		// Full-time work.
		{"時給4,000〜5,000円・週5日", q(listing.PerHour, 4000, 5000), d(5, 5), d(0, 0), "時給4,000〜5,000円（週5日で月64万〜80万円）"},
		{"日額4万円〜", q(listing.PerDay, 40_000, 0), d(0, 0), d(0, 0), "日額40,000円〜（月額換算 80万円〜）"},
		{"年収840万円", q(listing.PerYear, 8_400_000, 8_400_000), d(0, 0), d(0, 0), "年収840万円（月額換算 70万円）"},
		{"月額60万円・週3〜5日", q(listing.PerMonth, 600_000, 600_000), d(3, 5), d(0, 0), "月額60万円"},
		// Part-time monthly quotes state their workload.
		{"月額10万円・週1日〜", q(listing.PerMonth, 100_000, 100_000), d(1, 0), d(0, 0), "月額10万円（週1日、時給換算 3,125円）"},
		// A daily rate with only hours stated: no month at the workload.
		{"日額3万円・月80時間", q(listing.PerDay, 30_000, 30_000), d(0, 0), d(80, 80), "日額30,000円"},
		// No amount, and スキル見合い.
		{"no amount", listing.Rate{}, d(1, 2), d(0, 0), "単価応相談"},
		{"negotiable, no amount", listing.Rate{Negotiable: true}, d(0, 0), d(0, 0), "スキル見合い"},
		{"negotiable", listing.Rate{Unit: listing.PerHour, Min: 4000, Negotiable: true}, d(1, 1), d(0, 0), "時給4,000円〜（週1日で月12.8万円〜、スキル見合い）"},
		{"negotiable month", listing.Rate{Unit: listing.PerMonth, Min: 700_000, Negotiable: true}, d(0, 0), d(0, 0), "月額70万円〜（スキル見合い）"},
	} {
		t.Run(c.name, func(t *testing.T) {
			// As the normalizer stores it, and as an old row without the
			// derived figures: both read the same.
			derived := listing.Listing{Rate: c.rate, DaysPerWeek: c.days, HoursPerMonth: c.hours}
			derived.DerivePay()
			old := listing.Listing{Rate: c.rate, DaysPerWeek: c.days, HoursPerMonth: c.hours}
			if c.rate.Unit == listing.PerHour { // stored under the old rule: × 160
				old.Rate.MonthlyMin, old.Rate.MonthlyMax = c.rate.Min*160, c.rate.Max*160
			}
			for _, l := range []listing.Listing{derived, old} {
				if got := Pay(&l); got != c.want {
					t.Errorf("Pay = %q, want %q (workload %q)", got, c.want, l.Workload)
				}
			}
		})
	}
}

// TestPayParts splits Pay into the quote and its note.
func TestPayParts(t *testing.T) {
	l := listing.Listing{Rate: listing.Rate{Unit: listing.PerHour, Min: 4500, Max: 4500}, DaysPerWeek: listing.Range{Min: 1, Max: 2}}
	l.DerivePay()
	if quote, note := PayParts(&l); quote != "時給4,500円" || note != "週1〜2日で月14.4万〜28.8万円" {
		t.Errorf("PayParts = %q, %q", quote, note)
	}
	l = listing.Listing{Rate: listing.Rate{Unit: listing.PerMonth, Min: 600_000, Max: 700_000}}
	l.DerivePay()
	if quote, note := PayParts(&l); quote != "月額60万〜70万円" || note != "" {
		t.Errorf("PayParts = %q, %q", quote, note)
	}
}

// TestAsOf writes the time of figures in Japan's time.
func TestAsOf(t *testing.T) {
	for in, want := range map[time.Time]string{
		time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC):   "12月8日 9:00時点",
		time.Date(2026, 12, 31, 15, 5, 0, 0, time.UTC): "1月1日 0:05時点",
		{}: "",
	} {
		if got := AsOf(in); got != want {
			t.Errorf("AsOf(%v) = %q, want %q", in, got, want)
		}
	}
}
