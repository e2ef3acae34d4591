package catalog

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"anken/internal/listing"
	"anken/internal/problem"
	"anken/internal/search"
	"anken/internal/store"
)

// flakyStore answers from listings until down, then fails as a store
// that does not answer.
type flakyStore struct {
	listings map[int64]listing.Listing
	down     bool
}

var errDown = errors.New("dial tcp 127.0.0.1:5432: connection refused")

func (f *flakyStore) Listing(ctx context.Context, id int64) (listing.Listing, error) {
	if f.down {
		return listing.Listing{}, errDown
	}
	l, ok := f.listings[id]
	if !ok {
		return l, store.ErrNotFound
	}
	return l, nil
}

func (f *flakyStore) ListingsByID(ctx context.Context, ids []int64) ([]listing.Listing, error) {
	if f.down {
		return nil, errDown
	}
	var out []listing.Listing
	for _, id := range ids {
		if l, ok := f.listings[id]; ok {
			out = append(out, l)
		}
	}
	return out, nil
}

func (f *flakyStore) GroupListings(context.Context, int64) ([]listing.Listing, error) {
	return nil, nil
}
func (f *flakyStore) LastChange(context.Context) (time.Time, error) {
	if f.down {
		return time.Time{}, errDown
	}
	return time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), nil
}
func (f *flakyStore) Agencies(context.Context) ([]store.Agency, error) { return nil, nil }
func (f *flakyStore) AgencyProfile(context.Context, string) (store.AgencyProfile, error) {
	return store.AgencyProfile{}, store.ErrNotFound
}
func (f *flakyStore) MarketSnapshots(context.Context, string, string, string) ([]store.MarketSnapshot, error) {
	return nil, nil
}

// fixedIndex answers every search with the same ids.
type fixedIndex []int64

func (x fixedIndex) Search(context.Context, search.Query) (search.Result, error) {
	r := search.Result{Total: len(x)}
	for _, id := range x {
		r.Hits = append(r.Hits, search.Hit{ID: id})
	}
	return r, nil
}

func (x fixedIndex) Stats(context.Context, search.Query, search.Basis) (search.Stats, error) {
	return search.Stats{Count: len(x)}, nil
}

func (fixedIndex) Position() int64 { return 1 }
func (fixedIndex) Unchanged(q search.Query, since int64) (int64, bool) {
	return 1, false
}

