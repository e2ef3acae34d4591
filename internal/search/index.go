package search

import (
	"cmp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/RoaringBitmap/roaring/v2"

	"anken/internal/listing"
	"anken/internal/search/query"
	"anken/internal/skill"
)

// FormatVersion names the layout of the index; a node's snapshot of
// another version is never read (persist.go). Bump it whenever a snapshot
// written before would load into something a build would not make: a
// change to what persist.go (or the frame, package persist) writes, to
// the fields it reads them into, or
// to how texts are folded or split into words and grams (the vocabulary a
// snapshot records covers roles, remotes, contracts, prefectures, rate
// bands, skill names and the Unicode tables, not code). Changes:
//
//	1: words, title and skill words, one- and two-rune grams, coded columns.
//	2: slots in time order by buckets of (posted_at, id) runs, not posted hours.
//	3: the term cache.
//	4: hourly pay and workload columns, the part-time bitmap (DESIGN.md Pay).
//	5: first-seen and agency columns, the agency slugs.
//	6: the texts as the book of their distinct lines (lines.go).
const FormatVersion = 6

// Index is the in-memory search index over open listings.
//
// Each listing sits in a slot. Per slot the index keeps its folded text,
// as ids of the distinct pieces the book of texts holds once each
// (lines.go), and coded columns (role, remote, prefecture, contract,
// days, rate, posted_at, skills) that filters, facets and sorts read
// without touching the listing. Text is indexed as ASCII words (the
// taxonomy's synonyms are resolved at query time) and as grams of one and
// two runes; a term of three or more runes is confirmed against the
// distinct pieces its bigrams allow, and terms that keep being asked are
// cached as exact bitmaps. Filters are roaring bitmaps.
//
// The index does not keep listings: a search answers ids, and callers read
// the page's listings from the store.
//
// It is safe for concurrent use: searches share a read lock; Upsert,
// Apply, Delete and the rebuilds take the write lock.
type Index struct {
	mu sync.RWMutex

	// Per slot.
	id    []int64
	group []int64 // listing.GroupID; 0 when not grouped
	// The book holds each slot's folded text, once per distinct line
	// (textOf).
	titleEnd []uint32 // text[:titleEnd] is the title
	skillEnd []uint32 // text[titleEnd:skillEnd] is the skills
	cols     []cols
	skills   [][]uint16 // skill codes

	slot map[int64]uint32 // listing id → slot
	free []uint32
	live *roaring.Bitmap

	words      map[string]*roaring.Bitmap // anywhere in the text
	titleWords map[string]*roaring.Bitmap
	skillWords map[string]*roaring.Bitmap
	grams      map[query.Gram]*roaring.Bitmap
	titleGrams map[query.Gram]*roaring.Bitmap // for relevance of short terms
	skillGrams map[query.Gram]*roaring.Bitmap
	book       *lineBook // the texts' distinct lines (lines.go)

	// Exact-match filters, by code (index 0: not stated).
	roles, remotes, prefs, contracts []*roaring.Bitmap
	skillSet                         []*roaring.Bitmap // by skill code
	sideJob                          *roaring.Bitmap
	part                             *roaring.Bitmap   // workload part; the rest are full
	days                             []*roaring.Bitmap // by cols.days, 7 holding 7 and more
	// rates holds slots by 5万円 band of rateHi: index 0 for an unknown
	// rate, 1+band otherwise. The rate facet counts them; the rate sort
	// walks them from the top.
	rates    []*roaring.Bitmap
	rateLows []*roaring.Bitmap // the same by rateLo, for rate_max
	// Cumulative bands, so a rate filter is one bitmap plus its boundary
	// band: hiFrom[i] holds rates[i:], loUpTo[i] holds rateLows[1:i+1].
	hiFrom, loUpTo []*roaring.Bitmap
	// byTime holds the slots in posted order (timeline.go). The newest
	// and relevance sorts walk it from the newest.
	byTime *timeline

	skillCode map[string]uint16
	skillSlug []string

	// Agencies, by code: the slug of each, and the slots of each.
	agencyCode map[string]uint16
	agencySlug []string
	agencySet  []*roaring.Bitmap

	// Duplicate groups (group.go).
	reposts map[int64][]uint32 // group → open members other than its first listing
	dups    *roaring.Bitmap    // members that are not their group's representative
	rep     []uint32           // per slot in dups: its group's representative

	// stamp names the version of each slot's listing the index holds:
	// taken from stamps whenever a slot is filled, so it is never the
	// same for two versions in one process. Hit.Stamp carries it.
	stamp []uint64

	cache        *termCache
	keptStats    atPosition[Stats]       // Stats' answers while the index stays as it is
	keptFacets   atPosition[facetCounts] // facet counts of first pages, likewise
	walkMax      int                     // most hits a search walks one by one
	runMax       int                     // most slots in a bucket of byTime
	countWalkMax int                     // most hits whose facets are counted by walking them
	// denseRepsFrom: collapse gathers representatives in a bitset of
	// every slot when more than one hit in this many slots is a duplicate.
	denseRepsFrom int

	// Position and history, for the pages of a search after the first
	// (snapshot.go).
	seq       int64 // position: the last change applied
	hist      history
	aheadWait time.Duration
	waitMu    sync.Mutex
	moved     chan struct{} // closed when the position next moves; nil when no search waits
}

