package search

import (
	"fmt"
	"sync"
)

// atPosition keeps answers that depend only on what a query matches and
// on the index's contents: the market figures of Stats, and the facet
// counts of a first page with many hits. The pages every visitor sees ask
// the same few queries again and again (the top page's counts, each job
// type's figures, a popular search's facets), and between two writes that
// do not touch what a query matches their answers cannot change. Each
// answer is kept with the index's position it is exact at; asked at a
// later position, it is checked against the writes since (unchanged.go)
// and answered, now exact at the new position, or dropped. A build or a
// snapshot read empties it (reset). Searches fill it under the index's
// read lock, so it has its own mutex. The index keeps one for each kind
// of answer.
//
// What it answers is exactly what would be computed: kept answers are
// never older than the index they are read from.
type atPosition[V any] struct {
	mu sync.Mutex
	by map[string]*keptAnswer[V]
}

type keptAnswer[V any] struct {
	v  V
	at int64 // the position v is exact at
}

// atPositionMax bounds the answers kept, of each kind: a few hundred are
// the pages most asked for.
const atPositionMax = 512

// get returns the answer kept for key when it is exact at the index's
// position: kept at it, or brought to it from an earlier position by
// catchUp, which answers the kept value as it is at the index's position
// now, or false when it cannot (unchanged.go). The index's read lock is
// held.
func (a *atPosition[V]) get(x *Index, key string, catchUp func(kept V, since int64) (V, bool)) (V, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	e, ok := a.by[key]
	switch {
	case !ok:
		var zero V
		return zero, false
	case e.at == x.seq:
		return e.v, true
	}
	if v, ok := catchUp(e.v, e.at); ok {
		e.v, e.at = v, x.seq
		return v, true
	}
	delete(a.by, key)
	var zero V
	return zero, false
}

// put keeps v as the answer for key at position seq.
func (a *atPosition[V]) put(seq int64, key string, v V) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.by == nil || len(a.by) >= atPositionMax {
		a.by = map[string]*keptAnswer[V]{}
	}
	a.by[key] = &keptAnswer[V]{v: v, at: seq}
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
