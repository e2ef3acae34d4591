package search

import (
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"anken/internal/listing"
	"anken/internal/search/query"
)

// fixedListing is listing i of the paging tests: rate i×10万円, posted i
// hours after a fixed time, 決済 in the title of 5 and 6 and in the
// description of the others.
func fixedListing(i int64) *listing.Listing {
	l := &listing.Listing{ID: i, ExternalID: fmt.Sprint("X", i), Title: fmt.Sprintf("案件%d", i),
		Description: "決済システムの保守", Status: listing.StatusOpen,
		PostedAt: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour),
		Rate:     listing.Rate{Unit: listing.PerMonth, Max: i * 100_000, MonthlyMax: i * 100_000}}
	if i >= 5 {
		l.Title, l.Description = fmt.Sprintf("決済基盤%d", i), "保守"
	}
	return l
}

func edited(l *listing.Listing, fn func(*listing.Listing)) *listing.Listing {
	c := *l
	c.Skills = slices.Clone(l.Skills)
	fn(&c)
	return &c
}

// TestSnapshotPaging changes listings after the first page in the ways
// that move a listing across a keyset cursor: each page after the first
// still answers the first page's search, in its order.
func TestSnapshotPaging(t *testing.T) {
	all := []int64{6, 5, 4, 3, 2, 1}
	tests := []struct {
		name   string
		sort   Sort
		text   string
		change func(x *Index)
		want   []int64
	}{
		{"nothing changes", SortRate, "", func(*Index) {}, all},
		{"a rate raised above the cursor", SortRate, "", func(x *Index) {
			x.Upsert(edited(fixedListing(2), func(l *listing.Listing) { l.Rate.Max, l.Rate.MonthlyMax = 900_000, 900_000 }))
		}, all},
		{"a rate lowered below the cursor", SortRate, "", func(x *Index) {
			x.Upsert(edited(fixedListing(6), func(l *listing.Listing) { l.Rate.Max, l.Rate.MonthlyMax = 50_000, 50_000 }))
		}, all},
		{"closed: shown as it was", SortRate, "", func(x *Index) { x.Delete(3) }, all},
		{"closed as a write of the log", SortRate, "", func(x *Index) {
			x.Apply(x.seq+5, edited(fixedListing(4), func(l *listing.Listing) { l.Status = listing.StatusClosed }))
		}, all},
		{"added: left out", SortRate, "", func(x *Index) {
			x.Upsert(edited(fixedListing(7), func(l *listing.Listing) { l.Rate.Max, l.Rate.MonthlyMax = 350_000, 350_000 }))
		}, all},
		{"closed and reopened", SortRate, "", func(x *Index) { x.Delete(2); x.Upsert(fixedListing(2)) }, all},
		{"a title edit raises relevance", SortRelevance, "決済", func(x *Index) {
			x.Upsert(edited(fixedListing(1), func(l *listing.Listing) { l.Title = "決済" }))
		}, all},
		{"an edit drops the match", SortRelevance, "決済", func(x *Index) {
			x.Upsert(edited(fixedListing(3), func(l *listing.Listing) { l.Description = "保守" }))
		}, all},
		{"an edit makes a listing match", SortRelevance, "保守 -システム", func(x *Index) {
			x.Upsert(edited(fixedListing(3), func(l *listing.Listing) { l.Description = "保守" }))
		}, []int64{6, 5}},
		{"a word only the old version had", SortRelevance, "kotlin", func(x *Index) {
			for i := int64(1); i <= 6; i++ {
				x.Upsert(fixedListing(i))
			}
		}, []int64{6, 4, 2}},
		{"reposted", SortNewest, "", func(x *Index) {
			x.Upsert(edited(fixedListing(1), func(l *listing.Listing) { l.PostedAt = l.PostedAt.AddDate(0, 1, 0) }))
			x.Upsert(edited(fixedListing(5), func(l *listing.Listing) { l.PostedAt = l.PostedAt.AddDate(-1, 0, 0) }))
		}, all},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := NewIndex()
			for i := int64(1); i <= 6; i++ {
				l := fixedListing(i)
				if tt.text == "kotlin" && i%2 == 0 {
					l.Description += " kotlin"
				}
				x.Upsert(l)
			}
			q := Query{Text: tt.text, Sort: tt.sort, Limit: 1, Facets: []Facet{FacetRate}}
			if len(tt.want) > 2 {
				q.Limit = 2
			}
			var got []int64
			first, err := x.Search(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, hitIDs(first.Hits)...)
			tt.change(x)
			res := first
			for res.NextCursor != "" {
				next := q
				next.Cursor = res.NextCursor
				if res, err = x.Search(context.Background(), next); err != nil {
					t.Fatal(err)
				}
				if res.Total != first.Total || !maps.Equal(res.Facets[FacetRate], first.Facets[FacetRate]) {
					t.Fatalf("total %d, facets %v; the first page said %d, %v", res.Total, res.Facets, first.Total, first.Facets)
				}
				got = append(got, hitIDs(res.Hits)...)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("pages %v, want %v", got, tt.want)
			}
			if x.since(x.seq) != nil {
				t.Error("a snapshot of the index as it is has changes")
			}
		})
	}
}

