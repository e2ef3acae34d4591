package search

import (
	"context"
	"slices"
	"sort"
	"time"

	"anken/internal/search/query"
	"github.com/RoaringBitmap/roaring/v2"
)

// Snapshots: the pages after the first answer the search as the index was
// when the first page was answered, like a point in time of Elasticsearch.
//
// The index has a position: the change-log sequence number of the last
// change it applied (Apply, RebuildAt), or for writes made without one
// (Upsert, Delete, Rebuild) the position before plus one. The first page
// of a search records it in its cursor. Every write is in the index's
// history, in order: the position it was made at, the listing's id and the
// version of the listing it replaced or closed (nil when the listing was
// not in the index). So the index as it was at position S is the index
// now, less the listings written after S, plus, for each of those that
// was in the index at S, the version its first write after S replaced.
//
// A later page answers the query over that: the current hits less the
// changed slots, and each old version that matches the query (matcher in
// match.go: the same predicate as plan, one listing at a time), at the
// sort key it had; a collapsed search recomputes the representatives of
// the groups those listings were or are in (collapseAt). When nothing was written
// since S, that is the current index and the page costs what it always
// did; otherwise it costs a pass over the writes since S on top.
//
// The history keeps writes for historyAge, historyBytes of old versions
// and historyLen writes, whichever is least; a cursor whose position is
// older than the oldest write dropped, or than the last rebuild, is
// expired. A cursor whose position is ahead of the index (issued by
// another node following the same log, further along) waits up to
// aheadWait for the index to get there. Two nodes at one position hold
// the same listings when both applied the log up to it one change at a
// time; a log that keeps only each listing's latest change can make a
// node that reads it later skip a version the other held, which such a
// continued page then does not see.

// Retention of the history, by default.
const (
	historyAge   = 30 * time.Minute
	historyBytes = 64 << 20
	historyLen   = 256 << 10
)

// aheadWait is how long a search waits for the index to reach the position
// of a cursor issued by a node that was ahead of this one.
const aheadWait = 2 * time.Second

// version is a listing as the index held it: what a snapshot needs to
// match it against a query, facet it and sort it.
type version struct {
	id, group          int64
	text               string
	titleEnd, skillEnd uint32
	cols               cols
	skills             []uint16
}

func (v *version) groupID() int64 {
	if v.group != 0 {
		return v.group
	}
	return v.id
}

// versionOf copies slot s, its text joined from its lines.
func (x *Index) versionOf(s uint32) *version {
	return &version{id: x.id[s], group: x.group[s], text: x.textOf(s),
		titleEnd: x.titleEnd[s], skillEnd: x.skillEnd[s], cols: x.cols[s], skills: x.skills[s]}
}

// change is one write in the history.
type change struct {
	seq int64
	id  int64
	old *version // what the write replaced or closed; nil when not in the index
	at  int64    // wall clock, Unix nanoseconds, for retention
}

// history is the index's writes since horizon, oldest first.
type history struct {
	log     []change // log[head:] are kept
	head    int
	bytes   int   // size of the kept old versions
	horizon int64 // the oldest position a snapshot can be taken at

	maxAge   time.Duration
	maxBytes int
	maxLen   int
	now      func() time.Time
}

func newHistory() history {
	return history{maxAge: historyAge, maxBytes: historyBytes, maxLen: historyLen, now: time.Now}
}

func (v *version) size() int { return len(v.text) + 2*len(v.skills) + 128 }

// add records a write and drops what retention no longer keeps.
func (h *history) add(c change) {
	now := h.now()
	c.at = now.UnixNano()
	h.log = append(h.log, c)
	if c.old != nil {
		h.bytes += c.old.size()
	}
	oldest := now.Add(-h.maxAge).UnixNano()
	for h.head < len(h.log) {
		e := &h.log[h.head]
		if len(h.log)-h.head <= h.maxLen && h.bytes <= h.maxBytes && e.at >= oldest {
			break
		}
		if e.old != nil {
			h.bytes -= e.old.size()
		}
		h.horizon = e.seq
		*e = change{}
		h.head++
	}
	// Reuse the front of the log once most of it is dropped.
	if h.head > 1024 && h.head > len(h.log)/2 {
		n := copy(h.log, h.log[h.head:])
		clear(h.log[n:])
		h.log, h.head = h.log[:n], 0
	}
}

// after returns the writes kept whose position is after pos, oldest
// first.
func (h *history) after(pos int64) []change {
	log := h.log[h.head:]
	return log[sort.Search(len(log), func(i int) bool { return log[i].seq > pos }):]
}

// clear forgets every write: the index now holds the listings as of seq.
func (h *history) clear(seq int64) {
	h.log, h.head, h.bytes, h.horizon = nil, 0, 0, seq
}

// advance moves the index's position to seq, or one past the current
// position when seq is 0 (a write not from the change log) or not above
// it, wakes searches waiting for a position and returns the new one.
// x.mu must be held for writing.
func (x *Index) advance(seq int64) int64 {
	if seq <= x.seq {
		seq = x.seq + 1
	}
	x.moveTo(seq)
	return seq
}

// moveTo sets the index's position and wakes the searches waiting for one.
// x.mu must be held for writing.
func (x *Index) moveTo(seq int64) {
	x.seq = seq
	x.waitMu.Lock()
	if x.moved != nil {
		close(x.moved)
		x.moved = nil
	}
	x.waitMu.Unlock()
}

// logWrite advances the position for a write of listing id that replaced
// or closed old, and records it. x.mu must be held for writing.
func (x *Index) logWrite(seq, id int64, old *version) {
	x.hist.add(change{seq: x.advance(seq), id: id, old: old})
}

