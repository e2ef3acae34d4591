package search

import (
	"context"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/RoaringBitmap/roaring/v2"

	"anken/internal/listing"
	"anken/internal/search/query"
)

// buildBatch is how many listings a build worker folds at a time.
const buildBatch = 512

// Rebuild replaces the index's contents with the open listings fill adds,
// using every core: listings are folded in parallel, then each core posts
// one range of slots into postings of its own, which are merged at the end.
// Searches see the old contents until the new ones are complete. fill may
// reuse the listing it passes once add returns.
//
// It is a write outside the change log: the index's position moves by one,
// and the cursors of searches begun before it expire.
func (x *Index) Rebuild(ctx context.Context, fill func(add func(*listing.Listing)) error) error {
	return x.rebuild(ctx, func(add func(*listing.Listing)) (int64, error) { return 0, fill(add) }, false)
}

// RebuildAt is Rebuild with the listings as of position seq of the store's
// change log, which fill returns: the index's position is then seq, and
// Apply continues from there.
func (x *Index) RebuildAt(ctx context.Context, fill func(add func(*listing.Listing)) (seq int64, err error)) error {
	return x.rebuild(ctx, fill, true)
}

// rebuild replaces the contents; logged says whether fill returns a
// position of the change log.
func (x *Index) rebuild(ctx context.Context, fill func(add func(*listing.Listing)) (int64, error), logged bool) error {
	n := NewIndex()
	n.runMax = x.runMax
	workers := runtime.GOMAXPROCS(0)

	// Fold in parallel, keeping the order listings came in.
	type batch struct {
		seq int
		ls  []*listing.Listing
		ps  []*prepared
	}
	in := make(chan *batch, workers)
	out := make(chan *batch, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			arena := &textArena{}
			for b := range in {
				b.ps = make([]*prepared, len(b.ls))
				for i, l := range b.ls {
					b.ps[i] = prepare(l, arena)
				}
				b.ls = nil
				out <- b
			}
		})
	}
	// Place each listing as its batch comes, in the order listings came
	// (a later one with the same id replaces an earlier one), and enter
	// its text into the book, which keeps it from then on: the folded
	// texts of the whole catalogue are never held at once.
	placed := make(chan struct{})
	go func() {
		defer close(placed)
		pending := map[int]*batch{}
		next := 0
		for b := range out {
			pending[b.seq] = b
			for pb, ok := pending[next]; ok; pb, ok = pending[next] {
				for _, p := range pb.ps {
					if s, ok := n.slot[p.id]; ok {
						n.book.remove(s)
						n.free = append(n.free, s)
					}
					s := n.place(p)
					n.book.add(s, p.text, p.titleEnd, p.skillEnd)
				}
				delete(pending, next)
				next++
			}
		}
	}()
	cur := &batch{}
	seq := 0
	at, fillErr := fill(func(l *listing.Listing) {
		if l.Status != listing.StatusOpen {
			return
		}
		c := *l
		c.Skills = slices.Clone(l.Skills)
		cur.ls = append(cur.ls, &c)
		if len(cur.ls) == buildBatch {
			cur.seq = seq
			seq++
			in <- cur
			cur = &batch{}
		}
	})
	if len(cur.ls) > 0 {
		cur.seq = seq
		in <- cur
	}
	close(in)
	wg.Wait()
	close(out)
	<-placed
	if fillErr != nil {
		return fillErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	// Post slot ranges in parallel.
	n.postAll(workers)
	for s := range n.id {
		if g := n.groupOf(uint32(s)); n.slot[n.id[s]] == uint32(s) && g != n.id[s] {
			n.reposts[g] = append(n.reposts[g], uint32(s))
		}
	}
	for g, ms := range n.reposts {
		n.sortByID(ms)
		n.regroup(g)
	}
	for _, s := range n.free {
		n.id[s], n.skills[s] = 0, nil
	}

	x.mu.Lock()
	defer x.mu.Unlock()
	x.takeFrom(n)
	if !logged {
		at = x.seq + 1
	}
	x.moveTo(at)
	x.hist.clear(at)
	return nil
}

