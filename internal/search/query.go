package search

import (
	"errors"
	"fmt"

	"anken/internal/listing"
)

// Sort orders search hits.
type Sort string

const (
	SortRelevance Sort = "relevance" // field-weighted text score, then freshness
	SortNewest    Sort = "newest"    // posted_at, newest first
	SortRate      Sort = "rate"      // monthly_max, highest first
)

// Sorts lists every valid sort.
var Sorts = []Sort{SortRelevance, SortNewest, SortRate}

// Facet names a field whose value counts a search can return.
type Facet string

const (
	FacetRole       Facet = "role"
	FacetSkills     Facet = "skills"
	FacetRemote     Facet = "remote"
	FacetPrefecture Facet = "prefecture"
	FacetContract   Facet = "contract"
	FacetDays       Facet = "days"     // by days_per_week.min: "1" … "5"
	FacetSideJob    Facet = "side_job" // "true", "false"
	FacetRate       Facet = "rate"     // 5万円 bands of monthly_max: "600000" is 60万–65万円
	FacetAgency     Facet = "agency"   // agency slugs; a collapsed job counts for every agency offering it
)

// Facets lists every valid facet.
var Facets = []Facet{FacetRole, FacetSkills, FacetRemote, FacetPrefecture, FacetContract,
	FacetDays, FacetSideJob, FacetRate, FacetAgency}

// Query is one search. The zero Query matches every open listing.
//
// Semantics (the oracle that every index must equal): after NFKC
// normalization and lower-casing, each term of Text made only of ASCII
// matches whole words (or a synonym: golang = go, k8s = kubernetes,
// js = javascript) in the title, skills or description; any other term
// matches as a substring of them; a quoted phrase matches within one of
// them with whole-word edges; -term and -"phrase" exclude. Terms are
// ANDed (package query's documentation has the details). Each filter is
// exact; several values of one filter are ORed.
type Query struct {
	Text        string
	Skills      []string // canonical slugs; a listing must have all of them
	Roles       []listing.Role
	Remotes     []listing.Remote
	Prefectures []string // ISO 3166-2:JP
	Contracts   []listing.Contract
	RateMin     int64            // monthly yen: rate.monthly_max (or min) ≥ RateMin
	RateMax     int64            // monthly yen: rate.monthly_min (or max) ≤ RateMax
	HourlyMin   int64            // yen an hour: rate.hourly_max (or min) ≥ HourlyMin
	HourlyMax   int64            // yen an hour: rate.hourly_min (or max) ≤ HourlyMax
	Workload    listing.Workload // workload equals; "" any
	Agencies    []string         // agency slugs; a listing of any of them
	SeenSince   int64            // Unix seconds: first_seen_at at or after it; 0 any
	DaysMax     int              // days_per_week.min ≤ DaysMax
	SideJob     *bool            // side_job_ok equals
	Sort        Sort             // SortRelevance when empty
	Facets      []Facet
	// Collapse shows each group of duplicates (the same job from several
	// agencies) once, as its representative, with the group's offers and
	// rate range on the hit. Totals and facets then count groups.
	Collapse bool
	// Cursor is Result.NextCursor of the previous page; empty for the
	// first. The pages of a search are the answer of its first page, in
	// that order, whatever is written meanwhile (see Pages in the package
	// documentation).
	Cursor string
	Limit  int // hits per page; DefaultLimit when 0
}

// Page sizes.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// Result is one page of hits and the counts over all hits.
type Result struct {
	Total      int                      // hits over all pages, as of the first page
	Hits       []Hit                    // this page, in sort order
	Facets     map[Facet]map[string]int // value → number of hits with it, as of the first page
	NextCursor string                   // empty on the last page
}

// Hit is one listing of a result page; callers read the listing itself
// from the store.
type Hit struct {
	ID int64
	// Stamp names the version of the listing the index answered from: it
	// changes whenever the index takes in another version, and is never
	// the same for two versions in one process, so a reader may keep the
	// listing it read for a stamp until the stamp changes. 0 for a
	// version the index no longer holds (a later page of a search that
	// shows a listing as it was).
	Stamp uint64
	// Offers is how many open listings the hit's duplicate group has, and
	// RateMin and RateMax the monthly rate range across them; all zero for
	// a listing without duplicates.
	Offers           int
	RateMin, RateMax int64
}

// ErrBadCursor is returned for a cursor this index did not issue, cannot
// read or can no longer continue from; the caller starts the search
// again without it.
var ErrBadCursor = errors.New("search: bad cursor")

// ErrCursorExpired, which is an ErrBadCursor, is returned for a cursor
// whose first page is older than the index's history of writes keeps (30
// minutes at most, less when many listings were written) or than its last
// rebuild.
var ErrCursorExpired = fmt.Errorf("%w: cursor expired: start the search again", ErrBadCursor)

// withDefaults fills the zero sort and page size and clamps the page size.
func (q Query) withDefaults() Query {
	if q.Sort == "" {
		q.Sort = SortRelevance
	}
	switch {
	case q.Limit <= 0:
		q.Limit = DefaultLimit
	case q.Limit > MaxLimit:
		q.Limit = MaxLimit
	}
	return q
}
