package search_test

import (
	"context"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
	"unicode"

	"anken/internal/bench"
	"anken/internal/listing"
	"anken/internal/search"
)

var (
	benchOnce     sync.Once
	benchListings []*listing.Listing
)

// listings returns generated, normalized listings, made once: 20,000, or
// as many as ANKEN_BENCH_LISTINGS says (to profile one query class at the
// scale `anken bench search` reports).
func listings(b *testing.B) []*listing.Listing {
	benchOnce.Do(func() {
		n := 20_000
		if v, err := strconv.Atoi(os.Getenv("ANKEN_BENCH_LISTINGS")); err == nil && v > 0 {
			n = v
		}
		benchListings = bench.Generate(n, 1)
	})
	return benchListings
}

func build(b *testing.B, ls []*listing.Listing) *search.Index {
	x := search.NewIndex()
	err := x.Rebuild(context.Background(), func(add func(*listing.Listing)) error {
		for _, l := range ls {
			add(l)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return x
}

// BenchmarkRebuild measures building the index from normalized listings.
func BenchmarkRebuild(b *testing.B) {
	ls := listings(b)
	b.ReportAllocs()
	for b.Loop() {
		build(b, ls)
	}
	b.ReportMetric(float64(len(ls)*b.N)/b.Elapsed().Seconds(), "listings/s")
}

// BenchmarkSearch times each query class of `anken bench search` on
// 20,000 listings; `anken bench search` runs the same at any size.
func BenchmarkSearch(b *testing.B) {
	x := build(b, listings(b))
	for _, c := range bench.Classes(1, 50) {
		b.Run(c.Name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				q := c.Queries[i%len(c.Queries)]
				i++
				if _, err := x.Search(context.Background(), q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkNewestOnePostedTime times the first pages in time order when
// every listing has the same posted_at, as when a feed without posted_at
// is imported at once. Above 20,000 hits (ANKEN_BENCH_LISTINGS=200000)
// these pages come from the buckets in time order, not a walk.
func BenchmarkNewestOnePostedTime(b *testing.B) {
	ls := listings(b)
	same := make([]*listing.Listing, len(ls))
	for i, l := range ls {
		c := *l
		c.PostedAt = ls[0].PostedAt
		same[i] = &c
	}
	x := build(b, same)
	for _, c := range []struct {
		name string
		q    search.Query
	}{
		{"no terms, newest", search.Query{Sort: search.SortNewest}},
		{"no terms, relevance", search.Query{}},
		{"開発, newest", search.Query{Text: "開発", Sort: search.SortNewest}},
		{"collapsed, newest", search.Query{Sort: search.SortNewest, Collapse: true}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := x.Search(context.Background(), c.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFirstTimeTerm times terms of three to five runes taken from
// listing text, each asked once, so nothing is cached: what the first
// person to ask for a term meets. Run it with -benchtime Nx, N at most a
// few thousand, and ANKEN_BENCH_LISTINGS=200000 for the scale of
// `anken bench user`; it reports p50 and p99.
func BenchmarkFirstTimeTerm(b *testing.B) {
	ls := listings(b)
	x := build(b, ls)
	r := rand.New(rand.NewPCG(7, 7))
	asked := map[string]bool{}
	var terms []string
	for tries := 0; len(terms) < 2_000 && tries < 1_000_000; tries++ {
		t := []rune(search.FoldedText(ls[r.IntN(len(ls))]))
		n := 3 + r.IntN(3)
		if len(t) < n {
			continue
		}
		i := r.IntN(len(t) - n + 1)
		ok := true
		for _, c := range t[i : i+n] {
			ok = ok && unicode.In(c, unicode.Han, unicode.Hiragana, unicode.Katakana) && c != 'ー'
		}
		if s := string(t[i : i+n]); ok && !asked[s] {
			asked[s] = true
			terms = append(terms, s)
		}
	}
	var took []time.Duration
	i := 0
	for b.Loop() {
		start := time.Now()
		if _, err := x.Search(context.Background(), search.Query{Text: terms[i%len(terms)]}); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
		i++
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
}
