// Package bench measures anken as its users load it: `anken bench search`
// builds the search index over generated listings and times each class of
// query, side by side with other engines answering the same queries —
// PostgreSQL the usual way (pg_trgm and btree indexes), Groonga as its own
// server — checking that they find the same hits.
package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"anken/internal/demo"
	"anken/internal/listing"
	"anken/internal/normalize"
	"anken/internal/search"
)

// Options configure a search benchmark.
type Options struct {
	Listings int    // how many listings to generate
	Seed     uint64 // same seed, same listings and queries
	Queries  int    // timed queries per class
	// BaselineQueries is how many of each class's queries the baselines
	// also answer (PostgreSQL is far slower); 0 means all.
	BaselineQueries int
	// Baselines answer the same queries other ways (PostgreSQL, Groonga
	// with its cache on and off), each after the index, in this order;
	// none measures the index alone.
	Baselines []Baseline
	Log       io.Writer // progress
	// Profile, when set, receives a CPU profile of the timed queries.
	Profile io.Writer
}

// Baseline is a search implementation to compare with.
type Baseline interface {
	Name() string
	// Load stores the listings (and builds its indexes); timed. A
	// baseline that Shares another's load is loaded through it.
	Load(ctx context.Context, ls []*listing.Listing) error
	// Settle waits, untimed, after Load until the baseline answers as it
	// will in service (nil at once for most).
	Settle(ctx context.Context) error
	// Search answers q: total, the page's ids, and facet counts.
	Search(ctx context.Context, q search.Query) (search.Result, error)
	// Shares reports that it answers from what an earlier baseline of the
	// run loaded (the same server asked another way): its load is not
	// reported.
	Shares() bool
	// CopyTook is its bare bulk load before its indexes; 0 when it has
	// none to report.
	CopyTook() time.Duration
	// RSS is its server's resident set in bytes; 0 when unknown.
	RSS() uint64
}

// BaselineReport is what loading a baseline measured.
type BaselineReport struct {
	Name   string
	Shared bool // it answers from an earlier baseline's load
	Rows   int
	Load   time.Duration // load and index build
	// Copy is the bare bulk load before the indexes (PostgreSQL's COPY),
	// when the baseline says.
	Copy time.Duration
	// RSSLoaded and RSSAfter are its server's resident set once loaded
	// and after the queries, when it says.
	RSSLoaded, RSSAfter uint64
}

// loadBaselines loads each baseline in turn.
func loadBaselines(ctx context.Context, bs []Baseline, ls []*listing.Listing, logf func(string, ...any)) ([]BaselineReport, error) {
	var out []BaselineReport
	for _, b := range bs {
		r := BaselineReport{Name: b.Name(), Rows: len(ls), Shared: b.Shares()}
		start := time.Now()
		if err := b.Load(ctx, ls); err != nil {
			return nil, fmt.Errorf("bench: %s load: %w", b.Name(), err)
		}
		r.Load = time.Since(start)
		if err := b.Settle(ctx); err != nil {
			return nil, fmt.Errorf("bench: %s: %w", b.Name(), err)
		}
		r.Copy = b.CopyTook()
		r.RSSLoaded = b.RSS()
		if !r.Shared {
			logf("%s loaded %d listings in %s (%.0f rows/s)", b.Name(), len(ls), r.Load.Round(time.Millisecond),
				float64(len(ls))/r.Load.Seconds())
		}
		out = append(out, r)
	}
	return out, nil
}

// markdownLoads writes a line for each baseline's load.
func markdownLoads(w io.Writer, bs []BaselineReport) {
	for _, b := range bs {
		if b.Shared {
			continue
		}
		fmt.Fprintf(w, "%s loaded and indexed %d listings in %s, %.0f rows/s", b.Name, b.Rows,
			b.Load.Round(100*time.Millisecond), float64(b.Rows)/b.Load.Seconds())
		if b.RSSLoaded > 0 {
			fmt.Fprintf(w, "; its RSS %d MB once loaded, %d MB after the queries", b.RSSLoaded>>20, b.RSSAfter>>20)
		}
		fmt.Fprintln(w, ".")
	}
}

