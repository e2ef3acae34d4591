package search

import (
	"context"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"anken/internal/listing"
)

// TestStatsOracle compares every figure of Stats with a direct computation
// over the same search's hits (every page of Search, with its collapse),
// on random listings and random searches, across writes, on the walk's
// paths: breakdowns walked or intersected, one part or several.
func TestStatsOracle(t *testing.T) {
	for _, tc := range []struct {
		name     string
		walked   bool // breakdowns counted by walking the hits
		parts    bool // several parts
		collapse bool
	}{
		{"walked", true, false, false},
		{"walked collapse", true, true, true},
		{"bitmaps", false, true, false},
		{"bitmaps collapse", false, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.parts {
				defer func(n int) { minPart = n }(minPart)
				minPart = 32
			}
			x := NewIndex()
			if !tc.walked {
				x.countWalkMax = 0
			}
			rounds := 400
			if testing.Short() || raceEnabled {
				rounds = 100
			}
			testStatsOracle(t, x, tc.collapse, rounds)
		})
	}
}

// statsRate draws a rate that exercises the figures: odd sums for the
// midpoint's rounding, many listings at one rate, band edges, the top of
// the range and beyond it.
func statsRate(r *rand.Rand, l *listing.Listing) {
	switch r.IntN(6) {
	case 0:
		lo := 300_000 + r.Int64N(700_001)
		l.Rate = listing.Rate{MonthlyMin: lo, MonthlyMax: lo + r.Int64N(300_001)}
	case 1:
		l.Rate = listing.Rate{MonthlyMin: []int64{600_000, 650_000, 700_000, 649_999, 650_001}[r.IntN(5)]}
	case 2:
		l.Rate = listing.Rate{MonthlyMax: []int64{100_000, 1_000_000, 4_999_999, 5_000_000, 5_123_457}[r.IntN(5)]}
	case 3:
		l.Rate = listing.Rate{MonthlyMin: 1 + r.Int64N(5_000_000), MonthlyMax: 5_000_000}
	}
	// Hourly figures of the same shapes: odd sums, one rate shared by
	// many, band edges, and past the last 10円 bucket (50,000円).
	switch r.IntN(5) {
	case 0:
		lo := 1000 + r.Int64N(7001)
		l.Rate.HourlyMin, l.Rate.HourlyMax = lo, lo+r.Int64N(3001)
	case 1:
		l.Rate.HourlyMin, l.Rate.HourlyMax = []int64{3500, 4000, 4499, 4500, 4501}[r.IntN(5)], 0
	case 2:
		l.Rate.HourlyMin, l.Rate.HourlyMax = 0, []int64{62, 49_999, 50_000, 50_001, 123_457, listing.MaxHourlyYen}[r.IntN(6)]
	}
	// else: randomListing's own rate (unknown, a range, a maximum, hourly)
}

func testStatsOracle(t *testing.T, x *Index, collapse bool, rounds int) {
	r := rand.New(rand.NewPCG(13, 17))
	live := map[int64]*listing.Listing{}
	var nextID int64 = 1
	put := func(id int64) {
		l := randomListing(r, id)
		statsRate(r, l)
		if collapse && id > 10 && r.IntN(3) == 0 {
			l.GroupID = 1 + r.Int64N(id-1) // a repost of an earlier listing
		}
		live[id] = l
		x.Upsert(l)
	}
	for range 600 {
		put(nextID)
		nextID++
	}
	for round := range rounds {
		if round%20 == 0 { // churn: replace, close, add
			for range 20 {
				switch id := 1 + r.Int64N(nextID-1); r.IntN(3) {
				case 0:
					put(id)
				case 1:
					delete(live, id)
					x.Delete(id)
				default:
					put(nextID)
					nextID++
				}
			}
		}
		q := randomQuery(r, slices.Collect(maps.Values(live)))
		switch r.IntN(4) {
		case 0:
			q.Text = "" // many hits
		case 1:
			q.Text = jaWords[r.IntN(len(jaWords))]
		}
		q.Collapse = collapse
		q.Limit = MaxLimit

		var hits []*listing.Listing
		var res Result
		for page := 0; page == 0 || res.NextCursor != ""; page++ {
			next := q
			next.Cursor = res.NextCursor
			var err error
			if res, err = x.Search(context.Background(), next); err != nil {
				t.Fatal(err)
			}
			for _, h := range res.Hits {
				hits = append(hits, live[h.ID])
			}
		}
		for _, basis := range []Basis{BasisMonthly, BasisHourly} {
			got, err := x.Stats(context.Background(), q, basis)
			if err != nil {
				t.Fatal(err)
			}
			if want := directStats(hits, basis); !reflect.DeepEqual(got, want) {
				t.Fatalf("round %d, basis %d, query %+v:\n got %+v\nwant %+v", round, basis, q, got, want)
			}
		}
	}
}