// postAll fills every posting of a freshly placed index: each worker posts
// a range of slots into maps of its own, and the maps are merged.
func (x *Index) postAll(workers int) {
	n := len(x.id)
	free := roaring.New()
	for _, s := range x.free {
		free.Add(s)
	}
	parts := make([]*Index, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := n*w/workers, n*(w+1)/workers
		part := &Index{
			words: map[string]*roaring.Bitmap{}, titleWords: map[string]*roaring.Bitmap{},
			skillWords: map[string]*roaring.Bitmap{}, grams: map[query.Gram]*roaring.Bitmap{},
			titleGrams: map[query.Gram]*roaring.Bitmap{}, skillGrams: map[query.Gram]*roaring.Bitmap{},
			// Columns and the book are shared read-only with x.
			book: x.book, titleEnd: x.titleEnd, skillEnd: x.skillEnd,
		}
		parts[w] = part
		wg.Go(func() { part.postRange(uint32(lo), uint32(hi), free) })
	}
	// Column bitmaps are cheap: post them here meanwhile.
	for s := range uint32(n) {
		if free.Contains(s) {
			continue
		}
		c := &x.cols[s]
		x.live.Add(s)
		x.roles[c.role].Add(s)
		x.remotes[c.remote].Add(s)
		x.prefs[c.pref].Add(s)
		x.contracts[c.contract].Add(s)
		if c.sideJob {
			x.sideJob.Add(s)
		}
		if c.part {
			x.part.Add(s)
		}
		x.agencySet[c.agency].Add(s)
		for _, sk := range x.skills[s] {
			x.skillSet[sk].Add(s)
		}
		x.days[min(c.days, 7)].Add(s)
		x.rates[rateIndex(c.rateHi)].Add(s)
		x.rateLows[lowIndex(c.rateLo)].Add(s)
	}
	x.byTime.build(x, x.live.ToArray())
	for i := rateBands; i >= 1; i-- {
		x.hiFrom[i] = roaring.Or(x.hiFrom[i+1], x.rates[i])
	}
	for i := 1; i <= rateBands; i++ {
		x.loUpTo[i] = roaring.Or(x.loUpTo[i-1], x.rateLows[i])
	}
	wg.Wait()
	merge := func(dst map[string]*roaring.Bitmap, part func(*Index) map[string]*roaring.Bitmap) {
		for _, p := range parts {
			for k, b := range part(p) {
				if d := dst[k]; d != nil {
					d.Or(b)
				} else {
					dst[k] = b
				}
			}
		}
	}
	mergeGrams := func(dst map[query.Gram]*roaring.Bitmap, part func(*Index) map[query.Gram]*roaring.Bitmap) {
		for _, p := range parts {
			for k, b := range part(p) {
				if d := dst[k]; d != nil {
					d.Or(b)
				} else {
					dst[k] = b
				}
			}
		}
	}
	var mw sync.WaitGroup
	mw.Go(func() { merge(x.words, func(p *Index) map[string]*roaring.Bitmap { return p.words }) })
	mw.Go(func() { merge(x.titleWords, func(p *Index) map[string]*roaring.Bitmap { return p.titleWords }) })
	mw.Go(func() { merge(x.skillWords, func(p *Index) map[string]*roaring.Bitmap { return p.skillWords }) })
	mw.Go(func() { mergeGrams(x.grams, func(p *Index) map[query.Gram]*roaring.Bitmap { return p.grams }) })
	mw.Go(func() {
		mergeGrams(x.titleGrams, func(p *Index) map[query.Gram]*roaring.Bitmap { return p.titleGrams })
	})
	mw.Go(func() {
		mergeGrams(x.skillGrams, func(p *Index) map[query.Gram]*roaring.Bitmap { return p.skillGrams })
	})
	mw.Wait()
	for _, m := range []map[query.Gram]*roaring.Bitmap{x.grams, x.titleGrams, x.skillGrams} {
		for _, b := range m {
			b.RunOptimize()
		}
	}
}

// postChunk is how many slots postRange gathers before adding them to
// bitmaps: adding sorted runs with AddMany is many times faster than
// adding slots one by one.
const postChunk = 1 << 16

// postRange posts the text of slots [lo, hi) into x's word and gram maps.
func (x *Index) postRange(lo, hi uint32, free *roaring.Bitmap) {
	words := [3]runs[string]{newRuns[string](), newRuns[string](), newRuns[string]()}
	grams := [3]*gramRuns{newGramRuns(), newGramRuns(), newGramRuns()}
	wordMaps := [3]map[string]*roaring.Bitmap{x.words, x.titleWords, x.skillWords}
	gramMaps := [3]map[query.Gram]*roaring.Bitmap{x.grams, x.titleGrams, x.skillGrams}
	var text []byte
	for start := lo; start < hi; start += postChunk {
		end := min(hi, start+postChunk)
		for s := start; s < end; s++ {
			if free.Contains(s) {
				continue
			}
			// Reused for the next slot: runs.add copies a word it keeps.
			text = x.book.text(text[:0], s)
			t := unsafe.String(unsafe.SliceData(text), len(text))
			fields := [3]string{t, t[:x.titleEnd[s]], t[x.titleEnd[s]:x.skillEnd[s]]}
			for i, f := range fields {
				w, g := &words[i], grams[i]
				query.EachWord(f, func(k string) { w.add(k, s) })
				query.EachGram(f, func(k query.Gram) { g.add(k, s) })
			}
		}
		for i := range 3 {
			words[i].flush(wordMaps[i])
			grams[i].flush(gramMaps[i])
		}
	}
}