// Class is a kind of query users send.
type Class struct {
	Name    string
	Queries []search.Query
	// Page is how many pages deep the timed request is (1: first page).
	Page int
}

// Report is what a run measured.
type Report struct {
	Listings   int
	Generate   time.Duration // generating and normalizing the listings
	Build      time.Duration // building the index from them
	HeapBytes  uint64        // live heap after the build, listings dropped
	RSSBytes   uint64        // resident set after the build
	Baselines  []BaselineReport
	Classes    []ClassReport
	Mismatches []string // queries where the baseline disagreed
}

// ClassReport holds one class's latencies.
type ClassReport struct {
	Name      string
	Index     Latency
	IndexCold Latency // first run of each distinct query
	AvgHits   int
	Baselines []BaselineClass // as Options.Baselines
}

// BaselineClass is how a baseline answered a class's queries.
type BaselineClass struct {
	Latency
	Misses int // answers that differed from the index's
}

// Latency summarizes timings.
type Latency struct {
	N             int
	P50, P95, P99 time.Duration
	Max           time.Duration
}

func summarize(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	slices.Sort(ds)
	at := func(p float64) time.Duration { return ds[min(len(ds)-1, int(p*float64(len(ds))))] }
	return Latency{N: len(ds), P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: ds[len(ds)-1]}
}

// Generate makes n normalized, open listings with ids 1..n, using every
// core, in the demo generator's order.
func Generate(n int, seed uint64) []*listing.Listing {
	out := make([]*listing.Listing, n)
	items := make(chan struct {
		i   int
		raw demo.Item
	}, 1024)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for it := range items {
				r := normalize.NormalizeAt(it.raw.Raw, demo.DefaultNow)
				l := r.Listing
				l.ID = int64(it.i + 1)
				l.Agency = it.raw.Agency
				l.GroupID = l.ID
				if l.PostedAt.IsZero() {
					l.PostedAt = demo.DefaultNow
				}
				out[it.i] = &l
			}
		})
	}
	i := 0
	for it := range demo.Generate(n, demo.Options{Seed: seed}) {
		items <- struct {
			i   int
			raw demo.Item
		}{i, it}
		i++
	}
	close(items)
	wg.Wait()
	return out
}

// Classes returns the query classes the benchmark times, drawn from seed.
func Classes(seed uint64, perClass int) []Class {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
	var (
		ja = []string{"東京", "港区", "渋谷", "大阪", "福岡", "リモート", "フルリモート", "在宅", "決済",
			"バックエンド", "フロントエンド", "インフラ", "機械学習", "データ基盤", "副業", "医療", "金融",
			"自社サービス", "新規開発", "保守", "設計", "スタートアップ", "EC", "広告", "ゲーム", "物流",
			"港", "週3", "即日", "リプレイス", "マイクロサービス", "管理画面"}
		en = []string{"go", "golang", "python", "java", "javascript", "typescript", "react", "vue",
			"aws", "gcp", "kubernetes", "k8s", "docker", "terraform", "c#", "c++", "ruby", "rails",
			"php", "laravel", "swift", "kotlin", "flutter", "rust", "scala", "mysql", "postgresql"}
		skills = []string{"go", "python", "java", "typescript", "react", "aws", "kubernetes", "php",
			"ruby", "csharp", "swift", "kotlin", "terraform", "docker", "vue", "nodejs"}
		broad = []string{"", "エンジニア", "開発", "経験", "", "リモート"}
	)
	gen := func(name string, page int, f func() search.Query) Class {
		c := Class{Name: name, Page: page}
		for range perClass {
			c.Queries = append(c.Queries, f())
		}
		return c
	}
	return []Class{
		gen("japanese keyword", 1, func() search.Query {
			q := pick(ja)
			if r.IntN(3) == 0 {
				q += " " + pick(ja)
			}
			return search.Query{Text: q}
		}),
		gen("english keyword", 1, func() search.Query {
			q := pick(en)
			if r.IntN(3) == 0 {
				q += " " + pick(en)
			}
			return search.Query{Text: q}
		}),
		gen("skill filter", 1, func() search.Query {
			q := search.Query{Skills: []string{pick(skills)}}
			if r.IntN(2) == 0 {
				q.Remotes = []listing.Remote{listing.RemoteFull}
			}
			return q
		}),
		gen("rate range", 1, func() search.Query {
			lo := int64(40+5*r.IntN(12)) * 10_000
			return search.Query{RateMin: lo, RateMax: lo + 200_000, Sort: search.SortRate}
		}),
		gen("broad, all facets", 1, func() search.Query {
			return search.Query{Text: pick(broad), Facets: slices.Clone(search.Facets)}
		}),
		gen("deep page (50th)", 50, func() search.Query {
			return search.Query{Text: pick([]string{"", "開発", "go", "東京"}), Sort: search.SortNewest}
		}),
	}
}

