package search

import (
	"context"
	"slices"
	"sync"

	"anken/internal/listing"
)

// Stats sums up the listings a search returns: the counts behind the
// market figures (DESIGN.md, "Market figures"). The market package shapes
// them for the API and the pages.
//
// A listing's rate here is one number of monthly yen: the midpoint of
// monthly_min and monthly_max (integer division) when both are stated,
// else the one stated (StatsRate). A listing with neither counts in Count
// but not in Priced, nor in any rate figure.
type Stats struct {
	Count  int // hits (groups, when collapsed)
	Priced int // hits with a rate
	// Over the priced hits' rates; all zero when Priced is 0. The
	// quartiles and the median are by nearest rank: the rate at 1-based
	// position ⌈p·Priced⌉ in ascending order. Mean is the sum divided by
	// Priced, rounded down.
	Min, P25, Median, P75, Max, Mean int64
	// Bands counts the priced hits per 5万円 band of their rate: Bands[i]
	// holds the rates in [i·50,000, (i+1)·50,000). Its last element is
	// the band of Max; nil when Priced is 0.
	Bands []int
	// Breakdown counts the hits by role, skills (the 30 most frequent, as
	// the skills facet), prefecture and remote: value → hits. A listing
	// that does not state a value is in none of them.
	Breakdown map[Facet]map[string]int
}

// StatsFacets are the breakdowns Stats counts.
var StatsFacets = []Facet{FacetRole, FacetSkills, FacetPrefecture, FacetRemote}

// StatsBand is the width in yen of a band of Stats.Bands.
const StatsBand = rateBandWidth

// StatsRate is a listing's rate for statistics: the midpoint of
// MonthlyMin and MonthlyMax (integer division) when both are stated, else
// the one stated; 0 when neither is.
func StatsRate(r listing.Rate) int64 { return (rateLo(r) + rateHi(r)) / 2 }

// bucketWidth is the width in yen of the buckets the rates are first
// counted in: narrow enough that finding a quantile inside one takes a
// count of at most bucketWidth values, wide enough that the counts of one
// walk stay small. Every rate at or above maxBucket·bucketWidth shares the
// last bucket.
const (
	bucketWidth = 1000
	maxBucket   = listing.MaxMonthlyYen / bucketWidth
)

// Stats answers the figures of the listings q returns, with its collapse:
// each duplicate group counts once, as its representative, as in Search's
// Total. Text, filters and Collapse count; Sort, Facets, Cursor and Limit
// are ignored.
//
// It walks the hits once, one part per core, reading each hit's packed
// columns: the rate into counts by 1,000-yen bucket (the rates themselves
// kept in the walk's own array of slots), and, for up to countWalkMax hits,
// the breakdown values; for more hits the breakdowns are counted by
// intersecting bitmaps, as Search's facets are. A quantile is then found
// in its bucket by counting the rates of that bucket alone.
func (x *Index) Stats(ctx context.Context, q Query) (Stats, error) {
	q.Cursor, q.Facets = "", nil
	q = q.withDefaults()
	terms := parseText(q.Text)

	x.mu.RLock()
	defer x.mu.RUnlock()
	p, err := x.plan(ctx, q, terms)
	if err != nil {
		return Stats{}, err
	}
	hits := p.cand
	if q.Collapse {
		hits = x.collapse(hits)
	}
	fs := newFacetSet(StatsFacets)
	slots := hits.ToArray() // the walk's own: each part overwrites its slots with its rates
	walkFacets := len(slots) <= x.countWalkMax
	parts := split(len(slots))
	acc := make([]statsPart, len(parts))
	var wg sync.WaitGroup
	for i, r := range parts {
		wg.Go(func() { x.statsPart(ctx, slots[r[0]:r[1]], &acc[i], fs, walkFacets) })
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return Stats{}, err
	}
	var counts facetCounts
	if walkFacets {
		counts = fs.newCounts(len(x.skillSlug))
		for i := range acc {
			counts.merge(&acc[i].counts)
		}
	} else {
		counts = x.countFacets(fs, hits)
	}
	st := Stats{Count: len(slots), Breakdown: counts.result(fs, x.skillSlug)}
	// The priced rates of part i are slots[parts[i][0]:][:acc[i].priced].
	rates := make([][]uint32, len(parts))
	var buckets [maxBucket + 1]int
	var sum int64
	for i, a := range acc {
		rates[i] = slots[parts[i][0]:][:a.priced]
		if a.priced == 0 {
			continue
		}
		if st.Priced == 0 || a.min < st.Min {
			st.Min = a.min
		}
		st.Max = max(st.Max, a.max)
		st.Priced += a.priced
		sum += a.sum
		for b, n := range a.buckets {
			buckets[b] += int(n)
		}
	}
	if st.Priced == 0 {
		return st, nil
	}
	n := st.Priced
	st.Mean = sum / int64(n)
	at := ratesAt(rates, &buckets, [3]int{(n + 3) / 4, (n + 1) / 2, (3*n + 3) / 4})
	st.P25, st.Median, st.P75 = at[0], at[1], at[2]

	st.Bands = make([]int, st.Max/StatsBand+1)
	const perBand = StatsBand / bucketWidth
	for b, c := range buckets[:maxBucket] {
		if c > 0 {
			st.Bands[b/perBand] += c
		}
	}
	if buckets[maxBucket] > 0 { // the last bucket may hold rates of several bands
		for _, rs := range rates {
			for _, v := range rs {
				if v >= maxBucket*bucketWidth {
					st.Bands[v/StatsBand]++
				}
			}
		}
	}
	return st, nil
}

