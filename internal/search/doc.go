// Package search answers listing searches from an in-memory index that is
// built from the store and kept current by following its change log.
//
// An Index holds the open listings as coded columns, bitmaps and
// postings, and answers a Query with ids (Search), counts for the market
// figures (Stats) and pages that stay put (cursors); a Percolator answers
// which saved searches a listing matches. Around it, each job that can
// stand on its own is a package of its own (see Packages below).
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
//
// # Packages
//
// Split by job, as zoekt splits its query language from its index:
//
//   - search/query reads text the way the index does: folding, words,
//     grams, query text parsed into terms, what holding a phrase means. It
//     holds no index; both a listing and a query go through it.
//   - search/persist is a snapshot file's frame: its header (Info), the
//     checksummed body's Writer and Reader, the trailer, a file written
//     beside its path and renamed into place.
//   - search/follow keeps an index current with the store's change log and
//     its snapshot on disk.
//
// What stays here stays because it is the index's own fields, and moving
// it out would only export them:
//
//   - Query, Result and Hit, the index's request and answer, as zoekt's
//     root package holds its API types: search/query is how a Query's
//     Text is read, not a second model of the query;
//   - the plan (search.go), which resolves a query's terms and filters
//     against the index's bitmaps and postings, and the per-listing
//     predicate (match.go), which reads the same coded columns;
//   - the snapshot's body (persist.go): per slot the coded columns and
//     texts, every posting, the timeline, the groups and the term cache.
//     A FormatVersion and a test that lists every field of Index hold it
//     to the struct; the frame it is written in is search/persist's;
//   - the Percolator (percolate.go): it is the predicate run the other way
//     round, and copies the compiled filters, coded as the columns are,
//     into its postings. Out of this package it would need the columns'
//     coding and the compiled query exported; here one predicate serves
//     both, and a test holds it to the plan;
//   - the statistics (stats.go): one pass over the hits' rate and skill
//     columns under the index's read lock, kept while the index's
//     position stays the same.
package search
