package search

import (
	"slices"
	"strings"

	"anken/internal/listing"
	"anken/internal/search/query"
)

// The per-listing predicate. The index answers a query with bitmaps
// (plan); whenever one listing has to be matched on its own — an old
// version for the pages of a search after the first (snapshot.go), a new
// listing against saved searches (percolate.go) — it is this one
// function, matcher.match, so that a listing matches exactly when the
// index would return it. TestMatcherAgreesWithIndex holds it to the plan.

// matcher is a query compiled for matching one listing at a time.
type matcher struct {
	filters
	skills   []string // slugs; a listing must have all of them
	agencies []string // slugs; a listing of any of them (none: any)
	// terms are pointers so that matchers can share equal terms (the
	// percolator's do), whose answer for one listing a doc can remember.
	terms []*query.Term
}

// filters are a query's exact filters on the coded columns, as bit sets
// of the codes they allow (every bit when the query does not filter on
// the column) and bounds. Small and without pointers, so the percolator
// copies them into its postings and rejects most candidates from there.
type filters struct {
	prefs     uint64 // bit i: pref code i
	rateMin   int32  // rateHi ≥ rateMin; 0: any
	rateMax   int32  // 0 < rateLo ≤ rateMax; 0: any
	hourMin   int32  // hourHi ≥ hourMin; 0: any
	hourMax   int32  // 0 < hourLo ≤ hourMax; 0: any
	seenMin   int64  // seen ≥ seenMin; 0: any
	roles     uint16 // bit i: role code i
	remotes   uint8
	contracts uint8
	daysMax   uint8 // 0 < min(days, 7) ≤ daysMax; 0: any
	sideJob   uint8 // sideJobAny, sideJobYes, sideJobNo
	workload  uint8 // workloadAny, workloadFull, workloadPart
}

const (
	sideJobAny = iota
	sideJobYes
	sideJobNo
)

const (
	workloadAny = iota
	workloadFull
	workloadPart
)

// newMatcher compiles q and its parsed text terms.
func newMatcher(q *Query, terms []query.Term) *matcher {
	m := &matcher{filters: newFilters(q), skills: q.Skills, agencies: q.Agencies, terms: make([]*query.Term, len(terms))}
	for i := range terms {
		m.terms[i] = &terms[i]
	}
	return m
}

func newFilters(q *Query) filters {
	f := filters{
		prefs:     codeSet(len(q.Prefectures), func(i int) uint8 { return prefCode(q.Prefectures[i]) }),
		roles:     uint16(codeSet(len(q.Roles), func(i int) uint8 { return code(listing.Roles, q.Roles[i]) })),
		remotes:   uint8(codeSet(len(q.Remotes), func(i int) uint8 { return code(listing.Remotes, q.Remotes[i]) })),
		contracts: uint8(codeSet(len(q.Contracts), func(i int) uint8 { return code(listing.Contracts, q.Contracts[i]) })),
	}
	// The index reads rate bounds above the largest valid rate as that
	// rate (rateRange).
	if q.RateMin > 0 {
		f.rateMin = int32(min(q.RateMin, listing.MaxMonthlyYen))
	}
	if q.RateMax > 0 {
		f.rateMax = int32(min(q.RateMax, listing.MaxMonthlyYen))
	}
	// Hourly bounds above the largest valid hourly pay read as it, as
	// prepare clips the columns.
	if q.HourlyMin > 0 {
		f.hourMin = int32(min(q.HourlyMin, listing.MaxHourlyYen))
	}
	if q.HourlyMax > 0 {
		f.hourMax = int32(min(q.HourlyMax, listing.MaxHourlyYen))
	}
	f.seenMin = max(q.SeenSince, 0)
	switch q.Workload {
	case listing.WorkloadFull:
		f.workload = workloadFull
	case listing.WorkloadPart:
		f.workload = workloadPart
	}
	if q.DaysMax > 0 {
		f.daysMax = uint8(min(q.DaysMax, 7))
	}
	if q.SideJob != nil {
		f.sideJob = sideJobNo
		if *q.SideJob {
			f.sideJob = sideJobYes
		}
	}
	return f
}

// codeSet returns the bit set of n filter values' codes: every bit when
// n is 0 (no filter); an unknown value (code 0) allows nothing.
func codeSet(n int, codeOf func(i int) uint8) uint64 {
	if n == 0 {
		return ^uint64(0)
	}
	var set uint64
	for i := range n {
		if c := codeOf(i); c > 0 && c < 64 {
			set |= 1 << c
		}
	}
	return set
}

// ok reports whether columns c pass the filters.
func (f *filters) ok(c *cols) bool {
	if f.roles>>c.role&1 == 0 || f.remotes>>c.remote&1 == 0 ||
		f.contracts>>c.contract&1 == 0 || c.pref >= 64 || f.prefs>>c.pref&1 == 0 {
		return false
	}
	if f.rateMin > 0 && c.rateHi < f.rateMin || f.rateMax > 0 && (c.rateLo <= 0 || c.rateLo > f.rateMax) {
		return false
	}
	if !f.colsOK(c) {
		return false
	}
	if f.workload == workloadFull && c.part || f.workload == workloadPart && !c.part {
		return false
	}
	if d := min(c.days, 7); f.daysMax > 0 && (d == 0 || d > f.daysMax) {
		return false
	}
	switch f.sideJob {
	case sideJobYes:
		return c.sideJob
	case sideJobNo:
		return !c.sideJob
	}
	return true
}

