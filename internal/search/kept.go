package search

import (
	"fmt"
	"sync"
)

// atPosition keeps answers that depend only on what a query matches and
// on the index's contents, for as long as those stay as they are: the
// market figures of Stats, and the facet counts of a first page with many
// hits. The pages every visitor sees ask the same few queries again and
// again (the top page's counts, each job type's figures, a popular
// search's facets), and between two changes of the index their answers
// cannot change. Answers are kept for the index's position: every write
// moves it, and the first answer asked at a new position empties the
// rest; a build or a snapshot read empties it too (reset). Searches fill
// it under the index's read lock, so it has its own mutex. The index keeps
// one for each kind of answer.
//
// What it answers is exactly what would be computed: kept answers are
// never older than the index they are read from.
type atPosition[V any] struct {
	mu  sync.Mutex
	seq int64
	by  map[string]V
}

// atPositionMax bounds the answers kept for one position, of each kind: a
// position held all day sees many queries, and a few hundred are the
// pages most asked for.
const atPositionMax = 512

// get returns the answer kept for key at position seq. Asked at another
// position than the answers kept, it forgets them.
func (a *atPosition[V]) get(seq int64, key string) (V, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.at(seq)
	v, ok := a.by[key]
	return v, ok
}

// put keeps v as the answer for key at position seq.
func (a *atPosition[V]) put(seq int64, key string, v V) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.at(seq)
	if len(a.by) >= atPositionMax {
		clear(a.by)
	}
	a.by[key] = v
}

// at empties a when its answers are for another position than seq.
// a.mu is held.
func (a *atPosition[V]) at(seq int64) {
	if a.seq != seq || a.by == nil {
		a.seq, a.by = seq, map[string]V{}
	}
}

// reset forgets every answer: the index's contents were replaced.
func (a *atPosition[V]) reset() {
	a.mu.Lock()
	a.by = nil
	a.mu.Unlock()
}

// matchKey names what q matches, whatever its order, page and facets:
// queries with the same key have the same hits, so the same total, facet
// counts and figures.
func (q *Query) matchKey() string {
	return fmt.Sprintf("%q|%q|%q|%q|%q|%q|%d|%d|%d|%d|%q|%q|%d|%d|%s|%t", q.Text, q.Skills, q.Roles, q.Remotes,
		q.Prefectures, q.Contracts, q.RateMin, q.RateMax, q.HourlyMin, q.HourlyMax, q.Workload, q.Agencies,
		q.SeenSince, q.DaysMax, boolPtr(q.SideJob), q.Collapse)
}
