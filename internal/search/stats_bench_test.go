package search_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"anken/internal/bench"
	"anken/internal/search"
)

// BenchmarkStats times Index.Stats, collapsed as /v1/stats is by default,
// for each query class of `anken bench search` and for all listings, on
// 20,000 listings or ANKEN_BENCH_LISTINGS. Besides the mean it reports
// the 50th and 99th percentile of one call, the figure the target (p99 ≤
// 20 ms at 2,000,000 listings) is about.
func BenchmarkStats(b *testing.B) {
	x := build(b, listings(b))
	classes := append(bench.Classes(1, 50), bench.Class{Name: "all listings", Queries: []search.Query{{}}})
	for _, c := range classes {
		b.Run(c.Name, func(b *testing.B) {
			b.ReportAllocs()
			var took []time.Duration
			i := 0
			for b.Loop() {
				q := c.Queries[i%len(c.Queries)]
				q.Collapse = true
				i++
				start := time.Now()
				if _, err := x.Stats(context.Background(), q, search.BasisMonthly); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(start))
			}
			slices.Sort(took)
			at := func(p float64) float64 {
				return float64(took[min(len(took)-1, int(p*float64(len(took))))].Microseconds()) / 1000
			}
			b.ReportMetric(at(0.50), "p50-ms")
			b.ReportMetric(at(0.99), "p99-ms")
		})
	}
}
