package search

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"

	"github.com/RoaringBitmap/roaring/v2"

	"anken/internal/listing"
	"anken/internal/search/query"
)

// Search answers q. Facet counts cover every hit, not just the page.
//
// Text terms and filters resolve to one bitmap of hits. A search with few
// hits walks them, one part per core, counting facets from the packed
// columns and keeping the best hits in a heap. A search with many hits
// counts facets by intersecting bitmaps instead, and finds its page by
// walking buckets in sort order from the top (runs of a few thousand
// slots in posted order, rate bands), so that its cost hardly grows with
// the number of hits or with how posted_at is spread.
//
// A page after the first answers the search at its first page's position
// (snapshot.go): when listings were written since, the current hits less
// those listings, plus their versions of then that match.
func (x *Index) Search(ctx context.Context, q Query) (Result, error) {
	q = q.withDefaults()
	cur, err := decodeCursor(q)
	if err != nil {
		return Result{}, err
	}
	terms := query.Parse(q.Text)

	x.mu.RLock()
	if cur != nil && cur.pinned && cur.at > x.seq {
		// Issued by a node further along the change log: wait for it.
		x.mu.RUnlock()
		reached := x.reach(ctx, cur.at)
		x.mu.RLock()
		if !reached || cur.at > x.seq {
			x.mu.RUnlock()
			if err := ctx.Err(); err != nil {
				return Result{}, err
			}
			return Result{}, fmt.Errorf("%w: it is from a later state of the listings than this server has reached; start the search again", ErrBadCursor)
		}
	}
	defer x.mu.RUnlock()
	// at is the snapshot the search answers: the index now on the first
	// page, the first page's on the others.
	at := x.seq
	var sn *snapshot
	if cur != nil && cur.pinned {
		if cur.at < x.hist.horizon {
			return Result{}, ErrCursorExpired
		}
		at = cur.at
		sn = x.since(at)
	}
	p, err := x.plan(ctx, q, terms)
	if err != nil {
		return Result{}, err
	}
	p.cur = cur
	hits := p.cand
	var olds []past
	switch {
	case sn != nil:
		hits, olds = x.atSnapshot(p, terms, sn)
	case q.Collapse:
		hits = x.collapse(hits)
	}
	res := Result{Total: int(hits.GetCardinality()) + len(olds)}
	var (
		keys   []sortKey
		counts facetCounts
	)
	switch {
	case res.Total <= x.walkMax:
		keys, counts = x.walk(ctx, p, hits)
		if q.Collapse && sn == nil {
			x.addOfferingAgencies(&counts, hits)
		}
	default:
		// The facets of many hits are counted once, and kept until a
		// write changes what the query matches (atPosition).
		// (A later page counts as of its first, with olds: never kept.)
		key := ""
		if sn == nil && p.facets.any {
			key = fmt.Sprintf("%s|%v", q.matchKey(), p.facets)
		}
		var ok bool
		if key != "" {
			counts, ok = x.keptFacets.get(x, key, func(kept facetCounts, since int64) (facetCounts, bool) {
				return x.catchUpFacets(&q, terms, p.facets, kept, since)
			})
		}
		if !ok {
			if p.facets.skills && res.Total <= x.countWalkMax {
				counts = x.countWalk(ctx, p.facets, hits)
			} else {
				counts = x.countFacets(p.facets, hits)
			}
			if q.Collapse {
				x.addOfferingAgencies(&counts, hits)
			}
			if key != "" && ctx.Err() == nil {
				x.keptFacets.put(x.seq, key, counts)
			}
		}
		keys = x.ordered(ctx, p, hits)
	}
	keys = withPast(p, keys, olds, &counts)
	res.Facets = counts.result(p.facets, x.skillSlug, x.agencySlug)
	if sn != nil && q.Collapse {
		// The agencies offering a collapsed job are those of its group as
		// the first page saw it, which a later page after writes no longer
		// knows: the agency facet of a collapsed search is the first
		// page's to give, and a later page leaves it out rather than
		// answer it inexactly.
		delete(res.Facets, FacetAgency)
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	page := keys[:min(len(keys), q.Limit)]
	res.Hits = make([]Hit, len(page))
	for i, k := range page {
		res.Hits[i] = Hit{ID: k[2]}
		if s, ok := x.slot[k[2]]; ok {
			res.Hits[i].Stamp = x.stamp[s]
		}
	}
	if q.Collapse {
		x.pageOffers(res.Hits, olds)
	}
	if len(keys) > q.Limit {
		res.NextCursor = cursor{key: page[len(page)-1], fingerprint: q.fingerprint(), pinned: true, at: at}.encode()
	}
	return res, nil
}

// minPart is the fewest items worth a goroutine of their own.
var minPart = 16_384

// walkMax is the most hits a search walks one by one; above it, bitmaps
// and buckets are cheaper.
const walkMax = 20_000

// countWalkMax is the most hits whose facets, skills among them, are
// counted by walking them (reading each hit's packed values once) rather
// than by intersecting the hits with every value's bitmap. The skills
// alone are hundreds of bitmaps, and intersecting a middling hit set (a
// skill, a keyword: tens or hundreds of thousands of hits spread over
// every container) with each costs far more than one pass over the hits;
// only when nearly every listing is a hit do the dense bitmap
// intersections win. Without skills there are a few dozen bitmaps at
// most, and intersecting them stays cheaper.
const countWalkMax = 500_000

// plan is a query resolved against the index: the candidate slots, which
// already match every term and bitmap filter, and per term the slots where
// it is in the title or the skills, for relevance.
type plan struct {
	q             Query
	cand          *roaring.Bitmap
	title, skills []*roaring.Bitmap // per term, restricted to cand
	facets        facetSet
	cur           *cursor
}

func (x *Index) plan(ctx context.Context, q Query, terms []query.Term) (*plan, error) {
	p := &plan{q: q, facets: newFacetSet(q.Facets)}
	and := []*roaring.Bitmap{x.live}
	anyOf := func(bs []*roaring.Bitmap) *roaring.Bitmap {
		switch len(bs) {
		case 0:
			return roaring.New()
		case 1:
			return bs[0]
		}
		return roaring.FastOr(bs...)
	}
	byCode := func(bs []*roaring.Bitmap, codes []uint8) {
		if len(codes) == 0 {
			return
		}
		var sel []*roaring.Bitmap
		for _, c := range codes {
			if c > 0 {
				sel = append(sel, bs[c])
			}
		}
		and = append(and, anyOf(sel))
	}
	byCode(x.roles, codes(listing.Roles, q.Roles))
	byCode(x.remotes, codes(listing.Remotes, q.Remotes))
	byCode(x.contracts, codes(listing.Contracts, q.Contracts))
	if len(q.Prefectures) > 0 {
		var cs []uint8
		for _, p := range q.Prefectures {
			cs = append(cs, prefCode(p))
		}
		byCode(x.prefs, cs)
	}
	if len(q.Agencies) > 0 {
		var sel []*roaring.Bitmap
		for _, slug := range q.Agencies {
			if c, ok := x.agencyCode[slug]; ok {
				sel = append(sel, x.agencySet[c])
			}
		}
		and = append(and, anyOf(sel))
	}
	for _, slug := range q.Skills {
		c, ok := x.skillCode[slug]
		if !ok {
			return &plan{q: q, cand: roaring.New(), facets: p.facets}, nil
		}
		and = append(and, x.skillSet[c])
	}
	if q.RateMin > 0 {
		and = append(and, x.rateRange(q.RateMin, true))
	}
	if q.RateMax > 0 {
		and = append(and, x.rateRange(q.RateMax, false))
	}
	switch q.Workload {
	case listing.WorkloadPart:
		and = append(and, x.part)
	case listing.WorkloadFull:
		and = append(and, roaring.AndNot(x.live, x.part))
	}
	if q.DaysMax > 0 {
		and = append(and, anyOf(x.days[1:min(q.DaysMax, 7)+1]))
	}
	if q.SideJob != nil {
		if *q.SideJob {
			and = append(and, x.sideJob)
		} else {
			and = append(and, roaring.AndNot(x.live, x.sideJob))
		}
	}
	var not []*roaring.Bitmap
	for _, t := range terms {
		var hits, title, skills *roaring.Bitmap
		switch {
		case t.Phrase:
			m, err := x.phrase(ctx, t.Text)
			if err != nil {
				return nil, err
			}
			hits, title, skills = m.hits, m.title, m.skills
		case !t.Substr:
			var all, ts, ss []*roaring.Bitmap
			for _, syns := range t.Words {
				var a, tt, st []*roaring.Bitmap
				for _, w := range syns {
					if b := x.words[w]; b != nil {
						a = append(a, b)
					}
					if b := x.titleWords[w]; b != nil {
						tt = append(tt, b)
					}
					if b := x.skillWords[w]; b != nil {
						st = append(st, b)
					}
				}
				all, ts, ss = append(all, anyOf(a)), append(ts, anyOf(tt)), append(ss, anyOf(st))
			}
			// A term of several words ("ci/cd") needs all of them.
			hits, title, skills = andAll(all), andAll(ts), andAll(ss)
		case utf8.RuneCountInString(t.Text) <= 2:
			g := query.Grams(t.Text)[0]
			hits, title, skills = x.grams[g], x.titleGrams[g], x.skillGrams[g]
		default:
			m, err := x.substring(ctx, t.Text)
			if err != nil {
				return nil, err
			}
			hits, title, skills = m.hits, m.title, m.skills
		}
		if t.Not {
			if hits != nil {
				not = append(not, hits)
			}
			continue
		}
		if hits == nil {
			return &plan{q: q, cand: roaring.New(), facets: p.facets}, nil
		}
		and = append(and, hits)
		p.title = append(p.title, orEmpty(title))
		p.skills = append(p.skills, orEmpty(skills))
	}
	p.cand = andAll(and)
	if len(not) > 0 {
		p.cand = roaring.AndNot(p.cand, roaring.FastOr(not...))
	}
	if f := newFilters(&q); f.onColumns() {
		p.cand = x.colRange(p.cand, f)
	}
	for i := range p.title {
		p.title[i] = roaring.And(p.title[i], p.cand)
		p.skills[i] = roaring.And(p.skills[i], p.cand)
	}
	return p, nil
}

func orEmpty(b *roaring.Bitmap) *roaring.Bitmap {
	if b == nil {
		return roaring.New()
	}
	return b
}

// andAll intersects bs, smallest first. It never modifies them, and its
// result may be one of them: callers must not modify it.
func andAll(bs []*roaring.Bitmap) *roaring.Bitmap {
	for _, b := range bs {
		if b == nil {
			return roaring.New()
		}
	}
	if len(bs) == 0 {
		return roaring.New()
	}
	bs = slices.Clone(bs)
	slices.SortFunc(bs, func(a, b *roaring.Bitmap) int { return cmp.Compare(a.GetCardinality(), b.GetCardinality()) })
	if len(bs) == 1 {
		return bs[0]
	}
	out := roaring.And(bs[0], bs[1])
	for _, b := range bs[2:] {
		if out.IsEmpty() {
			break
		}
		out.And(b)
	}
	return out
}

func codes[S ~string](all []S, vs []S) []uint8 {
	out := make([]uint8, len(vs))
	for i, v := range vs {
		out[i] = code(all, v)
	}
	return out
}

// substring answers a term of three or more runes from the book of the
// texts' distinct pieces (lines.go), or, when the term holds a rune that
// ends a piece, from the candidate listings' whole texts. The answer is
// cached when it held many listings.
func (x *Index) substring(ctx context.Context, t string) (termMatch, error) {
	if m, ok := x.cache.get(t); ok {
		return m, nil
	}
	var (
		m   termMatch
		err error
	)
	if strings.ContainsFunc(t, endsPiece) {
		m, err = x.substringInTexts(ctx, t)
	} else {
		m, err = x.book.substring(ctx, t)
	}
	if err == nil && m.hits.GetCardinality() >= uint64(x.cache.min) {
		x.cache.put(t, m)
	}
	return m, err
}

// substringInTexts answers a term that holds a rune ending a piece of
// text, which the book cannot: its bigrams give candidate listings, and
// each candidate's text, joined from its pieces, confirms it.
func (x *Index) substringInTexts(ctx context.Context, t string) (termMatch, error) {
	return x.confirm(ctx, withGrams(x.grams, t).ToArray(), func(field string) bool { return strings.Contains(field, t) })
}

// withGrams returns what the postings m hold for every bigram of t (a
// term of two or more runes): none when one has no posting. The result
// must not be modified.
func withGrams(m map[query.Gram]*roaring.Bitmap, t string) *roaring.Bitmap {
	var bs []*roaring.Bitmap
	for _, g := range query.Grams(t) {
		b := m[g]
		if b == nil {
			return roaring.New()
		}
		bs = append(bs, b)
	}
	return andAll(bs)
}

// edgeScanRatio decides when a phrase's edge words (see query.KeysOf), which
// take a pass over every word of the index to resolve, are worth it: when
// the candidates without them outnumber the index's words by more than
// 1 to edgeScanRatio. Confirming a candidate costs about that many times
// as much as testing a word. Without other keys they are always resolved.
var edgeScanRatio uint64 = 32

// phrase answers a quoted phrase (collapsed, not one word): the postings
// of its words and grams give the candidates and each candidate's fields
// confirm it. The answer is cached like a substring's.
func (x *Index) phrase(ctx context.Context, p string) (termMatch, error) {
	key := phraseKey(p)
	if m, ok := x.cache.get(key); ok {
		return m, nil
	}
	k := query.KeysOf(p)
	var bs []*roaring.Bitmap
	for _, w := range k.Words {
		b := x.words[w]
		if b == nil {
			return emptyMatch(), nil
		}
		bs = append(bs, b)
	}
	for _, g := range k.Grams {
		b := x.grams[g]
		if b == nil {
			return emptyMatch(), nil
		}
		bs = append(bs, b)
	}
	var cand *roaring.Bitmap
	if len(bs) > 0 {
		cand = andAll(bs)
	}
	if len(k.Edges) > 0 && (cand == nil || cand.GetCardinality()*edgeScanRatio > uint64(len(x.words))) {
		bs = append(bs, x.edgeWords(k.Edges)...)
		cand = andAll(bs)
	}
	if cand == nil {
		cand = x.live // not reached: a phrase has a gram or two words
	}
	slots := cand.ToArray()
	m, err := x.confirm(ctx, slots, func(field string) bool { return query.HoldsPhrase(field, p) })
	if err == nil && len(slots) >= x.cache.min {
		x.cache.put(key, m)
	}
	return m, err
}

// edgeWords returns for each edge the slots holding a word that can hold
// it, found in one pass over the index's words.
func (x *Index) edgeWords(es []query.Edge) []*roaring.Bitmap {
	sets := make([][]*roaring.Bitmap, len(es))
	for w, b := range x.words {
		for i, e := range es {
			if e.Holds(w) {
				sets[i] = append(sets[i], b)
			}
		}
	}
	out := make([]*roaring.Bitmap, len(es))
	for i, bs := range sets {
		switch len(bs) {
		case 0:
			out[i] = roaring.New()
		case 1:
			out[i] = bs[0]
		default:
			out[i] = roaring.FastOr(bs...)
		}
	}
	return out
}

func emptyMatch() termMatch {
	return termMatch{hits: roaring.New(), title: roaring.New(), skills: roaring.New()}
}

// confirm returns the candidates whose text holds a term, by in, one part
// per core: in their title, skills or description.
func (x *Index) confirm(ctx context.Context, cand []uint32, in func(field string) bool) (termMatch, error) {
	parts := split(len(cand))
	type found struct{ hits, title, skills []uint32 }
	out := make([]found, len(parts))
	var wg sync.WaitGroup
	for i, r := range parts {
		wg.Go(func() {
			f := &out[i]
			var buf []byte // the candidate's text, joined from its lines
			for j, s := range cand[r[0]:r[1]] {
				if j%1024 == 0 && ctx.Err() != nil {
					return
				}
				buf = x.book.text(buf[:0], s)
				hit, title, skills := inFields(unsafe.String(unsafe.SliceData(buf), len(buf)), x.titleEnd[s], x.skillEnd[s], in)
				if hit {
					f.hits = append(f.hits, s)
				}
				if title {
					f.title = append(f.title, s)
				}
				if skills {
					f.skills = append(f.skills, s)
				}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return termMatch{}, err
	}
	m := emptyMatch()
	for _, f := range out {
		m.hits.AddMany(f.hits)
		m.title.AddMany(f.title)
		m.skills.AddMany(f.skills)
	}
	return m, nil
}

// inFields reports whether in holds for folded text (title text[:te],
// skills text[te:se], description text[se:]): in any field, in the title,
// in the skills. The skills are only asked when the title holds, or when
// they decide whether the text does.
func inFields(text string, te, se uint32, in func(field string) bool) (hit, title, skills bool) {
	if in(text[:te]) {
		return true, true, in(text[te:se])
	}
	if in(text[te:se]) {
		return true, false, true
	}
	return in(text[se:]), false, false
}

// split cuts n items into one contiguous part per core, or one part when
// n is too small for goroutines to pay.
func split(n int) [][2]int {
	w := min(runtime.GOMAXPROCS(0), max(1, n/minPart))
	parts := make([][2]int, w)
	for i := range w {
		parts[i] = [2]int{n * i / w, n * (i + 1) / w}
	}
	return parts
}

// rateRange returns the slots whose rateHi is at least v (atLeast), or
// whose rateLo is known and at most v: whole bands from the cumulative
// bitmaps, and the slots of v's own band checked one by one, unless v is on
// the band's edge so that all of it qualifies (the usual 5万円 steps).
func (x *Index) rateRange(v int64, atLeast bool) *roaring.Bitmap {
	v = min(v, int64(listing.MaxMonthlyYen))
	var whole, edge *roaring.Bitmap
	if atLeast {
		i := rateIndex(int32(v))
		if i > 0 && v == int64(i-1)*rateBandWidth {
			return x.hiFrom[i]
		}
		whole, edge = x.hiFrom[i+1], x.rates[i]
	} else {
		i := lowIndex(int32(v))
		if i > 0 && i < rateBands && v == int64(i)*rateBandWidth {
			return x.loUpTo[i]
		}
		whole, edge = x.loUpTo[i-1], x.rateLows[i]
	}
	keep := make([]uint32, 0, edge.GetCardinality())
	it := edge.Iterator()
	for it.HasNext() {
		s := it.Next()
		c := &x.cols[s]
		if atLeast && int64(c.rateHi) >= v || !atLeast && int64(c.rateLo) <= v {
			keep = append(keep, s)
		}
	}
	if len(keep) == 0 {
		return whole
	}
	out := whole.Clone()
	out.AddMany(keep)
	return out
}

// colRange returns the slots of cand that pass f's filters on columns
// (hourly pay, first seen): the last filter of a plan, so it walks only
// what every other filter and term left. cand is not modified.
func (x *Index) colRange(cand *roaring.Bitmap, f filters) *roaring.Bitmap {
	keep := make([]uint32, 0, 1024)
	it := cand.Iterator()
	for it.HasNext() {
		s := it.Next()
		if f.colsOK(&x.cols[s]) {
			keep = append(keep, s)
		}
	}
	return roaring.BitmapOf(keep...)
}

// Field weights for relevance: a term counts for the best field it is in.
// Equal scores are ordered newest first, which is the freshness boost.
const (
	weightTitle       = 4
	weightSkills      = 2
	weightDescription = 1
)

// key returns the sort key of slot s with relevance score.
func (x *Index) key(sort Sort, s uint32, score int64) sortKey {
	return keyOf(sort, &x.cols[s], x.id[s], score)
}

// keyOf returns the sort key of a listing with columns c and relevance
// score. It reads no clock: the freshness boost is posted_at breaking ties
// of score, so a listing's key changes only when the listing does.
func keyOf(sort Sort, c *cols, id, score int64) sortKey {
	switch sort {
	case SortNewest:
		return sortKey{c.posted, 0, id}
	case SortRate:
		return sortKey{int64(c.rateHi), 0, id}
	}
	return sortKey{score, c.posted, id}
}

// walk visits every hit in parts, one goroutine each, counting facets and
// keeping the best limit+1 hits after the cursor. It returns them best
// first.
func (x *Index) walk(ctx context.Context, p *plan, hits *roaring.Bitmap) ([]sortKey, facetCounts) {
	slots := hits.ToArray()
	parts := split(len(slots))
	tops := make([]topK, len(parts))
	counts := make([]facetCounts, len(parts))
	var wg sync.WaitGroup
	for i, r := range parts {
		tops[i] = topK{max: p.q.Limit + 1}
		counts[i] = p.facets.newCounts(len(x.skillSlug), len(x.agencySlug))
		wg.Go(func() { x.walkPart(ctx, p, slots[r[0]:r[1]], &tops[i], &counts[i]) })
	}
	wg.Wait()
	var keys []sortKey
	total := p.facets.newCounts(len(x.skillSlug), len(x.agencySlug))
	for i := range parts {
		keys = append(keys, tops[i].keys...)
		total.merge(&counts[i])
	}
	slices.SortFunc(keys, func(a, b sortKey) int { return b.compare(a) })
	return keys[:min(len(keys), p.q.Limit+1)], total
}

func (x *Index) walkPart(ctx context.Context, p *plan, slots []uint32, top *topK, counts *facetCounts) {
	if len(slots) == 0 {
		return
	}
	q := &p.q
	// Iterators over each term's title and skills slots, advanced in step
	// with the walk (all are sorted), so relevance costs no lookups.
	var title, skills []roaring.IntPeekable
	if q.Sort == SortRelevance {
		for i := range p.title {
			t, k := p.title[i].Iterator(), p.skills[i].Iterator()
			t.AdvanceIfNeeded(slots[0])
			k.AdvanceIfNeeded(slots[0])
			title, skills = append(title, t), append(skills, k)
		}
	}
	in := func(it roaring.IntPeekable, s uint32) bool {
		it.AdvanceIfNeeded(s)
		return it.HasNext() && it.PeekNext() == s
	}
	for n, s := range slots {
		if n%4096 == 0 && ctx.Err() != nil {
			return
		}
		counts.add(p.facets, &x.cols[s], x.skills[s])
		var score int64
		for i := range title {
			switch {
			case in(title[i], s):
				score += weightTitle
			case in(skills[i], s):
				score += weightSkills
			default:
				score += weightDescription
			}
		}
		k := x.key(q.Sort, s, score)
		if p.cur != nil && k.compare(p.cur.key) >= 0 {
			continue // on an earlier page
		}
		top.push(k)
	}
}

// ordered finds the best limit+1 hits after the cursor without visiting
// every hit: it takes the hits class by class in descending order (for
// relevance, by score; otherwise all hits are one class), and within a
// class bucket by bucket from the top (the timeline's buckets of at most
// runMax slots in posted order, or rate bands for the rate sort). Every key
// in a bucket is above every key in the next, so it stops at the first
// bucket that fills the page.
func (x *Index) ordered(ctx context.Context, p *plan, hits *roaring.Bitmap) []sortKey {
	q := &p.q
	need := q.Limit + 1
	top := topK{max: need}
	var cs []class
	if q.Sort == SortRelevance && len(p.title) > 0 && p.cur == nil {
		// The first page of a common search is usually filled by hits
		// with every term in the title, the best class of all: then the
		// other classes need not be computed.
		best := hits
		for _, t := range p.title {
			best = roaring.And(best, t)
		}
		if best.GetCardinality() >= uint64(need) {
			cs = []class{{int64(weightTitle * len(p.title)), best}}
		}
	}
	if cs == nil {
		cs = x.classes(p, hits)
	}
	for _, c := range cs {
		if p.cur != nil && q.Sort == SortRelevance && c.score > p.cur.key[0] {
			continue // the whole class is on earlier pages
		}
		full := false
		// Within the cursor's class, buckets whose least key is at or
		// above the cursor's are on earlier pages.
		skip := p.cur != nil && (q.Sort != SortRelevance || c.score == p.cur.key[0])
		var after pair
		if skip {
			after = bucketPair(q.Sort, p.cur.key)
		}
		x.eachBucket(q.Sort, func(b *roaring.Bitmap, lowest pair) bool {
			if ctx.Err() != nil {
				return false
			}
			if skip && lowest.compare(after) >= 0 {
				return true
			}
			if !b.Intersects(c.hits) {
				return true
			}
			it := roaring.And(b, c.hits).Iterator()
			for it.HasNext() {
				k := x.key(q.Sort, it.Next(), c.score)
				if p.cur != nil && k.compare(p.cur.key) >= 0 {
					continue
				}
				top.push(k)
			}
			full = len(top.keys) == need
			return !full
		})
		if full {
			break
		}
	}
	keys := top.keys
	slices.SortFunc(keys, func(a, b sortKey) int { return b.compare(a) })
	return keys
}

// eachBucket calls fn with the sort's buckets from the top, each with the
// least pair (bucketPair) a slot in it can have, until fn returns false:
// rate bands for the rate sort, else the timeline's buckets.
func (x *Index) eachBucket(sort Sort, fn func(b *roaring.Bitmap, lowest pair) bool) {
	if sort == SortRate {
		for i := len(x.rates) - 1; i >= 0; i-- {
			lowest := least
			if i > 0 {
				lowest = pair{int64(i-1) * rateBandWidth, math.MinInt64}
			}
			if !fn(x.rates[i], lowest) {
				return
			}
		}
		return
	}
	t := x.byTime
	for i := len(t.lo) - 1; i >= 0; i-- {
		if !fn(t.bits[i], t.lo[i]) {
			return
		}
	}
}

// bucketPair is the part of a sort key that buckets are ordered by: the
// rate or posted_at, then the id (see keyOf).
func bucketPair(sort Sort, k sortKey) pair {
	if sort == SortRelevance {
		return pair{k[1], k[2]}
	}
	return pair{k[0], k[2]}
}

// class is a set of hits that share a relevance score.
type class struct {
	score int64
	hits  *roaring.Bitmap
}

// classes splits hits by relevance score, best first. Other sorts have
// one class.
func (x *Index) classes(p *plan, hits *roaring.Bitmap) []class {
	cs := []class{{0, hits}}
	if p.q.Sort != SortRelevance {
		return cs
	}
	for i := range p.title {
		var next []class
		for _, c := range cs {
			inTitle := roaring.And(c.hits, p.title[i])
			inSkills := roaring.AndNot(roaring.And(c.hits, p.skills[i]), inTitle)
			rest := roaring.AndNot(roaring.AndNot(c.hits, inTitle), inSkills)
			for _, n := range []class{{c.score + weightTitle, inTitle}, {c.score + weightSkills, inSkills},
				{c.score + weightDescription, rest}} {
				if !n.hits.IsEmpty() {
					next = append(next, n)
				}
			}
		}
		cs = next
	}
	slices.SortFunc(cs, func(a, b class) int { return cmp.Compare(b.score, a.score) })
	// Merge classes of equal score.
	out := cs[:0]
	for _, c := range cs {
		if n := len(out); n > 0 && out[n-1].score == c.score {
			out[n-1].hits = roaring.Or(out[n-1].hits, c.hits)
			continue
		}
		out = append(out, c)
	}
	return out
}

// countWalk counts facet values over hits by walking them in parts, one
// goroutine each.
func (x *Index) countWalk(ctx context.Context, s facetSet, hits *roaring.Bitmap) facetCounts {
	if !s.any {
		return facetCounts{}
	}
	slots := hits.ToArray()
	parts := split(len(slots))
	counts := make([]facetCounts, len(parts))
	var wg sync.WaitGroup
	for i, r := range parts {
		counts[i] = s.newCounts(len(x.skillSlug), len(x.agencySlug))
		wg.Go(func() {
			for n, sl := range slots[r[0]:r[1]] {
				if n%4096 == 0 && ctx.Err() != nil {
					return
				}
				counts[i].add(s, &x.cols[sl], x.skills[sl])
			}
		})
	}
	wg.Wait()
	total := s.newCounts(len(x.skillSlug), len(x.agencySlug))
	for i := range counts {
		total.merge(&counts[i])
	}
	return total
}

// countFacets counts facet values over many hits by intersecting bitmaps,
// one facet per goroutine.
func (x *Index) countFacets(s facetSet, hits *roaring.Bitmap) facetCounts {
	if !s.any {
		return facetCounts{}
	}
	fc := s.newCounts(len(x.skillSlug), len(x.agencySlug))
	// One job per value bitmap, taken by every core in turn: the skills
	// alone are hundreds of bitmaps, so a goroutine per facet would leave
	// one core doing most of the work.
	type job struct {
		dst *int
		b   *roaring.Bitmap
	}
	var jobs []job
	add := func(dst []int, bs []*roaring.Bitmap) {
		for i, b := range bs {
			if i < len(dst) {
				jobs = append(jobs, job{&dst[i], b})
			}
		}
	}
	add(fc.role[:], x.roles)
	add(fc.remote[:], x.remotes)
	add(fc.contract[:], x.contracts)
	add(fc.days[:], x.days)
	add(fc.pref[:], x.prefs)
	var sideJob int
	jobs = append(jobs, job{&sideJob, x.sideJob})
	if s.rate {
		add(fc.rate[:], x.rates[1:]) // x.rates[0] is "rate unknown", no facet value
	}
	if s.skills {
		add(fc.skills, x.skillSet)
	}
	if s.agency {
		add(fc.agency, x.agencySet)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(jobs) {
					return
				}
				*jobs[i].dst = int(hits.AndCardinality(jobs[i].b))
			}
		})
	}
	wg.Wait()
	fc.sideJob = [2]int{int(hits.GetCardinality()) - sideJob, sideJob}
	return fc
}

// topK keeps the max largest keys pushed, as a min-heap.
type topK struct {
	max  int
	keys []sortKey
}

func (t *topK) push(k sortKey) {
	if len(t.keys) < t.max {
		t.keys = append(t.keys, k)
		t.up(len(t.keys) - 1)
		return
	}
	if t.max == 0 || k.compare(t.keys[0]) <= 0 {
		return
	}
	t.keys[0] = k
	t.down(0)
}

func (t *topK) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if t.keys[parent].compare(t.keys[i]) <= 0 {
			return
		}
		t.keys[parent], t.keys[i] = t.keys[i], t.keys[parent]
		i = parent
	}
}

