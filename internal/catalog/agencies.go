package catalog

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"slices"
	"time"

	"anken/internal/listing"
	"anken/internal/problem"
	"anken/internal/search"
	"anken/internal/store"
)

// Agencies in the open: /agencies lists every agency with open listings
// and its figures, /agencies/{slug} shows one with its profile. Every
// figure is a search anyone can repeat: the agency's listings are
// /search?agency={slug} (collapsed, as /search is by default), its
// median monthly pay is /v1/stats?agency={slug}&workload=full's, its new
// listings /search?agency={slug}&posted_within=30d's. The index keeps
// each answer until it changes, so the list costs three look-ups an
// agency once a change, not once a page.

// AgencyFigures are an agency's live figures.
type AgencyFigures struct {
	Slug string
	Name string // display name; the slug when it has none
	// Open is its open listings, each job once.
	Open int
	// Roles counts its open listings by role (職種), most first, then by
	// role order; a listing stating none is in none.
	Roles []RoleCount
	// Full is its open listings of full workload (workload=full), Priced
	// those of them stating a rate, and MedianMonthly their median
	// monthly pay (nearest rank, as /v1/stats); 0 when none is priced.
	Full, Priced  int
	MedianMonthly int64
	// RemoteFull and RemotePartial count its open listings that are
	// フルリモート and 一部リモート.
	RemoteFull, RemotePartial int
	// New30d is its listings first seen in the last 30 days
	// (posted_within=30d).
	New30d int
}

// RoleCount is a role with its number of listings.
type RoleCount struct {
	Role  listing.Role
	Count int
}

// AgencyParams are the search of an agency's open listings, as /search
// takes it (agency=slug&collapse=false): each of its own listings. A
// collapsed search would show a job the agency shares with others as the
// group's representative, which may be another agency's listing.
func AgencyParams(slug string) Params {
	return Params{Agency: []string{slug}}
}

// AgencyFigures reads the live figures of the agency with the slug, its
// new listings those of the 30 days before now. An agency without open
// listings has figures of zero; one that does not exist too (the index
// knows no agency it has no listing of).
func (c *Catalog) AgencyFigures(ctx context.Context, slug string, now time.Time) (AgencyFigures, error) {
	f := AgencyFigures{Slug: slug, Name: slug}
	if names, err := c.AgencyNames(ctx); err == nil {
		f.Name = agencyName(names, slug)
	}
	p := AgencyParams(slug)
	q, err := p.QueryAt(now)
	if err != nil {
		return f, problem.Wrap(problem.Internal, err, "an agency's search is not valid")
	}
	st, err := c.Stats(ctx, q, search.BasisMonthly)
	if err != nil {
		return f, err
	}
	f.Open = st.Count
	if f.Open == 0 {
		return f, nil
	}
	for _, r := range listing.Roles {
		if n := st.Breakdown.Role[string(r)]; n > 0 {
			f.Roles = append(f.Roles, RoleCount{r, n})
		}
	}
	slices.SortStableFunc(f.Roles, func(a, b RoleCount) int { return cmp.Compare(b.Count, a.Count) })
	f.RemoteFull = st.Breakdown.Remote[string(listing.RemoteFull)]
	f.RemotePartial = st.Breakdown.Remote[string(listing.RemotePartial)]

	full := q
	full.Workload = listing.WorkloadFull
	fs, err := c.Stats(ctx, full, search.BasisMonthly)
	if err != nil {
		return f, err
	}
	f.Full, f.Priced = fs.Count, fs.Priced
	if fs.Rate != nil {
		f.MedianMonthly = fs.Rate.Median
	}

	p.PostedWithin = "30d"
	nq, err := p.QueryAt(now)
	if err != nil {
		return f, problem.Wrap(problem.Internal, err, "an agency's search is not valid")
	}
	n, err := c.Count(ctx, nq)
	if err != nil {
		return f, err
	}
	f.New30d = n.Total
	return f, nil
}

// AgencyList reads the figures of every agency with open listings, most
// open listings first (then by slug).
func (c *Catalog) AgencyList(ctx context.Context, now time.Time) ([]AgencyFigures, error) {
	names, err := c.AgencyNames(ctx)
	if err != nil {
		return nil, err
	}
	var out []AgencyFigures
	for _, slug := range slices.Sorted(maps.Keys(names)) {
		f, err := c.AgencyFigures(ctx, slug, now)
		if err != nil {
			return nil, err
		}
		if f.Open > 0 {
			out = append(out, f)
		}
	}
	slices.SortStableFunc(out, func(a, b AgencyFigures) int { return cmp.Compare(b.Open, a.Open) })
	return out, nil
}

// AgencyPage is one agency as its page shows it: its profile, read from
// the store as it now is (an edit shows at once), and its figures.
type AgencyPage struct {
	Profile store.AgencyProfile
	Figures AgencyFigures
}

// Agency reads the agency with the slug for its page. An agency that does
// not exist, and one without open listings, are NotFound alike.
func (c *Catalog) Agency(ctx context.Context, slug string, now time.Time) (AgencyPage, error) {
	if !store.ValidSlug(slug) {
		return AgencyPage{}, problem.Errorf(problem.NotFound, "no agency %q", slug)
	}
	f, err := c.AgencyFigures(ctx, slug, now)
	if err != nil {
		return AgencyPage{}, err
	}
	if f.Open == 0 {
		return AgencyPage{}, problem.Errorf(problem.NotFound, "agency %q has no open listings", slug)
	}
	pr, err := c.Store.AgencyProfile(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		return AgencyPage{}, problem.Errorf(problem.NotFound, "no agency %q", slug)
	}
	if err != nil {
		return AgencyPage{}, storeError(err)
	}
	f.Name = cmp.Or(pr.Name, slug)
	return AgencyPage{Profile: pr, Figures: f}, nil
}

// agencyName is the display name of the slug among names, or the slug.
func agencyName(names map[string]string, slug string) string {
	if n, ok := names[slug]; ok {
		return n
	}
	return slug
}