// runs gathers, for each key, the slots of one chunk in ascending order.
type runs[K comparable] struct {
	ids   map[K]int32
	keys  []K
	slots [][]uint32
}

func newRuns[K comparable]() runs[K] { return runs[K]{ids: map[K]int32{}} }

// add appends slot s to k's run unless it is already last, and returns
// the run's id.
func (r *runs[K]) add(k K, s uint32) int32 {
	id, ok := r.ids[k]
	if !ok {
		if w, ok := any(k).(string); ok {
			k = any(strings.Clone(w)).(K) // k may be part of a buffer reused
		}
		id = int32(len(r.keys))
		r.ids[k] = id
		r.keys = append(r.keys, k)
		r.slots = append(r.slots, nil)
	}
	a := r.slots[id]
	if n := len(a); n > 0 && a[n-1] == s {
		return id
	}
	r.slots[id] = append(a, s)
	return id
}

// gramRuns is runs of grams with a memo in front of the map: most grams of
// a text were met a moment ago, earlier in the same text (every kana and
// common kanji recurs) or in the texts just before, and a direct-mapped
// table small enough for the core's cache answers them without the map's
// lookup and the run's cache misses. A key in the memo has its id and the
// last slot added to its run.
type gramRuns struct {
	runs[query.Gram]
	memo []gramMemo
}

type gramMemo struct {
	k    query.Gram
	id   int32 // -1: no key
	last uint32
}

// gramMemoBits sizes the memo: 1<<14 entries of 16 bytes (256 KB),
// the fastest of 10 to 16 bits in BenchmarkRebuild.
const gramMemoBits = 14

func newGramRuns() *gramRuns {
	r := &gramRuns{runs: newRuns[query.Gram](), memo: make([]gramMemo, 1<<gramMemoBits)}
	for i := range r.memo {
		r.memo[i].id = -1
	}
	return r
}

// add appends slot s to k's run unless it is already last.
func (r *gramRuns) add(k query.Gram, s uint32) {
	m := &r.memo[uint64(k)*0x9E3779B97F4A7C15>>(64-gramMemoBits)]
	if m.id >= 0 && m.k == k {
		if m.last != s {
			m.last = s
			r.slots[m.id] = append(r.slots[m.id], s)
		}
		return
	}
	*m = gramMemo{k: k, id: r.runs.add(k, s), last: s}
}

// flush adds each run to its key's bitmap and empties the runs, keeping
// their capacity for the next chunk.
func (r *runs[K]) flush(dst map[K]*roaring.Bitmap) {
	for id, a := range r.slots {
		if len(a) == 0 {
			continue
		}
		k := r.keys[id]
		b := dst[k]
		if b == nil {
			b = roaring.New()
			dst[k] = b
		}
		b.AddMany(a)
		r.slots[id] = a[:0]
	}
}

// takeFrom moves n's contents into x. x.mu must be held.
func (x *Index) takeFrom(n *Index) {
	x.id, x.group, x.titleEnd, x.skillEnd = n.id, n.group, n.titleEnd, n.skillEnd
	x.cols, x.skills, x.slot, x.free, x.live = n.cols, n.skills, n.slot, n.free, n.live
	x.words, x.titleWords, x.skillWords = n.words, n.titleWords, n.skillWords
	x.grams, x.titleGrams, x.skillGrams, x.book = n.grams, n.titleGrams, n.skillGrams, n.book
	x.roles, x.remotes, x.prefs, x.contracts = n.roles, n.remotes, n.prefs, n.contracts
	x.skillSet, x.sideJob, x.part, x.skillCode, x.skillSlug = n.skillSet, n.sideJob, n.part, n.skillCode, n.skillSlug
	x.agencyCode, x.agencySlug, x.agencySet = n.agencyCode, n.agencySlug, n.agencySet
	x.days, x.rates, x.rateLows, x.byTime = n.days, n.rates, n.rateLows, n.byTime
	x.reposts, x.dups, x.rep, x.stamp = n.reposts, n.dups, n.rep, n.stamp
	x.hiFrom, x.loUpTo = n.hiFrom, n.loUpTo
	x.cache.clear()
	x.keptStats.reset()
	x.keptFacets.reset()
}