// reach waits until the index's position is at least pos, for at most
// x.aheadWait, and reports whether it got there. x.mu must not be held.
func (x *Index) reach(ctx context.Context, pos int64) bool {
	t := time.NewTimer(x.aheadWait)
	defer t.Stop()
	for {
		x.waitMu.Lock()
		if x.moved == nil {
			x.moved = make(chan struct{})
		}
		moved := x.moved
		x.waitMu.Unlock()
		x.mu.RLock()
		at := x.seq
		x.mu.RUnlock()
		if at >= pos {
			return true
		}
		select {
		case <-moved:
		case <-t.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

// snapshot is what was written after a position: the current slots of
// the listings written since, and the versions those listings had at the
// position (for the ones that were in the index then).
type snapshot struct {
	changed *roaring.Bitmap
	old     []*version
}

// since returns what was written after position pos, or nil when nothing
// was. pos must not be older than the history's horizon. x.mu must be
// held.
func (x *Index) since(pos int64) *snapshot {
	changes := x.hist.after(pos)
	if len(changes) == 0 {
		return nil
	}
	sn := &snapshot{changed: roaring.New()}
	seen := make(map[int64]struct{}, len(changes))
	for _, c := range changes {
		if _, ok := seen[c.id]; ok {
			continue // only the first write after pos knows the version at pos
		}
		seen[c.id] = struct{}{}
		if c.old != nil {
			sn.old = append(sn.old, c.old)
		}
		if s, ok := x.slot[c.id]; ok {
			sn.changed.Add(s)
		}
	}
	return sn
}

// past is an old version in a snapshot's answer, with its relevance score
// and whether it matches the query.
type past struct {
	v     *version
	score int64
	match bool
}

// atSnapshot turns the current hits of plan p into the hits at snapshot
// sn: the current hits less the changed slots, and the old versions that
// belong in the answer (for a collapsed search, their groups'
// representatives as of the snapshot). The bitmap it returns may be
// modified.
func (x *Index) atSnapshot(p *plan, terms []query.Term, sn *snapshot) (*roaring.Bitmap, []past) {
	// A plan that found a term without postings stops early; a slot that
	// is not a hit still needs one title and skills bitmap per term, for
	// the score of a collapsed group's representative (see pastScore).
	npos := 0
	for _, t := range terms {
		if !t.Not {
			npos++
		}
	}
	for len(p.title) < npos {
		p.title, p.skills = append(p.title, roaring.New()), append(p.skills, roaring.New())
	}
	hits := roaring.AndNot(p.cand, sn.changed)
	olds := make([]past, len(sn.old))
	m := newMatcher(&p.q, terms)
	for i, v := range sn.old {
		score, ok := m.match(x.docOf(v))
		if !ok {
			score = int64(npos * weightDescription)
		}
		olds[i] = past{v: v, score: score, match: ok}
	}
	if p.q.Collapse {
		return x.collapseAt(hits, sn, olds)
	}
	out := olds[:0]
	for _, o := range olds {
		if o.match {
			out = append(out, o)
		}
	}
	return hits, out
}

// collapseAt collapses hits (current, unchanged slots) and olds (old
// versions) at a snapshot. A group none of whose members was written since
// the snapshot is as it was: the current collapse holds for it. For the
// other groups the members at the snapshot are the unchanged current
// members and the old versions of the group; the representative is the
// group's first listing among them, else the one with the lowest id,
// shown when any member matches.
func (x *Index) collapseAt(hits *roaring.Bitmap, sn *snapshot, olds []past) (*roaring.Bitmap, []past) {
	affected := map[int64][]*past{}
	for i := range olds {
		g := olds[i].v.groupID()
		affected[g] = append(affected[g], &olds[i])
	}
	it := sn.changed.Iterator()
	for it.HasNext() {
		if g := x.groupOf(it.Next()); affected[g] == nil {
			affected[g] = []*past{}
		}
	}
	inAffected := roaring.New()
	for g := range affected {
		inAffected.AddMany(x.members(g))
	}
	out := x.collapse(roaring.AndNot(hits, inAffected)) // a new bitmap
	var reps []past
	for g, ps := range affected {
		matched := false
		var (
			repID   int64 = -1
			repSlot uint32
			repPast *past
		)
		better := func(id int64) bool { return repID != g && (id == g || repID < 0 || id < repID) }
		for _, s := range x.members(g) {
			if sn.changed.Contains(s) {
				continue
			}
			matched = matched || hits.Contains(s)
			if id := x.id[s]; better(id) {
				repID, repSlot, repPast = id, s, nil
			}
		}
		for _, p := range ps {
			matched = matched || p.match
			if better(p.v.id) {
				repID, repPast = p.v.id, p
			}
		}
		switch {
		case !matched:
		case repPast != nil:
			reps = append(reps, *repPast)
		default:
			out.Add(repSlot)
		}
	}
	return out, reps
}

// keyOfPast returns the sort key an old version had.
func keyOfPast(sort Sort, p *past) sortKey { return keyOf(sort, &p.v.cols, p.v.id, p.score) }

// withPast adds the old versions of a snapshot to the keys of a page
// (best first, at most limit+1) and to the facet counts.
func withPast(p *plan, keys []sortKey, olds []past, counts *facetCounts) []sortKey {
	if len(olds) == 0 {
		return keys
	}
	for i := range olds {
		counts.add(p.facets, &olds[i].v.cols, olds[i].v.skills)
		k := keyOfPast(p.q.Sort, &olds[i])
		if p.cur != nil && k.compare(p.cur.key) >= 0 {
			continue // on an earlier page
		}
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b sortKey) int { return b.compare(a) })
	return keys[:min(len(keys), p.q.Limit+1)]
}