// cols are the coded fields of one slot: what filters, facets and sorts
// read for every hit, packed so a walk over hits stays in cache.
type cols struct {
	posted   int64 // posted_at, Unix seconds
	seen     int64 // first_seen_at, Unix seconds; 0 unknown
	rateLo   int32 // monthly yen; 0 unknown
	rateHi   int32
	hourLo   int32 // pay per hour in yen, as rateLo; 0 unknown
	hourHi   int32
	role     uint8 // 1+index in listing.Roles; 0 unknown
	remote   uint8 // 1+index in listing.Remotes
	pref     uint8 // 1..47
	contract uint8 // 1+index in listing.Contracts
	days     uint8 // fewest days a week; 0 unknown
	sideJob  bool
	part     bool   // workload part
	agency   uint16 // code in agencySlug
}

// stamps counts the versions of listings the process's indexes took in.
var stamps atomic.Uint64

// NewIndex returns an empty index.
func NewIndex() *Index {
	x := &Index{}
	x.reset()
	return x
}

func (x *Index) reset() {
	*x = Index{
		slot:          map[int64]uint32{},
		live:          roaring.New(),
		words:         map[string]*roaring.Bitmap{},
		titleWords:    map[string]*roaring.Bitmap{},
		skillWords:    map[string]*roaring.Bitmap{},
		grams:         map[query.Gram]*roaring.Bitmap{},
		titleGrams:    map[query.Gram]*roaring.Bitmap{},
		skillGrams:    map[query.Gram]*roaring.Bitmap{},
		book:          newLineBook(),
		roles:         newBitmaps(len(listing.Roles) + 1),
		remotes:       newBitmaps(len(listing.Remotes) + 1),
		prefs:         newBitmaps(len(listing.Prefectures) + 1),
		contracts:     newBitmaps(len(listing.Contracts) + 1),
		sideJob:       roaring.New(),
		part:          roaring.New(),
		days:          newBitmaps(8),
		rates:         newBitmaps(rateBands + 1),
		rateLows:      newBitmaps(rateBands + 1),
		hiFrom:        newBitmaps(rateBands + 2),
		loUpTo:        newBitmaps(rateBands + 1),
		byTime:        newTimeline(),
		reposts:       map[int64][]uint32{},
		dups:          roaring.New(),
		skillCode:     map[string]uint16{},
		agencyCode:    map[string]uint16{},
		cache:         newTermCache(defaultCacheTerms),
		walkMax:       walkMax,
		runMax:        runMax,
		countWalkMax:  countWalkMax,
		denseRepsFrom: denseRepsFrom,
		hist:          newHistory(),
		aheadWait:     aheadWait,
	}
}

func newBitmaps(n int) []*roaring.Bitmap {
	bs := make([]*roaring.Bitmap, n)
	for i := range bs {
		bs[i] = roaring.New()
	}
	return bs
}

// Len returns the number of listings in the index.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.slot)
}