// TestSnapshotOracle pages through random searches with small pages while
// listings are written between pages: rates, posted_at, titles and
// descriptions (so relevance changes), skills, duplicate groups, closes
// and new listings. The pages must be exactly the brute-force answer over
// the listings as they were at the first page: every listing that matched
// then once, in that order, none repeated, none added since; total and
// facets those of that answer on every page.
func TestSnapshotOracle(t *testing.T) {
	for _, tc := range []struct {
		name     string
		walkMax  int
		collapse bool
		logged   bool // writes come as changes of a log with gaps in their sequence numbers
	}{
		{"walk", walkMax, false, false},
		{"buckets", 0, false, true},
		{"collapse walk", walkMax, true, true},
		{"collapse buckets", 0, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			listings, rounds := 300, 60
			if testing.Short() || raceEnabled {
				listings, rounds = 150, 30
			}
			testSnapshotOracle(t, tc.walkMax, tc.collapse, tc.logged, listings, rounds)
		})
	}
}

func testSnapshotOracle(t *testing.T, walk int, collapse, logged bool, n, rounds int) {
	r := rand.New(rand.NewPCG(uint64(n), uint64(walk+1)))
	x := NewIndex()
	x.walkMax = walk
	if walk == 0 {
		x.countWalkMax = 0 // facets by bitmaps too: the other path of many hits
	}
	live := map[int64]*listing.Listing{}
	var nextID, seq int64 = 1, 0
	put := func(l *listing.Listing) {
		if l.Status == listing.StatusOpen {
			live[l.ID] = l
		} else {
			delete(live, l.ID)
		}
		switch {
		case logged:
			seq = x.seq + 1 + r.Int64N(3)
			x.Apply(seq, l)
		case l.Status != listing.StatusOpen && r.IntN(2) == 0:
			x.Delete(l.ID)
		default:
			x.Upsert(l)
		}
	}
	group := func(id int64) int64 {
		switch {
		case !collapse || id < 10 || r.IntN(3) > 0:
			return []int64{0, id}[r.IntN(2)] // alone
		}
		if r.IntN(4) == 0 {
			return 1 + r.Int64N(nextID) // any group, even of a later listing
		}
		return 1 + r.Int64N(id-1) // a repost of an earlier listing
	}
	create := func() {
		l := randomListing(r, nextID)
		l.GroupID = group(nextID)
		nextID++
		put(l)
	}
	for range n {
		create()
	}
	// change writes one random change, to one of ids when it can.
	change := func(ids []int64) {
		id := 1 + r.Int64N(nextID-1)
		if len(ids) > 0 && r.IntN(3) > 0 {
			id = ids[r.IntN(len(ids))]
		}
		l := live[id]
		if l == nil { // closed: reopen it, or add a listing
			if r.IntN(2) == 0 {
				l = randomListing(r, id)
				l.GroupID = group(id)
				put(l)
			} else {
				create()
			}
			return
		}
		fresh := randomListing(r, l.ID)
		switch r.IntN(9) {
		case 0:
			put(edited(l, func(c *listing.Listing) { c.Rate = fresh.Rate }))
		case 1:
			put(edited(l, func(c *listing.Listing) { c.PostedAt = fresh.PostedAt }))
		case 2:
			put(edited(l, func(c *listing.Listing) { c.Title, c.Description = fresh.Title, fresh.Description }))
		case 3:
			put(edited(l, func(c *listing.Listing) { c.Skills = fresh.Skills }))
		case 4:
			put(edited(l, func(c *listing.Listing) { c.GroupID = group(c.ID) }))
		case 5:
			put(edited(l, func(c *listing.Listing) { c.Status = listing.StatusClosed }))
		case 6:
			put(edited(l, func(*listing.Listing) {})) // written again unchanged
		case 7:
			fresh.GroupID = l.GroupID
			put(fresh)
		default:
			create()
		}
	}
	for round := range rounds {
		ls := slices.Collect(maps.Values(live))
		q := randomQuery(r, ls)
		switch r.IntN(4) {
		case 0:
			q.Text = "" // many hits
		case 1:
			q.Text = jaWords[r.IntN(len(jaWords))]
		}
		q.Collapse = collapse
		q.Limit = 1 + r.IntN(6)
		snap := maps.Clone(live)
		want, wantTotal, wantFacets := snapshotAnswer(snap, q)

		var got []int64
		seen := map[int64]bool{}
		var res Result
		for page := 0; page == 0 || res.NextCursor != ""; page++ {
			next := q
			next.Cursor = res.NextCursor
			var err error
			if res, err = x.Search(context.Background(), next); err != nil {
				t.Fatalf("round %d page %d: %v", round, page, err)
			}
			if res.Total != wantTotal {
				t.Fatalf("round %d page %d, query %+v: total %d, want %d", round, page, q, res.Total, wantTotal)
			}
			for _, f := range q.Facets {
				if _, ok := res.Facets[f]; !ok && f == FacetAgency && q.Collapse && page > 0 {
					continue // left out of a collapsed search's later pages after writes
				}
				if !maps.Equal(res.Facets[f], wantFacets[f]) {
					t.Fatalf("round %d page %d, query %+v: facet %s = %v, want %v", round, page, q, f, res.Facets[f], wantFacets[f])
				}
			}
			for _, h := range res.Hits {
				if seen[h.ID] {
					t.Fatalf("round %d, query %+v: listing %d repeated on page %d", round, q, h.ID, page)
				}
				seen[h.ID] = true
				got = append(got, h.ID)
			}
			for range r.IntN(6) {
				change(want)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("round %d, query %+v:\n got %v\nwant %v", round, q, got, want)
		}
		// Listings matching at the first page, unchanged since, came once:
		// implied by the above, and what a user sees of it.
		for id, l := range snap {
			if live[id] == l && oracleMatch(l, q) && !collapse && !seen[id] {
				t.Fatalf("round %d: unchanged listing %d skipped", round, id)
			}
		}
	}
}

// snapshotAnswer is the brute-force answer of q over listings: the ids in
// order, the total and the facets. A collapsed search shows each group
// with a matching listing once, as its representative (the group's first
// listing when open, else its listing with the lowest id); a
// representative that does not match itself scores each term as found in
// the description.
func snapshotAnswer(ls map[int64]*listing.Listing, q Query) ([]int64, int, map[Facet]map[string]int) {
	q = q.withDefaults()
	groupOf := func(l *listing.Listing) int64 { return cmp.Or(l.GroupID, l.ID) }
	var hits []*listing.Listing
	if q.Collapse {
		members := map[int64][]*listing.Listing{}
		for _, l := range ls {
			members[groupOf(l)] = append(members[groupOf(l)], l)
		}
		reps := map[int64]*listing.Listing{}
		for g, ms := range members {
			if !slices.ContainsFunc(ms, func(l *listing.Listing) bool { return oracleMatch(l, q) }) {
				continue
			}
			rep := slices.MinFunc(ms, func(a, b *listing.Listing) int { return cmp.Compare(a.ID, b.ID) })
			if l, ok := ls[g]; ok && groupOf(l) == g {
				rep = l
			}
			reps[rep.ID] = rep
		}
		hits = slices.Collect(maps.Values(reps))
	} else {
		for _, l := range ls {
			if oracleMatch(l, q) {
				hits = append(hits, l)
			}
		}
	}
	npos := int64(0)
	for _, t := range oracleTerms(q.Text) {
		if !t.not {
			npos++
		}
	}
	key := func(l *listing.Listing) sortKey {
		switch q.Sort {
		case SortNewest:
			return sortKey{l.PostedAt.Unix(), 0, l.ID}
		case SortRate:
			return sortKey{rateHi(l.Rate), 0, l.ID}
		}
		score := npos
		if oracleMatch(l, q) {
			score = oracleScore(l, q)
		}
		return sortKey{score, l.PostedAt.Unix(), l.ID}
	}
	keys := map[int64]sortKey{}
	for _, l := range hits {
		keys[l.ID] = key(l)
	}
	slices.SortFunc(hits, func(a, b *listing.Listing) int { return keys[b.ID].compare(keys[a.ID]) })
	ids := make([]int64, len(hits))
	for i, l := range hits {
		ids[i] = l.ID
	}
	facets := oracleFacets(hits, q.Facets)
	if q.Collapse && slices.Contains(q.Facets, FacetAgency) {
		// A collapsed job counts for every agency offering it.
		members := map[int64][]*listing.Listing{}
		for _, l := range ls {
			members[groupOf(l)] = append(members[groupOf(l)], l)
		}
		m := map[string]int{}
		for _, h := range hits {
			var seen []string
			for _, l := range members[groupOf(h)] {
				if !slices.Contains(seen, l.Agency) {
					seen = append(seen, l.Agency)
					m[l.Agency]++
				}
			}
		}
		facets[FacetAgency] = m
	}
	return ids, len(hits), facets
}

// TestMatcherAgreesWithIndex checks the per-listing predicate (which
// matches old versions for snapshots, and new listings against saved
// searches) against the index itself: for every listing in it, the
// matcher, on the version the index holds and on the listing as prepare
// folds it, and the plan agree on the match and the relevance score.
func TestMatcherAgreesWithIndex(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	x := NewIndex()
	var ls []*listing.Listing
	for id := range int64(400) {
		l := randomListing(r, id+1)
		ls = append(ls, l)
		x.Upsert(l)
	}
	queries := 1500
	if testing.Short() || raceEnabled {
		queries = 300
	}
	for range queries {
		q := randomQuery(r, ls).withDefaults()
		terms := query.Parse(q.Text)
		p, err := x.plan(context.Background(), q, terms)
		if err != nil {
			t.Fatal(err)
		}
		m := newMatcher(&q, terms)
		for _, l := range ls {
			s := x.slot[l.ID]
			score, ok := m.match(x.docOf(x.versionOf(s)))
			if ok != p.cand.Contains(s) {
				t.Fatalf("query %q %+v, listing %d: matcher %t, index %t", q.Text, q, l.ID, ok, !ok)
			}
			if score2, ok2 := m.match(docOfPrepared(prepare(l, nil))); score2 != score || ok2 != ok {
				t.Fatalf("query %q, listing %d: matcher on the listing %d %t, on the index's version %d %t", q.Text, l.ID, score2, ok2, score, ok)
			}
			if !ok {
				continue
			}
			var want int64
			for i := range p.title {
				switch {
				case p.title[i].Contains(s):
					want += weightTitle
				case p.skills[i].Contains(s):
					want += weightSkills
				default:
					want += weightDescription
				}
			}
			if score != want {
				t.Fatalf("query %q, listing %d: score %d, index %d", q.Text, l.ID, score, want)
			}
		}
	}
}

// pageAll returns the ids of every page of q, calling between after
// each page but the last, and the error that ended the paging early. A
// listing on two pages is an error.
func pageAll(x *Index, q Query, between func()) ([]int64, error) {
	var got []int64
	seen := map[int64]bool{}
	res, err := x.Search(context.Background(), q)
	for err == nil {
		for _, h := range res.Hits {
			if seen[h.ID] {
				return got, fmt.Errorf("listing %d repeated", h.ID)
			}
			seen[h.ID] = true
			got = append(got, h.ID)
		}
		if res.NextCursor == "" {
			return got, nil
		}
		between()
		q.Cursor = res.NextCursor
		res, err = x.Search(context.Background(), q)
	}
	return got, err
}

func TestCursorExpires(t *testing.T) {
	fill := func() *Index {
		x := NewIndex()
		for i := int64(1); i <= 6; i++ {
			x.Upsert(fixedListing(i))
		}
		return x
	}
	q := Query{Sort: SortRate, Limit: 2}
	t.Run("history too long", func(t *testing.T) {
		x := fill()
		x.hist.maxLen = 3
		writes := 0
		_, err := pageAll(x, q, func() {
			for range 4 {
				writes++
				x.Upsert(edited(fixedListing(int64(1+writes%6)), func(l *listing.Listing) { l.Title = fmt.Sprint(writes) }))
			}
		})
		if !errors.Is(err, ErrCursorExpired) || !errors.Is(err, ErrBadCursor) {
			t.Fatalf("error %v, want ErrCursorExpired, an ErrBadCursor", err)
		}
		if !strings.Contains(err.Error(), "cursor expired: start the search again") {
			t.Errorf("message %q", err)
		}
	})
	t.Run("history too large", func(t *testing.T) {
		x := fill()
		x.hist.maxBytes = 1000
		_, err := pageAll(x, q, func() {
			x.Upsert(edited(fixedListing(1), func(l *listing.Listing) { l.Description = strings.Repeat("長い説明", 100) }))
			x.Upsert(fixedListing(1))
		})
		if !errors.Is(err, ErrCursorExpired) {
			t.Fatalf("error %v, want ErrCursorExpired", err)
		}
	})
	t.Run("older than the retention window", func(t *testing.T) {
		x := NewIndex()
		now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		x.hist.now = func() time.Time { return now }
		for i := int64(1); i <= 6; i++ {
			x.Upsert(fixedListing(i))
		}
		// No write since the first page: the cursor still reads, however old.
		got, err := pageAll(x, q, func() { now = now.Add(time.Hour) })
		if err != nil || len(got) != 6 {
			t.Fatalf("pages %v, error %v", got, err)
		}
		// Writes since, older than the window: expired.
		_, err = pageAll(x, q, func() {
			x.Upsert(fixedListing(2))
			now = now.Add(historyAge + time.Second)
			x.Upsert(fixedListing(3))
		})
		if !errors.Is(err, ErrCursorExpired) {
			t.Fatalf("error %v, want ErrCursorExpired", err)
		}
		// Writes within the window: exact.
		got, err = pageAll(x, q, func() {
			now = now.Add(time.Minute)
			x.Upsert(edited(fixedListing(1), func(l *listing.Listing) { l.Rate.MonthlyMax = 990_000 }))
		})
		if want := []int64{6, 5, 4, 3, 2, 1}; err != nil || !slices.Equal(got, want) {
			t.Fatalf("pages %v, error %v; want %v", got, err, want)
		}
	})
	t.Run("rebuilt", func(t *testing.T) {
		x := fill()
		_, err := pageAll(x, q, func() {
			x.Rebuild(context.Background(), func(add func(*listing.Listing)) error {
				for i := int64(1); i <= 6; i++ {
					add(fixedListing(i))
				}
				return nil
			})
		})
		if !errors.Is(err, ErrCursorExpired) {
			t.Fatalf("error %v, want ErrCursorExpired", err)
		}
	})
}

// TestCursorC3 checks that a cursor of the format before snapshots still
// continues its search, and that the pages after it carry a snapshot.
func TestCursorC3(t *testing.T) {
	x := NewIndex()
	for i := int64(1); i <= 6; i++ {
		x.Upsert(fixedListing(i))
	}
	q := Query{Sort: SortRate, Limit: 2}
	first, _ := x.Search(context.Background(), q)
	c, err := decodeCursor(Query{Sort: SortRate, Limit: 2, Cursor: first.NextCursor})
	if err != nil || !c.pinned {
		t.Fatalf("cursor %+v, error %v", c, err)
	}
	q.Cursor = base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "c3.%d.%d.%d.%x", c.key[0], c.key[1], c.key[2], c.fingerprint))
	x.Upsert(edited(fixedListing(3), func(l *listing.Listing) { l.Rate.MonthlyMax = 50_000 }))
	second, err := x.Search(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	// As before snapshots: the index as it is, after the key.
	if got, want := hitIDs(second.Hits), []int64{4, 2}; !slices.Equal(got, want) {
		t.Fatalf("page %v, want %v", got, want)
	}
	x.Upsert(edited(fixedListing(1), func(l *listing.Listing) { l.Rate.MonthlyMax = 990_000 }))
	q.Cursor = second.NextCursor
	third, err := x.Search(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hitIDs(third.Hits), []int64{1, 3}; !slices.Equal(got, want) {
		t.Fatalf("page %v, want %v (the second page's snapshot)", got, want)
	}
}

// TestCursorAcrossNodes pages on one node and continues on another that
// follows the same change log: the second waits until it has applied the
// first page's position, then answers exactly. It runs in a synctest
// bubble: the wait's timers are fake, and the second node applies the
// changes only once the search is blocked waiting for them.
func TestCursorAcrossNodes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		log := make([]*listing.Listing, 0, 12)
		for i := int64(1); i <= 6; i++ {
			log = append(log, fixedListing(i))
		}
		log = append(log, edited(fixedListing(2), func(l *listing.Listing) { l.Rate.MonthlyMax = 990_000 }),
			edited(fixedListing(6), func(l *listing.Listing) { l.Status = listing.StatusClosed }))
		a, b := NewIndex(), NewIndex()
		for i, l := range log[:7] {
			a.Apply(int64(10*(i+1)), l)
		}
		for i, l := range log[:6] {
			b.Apply(int64(10*(i+1)), l)
		}
		q := Query{Sort: SortRate, Limit: 3}
		first, err := a.Search(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		a.Apply(80, log[7])
		q.Cursor = first.NextCursor

		b.aheadWait = 20 * time.Millisecond
		if _, err := b.Search(context.Background(), q); !errors.Is(err, ErrBadCursor) {
			t.Fatalf("node behind, not catching up: error %v, want ErrBadCursor", err)
		}
		b.aheadWait = time.Minute
		go func() {
			synctest.Wait() // the search below waits for position 80
			b.Apply(70, log[6])
			b.Apply(80, log[7])
		}()
		for _, x := range []*Index{b, a} {
			res, err := x.Search(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := append(hitIDs(first.Hits), hitIDs(res.Hits)...), []int64{2, 6, 5, 4, 3, 1}; !slices.Equal(got, want) {
				t.Errorf("pages %v, want %v", got, want)
			}
		}
	})
}

