package web

import (
	"testing"
	"time"

	"anken/internal/catalog"
	"anken/internal/listing"
)

// TestGroupCard checks a collapsed job's card: the representative's own
// quote first; the offers' monthly range beside the agency count only for
// full-time work, and only when it says more than the quote.
func TestGroupCard(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	hit := func(r listing.Rate, days, hours listing.Range, o *catalog.Offers) catalog.Hit {
		l := listing.Listing{ID: 1, Title: "案件", Rate: r, DaysPerWeek: days, HoursPerMonth: hours, PostedAt: now}
		l.DerivePay()
		return catalog.Hit{Listing: l, Offers: o}
	}
	d := func(lo, hi int) listing.Range { return listing.Range{Min: lo, Max: hi} }
	for _, c := range []struct {
		name             string
		hit              catalog.Hit
		rate, note, from string
	}{
		{"full, monthly, wider", hit(listing.Rate{Unit: listing.PerMonth, Min: 600_000, Max: 650_000}, d(5, 5), d(0, 0), &catalog.Offers{Count: 3, MonthlyMin: 600_000, MonthlyMax: 700_000}),
			"月額60万〜65万円", "", "3社が掲載（月額60万〜70万円）"},
		{"full, monthly, the same", hit(listing.Rate{Unit: listing.PerMonth, Min: 600_000, Max: 700_000}, d(0, 0), d(0, 0), &catalog.Offers{Count: 2, MonthlyMin: 600_000, MonthlyMax: 700_000}),
			"月額60万〜70万円", "", "2社が掲載"},
		{"full, hourly", hit(listing.Rate{Unit: listing.PerHour, Min: 4000, Max: 4000}, d(5, 5), d(0, 0), &catalog.Offers{Count: 2, MonthlyMin: 600_000, MonthlyMax: 640_000}),
			"時給4,000円", "週5日で月64万円", "2社が掲載（月額60万〜64万円）"},
		{"part, hourly", hit(listing.Rate{Unit: listing.PerHour, Min: 4500, Max: 4500}, d(1, 2), d(0, 0), &catalog.Offers{Count: 2, MonthlyMin: 144_000, MonthlyMax: 720_000}),
			"時給4,500円", "週1〜2日で月14.4万〜28.8万円", "2社が掲載"},
		{"one agency", hit(listing.Rate{Unit: listing.PerDay, Min: 30_000, Max: 30_000}, d(3, 3), d(0, 0), nil),
			"日額30,000円", "週3日で月36万円", "a"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.hit.Agency = "a"
			got := newCard(c.hit, now, nil)
			if got.Rate != c.rate || got.RateNote != c.note || got.Source != c.from {
				t.Errorf("card %q（%q）, %q; want %q（%q）, %q", got.Rate, got.RateNote, got.Source, c.rate, c.note, c.from)
			}
		})
	}
}
