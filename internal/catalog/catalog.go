// Package catalog is the read layer: what engineers see of the listings.
// It answers a search with a page of listings (ids from the index, the
// listings from the store, the offers of a grouped job), reads one listing
// with every agency's offer of the same job, and sums up the catalogue for
// the top page. The JSON API, the pages and the mail all read through it;
// their handlers only translate requests and answers.
//
// Failures carry a problem kind: a search the client got wrong is Invalid
// or Unprocessable, a missing listing NotFound, a store that does not
// answer Unavailable.
package catalog

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"time"

	"anken/internal/listing"
	"anken/internal/problem"
	"anken/internal/search"
	"anken/internal/store"
)

// Store is what the catalog reads from the system of record.
type Store interface {
	Listing(ctx context.Context, id int64) (listing.Listing, error)
	ListingsByID(ctx context.Context, ids []int64) ([]listing.Listing, error)
	GroupListings(ctx context.Context, groupID int64) ([]listing.Listing, error)
	LastChange(ctx context.Context) (time.Time, error)
	Agencies(ctx context.Context) ([]store.Agency, error)
	// AgencyProfile is an agency's name, description and site, or
	// store.ErrNotFound.
	AgencyProfile(ctx context.Context, slug string) (store.AgencyProfile, error)
	// MarketSnapshots are the daily market figures the trends are drawn from.
	MarketSnapshots(ctx context.Context, scope, from, to string) ([]store.MarketSnapshot, error)
}

// Searcher answers searches with listing ids, and the market figures of
// the listings a search returns; search.Index is the implementation.
// Position names the index's contents: it moves with every write, and
// answers asked at one position are the same. Unchanged reports whether
// the first page of q answered at position since is still its answer,
// and the position now.
type Searcher interface {
	Search(ctx context.Context, q search.Query) (search.Result, error)
	Stats(ctx context.Context, q search.Query, basis search.Basis) (search.Stats, error)
	Position() int64
	Unchanged(q search.Query, since int64) (int64, bool)
}

// Catalog reads listings as engineers see them. Safe for concurrent use.
type Catalog struct {
	Store Store
	Index Searcher

	mu    sync.Mutex
	names map[string]string // agency slug → display name
	read  time.Time         // when names was read

	recent recent // listings lately read: for pages asked again, and while the store does not answer

	// FiguresMaxAge is how old the figures of the pages every visitor
	// sees (Figures: the top page's counts, job-type pages) may be once the
	// index has moved on since they were computed: within it, a write does
	// not make every visitor count the catalogue again. The pages say when
	// they were computed. Zero: always those of the index as it is.
	FiguresMaxAge time.Duration
	figures       figures
}

// namesTTL is how long agency names are kept before they are read again.
const namesTTL = time.Minute

// AgencyNames returns each agency's display name by slug (テックリンク for
// techlink). Names are read at most once a minute; a failed read keeps
// the names read before.
func (c *Catalog) AgencyNames(ctx context.Context) (map[string]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.names != nil && time.Since(c.read) < namesTTL {
		return c.names, nil
	}
	all, err := c.Store.Agencies(ctx)
	if err != nil {
		if c.names != nil {
			return c.names, nil
		}
		return nil, storeError(err)
	}
	names := make(map[string]string, len(all))
	for _, a := range all {
		names[a.Slug] = cmp.Or(a.Name, a.Slug)
	}
	c.names, c.read = names, time.Now()
	return names, nil
}

// Page is one page of a search.
type Page struct {
	Total      int // hits over all pages (groups, when collapsed)
	Hits       []Hit
	Facets     map[search.Facet]map[string]int
	NextCursor string // empty on the last page
}

// Hit is a listing of a page.
type Hit struct {
	listing.Listing
	// Offers is set when several agencies offer the job (collapsed
	// searches only).
	Offers *Offers
}

// Offers sums up a job offered by several agencies.
type Offers struct {
	Count                  int
	MonthlyMin, MonthlyMax int64 // rate range across the offers; 0 when none states one
}

