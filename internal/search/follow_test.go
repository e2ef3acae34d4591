package search_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"anken/internal/listing"
	"anken/internal/search"
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
			f := search.NewFollower(st, x, 50*time.Millisecond, slog.New(slog.DiscardHandler))
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
				deadline := time.Now().Add(time.Second)
				for !ok() {
					if time.Now().After(deadline) {
						t.Fatalf("%s: not visible within 1 s", what)
					}
					time.Sleep(10 * time.Millisecond)
				}
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
