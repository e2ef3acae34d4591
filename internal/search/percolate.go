package search

import (
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"anken/internal/listing"
	"anken/internal/search/query"
	"anken/internal/skill"
)

// Percolation: matching a new or changed listing against every saved
// search is an index of its own, the other way round from Index (the
// Lucene Monitor / Luwak design). Each saved search is posted under keys
// that every listing it matches must have: one of its required terms
// (the rarest gram of a substring, the synonyms of an ASCII word, a gram
// or a whole run of letters and digits of a phrase) or required skills,
// combined with the value of one single-valued filter (role, remote,
// contract, prefecture, side job) when it has one. A listing gathers the
// postings of the keys it has, rejects most candidates by the filters
// copied into the postings, and confirms the rest with the same predicate
// the index's snapshots use (matcher, match.go). So a listing matches a
// saved search exactly when that search, run on an index holding the
// listing, returns it.
//
// Keys are chosen when a search is added, by a static guess of how many
// listings have each (a bigram of kanji or katakana is rarer than one
// with hiragana, a long word rarer than a short one, a prefecture other
// than Tokyo rarer than a remote style); searches with no required term,
// skill or filter value (only exclusions, only a rate range, no
// condition at all) are checked for every listing.

// Percolator holds saved searches and answers which of them a listing
// matches. It is safe for concurrent use: Match calls share a read lock;
// Add and Remove take the write lock.
//
// A search's filters are copied into each of its postings, and its text
// terms and skills are kept once for all the searches that have the same
// ones (most engineers save one of a few thousand keywords and skill
// sets): confirming a candidate reads its posting and two small shared
// tables, which stay in cache, and not a record of its own.
type Percolator struct {
	mu         sync.RWMutex
	byID       map[int64]*saved
	texts      table[[]*query.Term] // the text terms of searches, by termsKey
	skillSets  table[[]string]      // the skills of searches
	agencySets table[[]string]      // the agencies of searches (most name none)
	terms      map[string]*shared   // the terms of texts, by termKey: one copy of each
	grams      map[query.Gram]*node
	// gramBits has the bit gramBit of every gram in grams (and of some
	// that were), so that a listing looks up only the few of its grams
	// that may be keys.
	gramBits *[gramBitsLen]uint64
	words    map[string]*node // ASCII words of the text
	runs     map[string]*node // maximal runs of a-z 0-9 of the text
	skills   map[string]*node
	always   *node // searches without a required term or skill
}

// saved is one saved search: where its entries are, and its text and
// skills in the shared tables.
type saved struct {
	refs                   []ref
	text, skills, agencies uint32
}

// shared is a term that searches share, so that a listing looks for it
// once (doc.held), and how many texts have it.
type shared struct {
	t *query.Term
	n int
}

// table holds values shared by key, each with a count of its users, at
// small integer ids that postings keep instead of pointers.
type table[T any] struct {
	ids  map[string]uint32
	vals []T
	keys []string
	n    []int
	free []uint32
}

// add returns the id of key's value, made by mk when new, and counts one
// more user of it.
func (t *table[T]) add(key string, mk func() T) uint32 {
	if id, ok := t.ids[key]; ok {
		t.n[id]++
		return id
	}
	var id uint32
	if n := len(t.free); n > 0 {
		id, t.free = t.free[n-1], t.free[:n-1]
	} else {
		id = uint32(len(t.vals))
		t.vals, t.keys, t.n = append(t.vals, *new(T)), append(t.keys, ""), append(t.n, 0)
	}
	if t.ids == nil {
		t.ids = map[string]uint32{}
	}
	t.ids[key] = id
	t.vals[id], t.keys[id], t.n[id] = mk(), key, 1
	return id
}

// release counts one user less of id's value and reports whether it was
// the last, in which case the value is dropped (and returned).
func (t *table[T]) release(id uint32) (T, bool) {
	if t.n[id]--; t.n[id] > 0 {
		return *new(T), false
	}
	v := t.vals[id]
	delete(t.ids, t.keys[id])
	t.vals[id], t.keys[id] = *new(T), ""
	t.free = append(t.free, id)
	return v, true
}

// ref is where one entry of a saved search is.
type ref struct {
	n   *node
	l   *list
	pos int
}

// keyKind says which map a node is in.
type keyKind uint8

const (
	keyNone keyKind = iota // the always node
	keyGram
	keyWord
	keyRun
	keySkill
)

// atom is a key of the text or skills that a listing has or not.
type atom struct {
	kind keyKind
	g    query.Gram
	s    string
}