// Has reports whether the listing with the id is in the index.
func (x *Index) Has(id int64) bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	_, ok := x.slot[id]
	return ok
}

// prepared is a listing reduced to what the index keeps, computed outside
// the lock (folding is the expensive part).
type prepared struct {
	id, group          int64
	text               string
	titleEnd, skillEnd uint32
	cols               cols
	skills             []string
	agency             string // slug; its code is given when placed
}

func prepare(l *listing.Listing, a *textArena) *prepared {
	var scratch []byte
	if a != nil {
		scratch = a.scratch[:0]
	}
	b := skill.AppendFold(scratch, l.Title)
	titleEnd := len(b)
	b = append(b, '\n')
	for i, slug := range l.Skills {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, slug...)
		if sk, ok := skill.BySlug(slug); ok {
			if name := query.Fold(sk.Name); name != slug {
				b = append(b, ' ')
				b = append(b, name...)
			}
		}
	}
	skillEnd := len(b)
	b = append(b, '\n')
	b = skill.AppendFold(b, l.Description)
	text := a.string(b)
	if a != nil {
		a.scratch = b
	}
	p := &prepared{
		id:       l.ID,
		group:    l.GroupID,
		text:     text,
		titleEnd: uint32(titleEnd),
		skillEnd: uint32(skillEnd),
		skills:   l.Skills,
		agency:   l.Agency,
		cols: cols{
			posted:   l.PostedAt.Unix(),
			seen:     unixOrZero(l.FirstSeenAt),
			rateLo:   int32(rateLo(l.Rate)),
			rateHi:   int32(rateHi(l.Rate)),
			hourLo:   int32(min(cmp.Or(l.Rate.HourlyMin, l.Rate.HourlyMax), listing.MaxHourlyYen)),
			hourHi:   int32(min(cmp.Or(l.Rate.HourlyMax, l.Rate.HourlyMin), listing.MaxHourlyYen)),
			role:     code(listing.Roles, l.Role),
			remote:   code(listing.Remotes, l.Remote),
			contract: code(listing.Contracts, l.Contract),
			pref:     prefCode(l.Prefecture),
			days:     uint8(min(daysLo(l.DaysPerWeek), 255)),
			sideJob:  l.SideJobOK,
			part:     l.Workload == listing.WorkloadPart,
		},
	}
	return p
}

// textArena keeps the folded texts of a build in large blocks, so they do
// not share memory pages with the listings they were made from: once those
// are freed, the pages go back to the system whole. A text replaced later
// leaves its bytes in the block until the next Rebuild.
type textArena struct {
	block   []byte
	scratch []byte // reused to fold into
}

const arenaBlock = 4 << 20

// string returns b's bytes as a string held by the arena (or, with no
// arena, by the heap).
func (a *textArena) string(b []byte) string {
	if a == nil || len(b) == 0 || len(b) > arenaBlock/8 {
		return string(b)
	}
	if cap(a.block)-len(a.block) < len(b) {
		a.block = make([]byte, 0, arenaBlock)
	}
	start := len(a.block)
	a.block = append(a.block, b...)
	// The arena only appends, so these bytes never change.
	return unsafe.String(&a.block[start], len(b))
}

// code returns 1 + the position of v in all, or 0 when v is empty or
// unknown.
func code[S ~string](all []S, v S) uint8 {
	for i, a := range all {
		if a == v {
			return uint8(i + 1)
		}
	}
	return 0
}

func prefCode(iso string) uint8 {
	n, err := strconv.Atoi(strings.TrimPrefix(iso, "JP-"))
	if err != nil || n < 1 || n > len(listing.Prefectures) || !strings.HasPrefix(iso, "JP-") {
		return 0
	}
	return uint8(n)
}

// rateHi is the most the listing can pay a month: monthly_max, or
// monthly_min when only that is stated; 0 when unknown.
func rateHi(r listing.Rate) int64 { return cmp.Or(r.MonthlyMax, r.MonthlyMin) }

// rateLo is the least the listing pays a month: monthly_min, or monthly_max
// when only that is stated; 0 when unknown.
func rateLo(r listing.Rate) int64 { return cmp.Or(r.MonthlyMin, r.MonthlyMax) }