// Search answers q with a page of listings.
func (c *Catalog) Search(ctx context.Context, q search.Query) (Page, error) {
	res, err := c.Index.Search(ctx, q)
	if err != nil {
		return Page{}, searchError(err)
	}
	found, missing := c.recent.fresh(res.Hits)
	if len(missing) > 0 {
		ls, err := c.Store.ListingsByID(ctx, missing)
		if err != nil {
			var ok bool
			if ls, ok = c.fallback(err, missing); !ok {
				return Page{}, storeError(err)
			}
		} else {
			c.recent.keep(res.Hits, ls...)
		}
		for _, l := range ls {
			found[l.ID] = l
		}
	}
	p := Page{Total: res.Total, Facets: res.Facets, NextCursor: res.NextCursor, Hits: make([]Hit, 0, len(res.Hits))}
	for _, r := range res.Hits {
		l, ok := found[r.ID]
		if !ok {
			continue // gone from the store since the search
		}
		h := Hit{Listing: l}
		if r.Offers > 1 {
			h.Offers = &Offers{Count: r.Offers, MonthlyMin: r.RateMin, MonthlyMax: r.RateMax}
		}
		p.Hits = append(p.Hits, h)
	}
	return p, nil
}

// Position returns the index's position (Searcher). A search's page is
// the same for every request at one position: the listings it shows are
// read at the versions the index holds.
func (c *Catalog) Position() int64 { return c.Index.Position() }

// Unchanged reports whether the first page of q answered at position
// since is the answer at the index's position now, which it returns: the
// writes since changed nothing q matches. The listings it shows are
// unchanged too, so a page kept for since may be shown again.
func (c *Catalog) Unchanged(q search.Query, since int64) (int64, bool) {
	return c.Index.Unchanged(q, since)
}

// Counts are a search's totals without its listings.
type Counts struct {
	Total  int
	Facets map[search.Facet]map[string]int
}

// Count answers q's total and facets only: no listing is read.
func (c *Catalog) Count(ctx context.Context, q search.Query) (Counts, error) {
	q.Limit, q.Cursor = 1, ""
	res, err := c.Index.Search(ctx, q)
	if err != nil {
		return Counts{}, searchError(err)
	}
	return Counts{Total: res.Total, Facets: res.Facets}, nil
}

// Detail is one listing with every agency's offer of the same job.
type Detail struct {
	listing.Listing
	// Offers are the open listings of the job, one per agency, this one
	// included, by id; nil when one agency alone offers it.
	Offers []listing.Listing
}

// Listing reads one listing, open or closed, with its offers. A listing
// an operator hid is NotFound, as one never stored.
func (c *Catalog) Listing(ctx context.Context, id int64) (Detail, error) {
	l, err := c.Store.Listing(ctx, id)
	if err != nil {
		ls, ok := c.fallback(err, []int64{id})
		if !ok {
			return Detail{}, storeError(err)
		}
		return Detail{Listing: ls[0]}, nil // its offers wait for the store
	}
	c.recent.keep(nil, l)
	if l.Status == listing.StatusHidden {
		return Detail{}, problem.Errorf(problem.NotFound, "listing %d not found", id)
	}
	d := Detail{Listing: l}
	if l.GroupID != 0 {
		group, err := c.Store.GroupListings(ctx, l.GroupID)
		if err != nil {
			return Detail{}, storeError(err)
		}
		if len(group) > 1 {
			d.Offers = group
		}
	}
	return d, nil
}

// Similar returns up to n open listings like l: of its role, sharing its
// first skills, best matches first, l's own job left out.
func (c *Catalog) Similar(ctx context.Context, l listing.Listing, n int) ([]Hit, error) {
	q := search.Query{Collapse: true, Limit: n + 1, Sort: search.SortNewest}
	if l.Role != "" {
		q.Roles = []listing.Role{l.Role}
	}
	if len(l.Skills) > 0 {
		q.Skills = l.Skills[:1]
	}
	p, err := c.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	out := slices.DeleteFunc(p.Hits, func(h Hit) bool {
		return h.ID == l.ID || (l.GroupID != 0 && h.GroupID == l.GroupID)
	})
	return out[:min(len(out), n)], nil
}

