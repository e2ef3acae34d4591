package search

import (
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"anken/internal/listing"
)

// randomSavedSearch draws a saved search: half of them like the index
// oracle's random queries (every edge case of the text and filters), half
// shaped like what engineers save — a skill or two, a role or two, remote,
// a minimum rate, a 1–2 character Japanese term, a longer piece of a
// listing's text or an ASCII word (with its synonyms), sometimes an exclusion, a phrase or a value the listings
// never have. Sort, facets, page size and collapse are drawn too: the
// percolator ignores them.
func randomSavedSearch(r *rand.Rand, ls []*listing.Listing) Query {
	pick := func(n int) int { return r.IntN(n) }
	if pick(2) == 0 {
		q := randomQuery(r, ls)
		q.Collapse = pick(4) == 0
		return q
	}
	var q Query
	var terms []string
	switch pick(7) {
	case 0, 1: // one or two runes of a listing's text
		if rs := []rune(ls[pick(len(ls))].Title); len(rs) > 0 {
			i := pick(len(rs))
			terms = append(terms, string(rs[i:min(len(rs), i+1+pick(2))]))
		}
	case 5: // a longer slice, which may begin or end inside an ASCII word
		if rs := []rune(ls[pick(len(ls))].Description); len(rs) > 0 {
			i := pick(len(rs))
			terms = append(terms, string(rs[i:min(len(rs), i+2+pick(9))]))
		}
	case 2:
		terms = append(terms, jaWords[pick(len(jaWords))])
	case 3, 4:
		terms = append(terms, asciiWords[pick(len(asciiWords))])
	}
	if pick(5) == 0 {
		terms = append(terms, randomPhrase(r, ls))
	}
	if pick(5) == 0 {
		terms = append(terms, "-"+[]string{"常駐", "java", "東", "c#", `"full remote"`, "ｶﾞ"}[pick(6)])
	}
	q.Text = strings.Join(terms, " ")
	for range pick(3) {
		q.Skills = append(q.Skills, testSkills[pick(len(testSkills))])
	}
	if pick(3) > 0 {
		for range 1 + pick(2) {
			q.Roles = append(q.Roles, listing.Roles[pick(len(listing.Roles))])
		}
	}
	if pick(2) == 0 {
		q.Remotes = []listing.Remote{listing.Remotes[pick(len(listing.Remotes))]}
	}
	if pick(5) == 0 {
		q.Prefectures = []string{listing.PrefectureCodes[[]int{12, 13, 26, 39}[pick(4)]]}
	}
	if pick(8) == 0 {
		q.Contracts = []listing.Contract{listing.Contracts[pick(len(listing.Contracts))]}
	}
	if pick(2) == 0 {
		q.RateMin = int64(40+5*pick(14)) * 10_000
	}
	if pick(8) == 0 {
		q.DaysMax = 1 + pick(5)
	}
	if pick(6) == 0 {
		q.HourlyMin = int64(1500 + 500*pick(12))
	}
	if pick(10) == 0 {
		q.HourlyMax = q.HourlyMin + int64(500*pick(10))
	}
	if pick(6) == 0 {
		q.Workload = listing.Workloads[pick(len(listing.Workloads))]
	}
	if pick(8) == 0 {
		q.Agencies = []string{testAgencies[pick(len(testAgencies))]}
	}
	if pick(8) == 0 {
		q.SeenSince = testNow.Add(-time.Duration([]int{1, 7, 30}[pick(3)]*24) * time.Hour).Unix()
	}
	if pick(8) == 0 {
		b := pick(2) == 0
		q.SideJob = &b
	}
	switch pick(40) { // values no listing has, and bounds past the valid rates
	case 0:
		q.Roles = append(q.Roles, "bogus")
	case 1:
		q.Skills = append(q.Skills, "nosuchskill")
	case 2:
		q.Prefectures = []string{"JP-99"}
	case 3:
		q.RateMin = listing.MaxMonthlyYen + 1
	case 4:
		q.RateMax = listing.MaxMonthlyYen * 3
	case 5:
		q.HourlyMin = listing.MaxHourlyYen + 1
	case 6:
		q.HourlyMax = listing.MaxHourlyYen * 3
	}
	q.Sort = Sorts[pick(len(Sorts))]
	q.Limit = pick(3)
	return q
}

