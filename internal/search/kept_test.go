package search

import (
	"context"
	"math/rand/v2"
	"reflect"
	"testing"

	"anken/internal/listing"
)

// TestKeptAnswersFollowWrites asks the same queries again and again
// between random writes: every answer of x, which keeps them, must equal
// the one y, given the same writes, computes afresh; and figures asked
// twice with no write between are answered from kept.
func TestKeptAnswersFollowWrites(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 8))
	x, y := NewIndex(), NewIndex()
	x.walkMax, y.walkMax = 0, 0 // facets of every page counted by countWalk or countFacets
	var next int64 = 1
	put := func(id int64) {
		l := randomListing(r, id)
		statsRate(r, l)
		switch {
		case id > 10 && r.IntN(3) == 0:
			l.GroupID = 1 + r.Int64N(id-1)
		case id > 10 && r.IntN(8) == 0:
			l.GroupID = id + 1 + r.Int64N(8) // a group named by a later listing
		}
		x.Upsert(l)
		y.Upsert(l)
	}
	for range 400 {
		put(next)
		next++
	}
	yes := true
	queries := []Query{
		{Facets: Facets},
		{Facets: Facets, Collapse: true},
		{Roles: []listing.Role{listing.RoleBackend}, Facets: []Facet{FacetSkills, FacetPrefecture}},
		{Text: jaWords[0], Facets: Facets, Collapse: true},
		{SideJob: &yes, RateMin: 500_000, Facets: []Facet{FacetRole, FacetRate}},
	}
	ctx := context.Background()
	reused := 0
	for round := range 300 {
		if round%3 == 0 {
			switch id := 1 + r.Int64N(next-1); r.IntN(3) {
			case 0:
				put(id)
			case 1:
				x.Delete(id)
				y.Delete(id)
			default:
				put(next)
				next++
			}
		}
		for _, q := range queries {
			if r.IntN(2) == 0 {
				x.countWalkMax = []int{countWalkMax, 0}[r.IntN(2)]
				y.countWalkMax = x.countWalkMax
			}
			res, err := x.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			st, err := x.Stats(ctx, q, BasisMonthly)
			if err != nil {
				t.Fatal(err)
			}
			again, _ := x.Stats(ctx, q, BasisMonthly)
			if len(st.Bands) > 0 && &again.Bands[0] == &st.Bands[0] {
				reused++
			}
			y.keptStats.reset()
			y.keptFacets.reset()
			fresh, err := y.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			y.keptStats.reset()
			y.keptFacets.reset()
			freshSt, err := y.Stats(ctx, q, BasisMonthly)
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != fresh.Total || !reflect.DeepEqual(res.Facets, fresh.Facets) {
				t.Fatalf("round %d, query %+v: facets %v, afresh %v", round, q, res.Facets, fresh.Facets)
			}
			if !reflect.DeepEqual(st, freshSt) {
				t.Fatalf("round %d, query %+v: figures %+v, afresh %+v", round, q, st, freshSt)
			}
			// The hourly figures are kept apart from the monthly ones.
			hst, err := x.Stats(ctx, q, BasisHourly)
			if err != nil {
				t.Fatal(err)
			}
			y.keptStats.reset()
			if freshH, _ := y.Stats(ctx, q, BasisHourly); !reflect.DeepEqual(hst, freshH) {
				t.Fatalf("round %d, query %+v: hourly figures %+v, afresh %+v", round, q, hst, freshH)
			}
		}
	}
	if reused == 0 {
		t.Error("no figures were answered from kept")
	}
}

// TestKeptAnswersOutliveUnrelatedWrites: figures kept for a query are
// answered again after a write that matches the query neither before nor
// after it, and counted again after one that does.
func TestKeptAnswersOutliveUnrelatedWrites(t *testing.T) {
	x := NewIndex()
	for i := int64(1); i <= 10; i++ {
		x.Upsert(fixedListing(i))
	}
	ctx := context.Background()
	q := Query{Text: "決済基盤"}
	first, err := x.Stats(ctx, q, BasisMonthly)
	if err != nil || len(first.Bands) == 0 {
		t.Fatalf("stats %+v, %v", first, err)
	}
	x.Upsert(edited(fixedListing(1), func(l *listing.Listing) { l.Description = "保守" }))
	again, _ := x.Stats(ctx, q, BasisMonthly)
	if &again.Bands[0] != &first.Bands[0] {
		t.Error("a write matching neither way made the figures be counted again")
	}
	x.Upsert(edited(fixedListing(6), func(l *listing.Listing) { l.Rate.MonthlyMax = 3_000_000 }))
	after, _ := x.Stats(ctx, q, BasisMonthly)
	if &after.Bands[0] == &first.Bands[0] || after.Max != 3_000_000 {
		t.Errorf("a write to a hit kept the figures: max %d", after.Max)
	}
}
