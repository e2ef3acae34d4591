package search

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"

	"anken/internal/listing"
	"anken/internal/skill"
)

// Index is the in-memory search index over open listings. Text is indexed
// twice: ASCII words (with the taxonomy's synonyms resolved at query time)
// and grams of one and two runes for substring matching of Japanese, which
// is then checked against the folded text. Filters are roaring bitmaps.
//
// It is safe for concurrent use: searches share a read lock, Upsert and
// Delete take the write lock.
type Index struct {
	mu    sync.RWMutex
	docs  []*doc           // by slot; nil when free
	slot  map[int64]uint32 // listing id → slot
	free  []uint32
	live  *roaring.Bitmap
	words map[string]*roaring.Bitmap
	grams map[gram]*roaring.Bitmap
	// Exact-match filters, one bitmap per value.
	roles, remotes, prefectures, contracts, skills map[string]*roaring.Bitmap
	sideJob                                        *roaring.Bitmap
}

// doc is one indexed listing.
type doc struct {
	l *listing.Listing
	// text is the folded title, skills and description, one per line.
	text                string
	titleEnd, skillsEnd int
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{
		slot:        map[int64]uint32{},
		live:        roaring.New(),
		words:       map[string]*roaring.Bitmap{},
		grams:       map[gram]*roaring.Bitmap{},
		roles:       map[string]*roaring.Bitmap{},
		remotes:     map[string]*roaring.Bitmap{},
		prefectures: map[string]*roaring.Bitmap{},
		contracts:   map[string]*roaring.Bitmap{},
		skills:      map[string]*roaring.Bitmap{},
		sideJob:     roaring.New(),
	}
}

// Len returns the number of listings in the index.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.slot)
}

// Get returns the indexed listing with the id. The caller must not modify it.
func (x *Index) Get(id int64) (*listing.Listing, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	s, ok := x.slot[id]
	if !ok {
		return nil, false
	}
	return x.docs[s].l, true
}

// Upsert adds the listing or replaces the one with its id. A listing that
// is not open is removed instead. The index keeps its own copy.
func (x *Index) Upsert(l *listing.Listing) {
	if l.Status != listing.StatusOpen {
		x.Delete(l.ID)
		return
	}
	c := *l
	c.Skills = slices.Clone(l.Skills)
	d := newDoc(&c)
	x.mu.Lock()
	defer x.mu.Unlock()
	if s, ok := x.slot[c.ID]; ok {
		x.remove(s)
	}
	var s uint32
	if n := len(x.free); n > 0 {
		s, x.free = x.free[n-1], x.free[:n-1]
		x.docs[s] = d
	} else {
		s = uint32(len(x.docs))
		x.docs = append(x.docs, d)
	}
	x.slot[c.ID] = s
	x.each(d, s, func(m map[string]*roaring.Bitmap, k string) {
		b := m[k]
		if b == nil {
			b = roaring.New()
			m[k] = b
		}
		b.Add(s)
	}, func(g gram) {
		b := x.grams[g]
		if b == nil {
			b = roaring.New()
			x.grams[g] = b
		}
		b.Add(s)
	})
	if c.SideJobOK {
		x.sideJob.Add(s)
	}
	x.live.Add(s)
}

// Delete removes the listing with the id, if present.
func (x *Index) Delete(id int64) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if s, ok := x.slot[id]; ok {
		x.remove(s)
	}
}

// remove takes the doc in slot s out of every posting. x.mu must be held.
func (x *Index) remove(s uint32) {
	d := x.docs[s]
	x.each(d, s, func(m map[string]*roaring.Bitmap, k string) {
		if b := m[k]; b != nil {
			b.Remove(s)
			if b.IsEmpty() {
				delete(m, k)
			}
		}
	}, func(g gram) {
		if b := x.grams[g]; b != nil {
			b.Remove(s)
			if b.IsEmpty() {
				delete(x.grams, g)
			}
		}
	})
	x.sideJob.Remove(s)
	x.live.Remove(s)
	delete(x.slot, d.l.ID)
	x.docs[s] = nil
	x.free = append(x.free, s)
}

// each calls key for every (postings map, key) the doc is in and gram for
// every gram of its text.
func (x *Index) each(d *doc, s uint32, key func(map[string]*roaring.Bitmap, string), gramFn func(gram)) {
	l := d.l
	eachWord(d.text, func(w string) { key(x.words, w) })
	eachGram(d.text, gramFn)
	key(x.roles, string(l.Role))
	key(x.remotes, string(l.Remote))
	key(x.prefectures, l.Prefecture)
	key(x.contracts, string(l.Contract))
	for _, sk := range l.Skills {
		key(x.skills, sk)
	}
}

