package search

import (
	"slices"
	"sort"

	"anken/internal/search/query"
)

// Answers kept across writes. A write changes a search's first page only
// when the listing it wrote matches the search before or after the write:
// the hits, their order, the total, the facets and the figures of Stats
// are all of matching listings, and a listing that matches neither way is
// in none of them. A collapsed search also shows and counts duplicate
// groups by members that need not match (the representative, the offers,
// the agencies offering the job), so for it any write to a listing of a
// group with more than one member counts as a change. The history of
// writes (snapshot.go) holds every version a write replaced, and the
// index the current ones, so whether the writes since a position changed
// an answer can be decided exactly, a listing at a time, with the
// per-listing predicate.

// unchangedMaxWrites bounds the writes an answer is checked against: past
// it, answering the search again is cheaper.
const unchangedMaxWrites = 512

// Unchanged reports whether the first page of q (no cursor) answered at
// position since is also its answer at the index's position now, which it
// returns. It is false when q has a cursor and the index has moved (a
// later page shows the current content of listings that matched then), or
// when since is older than the history the index keeps, or too many
// writes ago to be worth checking.
func (x *Index) Unchanged(q Query, since int64) (int64, bool) {
	terms := query.Parse(q.Text)
	x.mu.RLock()
	defer x.mu.RUnlock()
	ok := x.unchanged(&q, terms, since)
	return x.seq, ok
}

// unchanged is Unchanged with the index's read lock held and q's text
// parsed.
func (x *Index) unchanged(q *Query, terms []query.Term, since int64) bool {
	switch {
	case since == x.seq:
		return true
	case q.Cursor != "" || since > x.seq || since < x.hist.horizon:
		return false
	}
	log := x.hist.log[x.hist.head:]
	i := sort.Search(len(log), func(i int) bool { return log[i].seq > since })
	if len(log)-i > unchangedMaxWrites {
		return false
	}
	var m *matcher
	matches := func(d *doc) bool {
		if m == nil {
			m = newMatcher(q, terms)
		}
		_, ok := m.match(d)
		return ok
	}
	for _, c := range log[i:] {
		if v := c.old; v != nil {
			if q.Collapse && v.groupID() != v.id || matches(x.docOf(v)) {
				return false
			}
		}
		if s, ok := x.slot[c.id]; ok {
			if q.Collapse && x.groupOf(s) != c.id || matches(x.docOfSlot(s)) {
				return false
			}
		}
		if q.Collapse && len(x.reposts[c.id]) > 0 {
			return false // the first listing of a group with reposts
		}
	}
	return true
}

// docOfSlot returns the document of slot s, without copying it.
func (x *Index) docOfSlot(s uint32) *doc {
	d := &doc{text: x.text[s], titleEnd: x.titleEnd[s], skillEnd: x.skillEnd[s], cols: x.cols[s],
		skills: x.skills[s], slugs: x.skillSlug}
	if a := x.cols[s].agency; int(a) < len(x.agencySlug) {
		d.agency = x.agencySlug[a]
	}
	return d
}

// catchUpFacets brings facet counts kept for q at position since to the
// index's position: each listing written since is taken out as it was at
// since when it matched then, and counted as it is now when it matches
// now. The kept counts are not changed (callers may be reading them): the
// answer is a copy. It is false when unchanged would be false for a
// reason other than a match (a cursor, the history, too many writes, a
// collapsed query and a duplicate group) or when a listing has a skill or
// agency code the counts were not sized for.
func (x *Index) catchUpFacets(q *Query, terms []query.Term, fs facetSet, kept facetCounts, since int64) (facetCounts, bool) {
	switch {
	case since == x.seq:
		return kept, true
	case q.Cursor != "" || since > x.seq || since < x.hist.horizon:
		return facetCounts{}, false
	}
	log := x.hist.log[x.hist.head:]
	i := sort.Search(len(log), func(i int) bool { return log[i].seq > since })
	if len(log)-i > unchangedMaxWrites {
		return facetCounts{}, false
	}
	m := newMatcher(q, terms)
	matches := func(d *doc) bool {
		_, ok := m.match(d)
		return ok
	}
	out := kept
	out.skills, out.agency = slices.Clone(kept.skills), slices.Clone(kept.agency)
	seen := make(map[int64]bool, len(log)-i)
	for _, c := range log[i:] {
		if q.Collapse && (c.old != nil && c.old.groupID() != c.old.id || len(x.reposts[c.id]) > 0) {
			return facetCounts{}, false
		}
		if seen[c.id] {
			continue // the version at since is the first write's old one
		}
		seen[c.id] = true
		if v := c.old; v != nil && matches(x.docOf(v)) {
			if !out.fits(fs, &v.cols, v.skills) {
				return facetCounts{}, false
			}
			out.addN(fs, &v.cols, v.skills, -1)
		}
		if s, ok := x.slot[c.id]; ok {
			if q.Collapse && x.groupOf(s) != c.id {
				return facetCounts{}, false
			}
			if matches(x.docOfSlot(s)) {
				if !out.fits(fs, &x.cols[s], x.skills[s]) {
					return facetCounts{}, false
				}
				out.addN(fs, &x.cols[s], x.skills[s], 1)
			}
		}
	}
	return out, true
}