func (t *topK) down(i int) {
	n := len(t.keys)
	for {
		small := i
		for _, c := range []int{2*i + 1, 2*i + 2} {
			if c < n && t.keys[c].compare(t.keys[small]) < 0 {
				small = c
			}
		}
		if small == i {
			return
		}
		t.keys[small], t.keys[i] = t.keys[i], t.keys[small]
		i = small
	}
}

// facetSet says which facets a search counts.
type facetSet struct {
	role, remote, pref, contract, skills, days, sideJob, rate, agency bool
	any                                                               bool
}

func newFacetSet(fs []Facet) facetSet {
	var s facetSet
	for _, f := range fs {
		s.any = true
		switch f {
		case FacetRole:
			s.role = true
		case FacetRemote:
			s.remote = true
		case FacetPrefecture:
			s.pref = true
		case FacetContract:
			s.contract = true
		case FacetSkills:
			s.skills = true
		case FacetDays:
			s.days = true
		case FacetSideJob:
			s.sideJob = true
		case FacetRate:
			s.rate = true
		case FacetAgency:
			s.agency = true
		}
	}
	return s
}

// rateBands is how many 5万円 bands the rate facet has; the last holds
// everything from its lower bound up.
const rateBands = listing.MaxMonthlyYen/rateBandWidth + 1

