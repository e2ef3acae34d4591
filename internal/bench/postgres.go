package bench

import (
	"context"
	"runtime"
	"sync"
	"time"

	"anken/internal/listing"
	"anken/internal/search"
)

// Postgres adapts the store's trigram baseline to the benchmark.
type Postgres struct{ *TrigramBaseline }

// Load converts the listings to the baseline's rows, on every core, and
// loads them.
func (p Postgres) Load(ctx context.Context, ls []*listing.Listing) error {
	rows := make([]TrigramRow, len(ls))
	var wg sync.WaitGroup
	w := runtime.GOMAXPROCS(0)
	for k := range w {
		wg.Go(func() {
			for i := len(ls) * k / w; i < len(ls)*(k+1)/w; i++ {
				rows[i] = row(ls[i])
			}
		})
	}
	wg.Wait()
	return p.TrigramBaseline.Load(ctx, rows)
}

func row(l *listing.Listing) TrigramRow {
	text := search.FoldedText(l)
	lo, hi := l.Rate.MonthlyMin, l.Rate.MonthlyMax
	if lo == 0 {
		lo = hi
	}
	if hi == 0 {
		hi = lo
	}
	days := l.DaysPerWeek.Min
	if days == 0 {
		days = l.DaysPerWeek.Max
	}
	skills := l.Skills
	if skills == nil {
		skills = []string{}
	}
	words := search.Words(text)
	if words == nil {
		words = []string{}
	}
	return TrigramRow{ID: l.ID, Text: text, Words: words, Skills: skills,
		Role: string(l.Role), Remote: string(l.Remote), Prefecture: l.Prefecture, Contract: string(l.Contract),
		RateLo: lo, RateHi: hi, Days: days, SideJob: l.SideJobOK, Posted: l.PostedAt.Unix()}
}

// CopyTook is how long the last Load's COPY took, before the indexes.
func (p Postgres) CopyTook() time.Duration { return p.Copied }

// Settle returns at once: PostgreSQL answers as it will once loaded.
func (Postgres) Settle(context.Context) error { return nil }

// Shares is false: each Postgres baseline loads its own schema.
func (Postgres) Shares() bool { return false }

// RSS is 0: the server's memory is not this process's to read.
func (Postgres) RSS() uint64 { return 0 }

// Search answers q with the baseline.
func (p Postgres) Search(ctx context.Context, q search.Query) (search.Result, error) {
	subs, words := search.Terms(q.Text)
	tq := TrigramQuery{Substrings: subs, Words: words, Skills: q.Skills, Prefectures: q.Prefectures,
		RateMin: q.RateMin, RateMax: q.RateMax, DaysMax: q.DaysMax, SideJob: q.SideJob,
		Sort: string(q.Sort), Limit: max(q.Limit, search.DefaultLimit), Facets: len(q.Facets) > 0}
	for _, r := range q.Roles {
		tq.Roles = append(tq.Roles, string(r))
	}
	for _, r := range q.Remotes {
		tq.Remotes = append(tq.Remotes, string(r))
	}
	for _, c := range q.Contracts {
		tq.Contracts = append(tq.Contracts, string(c))
	}
	r, err := p.TrigramBaseline.Search(ctx, tq)
	if err != nil {
		return search.Result{}, err
	}
	res := search.Result{Total: r.Total}
	for _, id := range r.IDs {
		res.Hits = append(res.Hits, search.Hit{ID: id})
	}
	if len(r.Facets) > 0 {
		res.Facets = map[search.Facet]map[string]int{}
		for f, m := range r.Facets {
			res.Facets[search.Facet(f)] = m
		}
	}
	return res, nil
}
