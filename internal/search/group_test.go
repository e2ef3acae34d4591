package search

import (
	"bytes"
	"context"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"anken/internal/listing"
	"anken/internal/search/persist"
)

// TestCollapse checks collapsed searches against a brute-force grouping:
// every group with a matching listing appears once, as its first listing
// while that is open (else its open member with the lowest id), with the
// number of open offers and their rate range; facets count groups.
func TestCollapse(t *testing.T) {
	for _, rebuild := range []bool{false, true} {
		r := rand.New(rand.NewPCG(3, 5))
		x := NewIndex()
		x.walkMax = []int{walkMax, 0}[r.IntN(2)]
		x.countWalkMax = []int{countWalkMax, 0}[r.IntN(2)]
		live := map[int64]*listing.Listing{}
		put := func(id int64) {
			l := randomListing(r, id)
			if id > 10 && r.IntN(3) == 0 {
				l.GroupID = 1 + r.Int64N(id-1) // a repost of an earlier listing
			} else {
				l.GroupID = id
			}
			live[id] = l
			x.Upsert(l)
		}
		for id := range int64(400) {
			put(id + 1)
		}
		if rebuild {
			x.Rebuild(context.Background(), func(add func(*listing.Listing)) error {
				for _, l := range live {
					add(l)
				}
				return nil
			})
		}
		for i := range 400 {
			if i%20 == 0 {
				for range 15 {
					id := 1 + r.Int64N(450)
					if r.IntN(3) == 0 {
						delete(live, id)
						x.Delete(id)
					} else {
						put(id)
					}
				}
			}
			ls := slices.Collect(maps.Values(live))
			q := randomQuery(r, ls)
			q.Collapse = true
			q.Limit = 100
			// Representatives in a slice (1), or in a bitset (1<<30).
			x.denseRepsFrom = []int{1, 1 << 30}[i%2]

			// Brute force: group members, representatives, hits.
			members := map[int64][]*listing.Listing{}
			for _, l := range ls {
				members[l.GroupID] = append(members[l.GroupID], l)
			}
			rep := func(g int64) *listing.Listing {
				if l, ok := live[g]; ok && l.GroupID == g {
					return l
				}
				best := members[g][0]
				for _, m := range members[g] {
					if m.ID < best.ID {
						best = m
					}
				}
				return best
			}
			wantReps := map[int64]*listing.Listing{}
			for _, l := range ls {
				if oracleMatch(l, q) {
					r := rep(l.GroupID)
					wantReps[r.ID] = r
				}
			}
			var got []Hit
			res, err := x.Search(context.Background(), q)
			for err == nil {
				got = append(got, res.Hits...)
				if res.NextCursor == "" {
					break
				}
				q.Cursor = res.NextCursor
				res, err = x.Search(context.Background(), q)
			}
			if err != nil {
				t.Fatal(err)
			}
			q.Cursor = ""
			first, _ := x.Search(context.Background(), q)
			if first.Total != len(wantReps) || len(got) != len(wantReps) {
				t.Fatalf("query %+v: total %d, %d hits; want %d groups", q, first.Total, len(got), len(wantReps))
			}
			for _, h := range got {
				l, ok := wantReps[h.ID]
				if !ok {
					t.Fatalf("query %+v: hit %d is not a representative of a matching group", q, h.ID)
				}
				ms := members[l.GroupID]
				wantOffers, lo, hi := 0, int64(0), int64(0)
				if len(ms) > 1 {
					wantOffers = len(ms)
					for _, m := range ms {
						if v := rateLo(m.Rate); v > 0 && (lo == 0 || v < lo) {
							lo = v
						}
						hi = max(hi, rateHi(m.Rate))
					}
				}
				if h.Offers != wantOffers || h.RateMin != lo || h.RateMax != hi {
					t.Fatalf("hit %d: offers %d rates %d-%d; want %d, %d-%d", h.ID, h.Offers, h.RateMin, h.RateMax, wantOffers, lo, hi)
				}
			}
			wantFacets := oracleFacets(slices.Collect(maps.Values(wantReps)), q.Facets)
			if slices.Contains(q.Facets, FacetAgency) {
				// A collapsed job counts for every agency offering it.
				m := map[string]int{}
				for _, r := range wantReps {
					var seen []string
					for _, l := range members[r.GroupID] {
						if !slices.Contains(seen, l.Agency) {
							seen = append(seen, l.Agency)
							m[l.Agency]++
						}
					}
				}
				wantFacets[FacetAgency] = m
			}
			for _, f := range q.Facets {
				if !maps.Equal(first.Facets[f], wantFacets[f]) {
					t.Fatalf("query %+v: facet %s = %v, want %v", q, f, first.Facets[f], wantFacets[f])
				}
			}
		}
	}
}

// TestHitStamp: a hit's stamp stays while its listing is unchanged in the
// index, and changes when the index takes in another version of it, by a
// write, a rebuild or a snapshot read.
func TestHitStamp(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9))
	ls := []*listing.Listing{randomListing(r, 1), randomListing(r, 2)}
	x := NewIndex()
	for _, l := range ls {
		x.Upsert(l)
	}
	stampsOf := func(x *Index) map[int64]uint64 {
		t.Helper()
		res, err := x.Search(context.Background(), Query{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64]uint64{}
		for _, h := range res.Hits {
			if h.Stamp == 0 {
				t.Fatalf("hit %d has no stamp", h.ID)
			}
			out[h.ID] = h.Stamp
		}
		if len(out) != 2 {
			t.Fatalf("hits %+v, want listings 1 and 2", res.Hits)
		}
		return out
	}
	first := stampsOf(x)
	if first[1] == first[2] {
		t.Errorf("two listings share stamp %d", first[1])
	}
	if again := stampsOf(x); !maps.Equal(again, first) {
		t.Errorf("stamps %v, then %v with nothing written", first, again)
	}
	changed := *ls[0]
	changed.Title += " 改"
	x.Upsert(&changed)
	after := stampsOf(x)
	if after[1] == first[1] || after[2] != first[2] {
		t.Errorf("stamps %v, then %v after listing 1 changed; want 1's alone to change", first, after)
	}
	x.Rebuild(context.Background(), func(add func(*listing.Listing)) error {
		add(&changed)
		add(ls[1])
		return nil
	})
	rebuilt := stampsOf(x)
	if rebuilt[1] == after[1] || rebuilt[2] == after[2] {
		t.Errorf("stamps %v, then %v after a rebuild; want both new", after, rebuilt)
	}
	var buf bytes.Buffer
	if _, err := x.WriteSnapshot(&buf, persist.Info{Store: "s"}); err != nil {
		t.Fatal(err)
	}
	y := NewIndex()
	if _, err := y.LoadSnapshot(&buf, nil); err != nil {
		t.Fatal(err)
	}
	if read := stampsOf(y); read[1] == rebuilt[1] || read[2] == rebuilt[2] {
		t.Errorf("stamps %v, then %v in an index read from a snapshot; want both new", rebuilt, read)
	}
}