// node holds the searches posted under one atom, in lists by the filter
// value they were posted with.
type node struct {
	atom
	lists []*list
}

// list is the entries posted under one atom and one filter value: f is
// dim<<8 | code, or 0 for none.
type list struct {
	f  uint16
	es []entry
}

// entry is one saved search in a list: with its filters and the ids of
// its text and skills, it is the search's whole matcher. It holds no
// pointer, so a million of them cost the garbage collector nothing.
type entry struct {
	filters
	skillBits    uint64 // skillBit of each of the search's skills: a listing must have them all
	id           int64
	text, skills uint32 // in the shared tables
	agencies     uint32 // in the shared table
	ref          uint32 // index in the search's refs
}

// Filter dimensions of a list's key.
const (
	dimRole = iota + 1
	dimRemote
	dimContract
	dimPref
	dimSideJob
	dims
)

// NewPercolator returns an empty percolator.
func NewPercolator() *Percolator {
	return &Percolator{
		byID:     map[int64]*saved{},
		terms:    map[string]*shared{},
		grams:    map[query.Gram]*node{},
		gramBits: new([gramBitsLen]uint64),
		words:    map[string]*node{},
		runs:     map[string]*node{},
		skills:   map[string]*node{},
		always:   &node{},
	}
}

// Len returns the number of saved searches.
func (p *Percolator) Len() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return len(p.byID)
}

// Add adds saved search id with query q, replacing an earlier Add of id.
// The search's text and filters count; Sort, Facets, Cursor, Limit and
// Collapse are ignored.
func (p *Percolator) Add(id int64, q Query) {
	q.Skills = slices.Clone(q.Skills)
	var bits uint64
	for i, slug := range q.Skills {
		if sk, ok := skill.BySlug(slug); ok {
			q.Skills[i] = sk.Slug // one copy of each slug's bytes, in cache
		}
		bits |= skillBit(slug)
	}
	m := newMatcher(&q, query.Parse(q.Text))
	atoms, fs := chooseKeys(m)
	tkey, skey, akey := termsKey(m.terms), strings.Join(m.skills, "\x00"), strings.Join(m.agencies, "\x00")

	p.mu.Lock()
	defer p.mu.Unlock()
	if old, ok := p.byID[id]; ok {
		p.drop(id, old)
	}
	s := &saved{
		text:     p.texts.add(tkey, func() []*query.Term { return p.share(m.terms) }),
		skills:   p.skillSets.add(skey, func() []string { return m.skills }),
		agencies: p.agencySets.add(akey, func() []string { return m.agencies }),
	}
	p.byID[id] = s
	if len(fs) == 0 {
		return // the filters allow no listing: posted nowhere
	}
	s.refs = make([]ref, 0, len(atoms)*len(fs))
	for _, a := range atoms {
		n := p.nodeOf(a)
		for _, f := range fs {
			l := n.listOf(f)
			s.refs = append(s.refs, ref{n: n, l: l, pos: len(l.es)})
			l.es = append(l.es, entry{filters: m.filters, skillBits: bits, id: id,
				text: s.text, skills: s.skills, agencies: s.agencies, ref: uint32(len(s.refs) - 1)})
		}
	}
}

// Remove removes saved search id, if present.
func (p *Percolator) Remove(id int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s, ok := p.byID[id]; ok {
		p.drop(id, s)
	}
}

// drop removes search id. p.mu must be held for writing.
func (p *Percolator) drop(id int64, s *saved) {
	for _, r := range s.refs {
		es := r.l.es
		last := len(es) - 1
		if r.pos != last {
			moved := es[last]
			es[r.pos] = moved
			p.byID[moved.id].refs[moved.ref].pos = r.pos
		}
		es[last] = entry{}
		r.l.es = es[:last]
		if last == 0 {
			p.dropList(r.n, r.l)
		}
	}
	if ts, last := p.texts.release(s.text); last {
		p.unshare(ts)
	}
	p.skillSets.release(s.skills)
	p.agencySets.release(s.agencies)
	delete(p.byID, id)
}

// dropList removes empty list l from node n, and n from its map when it
// has no lists left.
func (p *Percolator) dropList(n *node, l *list) {
	i := slices.Index(n.lists, l)
	n.lists = slices.Delete(n.lists, i, i+1)
	if len(n.lists) > 0 {
		return
	}
	switch n.kind {
	case keyGram:
		delete(p.grams, n.g)
	case keyWord:
		delete(p.words, n.s)
	case keyRun:
		delete(p.runs, n.s)
	case keySkill:
		delete(p.skills, n.s)
	}
}

