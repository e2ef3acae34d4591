package search

import (
	"cmp"
	"slices"

	"anken/internal/search/query"
)

// Answers kept across writes. A write changes a search's first page only
// when the listing it wrote matches the search before or after the write:
// the hits, their order, the total, the facets and the figures of Stats
// are all of matching listings, and a listing that matches neither way is
// in none of them. A collapsed search also shows and counts duplicate
// groups by members that need not match (the representative, the offers,
// the agencies offering the job), so for it a write that touched a group
// with a member matching then or now counts as a change. The history of
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
	changes, ok := x.writesSince(q, since)
	if !ok {
		return false
	}
	matches := matcherOf(q, terms)
	for _, c := range changes {
		if v := c.old; v != nil && matches(x.docOf(v)) {
			return false
		}
		if s, ok := x.slot[c.id]; ok && matches(x.docOfSlot(s)) {
			return false
		}
	}
	if !q.Collapse {
		return true
	}
	// A collapsed search also shows a group by members that need not
	// match: a group the writes touched changes the answer when a member
	// matched then or matches now.
	then, groups := x.touched(changes)
	for g := range groups {
		before, after := x.groupMembers(g, then)
		if slices.ContainsFunc(before, func(m member) bool { return matches(m.d) }) ||
			slices.ContainsFunc(after, func(m member) bool { return matches(m.d) }) {
			return false
		}
	}
	return true
}

// writesSince returns the writes after position since that a first page
// of q answered then must be checked against, and false when it cannot be:
// q has a cursor (a later page shows the current content of listings that
// matched at its first), since is outside the history, or the writes are
// more than unchangedMaxWrites.
func (x *Index) writesSince(q *Query, since int64) ([]change, bool) {
	switch {
	case since == x.seq:
		return nil, true
	case q.Cursor != "" || since > x.seq || since < x.hist.horizon:
		return nil, false
	}
	changes := x.hist.after(since)
	return changes, len(changes) <= unchangedMaxWrites
}

// matcherOf returns the per-listing predicate of q, compiled when first
// asked.
func matcherOf(q *Query, terms []query.Term) func(*doc) bool {
	var m *matcher
	return func(d *doc) bool {
		if m == nil {
			m = newMatcher(q, terms)
		}
		_, ok := m.match(d)
		return ok
	}
}

// touched returns each listing the changes wrote as it was before the
// first of them (nil: not in the index), and the duplicate groups they
// were or are in.
func (x *Index) touched(changes []change) (map[int64]*version, map[int64]bool) {
	then := map[int64]*version{}
	for _, c := range changes {
		if _, ok := then[c.id]; !ok {
			then[c.id] = c.old
		}
	}
	groups := map[int64]bool{}
	for id, v := range then {
		if v != nil {
			groups[v.groupID()] = true
		}
		if s, ok := x.slot[id]; ok {
			groups[x.groupOf(s)] = true
		}
	}
	return then, groups
}

// member is one listing of a duplicate group as a collapsed search counts
// it: its id, document, columns and skills.
type member struct {
	id     int64
	d      *doc
	cols   *cols
	skills []uint16
}

// groupMembers returns group g's members before the writes then records —
// today's members not written since, and the written listings' versions
// then — and now.
func (x *Index) groupMembers(g int64, then map[int64]*version) (before, after []member) {
	for _, s := range x.members(g) {
		m := member{id: x.id[s], d: x.docOfSlot(s), cols: &x.cols[s], skills: x.skills[s]}
		after = append(after, m)
		if _, written := then[m.id]; !written {
			before = append(before, m)
		}
	}
	for id, v := range then {
		if v != nil && v.groupID() == g {
			before = append(before, member{id: id, d: x.docOf(v), cols: &v.cols, skills: v.skills})
		}
	}
	return before, after
}

// docOfSlot returns the document of slot s.
func (x *Index) docOfSlot(s uint32) *doc {
	d := &doc{text: x.textOf(s), titleEnd: x.titleEnd[s], skillEnd: x.skillEnd[s], cols: x.cols[s],
		skills: x.skills[s], slugs: x.skillSlug}
	if a := x.cols[s].agency; int(a) < len(x.agencySlug) {
		d.agency = x.agencySlug[a]
	}
	return d
}

// catchUpFacets brings facet counts kept for q at position since to the
// index's position: each listing written since is taken out as it was at
// since when it matched then, and counted as it is now when it matches
// now; for a collapsed query, each duplicate group a written listing was
// or is in is taken out as it was shown then and counted as it is shown
// now (catchUpGroups). The kept counts are not changed (callers may be
// reading them): the answer is a copy. It is false for a cursor, a
// position outside the history or too many writes ago, or when a listing
// has a skill or agency code the counts were not sized for.
func (x *Index) catchUpFacets(q *Query, terms []query.Term, fs facetSet, kept facetCounts, since int64) (facetCounts, bool) {
	changes, ok := x.writesSince(q, since)
	switch {
	case !ok:
		return facetCounts{}, false
	case len(changes) == 0:
		return kept, true
	}
	matches := matcherOf(q, terms)
	out := kept
	out.skills, out.agency = slices.Clone(kept.skills), slices.Clone(kept.agency)
	if q.Collapse {
		return x.catchUpGroups(changes, matches, fs, out)
	}
	seen := make(map[int64]bool, len(changes))
	for _, c := range changes {
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

// catchUpGroups is catchUpFacets for a collapsed query. A collapsed search
// counts each duplicate group with a matching member once, as its
// representative (its first listing while open, else its member with the
// lowest id), and adds the other agencies offering it to the agency facet
// (addOfferingAgencies). The groups the writes since touched are counted
// as they were at since — today's members not written since, with the
// written listings' versions at since — and as they are now.
func (x *Index) catchUpGroups(changes []change, matches func(*doc) bool, fs facetSet, out facetCounts) (facetCounts, bool) {
	then, groups := x.touched(changes)
	count := func(ms []member, g int64, n int) bool {
		if len(ms) == 0 || !slices.ContainsFunc(ms, func(m member) bool { return matches(m.d) }) {
			return true
		}
		// The representative first: the first listing if open, else the
		// lowest id.
		slices.SortFunc(ms, func(a, b member) int {
			switch {
			case a.id == g:
				return -1
			case b.id == g:
				return 1
			}
			return cmp.Compare(a.id, b.id)
		})
		rep := ms[0]
		if !out.fits(fs, rep.cols, rep.skills) {
			return false
		}
		out.addN(fs, rep.cols, rep.skills, n)
		if fs.agency && len(ms) > 1 {
			seen := []uint16{rep.cols.agency}
			for _, m := range ms[1:] {
				if a := m.cols.agency; !slices.Contains(seen, a) {
					seen = append(seen, a)
					if int(a) >= len(out.agency) {
						return false
					}
					out.agency[a] += n
				}
			}
		}
		return true
	}
	for g := range groups {
		before, after := x.groupMembers(g, then)
		if !count(before, g, -1) || !count(after, g, 1) {
			return facetCounts{}, false
		}
	}
	return out, true
}