// TestPercolatorOracle compares the percolator with the index: over random
// listings and random saved searches, a listing matches exactly the saved
// searches that return it when run on an index of the listings, through
// additions, replacements and removals of saved searches.
func TestPercolatorOracle(t *testing.T) {
	nl, ns := 400, 1500
	if testing.Short() || raceEnabled {
		nl, ns = 200, 400
	}
	r := rand.New(rand.NewPCG(31, 37))
	x := NewIndex()
	byID := map[int64]*listing.Listing{}
	var ls []*listing.Listing
	for id := range int64(nl) {
		l := randomListing(r, id+1)
		ls = append(ls, l)
		byID[l.ID] = l
		x.Upsert(l)
	}
	p := NewPercolator()
	saved := map[int64]Query{}
	add := func(id int64) {
		q := randomSavedSearch(r, ls)
		saved[id] = q
		p.Add(id, q)
	}
	for id := range int64(ns) {
		add(id + 1)
	}
	check := func(stage string) {
		t.Helper()
		checkPercolator(t, p)
		if p.Len() != len(saved) {
			t.Fatalf("%s: Len = %d, want %d", stage, p.Len(), len(saved))
		}
		want := map[int64][]int64{}
		ids := slices.Sorted(func(yield func(int64) bool) {
			for id := range saved {
				if !yield(id) {
					return
				}
			}
		})
		for _, id := range ids {
			q := saved[id]
			q.Limit, q.Facets, q.Collapse, q.Cursor = MaxLimit, nil, false, ""
			hits, _ := searchAll(t, x, q, byID)
			for _, h := range hits {
				want[h] = append(want[h], id)
			}
		}
		pairs := 0
		for _, v := range want {
			pairs += len(v)
		}
		t.Logf("%s: %d searches, %d listing-search matches", stage, len(saved), pairs)
		for _, l := range ls {
			if got := p.Match(l); !slices.Equal(got, want[l.ID]) {
				t.Fatalf("%s: listing %d %+v:\nmatches %v\n   want %v", stage, l.ID, l, got, want[l.ID])
			}
		}
	}
	check("added")

	// Replace a fifth of the searches, remove a fifth, and remove ids
	// that were never added.
	for range ns / 5 {
		add(1 + r.Int64N(int64(ns)))
		id := 1 + r.Int64N(int64(ns))
		delete(saved, id)
		p.Remove(id)
	}
	p.Remove(-1)
	p.Remove(int64(ns) + 1)
	check("replaced and removed")

	for id := range saved {
		p.Remove(id)
		delete(saved, id)
	}
	check("all removed")
	if n := len(p.grams) + len(p.words) + len(p.runs) + len(p.skills) + len(p.always.lists); n != 0 {
		t.Errorf("%d keys left after removing every search", n)
	}
	if len(p.terms) != 0 {
		t.Errorf("%d terms left after removing every search", len(p.terms))
	}
}

// checkPercolator checks the percolator's postings: each saved search's
// refs point at its own entries, no entry belongs to no search, and the
// shared tables hold what the searches use.
func checkPercolator(t *testing.T, p *Percolator) {
	t.Helper()
	entries := 0
	texts, skills := map[uint32]int{}, map[uint32]int{}
	for id, s := range p.byID {
		for i, r := range s.refs {
			if r.pos >= len(r.l.es) || r.l.es[r.pos].id != id || r.l.es[r.pos].ref != uint32(i) {
				t.Fatalf("search %d: ref %d does not point at its entry", id, i)
			}
			if e := r.l.es[r.pos]; e.text != s.text || e.skills != s.skills {
				t.Fatalf("search %d: entry %d has text %d, skills %d; the search %d, %d", id, i, e.text, e.skills, s.text, s.skills)
			}
			if !slices.Contains(r.n.lists, r.l) {
				t.Fatalf("search %d: ref %d into a list its node lost", id, i)
			}
		}
		entries += len(s.refs)
		texts[s.text]++
		skills[s.skills]++
	}
	posted := 0
	for _, n := range allNodes(p) {
		for _, l := range n.lists {
			posted += len(l.es)
			if len(l.es) == 0 {
				t.Fatalf("empty list %x kept under %+v", l.f, n.atom)
			}
		}
	}
	if posted != entries {
		t.Fatalf("%d entries posted, searches have %d", posted, entries)
	}
	if len(texts) != len(p.texts.ids) || len(skills) != len(p.skillSets.ids) {
		t.Fatalf("searches use %d texts and %d skill sets; the tables hold %d and %d",
			len(texts), len(skills), len(p.texts.ids), len(p.skillSets.ids))
	}
	for id, n := range texts {
		if p.texts.n[id] != n {
			t.Fatalf("text %d: %d users counted, %d searches", id, p.texts.n[id], n)
		}
	}
	for id, n := range skills {
		if p.skillSets.n[id] != n {
			t.Fatalf("skill set %d: %d users counted, %d searches", id, p.skillSets.n[id], n)
		}
	}
}

func allNodes(p *Percolator) []*node {
	out := []*node{p.always}
	for _, n := range p.grams {
		out = append(out, n)
	}
	for _, m := range []map[string]*node{p.words, p.runs, p.skills} {
		for _, n := range m {
			out = append(out, n)
		}
	}
	return out
}