// share returns ts with each term replaced by the percolator's copy of an
// equal term. p.mu must be held for writing.
func (p *Percolator) share(ts []*query.Term) []*query.Term {
	out := make([]*query.Term, len(ts))
	for i, t := range ts {
		k := termKey(t)
		sh := p.terms[k]
		if sh == nil {
			sh = &shared{t: t}
			p.terms[k] = sh
		}
		sh.n++
		out[i] = sh.t
	}
	return out
}

// unshare releases the terms share returned. p.mu must be held for
// writing.
func (p *Percolator) unshare(ts []*query.Term) {
	for _, t := range ts {
		k := termKey(t)
		if sh := p.terms[k]; sh != nil {
			if sh.n--; sh.n == 0 {
				delete(p.terms, k)
			}
		}
	}
}

// termKey is a string equal for equal terms only.
func termKey(t *query.Term) string {
	var b strings.Builder
	for _, f := range []bool{t.Substr, t.Phrase, t.Not} {
		b.WriteByte('0' + boolByte(f))
	}
	b.WriteString(t.Text)
	for _, syns := range t.Words {
		b.WriteByte(0)
		for _, w := range syns {
			b.WriteByte(1)
			b.WriteString(w)
		}
	}
	return b.String()
}

// termsKey is a string equal for equal lists of terms only.
func termsKey(ts []*query.Term) string {
	var b strings.Builder
	for _, t := range ts {
		b.WriteString(termKey(t))
		b.WriteByte(2)
	}
	return b.String()
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// nodeOf returns the node of atom a, made when missing. p.mu must be held
// for writing.
func (p *Percolator) nodeOf(a atom) *node {
	var m map[string]*node
	switch a.kind {
	case keyNone:
		return p.always
	case keyGram:
		n := p.grams[a.g]
		if n == nil {
			n = &node{atom: a}
			p.grams[a.g] = n
			b := gramBit(a.g)
			p.gramBits[b/64] |= 1 << (b % 64)
		}
		return n
	case keyWord:
		m = p.words
	case keyRun:
		m = p.runs
	default:
		m = p.skills
	}
	n := m[a.s]
	if n == nil {
		n = &node{atom: a}
		m[a.s] = n
	}
	return n
}

// gramBitsLen is the size of Percolator.gramBits in words: 2^18 bits.
const gramBitsLen = 1 << 12

// gramBit is the bit of gram g in Percolator.gramBits.
func gramBit(g query.Gram) uint32 { return uint32(uint64(g) * 0x9e3779b97f4a7c15 >> 46) }

func (n *node) listOf(f uint16) *list {
	for _, l := range n.lists {
		if l.f == f {
			return l
		}
	}
	l := &list{f: f}
	n.lists = append(n.lists, l)
	return l
}

// scratch is what one Match works in, kept for the next.
type scratch struct {
	grams []query.Gram
	nodes []*node
	out   []int64
	buf   []int64 // for sortIDs
	held  map[*query.Term]found
	runs  map[string]bool
}

var scratches = sync.Pool{New: func() any {
	return &scratch{held: map[*query.Term]found{}, runs: map[string]bool{}}
}}

// Match returns the ids of the saved searches that listing l matches, in
// ascending order: those that, run on an index holding l, return it. A
// listing that is not open matches none.
func (p *Percolator) Match(l *listing.Listing) []int64 {
	if l.Status != listing.StatusOpen {
		return nil
	}
	sc := scratches.Get().(*scratch)
	defer func() {
		clear(sc.held)
		clear(sc.runs)
		sc.grams, sc.nodes, sc.out = sc.grams[:0], sc.nodes[:0], sc.out[:0]
		scratches.Put(sc)
	}()
	d := docOfPrepared(prepare(l, nil))
	d.held = sc.held
	c := &d.cols
	var has [dims]uint8 // the listing's code in each filter dimension
	has[dimRole], has[dimRemote], has[dimContract], has[dimPref] = c.role, c.remote, c.contract, c.pref
	has[dimSideJob] = sideJobNo
	if c.sideJob {
		has[dimSideJob] = sideJobYes
	}
	var bits uint64
	for _, slug := range l.Skills {
		bits |= skillBit(slug)
	}
	words := d.fieldWords().all
	query.EachRun(d.text, func(i, j int) { sc.runs[d.text[i:j]] = true })

	p.mu.RLock()
	defer p.mu.RUnlock()
	query.EachGram(d.text, func(g query.Gram) {
		if b := gramBit(g); p.gramBits[b/64]>>(b%64)&1 != 0 {
			sc.grams = append(sc.grams, g)
		}
	})
	slices.Sort(sc.grams)
	grams := slices.Compact(sc.grams)
	nodes := append(sc.nodes, p.always)
	for _, g := range grams {
		if n := p.grams[g]; n != nil {
			nodes = append(nodes, n)
		}
	}
	for w := range words {
		if n := p.words[w]; n != nil {
			nodes = append(nodes, n)
		}
	}
	for r := range sc.runs {
		if n := p.runs[r]; n != nil {
			nodes = append(nodes, n)
		}
	}
	for _, slug := range l.Skills {
		if n := p.skills[slug]; n != nil && !slices.Contains(nodes, n) { // a skill listed twice
			nodes = append(nodes, n)
		}
	}
	out := sc.out
	for _, n := range nodes {
		for _, li := range n.lists {
			if li.f != 0 && (has[li.f>>8] != uint8(li.f) || uint8(li.f) == 0) {
				continue
			}
			for i := range li.es {
				e := &li.es[i]
				if e.skillBits&^bits != 0 || !e.filters.ok(c) {
					continue
				}
				if _, ok := matchRest(p.skillSets.vals[e.skills], p.agencySets.vals[e.agencies], p.texts.vals[e.text], d); ok {
					out = append(out, e.id)
				}
			}
		}
	}
	sc.nodes = nodes
	sc.out = out
	if len(out) == 0 {
		return nil
	}
	res := slices.Clone(out)
	sortIDs(res, &sc.buf)
	// A search posted under several of the listing's keys (synonyms) is
	// found once for each.
	return slices.Compact(res)
}

// sortIDs sorts ids in ascending order: by radix, a byte at a time from
// the lowest, over the bytes in which they differ, when there are many.
func sortIDs(ids []int64, buf *[]int64) {
	if len(ids) < 256 {
		slices.Sort(ids)
		return
	}
	const sign = 1 << 63 // flipped, so that negative ids come first
	var differ uint64
	for _, id := range ids {
		differ |= uint64(id) ^ uint64(ids[0])
	}
	*buf = slices.Grow((*buf)[:0], len(ids))[:len(ids)]
	src, dst := ids, *buf
	for shift := uint(0); shift < 64 && differ>>shift != 0; shift += 8 {
		var count [257]int
		for _, id := range src {
			count[1+(uint64(id)^sign)>>shift&0xff]++
		}
		for i := 1; i < len(count); i++ {
			count[i] += count[i-1]
		}
		for _, id := range src {
			b := (uint64(id) ^ sign) >> shift & 0xff
			dst[count[b]] = id
			count[b]++
		}
		src, dst = dst, src
	}
	if &src[0] != &ids[0] {
		copy(ids, src)
	}
}

// skillBit is the bit of a skill in a 64-bit summary of a skill set: a
// listing whose summary lacks a bit of a search's lacks one of its skills.
func skillBit(slug string) uint64 {
	h := uint64(14695981039346656037) // FNV-1a
	for i := 0; i < len(slug); i++ {
		h = (h ^ uint64(slug[i])) * 1099511628211
	}
	return 1 << (h % 64)
}

// A saved search's keys.
//
// Every listing a search matches has, for each required term, the atoms
// of one of that term's options below; for each required skill, that
// skill; and for each filter, one of its values. The search is posted
// under the option whose atoms (any of which will do) are rarest, times
// the filter whose values are rarest.

// keyOption is a set of atoms of which a matching listing has at least
// one, with a guess of the share of listings that do.
type keyOption struct {
	atoms []atom
	cost  float64
}

// chooseKeys returns the atoms and the filter values (dim<<8 | code, 0
// for none) a search is posted under: every pair of them. A search whose
// filters allow no listing is posted under nothing.
func chooseKeys(m *matcher) ([]atom, []uint16) {
	best := keyOption{atoms: []atom{{}}, cost: 1}
	consider := func(o keyOption) {
		if len(o.atoms) > 0 && o.cost < best.cost {
			best = o
		}
	}
	for _, slug := range m.skills {
		consider(keyOption{atoms: []atom{{kind: keySkill, s: slug}}, cost: 0.08})
	}
	for _, t := range m.terms {
		if t.Not {
			continue
		}
		switch {
		case t.Phrase:
			for part := range splitSpace(t.Text) {
				if !query.IsASCII(part) {
					for _, g := range query.Grams(part) {
						consider(keyOption{atoms: []atom{{kind: keyGram, g: g}}, cost: gramCost(g)})
					}
				}
			}
			query.EachRun(t.Text, func(i, j int) {
				consider(keyOption{atoms: []atom{{kind: keyRun, s: t.Text[i:j]}}, cost: wordCost(t.Text[i:j])})
			})
		case t.Substr:
			for _, g := range query.Grams(t.Text) {
				consider(keyOption{atoms: []atom{{kind: keyGram, g: g}}, cost: gramCost(g)})
			}
			// A run inside the term, away from its ends, is a whole run
			// of the text too.
			query.EachRun(t.Text, func(i, j int) {
				if i > 0 && j < len(t.Text) {
					consider(keyOption{atoms: []atom{{kind: keyRun, s: t.Text[i:j]}}, cost: wordCost(t.Text[i:j])})
				}
			})
		default:
			for _, syns := range t.Words {
				o := keyOption{}
				for _, w := range syns {
					o.atoms = append(o.atoms, atom{kind: keyWord, s: w})
					o.cost += wordCost(w)
				}
				consider(o)
			}
		}
	}
	return best.atoms, filterKeys(&m.filters)
}

// splitSpace yields the space-separated parts of a collapsed phrase.
func splitSpace(p string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for len(p) > 0 {
			i := 0
			for i < len(p) && p[i] != ' ' {
				i++
			}
			if !yield(p[:i]) || i == len(p) {
				return
			}
			p = p[i+1:]
		}
	}
}