// daysLo is the fewest days a week the listing can be worked; 0 when unknown.
func daysLo(d listing.Range) int { return cmp.Or(d.Min, d.Max) }

// Upsert adds the listing or replaces the one with its id. A listing that
// is not open is removed instead. It is a write outside the change log:
// the index's position moves by one.
func (x *Index) Upsert(l *listing.Listing) { x.write(0, l) }

// Apply applies the change at sequence number seq of the store's change
// log: l is added or replaces the listing with its id, or, when it is not
// open, the listing is removed. Changes are applied in order, so the
// index's position is seq afterwards; cursors carry it (snapshot.go).
func (x *Index) Apply(seq int64, l *listing.Listing) { x.write(max(seq, 0), l) }

// Delete removes the listing with the id, if present. Like Upsert, it is
// a write outside the change log.
func (x *Index) Delete(id int64) { x.drop(0, id) }

func (x *Index) write(seq int64, l *listing.Listing) {
	if l.Status != listing.StatusOpen {
		x.drop(seq, l.ID)
		return
	}
	p := prepare(l, nil)
	x.mu.Lock()
	defer x.mu.Unlock()
	var old *version
	if s, ok := x.slot[p.id]; ok {
		old = x.versionOf(s)
		x.remove(s, old.text)
	}
	s := x.place(p)
	x.post(s, p.text)
	x.joinGroup(s)
	x.cache.add(x, s, p.text)
	x.logWrite(seq, p.id, old)
}

// drop removes the listing with the id, if present, at position seq (0:
// the next one). A change from the log moves the position even when it
// removes nothing.
func (x *Index) drop(seq, id int64) {
	x.mu.Lock()
	defer x.mu.Unlock()
	s, ok := x.slot[id]
	switch {
	case ok:
		old := x.versionOf(s)
		x.remove(s, old.text)
		x.logWrite(seq, id, old)
	case seq > 0:
		x.advance(seq)
	}
}

// place stores p's columns in a free slot (or a new one) and returns it.
// x.mu must be held.
func (x *Index) place(p *prepared) uint32 {
	var s uint32
	if n := len(x.free); n > 0 {
		s, x.free = x.free[n-1], x.free[:n-1]
	} else {
		s = uint32(len(x.id))
		x.id = append(x.id, 0)
		x.group = append(x.group, 0)
		x.rep = append(x.rep, 0)
		x.stamp = append(x.stamp, 0)
		x.titleEnd = append(x.titleEnd, 0)
		x.skillEnd = append(x.skillEnd, 0)
		x.cols = append(x.cols, cols{})
		x.skills = append(x.skills, nil)
	}
	x.id[s], x.group[s] = p.id, p.group
	x.stamp[s] = stamps.Add(1)
	x.titleEnd[s], x.skillEnd[s], x.cols[s] = p.titleEnd, p.skillEnd, p.cols
	codes := make([]uint16, len(p.skills))
	for i, slug := range p.skills {
		codes[i] = x.skillCodeOf(slug)
	}
	x.skills[s] = codes
	x.cols[s].agency = x.agencyCodeOf(p.agency)
	x.slot[p.id] = s
	return s
}

func (x *Index) agencyCodeOf(slug string) uint16 {
	if c, ok := x.agencyCode[slug]; ok {
		return c
	}
	c := uint16(len(x.agencySlug))
	x.agencyCode[slug] = c
	x.agencySlug = append(x.agencySlug, slug)
	x.agencySet = append(x.agencySet, roaring.New())
	return c
}

// unixOrZero is t in Unix seconds, 0 for the zero time.
func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func (x *Index) skillCodeOf(slug string) uint16 {
	if c, ok := x.skillCode[slug]; ok {
		return c
	}
	c := uint16(len(x.skillSlug))
	x.skillCode[slug] = c
	x.skillSlug = append(x.skillSlug, slug)
	x.skillSet = append(x.skillSet, roaring.New())
	return c
}

// post adds slot s, whose text is t, to every posting its text and
// columns belong in. x.mu must be held.
func (x *Index) post(s uint32, t string) { x.postings(s, true, t) }