// colsOK reports whether columns c pass the filters the index checks on
// columns rather than bitmaps (the hourly pay bounds, first seen): its
// plan applies this same check to its candidates (colRange).
func (f *filters) colsOK(c *cols) bool {
	return !(f.hourMin > 0 && c.hourHi < f.hourMin || f.hourMax > 0 && (c.hourLo <= 0 || c.hourLo > f.hourMax) ||
		f.seenMin > 0 && c.seen < f.seenMin)
}

// onColumns reports whether the filters check anything on columns.
func (f *filters) onColumns() bool { return f.hourMin > 0 || f.hourMax > 0 || f.seenMin > 0 }

// doc is one listing as the predicate reads it: the folded text and coded
// columns the index keeps (prepare), and its skills.
type doc struct {
	text               string
	titleEnd, skillEnd uint32
	cols               cols
	// skills are codes into slugs; when skills is nil, slugs are the
	// listing's skills themselves.
	skills []uint16
	slugs  []string
	agency string      // slug
	words  *fieldWords // made when a term first needs them
	// held remembers where each term was found, when not nil: for a
	// listing matched against many queries that share terms.
	held map[*query.Term]found
}

// found is where a term is in a listing: anywhere, in the title, in the
// skills.
type found struct{ hit, title, skills bool }

// docOf returns the document of a version the index held.
func (x *Index) docOf(v *version) *doc {
	d := &doc{text: v.text, titleEnd: v.titleEnd, skillEnd: v.skillEnd, cols: v.cols,
		skills: v.skills, slugs: x.skillSlug}
	if int(v.cols.agency) < len(x.agencySlug) {
		d.agency = x.agencySlug[v.cols.agency]
	}
	return d
}

// docOfPrepared returns the document of a listing folded by prepare.
func docOfPrepared(p *prepared) *doc {
	return &doc{text: p.text, titleEnd: p.titleEnd, skillEnd: p.skillEnd, cols: p.cols, slugs: p.skills, agency: p.agency}
}

func (d *doc) hasSkill(slug string) bool {
	if d.skills == nil {
		return slices.Contains(d.slugs, slug)
	}
	for _, c := range d.skills {
		if int(c) < len(d.slugs) && d.slugs[c] == slug {
			return true
		}
	}
	return false
}

func (d *doc) fieldWords() *fieldWords {
	if d.words == nil {
		set := func(s string) map[string]bool {
			m := map[string]bool{}
			query.EachWord(s, func(w string) { m[w] = true })
			return m
		}
		d.words = &fieldWords{all: set(d.text), title: set(d.text[:d.titleEnd]),
			skills: set(d.text[d.titleEnd:d.skillEnd])}
	}
	return d.words
}

// match reports whether the listing d matches the query, exactly as plan
// decides it for a slot of the index, and its relevance score.
func (m *matcher) match(d *doc) (int64, bool) {
	if !m.filters.ok(&d.cols) {
		return 0, false
	}
	return matchRest(m.skills, m.agencies, m.terms, d)
}

// matchRest is match after the filters: the skills (all of them), the
// agencies (any of them) and the text terms. The percolator, which has
// checked a saved search's filters already, starts here.
func matchRest(skills, agencies []string, terms []*query.Term, d *doc) (int64, bool) {
	for _, slug := range skills {
		if !d.hasSkill(slug) {
			return 0, false
		}
	}
	if len(agencies) > 0 && !slices.Contains(agencies, d.agency) {
		return 0, false
	}
	var score int64
	for _, t := range terms {
		f := d.find(t)
		switch {
		case f.hit == t.Not:
			return 0, false
		case t.Not:
		case f.title:
			score += weightTitle
		case f.skills:
			score += weightSkills
		default:
			score += weightDescription
		}
	}
	return score, true
}

// find returns where term t is in the listing.
func (d *doc) find(t *query.Term) found {
	if f, ok := d.held[t]; ok {
		return f
	}
	var f found
	if !t.Substr && !t.Phrase {
		ws := d.fieldWords()
		f = found{hasWords(ws.all, t.Words), hasWords(ws.title, t.Words), hasWords(ws.skills, t.Words)}
	} else {
		in := func(field string) bool { return strings.Contains(field, t.Text) }
		if t.Phrase {
			in = func(field string) bool { return query.HoldsPhrase(field, t.Text) }
		}
		f.hit, f.title, f.skills = inFields(d.text, d.titleEnd, d.skillEnd, in)
	}
	if d.held != nil {
		d.held[t] = f
	}
	return f
}

// fieldWords are the ASCII words of a listing's text and of its title and
// skills, as the index posts them.
type fieldWords struct{ all, title, skills map[string]bool }

// hasWords reports whether a field holds each word of a term, or one of
// its synonyms.
func hasWords(in map[string]bool, words [][]string) bool {
	for _, syns := range words {
		if !slices.ContainsFunc(syns, func(w string) bool { return in[w] }) {
			return false
		}
	}
	return len(words) > 0
}