// Overview sums up the catalogue for the top page.
type Overview struct {
	Open      int       // open listings, each job once
	UpdatedAt time.Time // the latest change stored; zero when none
	Roles     map[string]int
	Skills    map[string]int
	// Prefectures counts the open listings by prefecture (ISO code), for
	// the ways in by area.
	Prefectures map[string]int
	Newest      []Hit
	NewToday    int // 今日の新着: jobs anken first saw in the 24 hours before now

	// AsOf is when these figures were computed; Behind reports that the
	// index has changed since (they are kept for up to FiguresMaxAge).
	AsOf   time.Time
	Behind bool
}

// Overview counts the open listings by role, skill and prefecture, those
// first seen in the 24 hours before now, and reads the newest n. Figures
// computed at most FiguresMaxAge before now are answered again, Behind
// when the index has moved since; at the index's position they are exact
// whatever their age.
func (c *Catalog) Overview(ctx context.Context, n int, now time.Time) (Overview, error) {
	o, fig, err := Figures(ctx, c, "overview\x00"+strconv.Itoa(n), now, func(ctx context.Context) (Overview, error) {
		return c.countOverview(ctx, n, now)
	})
	o.AsOf, o.Behind = fig.AsOf, fig.Behind
	return o, err
}

// countOverview computes the Overview at the index as it is.
func (c *Catalog) countOverview(ctx context.Context, n int, now time.Time) (Overview, error) {
	p, err := c.Search(ctx, search.Query{Collapse: true, Sort: search.SortNewest, Limit: n,
		Facets: []search.Facet{search.FacetRole, search.FacetSkills, search.FacetPrefecture}})
	if err != nil {
		return Overview{}, err
	}
	at, err := c.Store.LastChange(ctx)
	if err != nil {
		if problem.KindOf(storeError(err)) != problem.Unavailable {
			return Overview{}, storeError(err)
		}
		at = c.recent.lastChange() // zero if never read: the page leaves it out
	} else {
		c.recent.keepChange(at)
	}
	today, err := c.NewSince(ctx, search.Query{}, now)
	if err != nil {
		return Overview{}, err
	}
	return Overview{Open: p.Total, UpdatedAt: at, Roles: p.Facets[search.FacetRole], Skills: p.Facets[search.FacetSkills],
		Prefectures: p.Facets[search.FacetPrefecture], Newest: p.Hits, NewToday: today, AsOf: now}, nil
}

// NewSince counts the jobs of q (collapsed) that anken first saw in the 24
// hours before now: 今日の新着. The bound is cut to the minute, as
// posted_within=1d reads it, so the count is the same search's total.
func (c *Catalog) NewSince(ctx context.Context, q search.Query, now time.Time) (int, error) {
	fresh, err := Params{PostedWithin: "1d"}.QueryAt(now)
	if err != nil {
		return 0, err
	}
	q.Collapse, q.SeenSince = true, fresh.SeenSince
	n, err := c.Count(ctx, q)
	return n.Total, err
}

// fallback answers the listings of ids as last read when the store failed
// by not answering (not for a listing it does not have).
func (c *Catalog) fallback(err error, ids []int64) ([]listing.Listing, bool) {
	if problem.KindOf(storeError(err)) != problem.Unavailable {
		return nil, false
	}
	return c.recent.get(ids)
}

// searchError gives an index error its kind: a cursor the index cannot
// continue is the client's to drop.
func searchError(err error) error {
	if errors.Is(err, search.ErrBadCursor) {
		const msg = "the cursor cannot be used (it expired or came from another search); start the search again without it"
		return &problem.Error{Kind: problem.Invalid, Message: msg, Err: err,
			Details: []problem.Detail{{Location: "query.cursor", Message: msg}}}
	}
	return problem.Wrap(problem.Internal, err, "search failed")
}

// storeError gives a store error its kind: not found stays NotFound (the
// store says so), anything else means the store is not answering.
func storeError(err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	return problem.Wrap(problem.Unavailable, err, "the store is not answering; retry shortly")
}