// Search runs the benchmark.
func Search(ctx context.Context, o Options) (*Report, error) {
	logf := func(format string, args ...any) {
		if o.Log != nil {
			fmt.Fprintf(o.Log, format+"\n", args...)
		}
	}
	rep := &Report{Listings: o.Listings}
	start := time.Now()
	ls := Generate(o.Listings, o.Seed)
	rep.Generate = time.Since(start)
	logf("generated and normalized %d listings in %s", len(ls), rep.Generate.Round(time.Millisecond))

	x := search.NewIndex()
	runtime.GC()
	start = time.Now()
	err := x.Rebuild(ctx, func(add func(*listing.Listing)) error {
		for _, l := range ls {
			add(l)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	rep.Build = time.Since(start)
	logf("built the index in %s", rep.Build.Round(time.Millisecond))

	if rep.Baselines, err = loadBaselines(ctx, o.Baselines, ls, logf); err != nil {
		return nil, err
	}
	ls = nil
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rep.HeapBytes = ms.HeapAlloc
	rep.RSSBytes = rss()
	logf("heap %d MB, RSS %d MB", rep.HeapBytes>>20, rep.RSSBytes>>20)

	if o.Profile != nil {
		if err := pprof.StartCPUProfile(o.Profile); err != nil {
			return nil, err
		}
		defer pprof.StopCPUProfile()
	}
	for _, c := range Classes(o.Seed, o.Queries) {
		cr := ClassReport{Name: c.Name}
		var warm, cold []time.Duration
		// The queries the baselines answer, with the index's answers.
		type answered struct {
			q   search.Query
			res search.Result
		}
		var asked []answered
		seen := map[string]bool{}
		hits := 0
		for qi, q := range c.Queries {
			key := fmt.Sprintf("%+v", q)
			q.Limit = search.DefaultLimit
			q, err := pageQuery(ctx, x, q, c.Page)
			if err != nil {
				return nil, err
			}
			t := time.Now()
			res, err := x.Search(ctx, q)
			d := time.Since(t)
			if err != nil {
				return nil, fmt.Errorf("bench: %s %+v: %w", c.Name, q, err)
			}
			if seen[key] {
				warm = append(warm, d)
			} else {
				seen[key] = true
				cold = append(cold, d)
			}
			hits += res.Total
			if c.Page == 1 && (o.BaselineQueries == 0 || qi < o.BaselineQueries) {
				asked = append(asked, answered{q, res})
			}
		}
		cr.Index, cr.IndexCold = summarize(warm), summarize(cold)
		// Each baseline answers the class's queries in a run of its own,
		// in the same order, so that a cache sees them as users send them.
		for _, b := range o.Baselines {
			var bc BaselineClass
			var ds []time.Duration
			for _, a := range asked {
				t := time.Now()
				bres, err := b.Search(ctx, a.q)
				ds = append(ds, time.Since(t))
				if err != nil {
					return nil, fmt.Errorf("bench: %s %+v: %w", b.Name(), a.q, err)
				}
				if msg := compare(a.q, a.res, bres); msg != "" {
					bc.Misses++
					if len(rep.Mismatches) < 20 {
						rep.Mismatches = append(rep.Mismatches, c.Name+", "+b.Name()+": "+msg)
					}
				}
			}
			bc.Latency = summarize(ds)
			cr.Baselines = append(cr.Baselines, bc)
		}
		cr.AvgHits = hits / max(1, len(c.Queries))
		rep.Classes = append(rep.Classes, cr)
		line := fmt.Sprintf("%-20s index p50 %v p99 %v (cold p99 %v)", c.Name, cr.Index.P50, cr.Index.P99, cr.IndexCold.P99)
		for bi, b := range o.Baselines {
			line += fmt.Sprintf("; %s p50 %v p99 %v", b.Name(), cr.Baselines[bi].P50, cr.Baselines[bi].P99)
		}
		logf("%s", line)
	}
	for i, b := range o.Baselines {
		rep.Baselines[i].RSSAfter = b.RSS()
	}
	return rep, nil
}

// pageQuery returns q with the cursor of its page'th page.
func pageQuery(ctx context.Context, x *search.Index, q search.Query, page int) (search.Query, error) {
	for range page - 1 {
		res, err := x.Search(ctx, q)
		if err != nil {
			return q, err
		}
		if res.NextCursor == "" {
			break
		}
		q.Cursor = res.NextCursor
	}
	return q, nil
}

// compare checks that the baseline found the same hits: the same total
// and facet counts, and for the orders both define exactly (newest, rate)
// the same page.
func compare(q search.Query, a, b search.Result) string {
	if a.Total != b.Total {
		return fmt.Sprintf("%+v: total %d, baseline %d", q, a.Total, b.Total)
	}
	for f, counts := range a.Facets {
		if f == search.FacetSkills {
			continue // top 30 may break ties differently
		}
		for k, n := range counts {
			if b.Facets[f][k] != n {
				return fmt.Sprintf("%+v: facet %s[%s] %d, baseline %d", q, f, k, n, b.Facets[f][k])
			}
		}
	}
	if q.Sort == search.SortNewest || q.Sort == search.SortRate {
		for i := range min(len(a.Hits), len(b.Hits)) {
			if a.Hits[i].ID != b.Hits[i].ID {
				return fmt.Sprintf("%+v: hit %d is %d, baseline %d", q, i, a.Hits[i].ID, b.Hits[i].ID)
			}
		}
	}
	return ""
}

// rss reads the resident set size from /proc (0 where there is none).
func rss() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// Markdown writes the report as a table for docs/BENCHMARKS.md: the
// index's latencies, then each baseline's p50 and p99, how many times the
// index's p50 it is, and on how many queries it agreed with the index.
func (r *Report) Markdown(w io.Writer) {
	fmt.Fprintf(w, "%d listings: generated and normalized in %s; index built in %s; heap %d MB, RSS %d MB.\n",
		r.Listings, r.Generate.Round(time.Second), r.Build.Round(100*time.Millisecond), r.HeapBytes>>20, r.RSSBytes>>20)
	markdownLoads(w, r.Baselines)
	fmt.Fprintln(w)
	head, rule := "| query class | avg hits | index p50 | p95 | p99 | cold p99 |", "|---|---:|---:|---:|---:|---:|"
	for _, b := range r.Baselines {
		head += " " + b.Name + " p50 | p99 | p50 ratio | agreed |"
		rule += "---:|---:|---:|---:|"
	}
	fmt.Fprintln(w, head)
	fmt.Fprintln(w, rule)
	for _, c := range r.Classes {
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s |", c.Name, c.AvgHits,
			ms(c.Index.P50), ms(c.Index.P95), ms(c.Index.P99), ms(c.IndexCold.P99))
		for _, b := range c.Baselines {
			if b.N == 0 {
				fmt.Fprint(w, " – | – | – | – |")
				continue
			}
			fmt.Fprintf(w, " %s | %s | %s | %d/%d |", ms(b.P50), ms(b.P99), ratio(b.P50, c.Index.P50), b.N-b.Misses, b.N)
		}
		fmt.Fprintln(w)
	}
}

// ratio is how many times a took what b did.
func ratio(a, b time.Duration) string {
	x := float64(a) / float64(max(b, time.Microsecond))
	if x < 10 {
		return fmt.Sprintf("%.1f×", x)
	}
	return fmt.Sprintf("%.0f×", x)
}