func newDoc(l *listing.Listing) *doc {
	var b strings.Builder
	b.WriteString(fold(l.Title))
	b.WriteByte('\n')
	titleEnd := b.Len()
	for i, slug := range l.Skills {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(slug)
		if sk, ok := skill.BySlug(slug); ok {
			if name := fold(sk.Name); name != slug {
				b.WriteByte(' ')
				b.WriteString(name)
			}
		}
	}
	b.WriteByte('\n')
	skillsEnd := b.Len()
	b.WriteString(fold(l.Description))
	return &doc{l: l, text: b.String(), titleEnd: titleEnd, skillsEnd: skillsEnd}
}

// rateHi is the most the listing can pay a month: monthly_max, or
// monthly_min when only that is stated; 0 when unknown.
func rateHi(r listing.Rate) int64 { return cmp.Or(r.MonthlyMax, r.MonthlyMin) }

// rateLo is the least the listing pays a month: monthly_min, or monthly_max
// when only that is stated; 0 when unknown.
func rateLo(r listing.Rate) int64 { return cmp.Or(r.MonthlyMin, r.MonthlyMax) }

// daysLo is the fewest days a week the listing can be worked; 0 when unknown.
func daysLo(d listing.Range) int { return cmp.Or(d.Min, d.Max) }

// Search answers q. Facet counts cover every hit, not just the page.
func (x *Index) Search(ctx context.Context, q Query) (Result, error) {
	q = q.withDefaults()
	cur, err := decodeCursor(q)
	if err != nil {
		return Result{}, err
	}
	terms := parseText(q.Text)

	x.mu.RLock()
	defer x.mu.RUnlock()
	cand := x.candidates(q, terms)
	var (
		hits   []hit
		facets = newFacetCounter(q.Facets)
		n      int
	)
	it := cand.Iterator()
	for it.HasNext() {
		s := it.Next()
		if n++; n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return Result{}, err
			}
		}
		d := x.docs[s]
		if !q.matchesRanges(d.l) || !matchesSubstrings(d, terms) {
			continue
		}
		facets.add(d.l)
		hits = append(hits, hit{d: d, score: score(d, terms)})
	}
	res := Result{Total: len(hits), Facets: facets.result()}
	res.Hits, res.NextCursor = page(q, hits, cur)
	return res, nil
}

// candidates returns the slots that pass every bitmap filter and hold every
// term's words or grams. Range filters and substrings are checked after.
func (x *Index) candidates(q Query, terms []term) *roaring.Bitmap {
	all := []*roaring.Bitmap{x.live}
	anyOf := func(m map[string]*roaring.Bitmap, keys []string) {
		if len(keys) == 0 {
			return
		}
		var bs []*roaring.Bitmap
		for _, k := range keys {
			if b := m[k]; b != nil {
				bs = append(bs, b)
			}
		}
		all = append(all, roaring.FastOr(bs...))
	}
	anyOf(x.roles, asStrings(q.Roles))
	anyOf(x.remotes, asStrings(q.Remotes))
	anyOf(x.prefectures, q.Prefectures)
	anyOf(x.contracts, asStrings(q.Contracts))
	for _, sk := range q.Skills {
		anyOf(x.skills, []string{sk})
	}
	if q.SideJob != nil {
		if *q.SideJob {
			all = append(all, x.sideJob)
		} else {
			all = append(all, roaring.AndNot(x.live, x.sideJob))
		}
	}
	for _, t := range terms {
		if t.substr {
			for _, g := range queryGrams(t.text) {
				b := x.grams[g]
				if b == nil {
					return roaring.New()
				}
				all = append(all, b)
			}
			continue
		}
		for _, syns := range t.words {
			anyOf(x.words, syns)
		}
	}
	// Smallest first keeps the intersection cheap.
	slices.SortFunc(all, func(a, b *roaring.Bitmap) int { return cmp.Compare(a.GetCardinality(), b.GetCardinality()) })
	out := all[0].Clone()
	for _, b := range all[1:] {
		out.And(b)
		if out.IsEmpty() {
			break
		}
	}
	return out
}

