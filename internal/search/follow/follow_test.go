package follow_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"anken/internal/listing"
	"anken/internal/search"
	"anken/internal/search/follow"
	"anken/internal/store/storetest"
)

// TestFollowerSeesOtherWriters checks what a node sees of writes made by
// another node (straight to the store, with no Notify): each is searchable,
// or gone once closed, within one poll, well inside a second.
func TestFollowerSeesOtherWriters(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			st := storetest.Open(t, backend)
			a, err := st.CreateAgency(ctx, "a", "A")
			if err != nil {
				t.Fatal(err)
			}
			put := func(id string, title string) {
				t.Helper()
				l := &listing.Listing{ExternalID: id, Title: title, Status: listing.StatusOpen,
					PostedAt: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
				if _, err := st.PutListing(ctx, a, l); err != nil {
					t.Fatal(err)
				}
			}
			put("OLD", "既存の案件")
			x := search.NewIndex()
			f := follow.New(st, x, 50*time.Millisecond, slog.New(slog.DiscardHandler))
			if err := f.Load(ctx); err != nil {
				t.Fatal(err)
			}
			go f.Run(ctx)
			total := func(q string) int {
				res, err := x.Search(ctx, search.Query{Text: q})
				if err != nil {
					t.Fatal(err)
				}
				return res.Total
			}
			within := func(what string, ok func() bool) {
				t.Helper()
				waitFor(t, time.Second, ok, what+" visible")
			}
			if total("既存") != 1 {
				t.Fatal("the loaded listing is not found")
			}
			for i := range 3 {
				put(fmt.Sprint("NEW-", i), fmt.Sprintf("新着案件%d号", i))
			}
			within("new listings", func() bool { return total("新着") == 3 })
			put("NEW-0", "タイトル変更済み")
			within("an update", func() bool { return total("新着") == 2 && total("変更済み") == 1 })
			if _, err := st.CloseListing(ctx, a, "OLD"); err != nil {
				t.Fatal(err)
			}
			within("a close", func() bool { return total("既存") == 0 })
		})
	}
}

// TestCursorOnAnotherNode pages through a search on two nodes that follow
// one store, taking turns, while listings are written: the pages are the
// first page's answer whichever node serves them.
func TestCursorOnAnotherNode(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, "sqlite")
	a, err := st.CreateAgency(ctx, "a", "A")
	if err != nil {
		t.Fatal(err)
	}
	put := func(i int, rate int64) {
		t.Helper()
		l := &listing.Listing{ExternalID: fmt.Sprint("X-", i), Title: fmt.Sprintf("案件その%d %s", i, []string{"決済", "物流", "広告", "医療", "教育", "金融"}[i]),
			Status: listing.StatusOpen, PostedAt: time.Date(2026, 11, 1, i, 0, 0, 0, time.UTC),
			Rate: listing.Rate{Unit: listing.PerMonth, Max: rate, MonthlyMax: rate}}
		if _, err := st.PutListing(ctx, a, l); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 6 {
		put(i, int64(i+1)*100_000)
	}
	var nodes [2]*search.Index
	var followers [2]*follow.Follower
	for i := range nodes {
		nodes[i] = search.NewIndex()
		followers[i] = follow.New(st, nodes[i], time.Hour, slog.New(slog.DiscardHandler))
		if err := followers[i].Load(ctx); err != nil {
			t.Fatal(err)
		}
	}
	q := search.Query{Sort: search.SortRate, Limit: 2}
	var got []string
	for page := 0; ; page++ {
		res, err := nodes[page%2].Search(ctx, q)
		if err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		ids := make([]int64, len(res.Hits))
		for i, h := range res.Hits {
			ids[i] = h.ID
		}
		ls, err := st.ListingsByID(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range ls {
			got = append(got, l.ExternalID)
		}
		if res.NextCursor == "" {
			break
		}
		q.Cursor = res.NextCursor
		switch page {
		case 0: // the cheapest listing now pays the most; one not yet shown closes
			put(0, 2_000_000)
			if _, err := st.CloseListing(ctx, a, "X-3"); err != nil {
				t.Fatal(err)
			}
		case 1: // one already shown pays the least
			put(5, 50_000)
		}
		for _, f := range followers {
			if _, err := f.CatchUp(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	if want := []string{"X-5", "X-4", "X-3", "X-2", "X-1", "X-0"}; !slices.Equal(got, want) {
		t.Errorf("pages %v, want %v", got, want)
	}
}