// TestStoreAwayAnswersFromRecent: while the store does not answer, a
// search whose listings were all read lately answers with them, one with
// a listing never read fails Unavailable, and a listing the store does
// not have stays NotFound.
func TestStoreAwayAnswersFromRecent(t *testing.T) {
	ctx := context.Background()
	st := &flakyStore{listings: map[int64]listing.Listing{1: {ID: 1, Title: "一"}, 2: {ID: 2, Title: "二"}, 3: {ID: 3, Title: "三"}}}
	c := &Catalog{Store: st, Index: fixedIndex{2, 1}}
	if _, err := c.Search(ctx, search.Query{}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if _, err := c.Overview(ctx, 2, now); err != nil {
		t.Fatal(err)
	}
	st.down = true
	p, err := c.Search(ctx, search.Query{})
	if err != nil || len(p.Hits) != 2 || p.Hits[0].Title != "二" || p.Hits[1].Title != "一" {
		t.Fatalf("search with the store away = %+v, %v; want 二, 一 as last read", p.Hits, err)
	}
	if d, err := c.Listing(ctx, 1); err != nil || d.Title != "一" {
		t.Errorf("listing 1 with the store away = %v, %v; want it as last read", d.Title, err)
	}
	// A minute later the overview is counted again (not the one kept),
	// with the last change as last read.
	if o, err := c.Overview(ctx, 2, now.Add(time.Minute)); err != nil || o.UpdatedAt.IsZero() || o.Open != 2 || o.Behind {
		t.Errorf("overview with the store away = %+v, %v", o, err)
	}
	c.Index = fixedIndex{1, 3}
	if _, err := c.Search(ctx, search.Query{}); problem.KindOf(err) != problem.Unavailable {
		t.Errorf("search with a listing never read: %v; want Unavailable", err)
	}
	st.down = false
	if _, err := c.Listing(ctx, 9); problem.KindOf(err) != problem.NotFound {
		t.Errorf("listing the store does not have: %v; want NotFound", err)
	}
}

func TestRecentBounded(t *testing.T) {
	var r recent
	for i := range int64(3 * recentSize) {
		r.keep(nil, listing.Listing{ID: i})
	}
	if n := len(r.cur) + len(r.old); n > 2*recentSize {
		t.Errorf("recent holds %d listings, want at most %d", n, 2*recentSize)
	}
	if _, ok := r.get([]int64{3*recentSize - 1, 2 * recentSize}); !ok {
		t.Error("the latest listings read are not kept")
	}
	if _, ok := r.get([]int64{0}); ok {
		t.Error("the oldest listing read is still kept")
	}
}

// countingStore is a flakyStore that records the ids each ListingsByID
// asks for.
type countingStore struct {
	flakyStore
	asked [][]int64
}

func (c *countingStore) ListingsByID(ctx context.Context, ids []int64) ([]listing.Listing, error) {
	c.asked = append(c.asked, ids)
	return c.flakyStore.ListingsByID(ctx, ids)
}

// stampedIndex answers every search with its hits.
type stampedIndex []search.Hit

func (x stampedIndex) Search(context.Context, search.Query) (search.Result, error) {
	return search.Result{Total: len(x), Hits: x}, nil
}

func (x stampedIndex) Stats(context.Context, search.Query, search.Basis) (search.Stats, error) {
	return search.Stats{Count: len(x)}, nil
}

func (stampedIndex) Position() int64 { return 1 }
func (stampedIndex) Unchanged(q search.Query, since int64) (int64, bool) {
	return 1, false
}

// TestRecentAnswersPagesAgain: a page asked again reads from the store
// only the listings whose stamp changed (or that have none), and shows
// what the store has for them.
func TestRecentAnswersPagesAgain(t *testing.T) {
	ctx := context.Background()
	st := &countingStore{flakyStore: flakyStore{listings: map[int64]listing.Listing{
		1: {ID: 1, Title: "一"}, 2: {ID: 2, Title: "二"}, 3: {ID: 3, Title: "三"}}}}
	c := &Catalog{Store: st}
	titles := func(p Page) (out []string) {
		for _, h := range p.Hits {
			out = append(out, h.Title)
		}
		return out
	}
	for i, step := range []struct {
		hits   stampedIndex
		change map[int64]string // titles changed in the store before the search
		read   int64            // a listing's own page read before the search
		asked  []int64          // what the store is asked for
		titles []string
	}{
		{hits: stampedIndex{{ID: 2, Stamp: 20}, {ID: 1, Stamp: 10}}, asked: []int64{2, 1}, titles: []string{"二", "一"}},
		{hits: stampedIndex{{ID: 2, Stamp: 20}, {ID: 1, Stamp: 10}}, titles: []string{"二", "一"}},
		// The store changed and the index has not taken it in: the page is
		// the one the index answers for.
		{hits: stampedIndex{{ID: 1, Stamp: 10}, {ID: 2, Stamp: 20}}, change: map[int64]string{1: "壱"}, titles: []string{"一", "二"}},
		// It has: listing 1 is read again, 2 is not.
		{hits: stampedIndex{{ID: 1, Stamp: 11}, {ID: 2, Stamp: 20}, {ID: 3, Stamp: 30}}, asked: []int64{1, 3}, titles: []string{"壱", "二", "三"}},
		// A listing's own page reads the version a search read: the
		// search still takes it from here.
		{hits: stampedIndex{{ID: 2, Stamp: 20}, {ID: 3, Stamp: 30}}, read: 2, titles: []string{"二", "三"}},
		// A version the index no longer holds (stamp 0) is always read.
		{hits: stampedIndex{{ID: 3, Stamp: 0}, {ID: 2, Stamp: 20}}, change: map[int64]string{3: "参"}, asked: []int64{3}, titles: []string{"参", "二"}},
		// A listing's own page reads a version the index has not taken in:
		// a search reads the listing again.
		{hits: stampedIndex{{ID: 2, Stamp: 20}}, change: map[int64]string{2: "弐"}, read: 2, asked: []int64{2}, titles: []string{"弐"}},
	} {
		for id, title := range step.change {
			l := st.listings[id]
			l.Title = title
			l.UpdatedAt = l.UpdatedAt.Add(time.Second)
			st.listings[id] = l
		}
		if step.read != 0 {
			if _, err := c.Listing(ctx, step.read); err != nil {
				t.Fatal(err)
			}
		}
		st.asked = nil
		c.Index = step.hits
		p, err := c.Search(ctx, search.Query{})
		if err != nil {
			t.Fatal(err)
		}
		var asked []int64
		for _, ids := range st.asked {
			asked = append(asked, ids...)
		}
		if !slices.Equal(asked, step.asked) || !slices.Equal(titles(p), step.titles) {
			t.Errorf("search %d: store asked for %v, page %v; want %v, %v", i, asked, titles(p), step.asked, step.titles)
		}
	}
}
