package search

import (
	"cmp"
	"context"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"

	"anken/internal/listing"
)

// Search answers q. Facet counts cover every hit, not just the page.
func (x *Index) Search(ctx context.Context, q Query) (Result, error) {
	q = q.withDefaults()
	cur, err := decodeCursor(q)
	if err != nil {
		return Result{}, err
	}
	now := time.Now().Unix()
	if cur != nil {
		now = cur.now // freshness as the first page saw it, so pages agree
	}
	terms := parseText(q.Text)

	x.mu.RLock()
	defer x.mu.RUnlock()
	p, err := x.plan(ctx, q, terms)
	if err != nil {
		return Result{}, err
	}
	p.now, p.cur = now, cur
	ws := x.walk(ctx, p)
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	return x.merge(q, p, ws), nil
}

// plan is a query resolved against the index: the candidate slots, which
// already match every term and bitmap filter, and per term the slots where
// it is in the title or the skills, for relevance.
type plan struct {
	q             Query
	cand          *roaring.Bitmap
	title, skills []*roaring.Bitmap // per term, restricted to cand
	ranges        bool              // rate or days filters to check per slot
	facets        facetSet
	now           int64
	cur           *cursor
}

func (x *Index) plan(ctx context.Context, q Query, terms []term) (*plan, error) {
	p := &plan{q: q, facets: newFacetSet(q.Facets),
		ranges: q.RateMin > 0 || q.RateMax > 0 || q.DaysMax > 0}
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
	for _, slug := range q.Skills {
		c, ok := x.skillCode[slug]
		if !ok {
			return &plan{q: q, cand: roaring.New(), facets: p.facets}, nil
		}
		and = append(and, x.skillSet[c])
	}
	if q.SideJob != nil {
		if *q.SideJob {
			and = append(and, x.sideJob)
		} else {
			and = append(and, roaring.AndNot(x.live, x.sideJob))
		}
	}
	for _, t := range terms {
		var hits, title, skills *roaring.Bitmap
		switch {
		case !t.substr:
			var all, ts, ss []*roaring.Bitmap
			for _, syns := range t.words {
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
		case utf8.RuneCountInString(t.text) <= 2:
			g := queryGrams(t.text)[0]
			hits, title, skills = x.grams[g], x.titleGrams[g], x.skillGrams[g]
		default:
			m, err := x.substring(ctx, t.text)
			if err != nil {
				return nil, err
			}
			hits, title, skills = m.hits, m.title, m.skills
		}
		if hits == nil {
			return &plan{q: q, cand: roaring.New(), facets: p.facets}, nil
		}
		and = append(and, hits)
		p.title = append(p.title, orEmpty(title))
		p.skills = append(p.skills, orEmpty(skills))
	}
	p.cand = andAll(and)
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

// andAll intersects bs, smallest first; it never modifies them.
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
	out := bs[0].Clone()
	for _, b := range bs[1:] {
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

// substring answers a term of three or more runes: its bigrams give the
// candidates and each candidate's text confirms it. The answer is cached
// when it cost enough to compute.
func (x *Index) substring(ctx context.Context, t string) (termMatch, error) {
	if m, ok := x.cache.get(t); ok {
		return m, nil
	}
	var bs []*roaring.Bitmap
	for _, g := range queryGrams(t) {
		b := x.grams[g]
		if b == nil {
			return termMatch{hits: roaring.New(), title: roaring.New(), skills: roaring.New()}, nil
		}
		bs = append(bs, b)
	}
	cand := andAll(bs).ToArray()
	parts := split(len(cand))
	type found struct{ hits, title, skills []uint32 }
	out := make([]found, len(parts))
	var wg sync.WaitGroup
	for i, r := range parts {
		wg.Go(func() {
			f := &out[i]
			for j, s := range cand[r[0]:r[1]] {
				if j%1024 == 0 && ctx.Err() != nil {
					return
				}
				text := x.text[s]
				te, se := x.titleEnd[s], x.skillEnd[s]
				if strings.Contains(text[:te], t) {
					f.hits, f.title = append(f.hits, s), append(f.title, s)
					if strings.Contains(text[te:se], t) {
						f.skills = append(f.skills, s)
					}
					continue
				}
				if strings.Contains(text[te:se], t) {
					f.hits, f.skills = append(f.hits, s), append(f.skills, s)
					continue
				}
				if strings.Contains(text[se:], t) {
					f.hits = append(f.hits, s)
				}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return termMatch{}, err
	}
	m := termMatch{hits: roaring.New(), title: roaring.New(), skills: roaring.New()}
	for _, f := range out {
		m.hits.AddMany(f.hits)
		m.title.AddMany(f.title)
		m.skills.AddMany(f.skills)
	}
	if len(cand) >= x.cache.min {
		x.cache.put(t, m)
	}
	return m, nil
}

// split cuts n items into one contiguous part per core, or one part when
// n is too small for goroutines to pay.
func split(n int) [][2]int {
	const minPart = 16_384
	w := min(runtime.GOMAXPROCS(0), max(1, n/minPart))
	parts := make([][2]int, w)
	for i := range w {
		parts[i] = [2]int{n * i / w, n * (i + 1) / w}
	}
	return parts
}

// worker is one part of a walk over candidates.
type worker struct {
	total  int
	after  int // hits after the cursor
	top    topK
	counts facetCounts
}

// walk visits every candidate in parts, one goroutine each: it checks the
// range filters, counts facets, and keeps the best hits after the cursor.
func (x *Index) walk(ctx context.Context, p *plan) []*worker {
	cand := p.cand.ToArray()
	parts := split(len(cand))
	ws := make([]*worker, len(parts))
	var wg sync.WaitGroup
	for i, r := range parts {
		w := &worker{top: topK{max: p.q.Limit}, counts: p.facets.newCounts(len(x.skillSlug))}
		ws[i] = w
		wg.Go(func() { x.walkPart(ctx, p, cand[r[0]:r[1]], w) })
	}
	wg.Wait()
	return ws
}

func (x *Index) walkPart(ctx context.Context, p *plan, slots []uint32, w *worker) {
	if len(slots) == 0 {
		return
	}
	q := &p.q
	// Cursors into each term's title and skills slots, advanced in step
	// with the walk (both are sorted), so relevance costs no lookups.
	type run struct {
		slots []uint32
		i     int
	}
	var title, skills []run
	if q.Sort == SortRelevance {
		lo, hi := slots[0], slots[len(slots)-1]
		for i := range p.title {
			title = append(title, run{slots: rangeOf(p.title[i], lo, hi)})
			skills = append(skills, run{slots: rangeOf(p.skills[i], lo, hi)})
		}
	}
	in := func(r *run, s uint32) bool {
		for r.i < len(r.slots) && r.slots[r.i] < s {
			r.i++
		}
		return r.i < len(r.slots) && r.slots[r.i] == s
	}
	for n, s := range slots {
		if n%4096 == 0 && ctx.Err() != nil {
			return
		}
		c := &x.cols[s]
		if p.ranges && !q.inRanges(c) {
			continue
		}
		w.total++
		w.counts.add(p.facets, c, x.skills[s])
		var k sortKey
		switch q.Sort {
		case SortNewest:
			k = sortKey{c.posted, 0, x.id[s]}
		case SortRate:
			k = sortKey{int64(c.rateHi), 0, x.id[s]}
		default:
			score := int64(0)
			for i := range title {
				switch {
				case in(&title[i], s):
					score += weightTitle
				case in(&skills[i], s):
					score += weightSkills
				default:
					score += weightDescription
				}
			}
			k = sortKey{score*freshnessSteps + freshness(c.posted, p.now), c.posted, x.id[s]}
		}
		if p.cur != nil && k.compare(p.cur.key) >= 0 {
			continue // on an earlier page
		}
		w.after++
		w.top.push(k)
	}
}

// rangeOf returns the slots of b within [lo, hi].
func rangeOf(b *roaring.Bitmap, lo, hi uint32) []uint32 {
	if b.IsEmpty() {
		return nil
	}
	r := b.Clone()
	r.RemoveRange(0, uint64(lo))
	r.RemoveRange(uint64(hi)+1, uint64(1)<<32)
	return r.ToArray()
}

// inRanges checks the rate and days filters.
func (q *Query) inRanges(c *cols) bool {
	if q.RateMin > 0 && int64(c.rateHi) < q.RateMin {
		return false
	}
	if q.RateMax > 0 && (c.rateLo == 0 || int64(c.rateLo) > q.RateMax) {
		return false
	}
	if q.DaysMax > 0 && (c.days == 0 || int(c.days) > q.DaysMax) {
		return false
	}
	return true
}

// Field weights for relevance: a term counts for the best field it is in.
const (
	weightTitle       = 4
	weightSkills      = 2
	weightDescription = 1
)

// freshnessSteps is how many freshness levels break ties between equal
// text scores: posted within 3 days, 7 days, 30 days, or older.
const freshnessSteps = 4

func freshness(posted, now int64) int64 {
	const day = 24 * 60 * 60
	switch age := now - posted; {
	case age <= 3*day:
		return 3
	case age <= 7*day:
		return 2
	case age <= 30*day:
		return 1
	}
	return 0
}

// merge combines the walkers' parts into the result.
func (x *Index) merge(q Query, p *plan, ws []*worker) Result {
	var (
		res   Result
		after int
		keys  []sortKey
	)
	counts := p.facets.newCounts(len(x.skillSlug))
	for _, w := range ws {
		res.Total += w.total
		after += w.after
		keys = append(keys, w.top.keys...)
		counts.merge(&w.counts)
	}
	slices.SortFunc(keys, func(a, b sortKey) int { return b.compare(a) })
	keys = keys[:min(len(keys), q.Limit)]
	res.Hits = make([]Hit, len(keys))
	for i, k := range keys {
		res.Hits[i] = Hit{ID: k[2]}
	}
	if after > len(keys) && len(keys) > 0 {
		res.NextCursor = cursor{key: keys[len(keys)-1], now: p.now, fingerprint: q.fingerprint()}.encode()
	}
	res.Facets = counts.result(p.facets, x.skillSlug)
	return res
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
	role, remote, pref, contract, skills, days, sideJob, rate bool
	any                                                       bool
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
}

func (s facetSet) newCounts(skills int) facetCounts {
	var c facetCounts
	if s.skills {
		c.skills = make([]int, skills)
	}
	return c
}

func (fc *facetCounts) add(s facetSet, c *cols, skills []uint16) {
	if !s.any {
		return
	}
	fc.role[c.role]++
	fc.remote[c.remote]++
	fc.pref[c.pref]++
	fc.contract[c.contract]++
	fc.days[c.days]++
	if c.sideJob {
		fc.sideJob[1]++
	} else {
		fc.sideJob[0]++
	}
	if c.rateHi > 0 {
		fc.rate[min(int(c.rateHi)/rateBandWidth, rateBands-1)]++
	}
	if s.skills {
		for _, sk := range skills {
			fc.skills[sk]++
		}
	}
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
}

func addAll(dst, src []int) {
	for i, n := range src {
		dst[i] += n
	}
}

// maxSkillFacet is how many skill values a skills facet returns: the most
// frequent ones.
const maxSkillFacet = 30

func (fc *facetCounts) result(s facetSet, skillSlug []string) map[Facet]map[string]int {
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
	return out
}