// directStats computes the figures of hits the straightforward way, as
// DESIGN.md states them.
func directStats(hits []*listing.Listing, basis Basis) Stats {
	band := int64(50_000)
	if basis == BasisHourly {
		band = 500
	}
	st := Stats{Count: len(hits), Breakdown: map[Facet]map[string]int{}, BandWidth: band}
	for _, f := range StatsFacets {
		st.Breakdown[f] = map[string]int{}
	}
	var rates []int64
	for _, l := range hits {
		mn, mx := l.Rate.MonthlyMin, l.Rate.MonthlyMax
		if basis == BasisHourly {
			mn, mx = l.Rate.HourlyMin, l.Rate.HourlyMax
		}
		switch {
		case mn > 0 && mx > 0:
			rates = append(rates, (mn+mx)/2)
		case mn > 0:
			rates = append(rates, mn)
		case mx > 0:
			rates = append(rates, mx)
		}
		if l.Role != "" {
			st.Breakdown[FacetRole][string(l.Role)]++
		}
		if l.Remote != "" {
			st.Breakdown[FacetRemote][string(l.Remote)]++
		}
		if l.Prefecture != "" {
			st.Breakdown[FacetPrefecture][l.Prefecture]++
		}
		for _, s := range l.Skills {
			st.Breakdown[FacetSkills][s]++
		}
	}
	if len(rates) == 0 {
		return st
	}
	slices.Sort(rates)
	n := len(rates)
	st.Priced = n
	st.Min, st.Max = rates[0], rates[n-1]
	// Nearest rank: position ⌈p·n⌉, 1-based.
	rank := func(num, den int) int64 { return rates[(num*n+den-1)/den-1] }
	st.P25, st.Median, st.P75 = rank(1, 4), rank(1, 2), rank(3, 4)
	var sum int64
	for _, v := range rates {
		sum += v
	}
	st.Mean = sum / int64(n)
	st.Bands = make([]int, st.Max/band+1)
	for _, v := range rates {
		st.Bands[v/band]++
	}
	return st
}

func TestStatsRate(t *testing.T) {
	for _, c := range []struct {
		r    listing.Rate
		want int64
	}{
		{listing.Rate{}, 0},
		{listing.Rate{MonthlyMin: 600_000, MonthlyMax: 700_000}, 650_000},
		{listing.Rate{MonthlyMin: 600_000, MonthlyMax: 700_001}, 650_000}, // rounded down
		{listing.Rate{MonthlyMin: 800_000}, 800_000},
		{listing.Rate{MonthlyMax: 800_000}, 800_000},
	} {
		if got := StatsRate(c.r); got != c.want {
			t.Errorf("StatsRate(%+v) = %d, want %d", c.r, got, c.want)
		}
	}
}

// TestStatsEmpty: a search without hits, and one whose hits state no rate.
func TestStatsEmpty(t *testing.T) {
	x := NewIndex()
	st, err := x.Stats(context.Background(), Query{}, BasisMonthly)
	if err != nil || st.Count != 0 || st.Priced != 0 || st.Bands != nil {
		t.Fatalf("empty index: %+v, %v", st, err)
	}
	for i := range 3 {
		x.Upsert(&listing.Listing{ID: int64(i + 1), Title: "Go " + strconv.Itoa(i), Status: listing.StatusOpen,
			Role: listing.Roles[0]})
	}
	st, err = x.Stats(context.Background(), Query{Text: "go"}, BasisMonthly)
	if err != nil || st.Count != 3 || st.Priced != 0 || st.Median != 0 || st.Breakdown[FacetRole][string(listing.Roles[0])] != 3 {
		t.Fatalf("unpriced: %+v, %v", st, err)
	}
}