// statsPart is what one part of the walk counts.
type statsPart struct {
	priced   int
	sum      int64
	min, max int64
	buckets  [maxBucket + 1]int32
	counts   facetCounts
}

// statsPart walks slots, counting into a; it overwrites the front of
// slots with the priced hits' rates, a.priced of them.
func (x *Index) statsPart(ctx context.Context, slots []uint32, a *statsPart, fs facetSet, facets bool) {
	if facets {
		a.counts = fs.newCounts(len(x.skillSlug))
	}
	for i, s := range slots {
		if i%4096 == 0 && ctx.Err() != nil {
			return
		}
		c := &x.cols[s]
		if facets { // only what StatsFacets read
			a.counts.role[c.role]++
			a.counts.remote[c.remote]++
			a.counts.pref[c.pref]++
			for _, sk := range x.skills[s] {
				a.counts.skills[sk]++
			}
		}
		if c.rateHi <= 0 {
			continue
		}
		v := (int64(c.rateLo) + int64(c.rateHi)) / 2
		if a.priced == 0 || v < a.min {
			a.min = v
		}
		a.max = max(a.max, v)
		a.sum += v
		a.buckets[min(v/bucketWidth, maxBucket)]++
		slots[a.priced] = uint32(v) // at or before i: already read
		a.priced++
	}
}

// ratesAt returns the rates at 1-based ranks among rates, whose counts by
// bucket are buckets: it finds the bucket holding each rank, then counts
// the rates of those buckets alone by value, in one pass over each part's
// rates, the parts in parallel.
func ratesAt(rates [][]uint32, buckets *[maxBucket + 1]int, ranks [3]int) [3]int64 {
	var at [3]struct {
		bucket, rank int // the rank within the bucket
	}
	for i, r := range ranks {
		b := 0
		for ; b < maxBucket && r > buckets[b]; b++ {
			r -= buckets[b]
		}
		at[i].bucket, at[i].rank = b, r
	}
	var out [3]int64
	for i := range at {
		if at[i].bucket == maxBucket { // open-ended: sort its few rates
			var vs []uint32
			for _, rs := range rates {
				for _, v := range rs {
					if v >= maxBucket*bucketWidth {
						vs = append(vs, v)
					}
				}
			}
			slices.Sort(vs)
			out[i] = int64(vs[at[i].rank-1])
		}
	}
	// The distinct regular buckets to count (ranks often share one).
	var bs []int
	for _, a := range at {
		if a.bucket < maxBucket && !slices.Contains(bs, a.bucket) {
			bs = append(bs, a.bucket)
		}
	}
	if len(bs) == 0 {
		return out
	}
	counts := make([][3][bucketWidth]int32, len(rates))
	var wg sync.WaitGroup
	for p, rs := range rates {
		wg.Go(func() {
			c := &counts[p]
			for _, v := range rs {
				b := int(v / bucketWidth)
				for j, t := range bs {
					if b == t {
						c[j][v-uint32(t*bucketWidth)]++
						break
					}
				}
			}
		})
	}
	wg.Wait()
	for i, a := range at {
		if a.bucket == maxBucket {
			continue
		}
		j := slices.Index(bs, a.bucket)
		r := a.rank
		for d := range bucketWidth {
			n := 0
			for p := range counts {
				n += int(counts[p][j][d])
			}
			if r <= n {
				out[i] = int64(a.bucket*bucketWidth + d)
				break
			}
			r -= n
		}
	}
	return out
}
