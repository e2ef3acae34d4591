package search

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"sync"

	"anken/internal/listing"
	"anken/internal/search/query"
)

// Stats sums up the listings a search returns: the counts behind the
// market figures (DESIGN.md, "Market figures"). The market package shapes
// them for the API and the pages.
//
// A listing's rate here is one number of yen, monthly (at the listing's
// stated workload) or hourly as the Basis asks: the midpoint of the min
// and max (integer division) when both are stated, else the one stated
// (StatsRate, StatsHourly). A listing with neither counts in Count but not
// in Priced, nor in any rate figure.
type Stats struct {
	Count  int // hits (groups, when collapsed)
	Priced int // hits with a rate
	// Over the priced hits' rates; all zero when Priced is 0. The
	// quartiles and the median are by nearest rank: the rate at 1-based
	// position ⌈p·Priced⌉ in ascending order. Mean is the sum divided by
	// Priced, rounded down.
	Min, P25, Median, P75, Max, Mean int64
	// Bands counts the priced hits per band of BandWidth yen of their
	// rate (5万円 monthly, 500円 hourly): Bands[i] holds the rates in
	// [i·BandWidth, (i+1)·BandWidth). Its last element is the band of
	// Max; nil when Priced is 0.
	Bands     []int
	BandWidth int64
	// Breakdown counts the hits by role, skills (the 30 most frequent, as
	// the skills facet), prefecture and remote: value → hits. A listing
	// that does not state a value is in none of them.
	Breakdown map[Facet]map[string]int
}

// StatsFacets are the breakdowns Stats counts.
var StatsFacets = []Facet{FacetRole, FacetSkills, FacetPrefecture, FacetRemote}

// Basis picks which pay Stats describes.
type Basis uint8

const (
	BasisMonthly Basis = iota // monthly yen at the stated workload
	BasisHourly               // yen an hour
)

// The widths in yen of a band of Stats.Bands.
const (
	StatsBand       = rateBandWidth // monthly: 5万円
	StatsHourlyBand = 500           // hourly: 500円
)

// StatsRate is a listing's monthly rate for statistics: the midpoint of
// MonthlyMin and MonthlyMax (integer division) when both are stated, else
// the one stated; 0 when neither is.
func StatsRate(r listing.Rate) int64 { return (rateLo(r) + rateHi(r)) / 2 }

// StatsHourly is StatsRate for the hourly figures: the midpoint of
// HourlyMin and HourlyMax, else the one stated; 0 when neither is.
func StatsHourly(r listing.Rate) int64 {
	return (cmp.Or(r.HourlyMin, r.HourlyMax) + cmp.Or(r.HourlyMax, r.HourlyMin)) / 2
}

// scale is the widths of a basis's buckets and bands. The hourly ones are
// the monthly ones ÷ 100, so the same arrays hold either: 5,000 buckets of
// 10円 cover every hourly rate below 50,000円.
type scale struct{ bucket, band int64 }

func (b Basis) scale() scale {
	if b == BasisHourly {
		return scale{bucket: bucketWidth / 100, band: StatsHourlyBand}
	}
	return scale{bucket: bucketWidth, band: StatsBand}
}

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
// intersecting bitmaps, as Search's facets are. A quantile is then the
// one rate of its bucket when the bucket holds one (the usual case), or
// found by counting the rates of that bucket alone.
//
// The answer is kept until a write changes what q matches (atPosition),
// so its Bands and Breakdown are shared with later callers: they must not
// change them.
func (x *Index) Stats(ctx context.Context, q Query, basis Basis) (Stats, error) {
	q.Cursor, q.Facets = "", nil
	q = q.withDefaults()
	terms := query.Parse(q.Text)

	x.mu.RLock()
	defer x.mu.RUnlock()
	key := q.matchKey() + "|" + strconv.Itoa(int(basis))
	if st, ok := x.keptStats.get(x, key, func(kept Stats, since int64) (Stats, bool) {
		return kept, x.unchanged(&q, terms, since)
	}); ok {
		return st, nil
	}
	st, err := x.stats(ctx, q, terms, basis)
	if err == nil {
		x.keptStats.put(x.seq, key, st)
	}
	return st, err
}

