package search

import (
	"context"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"anken/internal/listing"
)

// TestUnchangedOracle: whenever Unchanged says the writes since a
// position left a search's first page as it was, searching again answers
// exactly the same (hits, their stamps and offers, total, facets) and
// Stats the same figures; and it does say so for a good share of
// searches, or keeping answers across writes would keep nothing.
func TestUnchangedOracle(t *testing.T) {
	for _, collapse := range []bool{false, true} {
		for _, walk := range []int{0, walkMax} {
			r := rand.New(rand.NewPCG(7, uint64(walk+1)))
			x := NewIndex()
			x.walkMax = walk
			if walk == 0 {
				x.countWalkMax = 0 // facets by bitmaps too
			}
			live := map[int64]*listing.Listing{}
			var nextID int64 = 1
			group := func(id int64) int64 {
				if !collapse || id < 10 || r.IntN(3) > 0 {
					return []int64{0, id}[r.IntN(2)] // alone, as the store says it or not
				}
				return 1 + r.Int64N(id-1)
			}
			put := func(l *listing.Listing) {
				if l.Status == listing.StatusOpen {
					live[l.ID] = l
				} else {
					delete(live, l.ID)
				}
				x.Upsert(l)
			}
			create := func() {
				l := randomListing(r, nextID)
				l.GroupID = group(nextID)
				nextID++
				put(l)
			}
			for range 400 {
				create()
			}
			write := func() {
				id := 1 + r.Int64N(nextID-1)
				l := live[id]
				switch {
				case l == nil || r.IntN(5) == 0:
					create()
				case r.IntN(6) == 0:
					put(edited(l, func(c *listing.Listing) { c.Status = listing.StatusClosed }))
				case r.IntN(6) == 0:
					put(edited(l, func(c *listing.Listing) { c.GroupID = group(c.ID) }))
				default:
					fresh := randomListing(r, l.ID)
					fresh.GroupID = l.GroupID
					put(fresh)
				}
			}
			kept, checked := 0, 0
			for round := range 600 {
				q := randomQuery(r, slices.Collect(maps.Values(live)))
				if r.IntN(3) == 0 {
					q.Text = ""
				}
				q.Collapse = collapse
				q.Limit = 1 + r.IntN(8)
				ctx := context.Background()
				at := x.Position()
				before, err := x.Search(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				basis := Basis(r.IntN(2))
				beforeStats, err := x.Stats(ctx, q, basis)
				if err != nil {
					t.Fatal(err)
				}
				writes := r.IntN(4)
				for range writes {
					write()
				}
				now, ok := x.Unchanged(q, at)
				if now != x.Position() {
					t.Fatalf("Unchanged answered position %d, the index is at %d", now, x.Position())
				}
				if writes == 0 && !ok {
					t.Fatalf("round %d: no write, and the answer changed?", round)
				}
				if !ok {
					continue
				}
				if writes > 0 {
					kept++
				}
				checked++
				after, err := x.Search(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				before.NextCursor, after.NextCursor = "", "" // they name the position
				if !reflect.DeepEqual(before, after) {
					t.Fatalf("collapse %v, walk %d, round %d, query %+v: unchanged, yet\nbefore %+v\n after %+v",
						collapse, walk, round, q, before, after)
				}
				afterStats, err := x.Stats(ctx, q, basis)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(beforeStats, afterStats) {
					t.Fatalf("round %d, query %+v: unchanged, yet stats\nbefore %+v\n after %+v", round, q, beforeStats, afterStats)
				}
			}
			if kept < 50 {
				t.Errorf("collapse %v, walk %d: only %d answers were unchanged by a write (of %d checked)", collapse, walk, kept, checked)
			}
			t.Logf("collapse %v, walk %d: %d answers kept across writes, %d checked", collapse, walk, kept, checked)
		}
	}
}

// TestUnchangedBounds: a cursor's page, a position older than the
// history, and too many writes ago are never unchanged once the index has
// moved.
func TestUnchangedBounds(t *testing.T) {
	x := NewIndex()
	for i := int64(1); i <= 10; i++ {
		x.Upsert(fixedListing(i))
	}
	at := x.Position()
	q := Query{Text: "決済基盤", Limit: 2}
	if _, ok := x.Unchanged(q, at); !ok {
		t.Fatal("not unchanged at its own position")
	}
	x.Upsert(edited(fixedListing(1), func(l *listing.Listing) { l.Description = "保守" })) // matches neither way
	if _, ok := x.Unchanged(q, at); !ok {
		t.Error("a write that matches neither way changed the answer")
	}
	withCursor := q
	withCursor.Cursor = "c4.x"
	if _, ok := x.Unchanged(withCursor, at); ok {
		t.Error("a later page kept across a write")
	}
	x.Upsert(edited(fixedListing(5), func(l *listing.Listing) { l.Rate.MonthlyMax = 1 })) // a hit
	if _, ok := x.Unchanged(q, at); ok {
		t.Error("a write to a hit left the answer unchanged")
	}
	at = x.Position()
	for range unchangedMaxWrites + 1 {
		x.Upsert(edited(fixedListing(2), func(l *listing.Listing) { l.Description = "保守" }))
	}
	if _, ok := x.Unchanged(q, at); ok {
		t.Error("checked more writes than unchangedMaxWrites")
	}
	if _, ok := x.Unchanged(q, -1); ok {
		t.Error("a position before the history")
	}
}
