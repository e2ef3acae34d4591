package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"anken/internal/store"
	"anken/internal/store/storetest"
)

// 閲覧履歴 on both stores: latest first, a listing viewed again moves to
// the front, at most HistoryMax kept, in the export, gone with the
// account, and cleared on its own.
func TestHistory(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC))
			s := storetest.OpenClock(t, backend, clock.Now)
			a := mustAgency(t, s, "a")
			e := mustEngineer(t, s, "hana@example.jp")
			var ids []int64
			for i := range store.HistoryMax + 5 {
				r, err := s.PutListing(ctx, a, sample(fmt.Sprintf("H-%d", i)))
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, r.ID)
			}
			for _, id := range ids {
				clock.Add(time.Second)
				if err := s.PutViewed(ctx, e.ID, id); err != nil {
					t.Fatal(err)
				}
			}
			clock.Add(time.Second)
			if err := s.PutViewed(ctx, e.ID, ids[10]); err != nil { // viewed again
				t.Fatal(err)
			}
			h, err := s.History(ctx, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(h) != store.HistoryMax || h[0].ListingID != ids[10] || h[1].ListingID != ids[len(ids)-1] {
				t.Fatalf("history: %d views, first %+v", len(h), h[:min(2, len(h))])
			}
			kept := make([]int64, len(h))
			for i, v := range h {
				kept[i] = v.ListingID
			}
			if !slices.Contains(kept, ids[5]) {
				t.Errorf("listing %d dropped though within the last %d", ids[5], store.HistoryMax)
			}
			for _, dropped := range ids[:5] { // the oldest five: ids[10] came back and ids[5:] are within the last 100
				if slices.Contains(kept, dropped) {
					t.Errorf("listing %d kept past the last %d", dropped, store.HistoryMax)
				}
			}
			other := mustEngineer(t, s, "ken@example.jp")
			if h, _ := s.History(ctx, other.ID); len(h) != 0 {
				t.Errorf("another engineer sees %d views", len(h))
			}
			x, err := s.Export(ctx, e.ID)
			if err != nil || len(x.History) != store.HistoryMax {
				t.Errorf("export: %d views, %v", len(x.History), err)
			}
			if err := s.ClearHistory(ctx, e.ID); err != nil {
				t.Fatal(err)
			}
			if h, _ := s.History(ctx, e.ID); len(h) != 0 {
				t.Errorf("%d views after clearing", len(h))
			}
			if err := s.PutViewed(ctx, e.ID, ids[0]); err != nil {
				t.Fatal(err)
			}
			if err := s.DeleteEngineer(ctx, e.ID); err != nil {
				t.Fatal(err)
			}
			if h, _ := s.History(ctx, e.ID); len(h) != 0 {
				t.Errorf("%d views after the account was deleted", len(h))
			}
		})
	}
}