const rateBandWidth = 50_000

// RateBand returns the lower bound of the 5万円 band holding monthly yen.
func RateBand(monthly int64) int64 { return monthly / rateBandWidth * rateBandWidth }

// facetCounts are counts by code, turned into names at the end.
type facetCounts struct {
	role     [16]int
	remote   [4]int
	pref     [48]int
	contract [5]int
	days     [256]int
	sideJob  [2]int
	rate     [rateBands]int
	skills   []int
	agency   []int // by agency code
}

func (s facetSet) newCounts(skills, agencies int) facetCounts {
	var c facetCounts
	if s.skills {
		c.skills = make([]int, skills)
	}
	if s.agency {
		c.agency = make([]int, agencies)
	}
	return c
}

func (fc *facetCounts) add(s facetSet, c *cols, skills []uint16) { fc.addN(s, c, skills, 1) }

// addN counts a listing n times (n = -1 takes one out).
func (fc *facetCounts) addN(s facetSet, c *cols, skills []uint16, n int) {
	if !s.any {
		return
	}
	fc.role[c.role] += n
	fc.remote[c.remote] += n
	fc.pref[c.pref] += n
	fc.contract[c.contract] += n
	fc.days[c.days] += n
	if c.sideJob {
		fc.sideJob[1] += n
	} else {
		fc.sideJob[0] += n
	}
	if c.rateHi > 0 {
		fc.rate[min(int(c.rateHi)/rateBandWidth, rateBands-1)] += n
	}
	if s.skills {
		for _, sk := range skills {
			fc.skills[sk] += n
		}
	}
	if s.agency && int(c.agency) < len(fc.agency) {
		fc.agency[c.agency] += n
	}
}