func asStrings[S ~string](vs []S) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// matchesRanges checks the filters that bitmaps do not hold.
func (q *Query) matchesRanges(l *listing.Listing) bool {
	if q.RateMin > 0 && rateHi(l.Rate) < q.RateMin {
		return false
	}
	if q.RateMax > 0 && (rateLo(l.Rate) == 0 || rateLo(l.Rate) > q.RateMax) {
		return false
	}
	if q.DaysMax > 0 && (daysLo(l.DaysPerWeek) == 0 || daysLo(l.DaysPerWeek) > q.DaysMax) {
		return false
	}
	return true
}

func matchesSubstrings(d *doc, terms []term) bool {
	for _, t := range terms {
		if t.substr && !strings.Contains(d.text, t.text) {
			return false
		}
	}
	return true
}

// Field weights for relevance: a term in the title counts most.
const (
	weightTitle       = 4
	weightSkills      = 2
	weightDescription = 1
)

// score is the field-weighted relevance of a matching doc: for each term,
// the weights of the fields it occurs in.
func score(d *doc, terms []term) int {
	total := 0
	for _, t := range terms {
		if t.substr {
			if strings.Contains(d.text[:d.titleEnd], t.text) {
				total += weightTitle
			}
			if strings.Contains(d.text[d.titleEnd:d.skillsEnd], t.text) {
				total += weightSkills
			}
			if strings.Contains(d.text[d.skillsEnd:], t.text) {
				total += weightDescription
			}
			continue
		}
		for _, syns := range t.words {
			if hasWord(d.text[:d.titleEnd], syns) {
				total += weightTitle
			}
			if hasWord(d.text[d.titleEnd:d.skillsEnd], syns) {
				total += weightSkills
			}
			if hasWord(d.text[d.skillsEnd:], syns) {
				total += weightDescription
			}
		}
	}
	return total
}

func hasWord(text string, syns []string) bool {
	found := false
	eachWord(text, func(w string) {
		if !found && contains(syns, w) {
			found = true
		}
	})
	return found
}

// facetCounter counts facet values over hits.
type facetCounter struct {
	want   []Facet
	counts map[Facet]map[string]int
}

// maxSkillFacet is how many skill values a skills facet returns: the most
// frequent ones.
const maxSkillFacet = 30

func newFacetCounter(want []Facet) *facetCounter {
	fc := &facetCounter{want: want, counts: map[Facet]map[string]int{}}
	for _, f := range want {
		fc.counts[f] = map[string]int{}
	}
	return fc
}

func (fc *facetCounter) add(l *listing.Listing) {
	for _, f := range fc.want {
		m := fc.counts[f]
		switch f {
		case FacetRole:
			if l.Role != "" {
				m[string(l.Role)]++
			}
		case FacetRemote:
			if l.Remote != "" {
				m[string(l.Remote)]++
			}
		case FacetPrefecture:
			if l.Prefecture != "" {
				m[l.Prefecture]++
			}
		case FacetContract:
			if l.Contract != "" {
				m[string(l.Contract)]++
			}
		case FacetSkills:
			for _, s := range l.Skills {
				m[s]++
			}
		case FacetDays:
			if d := daysLo(l.DaysPerWeek); d > 0 {
				m[strconv.Itoa(d)]++
			}
		case FacetSideJob:
			m[strconv.FormatBool(l.SideJobOK)]++
		case FacetRate:
			if r := rateHi(l.Rate); r > 0 {
				m[strconv.FormatInt(RateBand(r), 10)]++
			}
		}
	}
}

// RateBand returns the lower bound of the 5万円 band holding monthly yen.
func RateBand(monthly int64) int64 { return monthly / rateBandWidth * rateBandWidth }

const rateBandWidth = 50_000

func (fc *facetCounter) result() map[Facet]map[string]int {
	if len(fc.want) == 0 {
		return nil
	}
	if m, ok := fc.counts[FacetSkills]; ok && len(m) > maxSkillFacet {
		type kv struct {
			k string
			n int
		}
		all := make([]kv, 0, len(m))
		for k, n := range m {
			all = append(all, kv{k, n})
		}
		slices.SortFunc(all, func(a, b kv) int { return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.k, b.k)) })
		top := make(map[string]int, maxSkillFacet)
		for _, e := range all[:maxSkillFacet] {
			top[e.k] = e.n
		}
		fc.counts[FacetSkills] = top
	}
	return fc.counts
}