// remove takes slot s, whose text is t, out of every posting and frees
// it. x.mu must be held.
func (x *Index) remove(s uint32, t string) {
	x.postings(s, false, t)
	x.cache.remove(s)
	delete(x.slot, x.id[s])
	x.leaveGroup(s)
	x.skills[s], x.id[s], x.group[s] = nil, 0, 0
	x.free = append(x.free, s)
}

// textOf returns slot s's text, its lines joined. x.mu must be held.
func (x *Index) textOf(s uint32) string { return string(x.book.text(nil, s)) }

// postings adds slot s to (or removes it from) its column bitmaps and the
// word and gram postings of its text t.
func (x *Index) postings(s uint32, add bool, t string) {
	fixed := func(b *roaring.Bitmap) {
		if add {
			b.Add(s)
		} else {
			b.Remove(s)
		}
	}
	word := func(m map[string]*roaring.Bitmap) func(string) {
		return func(w string) {
			if add {
				addTo(m, w, s)
			} else {
				removeFrom(m, w, s)
			}
		}
	}
	c := &x.cols[s]
	fixed(x.live)
	fixed(x.roles[c.role])
	fixed(x.remotes[c.remote])
	fixed(x.prefs[c.pref])
	fixed(x.contracts[c.contract])
	if c.sideJob {
		fixed(x.sideJob)
	}
	if c.part {
		fixed(x.part)
	}
	fixed(x.agencySet[c.agency])
	for _, sk := range x.skills[s] {
		fixed(x.skillSet[sk])
	}
	fixed(x.days[min(c.days, 7)])
	hi, lo := rateIndex(c.rateHi), lowIndex(c.rateLo)
	fixed(x.rates[hi])
	fixed(x.rateLows[lo])
	for i := 1; i <= hi; i++ {
		fixed(x.hiFrom[i])
	}
	for i := max(lo, 1); lo > 0 && i <= rateBands; i++ {
		fixed(x.loUpTo[i])
	}
	if add {
		x.byTime.add(x, s)
	} else {
		x.byTime.remove(x, s)
	}
	if add {
		x.book.add(s, t, x.titleEnd[s], x.skillEnd[s])
	} else {
		x.book.remove(s)
	}
	query.EachWord(t, word(x.words))
	query.EachWord(t[:x.titleEnd[s]], word(x.titleWords))
	query.EachWord(t[x.titleEnd[s]:x.skillEnd[s]], word(x.skillWords))
	gramFn := func(m map[query.Gram]*roaring.Bitmap) func(query.Gram) {
		return func(g query.Gram) {
			if add {
				addTo(m, g, s)
			} else {
				removeFrom(m, g, s)
			}
		}
	}
	query.EachGram(t, gramFn(x.grams))
	query.EachGram(t[:x.titleEnd[s]], gramFn(x.titleGrams))
	query.EachGram(t[x.titleEnd[s]:x.skillEnd[s]], gramFn(x.skillGrams))
}

// rateIndex is the rates bucket of a monthly rate: 0 unknown, else 1+band.
// lowIndex is rateIndex for rateLo, with each band's upper bound in it:
// band i > 0 holds ((i-1)·width, i·width], so "rateLo at most v" for a v
// on a band boundary is whole bands.
func lowIndex(rateLo int32) int {
	if rateLo <= 0 {
		return 0
	}
	return 1 + min((int(rateLo)-1)/rateBandWidth, rateBands-1)
}

func rateIndex(rateHi int32) int {
	if rateHi <= 0 {
		return 0
	}
	return 1 + min(int(rateHi)/rateBandWidth, rateBands-1)
}

func addTo[K comparable](m map[K]*roaring.Bitmap, k K, s uint32) {
	b := m[k]
	if b == nil {
		b = roaring.New()
		m[k] = b
	}
	b.Add(s)
}

func removeFrom[K comparable](m map[K]*roaring.Bitmap, k K, s uint32) {
	if b := m[k]; b != nil {
		b.Remove(s)
		if b.IsEmpty() {
			delete(m, k)
		}
	}
}