// stats computes Stats. x.mu is held for reading.
func (x *Index) stats(ctx context.Context, q Query, terms []query.Term, basis Basis) (Stats, error) {
	sc := basis.scale()
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
		wg.Go(func() { x.statsPart(ctx, slots[r[0]:r[1]], &acc[i], fs, walkFacets, basis) })
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return Stats{}, err
	}
	var counts facetCounts
	if walkFacets {
		counts = fs.newCounts(len(x.skillSlug), len(x.agencySlug))
		for i := range acc {
			counts.merge(&acc[i].counts)
		}
	} else {
		counts = x.countFacets(fs, hits)
	}
	st := Stats{Count: len(slots), Breakdown: counts.result(fs, x.skillSlug, x.agencySlug), BandWidth: sc.band}
	// The priced rates of part i are slots[parts[i][0]:][:acc[i].priced].
	rates := make([][]uint32, len(parts))
	var (
		buckets [maxBucket + 1]int
		sum     int64
		one     oneRate
	)
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
			if n == 0 {
				continue
			}
			if buckets[b] == 0 {
				one.rate[b], one.mixed[b] = a.one.rate[b], a.one.mixed[b]
			} else if a.one.mixed[b] || a.one.rate[b] != one.rate[b] {
				one.mixed[b] = true
			}
			buckets[b] += int(n)
		}
	}
	if st.Priced == 0 {
		return st, nil
	}
	n := st.Priced
	st.Mean = sum / int64(n)
	at := ratesAt(rates, &buckets, &one, [3]int{(n + 3) / 4, (n + 1) / 2, (3*n + 3) / 4}, sc.bucket)
	st.P25, st.Median, st.P75 = at[0], at[1], at[2]

	st.Bands = make([]int, st.Max/sc.band+1)
	perBand := int(sc.band / sc.bucket)
	for b, c := range buckets[:maxBucket] {
		if c > 0 {
			st.Bands[b/perBand] += c
		}
	}
	switch {
	case buckets[maxBucket] == 0:
	case !one.mixed[maxBucket]:
		st.Bands[int64(one.rate[maxBucket])/sc.band] += buckets[maxBucket]
	default: // the last bucket holds rates of several bands
		for _, rs := range rates {
			for _, v := range rs {
				if int64(v) >= maxBucket*sc.bucket {
					st.Bands[int64(v)/sc.band]++
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
	one      oneRate
	counts   facetCounts
}

// oneRate says, per bucket, whether all its rates are one rate, and
// which: listing rates are mostly round (60万, 65万, ¥3,500 × 160), so a
// quartile's bucket usually holds a single rate, and then the quartile
// is that rate without counting the bucket's rates again.
type oneRate struct {
	rate  [maxBucket + 1]uint32 // the first rate seen in the bucket
	mixed [maxBucket + 1]bool   // another rate was seen in it
}

// statsPart walks slots, counting into a; it overwrites the front of
// slots with the priced hits' rates, a.priced of them. The loop keeps its
// sums in locals: through a they would be loaded and stored each hit, as
// the rates it writes into slots could alias them.
func (x *Index) statsPart(ctx context.Context, slots []uint32, a *statsPart, fs facetSet, facets bool, basis Basis) {
	hourly, width := basis == BasisHourly, basis.scale().bucket
	var (
		role, remote, pref []int
		skills             []int
	)
	if facets {
		a.counts = fs.newCounts(len(x.skillSlug), len(x.agencySlug))
		role, remote, pref, skills = a.counts.role[:], a.counts.remote[:], a.counts.pref[:], a.counts.skills
	}
	buckets, one := &a.buckets, &a.one
	cs, sks := x.cols, x.skills
	var (
		priced   int
		sum      int64
		lo, hi   int64 = 1<<63 - 1, 0
		canceled bool
	)
	for i, s := range slots {
		if i%4096 == 0 && ctx.Err() != nil {
			canceled = true
			break
		}
		c := &cs[s]
		if facets { // only what StatsFacets read
			role[c.role]++
			remote[c.remote]++
			pref[c.pref]++
			for _, sk := range sks[s] {
				skills[sk]++
			}
		}
		rlo, rhi := c.rateLo, c.rateHi
		if hourly {
			rlo, rhi = c.hourLo, c.hourHi
		}
		if rhi <= 0 {
			continue
		}
		v := (int64(rlo) + int64(rhi)) / 2
		lo, hi = min(lo, v), max(hi, v)
		sum += v
		b := min(v/width, maxBucket)
		switch n := buckets[b]; {
		case n == 0:
			one.rate[b] = uint32(v)
		case one.rate[b] != uint32(v):
			one.mixed[b] = true
		}
		buckets[b]++
		slots[priced] = uint32(v) // at or before i: already read
		priced++
	}
	if canceled || priced == 0 {
		return
	}
	a.priced, a.sum, a.min, a.max = priced, sum, lo, hi
}

// ratesAt returns the rates at 1-based ranks among rates, whose counts by
// bucket are buckets: it finds the bucket holding each rank, then counts
// the rates of those buckets alone by value, in one pass over each part's
// rates, the parts in parallel.
func ratesAt(rates [][]uint32, buckets *[maxBucket + 1]int, one *oneRate, ranks [3]int, width int64) [3]int64 {
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
	done := [3]bool{}
	for i, a := range at {
		if !one.mixed[a.bucket] {
			out[i], done[i] = int64(one.rate[a.bucket]), true
		}
	}
	for i := range at {
		if !done[i] && at[i].bucket == maxBucket { // open-ended: sort its few rates
			var vs []uint32
			for _, rs := range rates {
				for _, v := range rs {
					if int64(v) >= maxBucket*width {
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
	for i, a := range at {
		if !done[i] && a.bucket < maxBucket && !slices.Contains(bs, a.bucket) {
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
				b := int(int64(v) / width)
				for j, t := range bs {
					if b == t {
						c[j][int64(v)-int64(t)*width]++
						break
					}
				}
			}
		})
	}
	wg.Wait()
	for i, a := range at {
		if done[i] || a.bucket == maxBucket {
			continue
		}
		j := slices.Index(bs, a.bucket)
		r := a.rank
		for d := range width {
			n := 0
			for p := range counts {
				n += int(counts[p][j][d])
			}
			if r <= n {
				out[i] = int64(a.bucket)*width + d
				break
			}
			r -= n
		}
	}
	return out
}
