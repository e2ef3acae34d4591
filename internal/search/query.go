// Package search answers listing searches from an in-memory index that is
// built from the store and kept current by following its change log.
//
// # Query text
//
// Query.Text is read as package query reads it: folded (NFKC, then lower
// case), split into terms at white space and quotes: ASCII words (with
// the skill taxonomy's synonyms), substrings, phrases between quotes and
// exclusions written with a leading '-'. A listing must hold every term
// in its title, skills or description; package query's documentation
// says what holding each kind of term means.
//
// Relevance counts each term and phrase (not exclusions) for the best
// field it is in: title, then skills, then description. Equal scores go
// newest first (the freshness boost); no sort reads the clock, so a
// listing's place changes only when the listing does.
//
// # Pages
//
// A search's first page returns a cursor for the next, and so on. The
// pages of a search are the answer of its first page, in that order,
// whatever is written meanwhile, like a point in time of Elasticsearch:
//
//   - each listing that matched when the first page was answered comes
//     exactly once, at the sort key it had then;
//   - a listing changed or closed since still comes, as it was then, even
//     if it no longer matches (callers read its current content);
//   - a listing added since, or matching only since it changed, does not
//     come (a new search finds it);
//   - a collapsed search shows each duplicate group as its representative
//     of then; the offers on a hit are counted now;
//   - Total and Facets are those of the first page's answer, on every
//     page.
//
// The cursor carries the index's position at the first page (the change
// log's sequence number, so another node following the same log can
// continue it, after waiting up to a few seconds to reach it). A cursor
// from before the history the index keeps of its writes (30 minutes at
// most), or from before a rebuild, fails with ErrCursorExpired.
//
// # Saved searches
//
// A Percolator answers the other question: which saved searches a new or
// changed listing matches (for new-listing mail). It holds the searches,
// not the listings, and a listing matches a saved search exactly when
// that search, run on an index holding the listing, returns it: the
// search's text and filters count, its sort, facets, page and collapse do
// not. Both use one per-listing predicate (matcher, in match.go), which
// the index also uses for the old versions a later page of a search
// shows; a test holds it to the index's bitmap plan.
//
// Like Lucene's Monitor, the percolator indexes each saved search under
// keys that every listing it matches has — the rarest of its required
// terms' grams, words (with their synonyms) and letter-and-digit runs,
// or a required skill, paired with the value of its rarest single-valued
// filter — takes a listing's candidates from the postings of its own
// grams, words, runs, skills and filter values, rejects most of them by
// the filters copied into the postings, and confirms the rest with the
// predicate. Searches with no such key (only exclusions, only a rate
// range, nothing at all) are candidates for every listing.
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
