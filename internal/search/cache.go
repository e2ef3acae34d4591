package search

import (
	"cmp"
	"slices"
	"strings"
	"sync"

	"anken/internal/search/query"
	"github.com/RoaringBitmap/roaring/v2"
)

// termMatch is the exact answer for one substring term or phrase: the
// slots whose text holds it, and those whose title or skills do (for
// relevance).
type termMatch struct {
	hits, title, skills *roaring.Bitmap
}

// termCache keeps termMatch for substring terms of three or more runes and
// for phrases, whose postings only narrow the candidates and whose answer
// therefore costs a pass over candidate texts. Terms that were expensive
// to confirm are kept, the least recently used dropped, and every cached
// term is kept exact as listings are written. A phrase is kept under
// phraseKey, which no substring term can equal.
//
// Lookups happen under the index's read lock, so the cache has its own
// mutex for its map; the bitmaps themselves change only under the index's
// write lock.
type termCache struct {
	mu    sync.Mutex
	max   int
	min   int // candidates a term must have had to be kept
	clock uint64
	terms map[string]*cachedTerm
}

type cachedTerm struct {
	termMatch
	used uint64
}

// defaultCacheTerms bounds the cache: a broad term's bitmaps hold at most a
// bit per listing in each of three bitmaps (about 750 KB at 2M listings).
const defaultCacheTerms = 256

// cacheMinCandidates is how many candidates a term must have had to be
// worth keeping: below it, confirming is cheap.
const cacheMinCandidates = 2_000

// phraseKey is the cache key of phrase p. It begins with a space, which no
// substring term holds.
func phraseKey(p string) string { return " " + p }

func newTermCache(max int) *termCache {
	return &termCache{max: max, min: cacheMinCandidates, terms: map[string]*cachedTerm{}}
}

func (c *termCache) get(t string) (termMatch, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.terms[t]
	if !ok {
		return termMatch{}, false
	}
	c.clock++
	e.used = c.clock
	return e.termMatch, true
}

// put keeps m for t, evicting the least recently used term when full. The
// caller holds the index's read lock, so m is exact for the index as it is.
func (c *termCache) put(t string, m termMatch) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.terms[t]; ok {
		return
	}
	if len(c.terms) >= c.max {
		var (
			oldest string
			at     = ^uint64(0)
		)
		for k, e := range c.terms {
			if e.used < at {
				oldest, at = k, e.used
			}
		}
		delete(c.terms, oldest)
	}
	c.clock++
	c.terms[t] = &cachedTerm{termMatch: m, used: c.clock}
}

// add records slot s, just written with text, in every cached term it holds. The
// index's write lock is held.
func (c *termCache) add(x *Index, s uint32, text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	title, skills := text[:x.titleEnd[s]], text[x.titleEnd[s]:x.skillEnd[s]]
	for t, e := range c.terms {
		if p, ok := strings.CutPrefix(t, " "); ok {
			// A phrase: matched field by field, never across two.
			inTitle, inSkills := query.HoldsPhrase(title, p), query.HoldsPhrase(skills, p)
			if inTitle || inSkills || query.HoldsPhrase(text[x.skillEnd[s]:], p) {
				e.hits.Add(s)
			}
			if inTitle {
				e.title.Add(s)
			}
			if inSkills {
				e.skills.Add(s)
			}
			continue
		}
		if !strings.Contains(text, t) {
			continue
		}
		e.hits.Add(s)
		if strings.Contains(title, t) {
			e.title.Add(s)
		}
		if strings.Contains(skills, t) {
			e.skills.Add(s)
		}
	}
}

// remove drops slot s from every cached term. The index's write lock is held.
func (c *termCache) remove(s uint32) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.terms {
		e.hits.Remove(s)
		e.title.Remove(s)
		e.skills.Remove(s)
	}
}

// clear empties the cache (the index was rebuilt).
func (c *termCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.terms)
}

// cachedEntry is one cached term and its answer, as a snapshot holds it.
type cachedEntry struct {
	term string
	termMatch
}

// entries returns the cached terms, least recently used first. The
// bitmaps are the cache's own: the caller holds the index's read lock
// while it reads them.
func (c *termCache) entries() []cachedEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	type used struct {
		cachedEntry
		at uint64
	}
	all := make([]used, 0, len(c.terms))
	for t, e := range c.terms {
		all = append(all, used{cachedEntry{t, e.termMatch}, e.used})
	}
	slices.SortFunc(all, func(a, b used) int { return cmp.Compare(a.at, b.at) })
	out := make([]cachedEntry, len(all))
	for i, u := range all {
		out[i] = u.cachedEntry
	}
	return out
}

// restore replaces the cached terms by es, least recently used first (as
// entries returns them), keeping the most recently used when es are more
// than the cache holds.
func (c *termCache) restore(es []cachedEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.terms)
	for _, e := range es[max(0, len(es)-c.max):] {
		c.clock++
		c.terms[e.term] = &cachedTerm{termMatch: e.termMatch, used: c.clock}
	}
}

// list returns the cached terms.
func (c *termCache) list() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.terms))
	for t := range c.terms {
		out = append(out, t)
	}
	return out
}