// filterKeys returns the values of the search's rarest filter, or {0}
// when it has none; nil when a filter allows no value at all.
func filterKeys(f *filters) []uint16 {
	best, cost := []uint16{0}, 1.0
	consider := func(dim int, set uint64, n int, costOf func(code int) float64) bool {
		if set&1 != 0 {
			return true // not filtered: every value, unknown included
		}
		var keys []uint16
		c := 0.0
		for code := 1; code <= n; code++ {
			if set>>code&1 != 0 {
				keys = append(keys, uint16(dim<<8|code))
				c += costOf(code)
			}
		}
		if len(keys) == 0 {
			return false
		}
		if c < cost {
			best, cost = keys, c
		}
		return true
	}
	flat := func(c float64) func(int) float64 { return func(int) float64 { return c } }
	ok := consider(dimRole, uint64(f.roles), len(listing.Roles), flat(0.12)) &&
		consider(dimRemote, uint64(f.remotes), len(listing.Remotes), flat(0.34)) &&
		consider(dimContract, uint64(f.contracts), len(listing.Contracts), flat(0.3)) &&
		consider(dimPref, f.prefs, len(listing.Prefectures), prefCost)
	if !ok {
		return nil
	}
	switch f.sideJob {
	case sideJobYes:
		consider(dimSideJob, 1<<sideJobYes, sideJobNo, flat(0.25))
	case sideJobNo:
		consider(dimSideJob, 1<<sideJobNo, sideJobNo, flat(0.75))
	}
	return best
}