// fits reports whether counts sized as fc's can count a listing with
// columns c and skills: codes given out after fc was sized cannot.
func (fc *facetCounts) fits(s facetSet, c *cols, skills []uint16) bool {
	if s.skills {
		for _, sk := range skills {
			if int(sk) >= len(fc.skills) {
				return false
			}
		}
	}
	return !s.agency || int(c.agency) < len(fc.agency)
}

func (fc *facetCounts) merge(o *facetCounts) {
	addAll(fc.role[:], o.role[:])
	addAll(fc.remote[:], o.remote[:])
	addAll(fc.pref[:], o.pref[:])
	addAll(fc.contract[:], o.contract[:])
	addAll(fc.days[:], o.days[:])
	addAll(fc.sideJob[:], o.sideJob[:])
	addAll(fc.rate[:], o.rate[:])
	addAll(fc.skills, o.skills)
	addAll(fc.agency, o.agency)
}

func addAll(dst, src []int) {
	for i, n := range src {
		dst[i] += n
	}
}

// maxSkillFacet is how many skill values a skills facet returns: the most
// frequent ones.
const maxSkillFacet = 30

func (fc *facetCounts) result(s facetSet, skillSlug, agencySlug []string) map[Facet]map[string]int {
	if !s.any {
		return nil
	}
	out := map[Facet]map[string]int{}
	named := func(f Facet, counts []int, name func(i int) string) {
		m := map[string]int{}
		for i, n := range counts {
			if i > 0 && n > 0 {
				m[name(i)] = n
			}
		}
		out[f] = m
	}
	if s.role {
		named(FacetRole, fc.role[:], func(i int) string { return string(listing.Roles[i-1]) })
	}
	if s.remote {
		named(FacetRemote, fc.remote[:], func(i int) string { return string(listing.Remotes[i-1]) })
	}
	if s.pref {
		named(FacetPrefecture, fc.pref[:], func(i int) string { return listing.Prefectures[i-1].Code })
	}
	if s.contract {
		named(FacetContract, fc.contract[:], func(i int) string { return string(listing.Contracts[i-1]) })
	}
	if s.days {
		named(FacetDays, fc.days[:], strconv.Itoa)
	}
	if s.sideJob {
		m := map[string]int{}
		if fc.sideJob[0] > 0 {
			m["false"] = fc.sideJob[0]
		}
		if fc.sideJob[1] > 0 {
			m["true"] = fc.sideJob[1]
		}
		out[FacetSideJob] = m
	}
	if s.rate {
		m := map[string]int{}
		for i, n := range fc.rate {
			if n > 0 {
				m[strconv.Itoa(i*rateBandWidth)] = n
			}
		}
		out[FacetRate] = m
	}
	if s.skills {
		type kv struct {
			slug string
			n    int
		}
		var all []kv
		for i, n := range fc.skills {
			if n > 0 {
				all = append(all, kv{skillSlug[i], n})
			}
		}
		slices.SortFunc(all, func(a, b kv) int { return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.slug, b.slug)) })
		m := map[string]int{}
		for _, e := range all[:min(len(all), maxSkillFacet)] {
			m[e.slug] = e.n
		}
		out[FacetSkills] = m
	}
	if s.agency {
		m := map[string]int{}
		for i, n := range fc.agency {
			if n > 0 && i < len(agencySlug) {
				m[agencySlug[i]] = n
			}
		}
		out[FacetAgency] = m
	}
	return out
}

// addOfferingAgencies makes the agency facet of collapsed hits count each
// job for every agency offering it: for each hit that represents a group
// of duplicates, the agencies of its other open members that are not its
// own (each once) are added to counts.
func (x *Index) addOfferingAgencies(counts *facetCounts, hits *roaring.Bitmap) {
	if counts.agency == nil {
		return
	}
	for g := range x.reposts {
		ms := x.members(g)
		if len(ms) < 2 || !hits.Contains(ms[0]) {
			continue
		}
		seen := []uint16{x.cols[ms[0]].agency}
		for _, m := range ms[1:] {
			a := x.cols[m].agency
			if !slices.Contains(seen, a) {
				seen = append(seen, a)
				counts.agency[a]++
			}
		}
	}
}
