package catalog

import (
	"context"
	"testing"
	"time"

	"anken/internal/listing"
	"anken/internal/search"
)

// movingIndex answers every search with its ids at position at, counting
// the searches.
type movingIndex struct {
	ids      []int64
	at       int64
	searches int
}

func (x *movingIndex) Search(context.Context, search.Query) (search.Result, error) {
	x.searches++
	r := search.Result{Total: len(x.ids)}
	for _, id := range x.ids {
		r.Hits = append(r.Hits, search.Hit{ID: id})
	}
	return r, nil
}

func (x *movingIndex) Stats(context.Context, search.Query, search.Basis) (search.Stats, error) {
	return search.Stats{Count: len(x.ids)}, nil
}

func (x *movingIndex) Position() int64 { return x.at }
func (x *movingIndex) Unchanged(q search.Query, since int64) (int64, bool) {
	return x.at, false
}

// overviewStep is one visit of the top page.
type overviewStep struct {
	after  time.Duration // since t0
	at     int64         // the index's position
	counts bool          // counted again
	behind bool
}

// TestOverviewKept: the top page's figures are counted once for a
// position and a minute; once the index moves they are answered again,
// Behind, for at most FiguresMaxAge; with no FiguresMaxAge they are
// always the index's as it is.
func TestOverviewKept(t *testing.T) {
	ctx := context.Background()
	st := &flakyStore{listings: map[int64]listing.Listing{1: {ID: 1}, 2: {ID: 2}, 3: {ID: 3}}}
	t0 := time.Date(2026, 12, 8, 9, 0, 10, 0, time.UTC)
	tests := []struct {
		name   string
		maxAge time.Duration
		steps  []overviewStep
	}{
		{"exact", 0, []overviewStep{
			{0, 1, true, false},
			{20 * time.Second, 1, false, false}, // same position, same minute
			{21 * time.Second, 2, true, false},  // a write
			{60 * time.Second, 2, true, false},  // the next minute: 今日の新着 moves
		}},
		{"up to 10 s behind", 10 * time.Second, []overviewStep{
			{0, 1, true, false},
			{5 * time.Second, 2, false, true},   // a write, 5 s later: kept
			{9 * time.Second, 3, false, true},   // still within 10 s
			{10 * time.Second, 3, true, false},  // 10 s old: counted again
			{15 * time.Second, 3, false, false}, // at its position, same minute
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := &movingIndex{ids: []int64{1, 2, 3}}
			c := &Catalog{Store: st, Index: x, FiguresMaxAge: tt.maxAge}
			for i, s := range tt.steps {
				x.at = s.at
				before := x.searches
				o, err := c.Overview(ctx, 2, t0.Add(s.after))
				if err != nil {
					t.Fatal(err)
				}
				if counted := x.searches > before; counted != s.counts || o.Behind != s.behind || o.Open != 3 {
					t.Errorf("step %d (+%v, position %d): counted %v, behind %v, open %d; want counted %v, behind %v",
						i, s.after, s.at, counted, o.Behind, o.Open, s.counts, s.behind)
				}
				if !s.behind && !s.counts && o.AsOf.After(t0.Add(s.after)) {
					t.Errorf("step %d: as of %v, after now", i, o.AsOf)
				}
			}
		})
	}
}