// prefCost guesses the share of listings in a prefecture: Tokyo holds
// most, then Kanagawa, Osaka, Aichi and Fukuoka.
func prefCost(code int) float64 {
	switch code {
	case 13:
		return 0.4
	case 14, 27, 23, 40:
		return 0.06
	}
	return 0.02
}

// runeCost guesses the share of listings holding rune r: kanji and
// katakana are rarer than hiragana, which every Japanese sentence has.
func runeCost(r rune) float64 {
	switch {
	case r == 'ー' || 0x3040 <= r && r <= 0x309f: // hiragana
		return 0.6
	case 0x30a0 <= r && r <= 0x30ff || 0x31f0 <= r && r <= 0x31ff: // katakana
		return 0.2
	case 0x4e00 <= r && r <= 0x9fff || 0x3400 <= r && r <= 0x4dbf || 0xf900 <= r && r <= 0xfaff: // kanji
		return 0.15
	}
	return 0.5
}

// gramCost guesses the share of listings holding gram g.
func gramCost(g query.Gram) float64 {
	a, b := rune(g>>32), rune(g&0xffffffff)
	if b == 0 {
		return runeCost(a)
	}
	return runeCost(a) * runeCost(b)
}

// wordCost guesses the share of listings holding ASCII word (or run) w:
// the shorter, the more.
func wordCost(w string) float64 {
	c := 0.03
	switch utf8.RuneCountInString(w) {
	case 1:
		c = 0.3
	case 2:
		c = 0.15
	case 3:
		c = 0.08
	case 4, 5:
		c = 0.05
	}
	for i := 0; i < len(w); i++ {
		if w[i] < '0' || w[i] > '9' {
			return c
		}
	}
	return 2 * c // a number
}