// TestPercolatorCases pins down cases by name: each saved search matches
// the listings it should and no other.
func TestPercolatorCases(t *testing.T) {
	yes, no := true, false
	l := &listing.Listing{ID: 1, Title: "港区のGo案件（フルリモート）", Description: "Golangでの決済基盤開発。React Native の経験歓迎。CI/CD",
		Skills: []string{"go", "kubernetes"}, Role: listing.RoleBackend, Remote: listing.RemoteFull,
		Prefecture: "JP-13", Status: listing.StatusOpen, SideJobOK: true,
		Rate:        listing.Rate{Unit: listing.PerMonth, MonthlyMin: 600_000, MonthlyMax: 800_000},
		DaysPerWeek: listing.Range{Min: 3, Max: 5}}
	tests := []struct {
		q     Query
		match bool
	}{
		{Query{}, true},
		{Query{Text: "港"}, true},
		{Query{Text: "港区"}, true},
		{Query{Text: "京都"}, false},
		{Query{Text: "golang"}, true},   // a synonym of go
		{Query{Text: "k8s"}, true},      // a synonym of the skill kubernetes
		{Query{Text: "ci"}, true},       // ci/cd is ci and cd
		{Query{Text: `"golang"`}, true}, // the word golang is in the description
		{Query{Text: `"react native"`}, true},
		{Query{Text: `"react natives"`}, false},
		{Query{Text: `「決済基盤」`}, true},
		{Query{Text: `"go案件"`}, true},
		{Query{Text: "-常駐"}, true},
		{Query{Text: "-港"}, false},
		{Query{Text: `-"react native"`}, false},
		{Query{Text: "java"}, false},
		{Query{Skills: []string{"go"}, Roles: []listing.Role{listing.RoleFrontend, listing.RoleBackend}}, true},
		{Query{Skills: []string{"go", "aws"}}, false},
		{Query{Roles: []listing.Role{"bogus"}}, false},
		{Query{Remotes: []listing.Remote{listing.RemotePartial}}, false},
		{Query{Prefectures: []string{"JP-13"}, SideJob: &yes}, true},
		{Query{SideJob: &no}, false},
		{Query{RateMin: 800_000}, true},
		{Query{RateMin: 800_001}, false},
		{Query{RateMax: 600_000}, true},
		{Query{RateMax: 599_999}, false},
		{Query{DaysMax: 3}, true},
		{Query{DaysMax: 2}, false},
		{Query{Text: "港 golang -java", Skills: []string{"go"}, Remotes: []listing.Remote{listing.RemoteFull}, RateMin: 700_000}, true},
	}
	p := NewPercolator()
	var want []int64
	for i, tt := range tests {
		p.Add(int64(i), tt.q)
		if tt.match {
			want = append(want, int64(i))
		}
	}
	got := p.Match(l)
	for i, tt := range tests {
		if slices.Contains(got, int64(i)) != tt.match {
			t.Errorf("%+v: match %t, want %t", tt.q, !tt.match, tt.match)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("Match = %v, want %v", got, want)
	}
	closed := *l
	closed.Status = listing.StatusClosed
	if got := p.Match(&closed); len(got) != 0 {
		t.Errorf("a closed listing matches %v", got)
	}
	p.Add(0, Query{Text: "京都"}) // replaces the empty query
	if got := p.Match(l); slices.Contains(got, 0) {
		t.Errorf("search 0 still matches after it was replaced: %v", got)
	}
}

// TestPercolatorConcurrent matches listings while saved searches are added
// and removed (for the race detector): searches that stay are always
// found.
func TestPercolatorConcurrent(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var ls []*listing.Listing
	for id := range int64(50) {
		ls = append(ls, randomListing(r, id+1))
	}
	p := NewPercolator()
	p.Add(0, Query{}) // matches every listing
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 9))
			for i := range 300 {
				id := int64(1 + r.IntN(100))
				if i%3 == 0 {
					p.Remove(id)
				} else {
					p.Add(id, randomSavedSearch(r, ls))
				}
			}
		})
	}
	for i := range 300 {
		if got := p.Match(ls[i%len(ls)]); len(got) == 0 || got[0] != 0 {
			t.Fatalf("listing %d: matches %v, without the search that matches all", ls[i%len(ls)].ID, got)
		}
	}
	wg.Wait()
	checkPercolator(t, p)
}

// TestSortIDs compares the radix sort of matched ids with slices.Sort.
func TestSortIDs(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var buf []int64
	for _, n := range []int{0, 1, 255, 256, 1000, 5000} {
		for _, spread := range []int64{10, 1 << 20, 1 << 40, -1} {
			ids := make([]int64, n)
			for i := range ids {
				if spread < 0 {
					ids[i] = int64(r.Uint64()) // negative ones too
				} else {
					ids[i] = r.Int64N(spread)
				}
			}
			want := slices.Clone(ids)
			slices.Sort(want)
			sortIDs(ids, &buf)
			if !slices.Equal(ids, want) {
				t.Fatalf("%d ids up to %d: not sorted", n, spread)
			}
		}
	}
}