// TestSnapshotCollapseScore pages a collapsed search whose only matching
// listings change after the first page so that no listing in the index
// holds the term any more (the plan stops early): a group's representative
// that does not match itself keeps the score it had, each term as if in
// the description.
func TestSnapshotCollapseScore(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 10, 1, h, 0, 0, 0, time.UTC) }
	ls := []*listing.Listing{
		{ID: 1, GroupID: 1, Title: "案件", PostedAt: at(10)},
		{ID: 2, GroupID: 1, Title: "案件", Description: "決済", PostedAt: at(5)},
		{ID: 3, Title: "案件", Description: "決済", PostedAt: at(8)},
	}
	x := NewIndex()
	for _, l := range ls {
		l.Status = listing.StatusOpen
		x.Upsert(l)
	}
	q := Query{Text: "決済", Collapse: true, Limit: 1}
	got, err := pageAll(x, q, func() {
		for _, l := range ls[1:] {
			x.Upsert(edited(l, func(l *listing.Listing) { l.Description = "保守" }))
		}
	})
	if want := []int64{1, 3}; err != nil || !slices.Equal(got, want) {
		t.Fatalf("pages %v, error %v; want %v", got, err, want)
	}
}

// TestConcurrentPaging pages through searches while another goroutine
// writes and closes listings; run under -race it checks the locking of the
// history and of waiting for a position. No listing may come twice.
func TestConcurrentPaging(t *testing.T) {
	x := NewIndex()
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 300 {
		x.Upsert(randomListing(r, int64(i+1)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		w := rand.New(rand.NewPCG(7, 8))
		for i := 0; ctx.Err() == nil && i < 1000; i++ {
			l := randomListing(w, int64(1+w.IntN(400)))
			if w.IntN(4) == 0 {
				l.Status = listing.StatusClosed
			}
			x.Upsert(l)
		}
	}()
	errs := make(chan error, 3)
	for g := range 3 {
		go func() {
			qr := rand.New(rand.NewPCG(uint64(g), 10))
			for i := 0; ctx.Err() == nil && i < 30; i++ {
				q := randomQuery(qr, nil)
				q.Text, q.Limit = "", 1+qr.IntN(20)
				_, err := pageAll(x, q, func() {
					if qr.IntN(4) == 0 { // wait for the next write, as for a cursor from ahead
						x.mu.RLock()
						next := x.seq + 1
						x.mu.RUnlock()
						x.reach(ctx, next)
					}
				})
				if err != nil && ctx.Err() == nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	cancel()
	<-done
}
