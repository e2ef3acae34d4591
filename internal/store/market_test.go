package store_test

import (
	"context"
	"errors"
	"testing"

	"anken/internal/store"
	"anken/internal/store/storetest"
)

// TestMarketSnapshots runs against both backends: snapshots are written,
// replaced by day and scope, and read back by scope and days.
func TestMarketSnapshots(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			s := storetest.Open(t, backend)
			if _, _, err := s.MarketDays(ctx); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("MarketDays on an empty store: %v, want ErrNotFound", err)
			}
			snaps := []store.MarketSnapshot{
				{Day: "2026-11-18", Scope: "overall", Count: 100, Priced: 90, P25: 550_000, Median: 650_000, P75: 750_000,
					ZoneFrom: 600_000, ZoneTo: 700_000, Demo: true},
				{Day: "2026-11-19", Scope: "overall", Count: 101},
				{Day: "2026-11-20", Scope: "overall", Count: 102},
				{Day: "2026-11-19", Scope: "role:backend", Count: 40},
			}
			if err := s.PutMarketSnapshots(ctx, snaps); err != nil {
				t.Fatal(err)
			}
			// Taken again the same day: replaced, not added.
			again := snaps[1]
			again.Count, again.Median = 111, 640_000
			if err := s.PutMarketSnapshots(ctx, []store.MarketSnapshot{again}); err != nil {
				t.Fatal(err)
			}
			got, err := s.MarketSnapshots(ctx, "overall", "2026-11-18", "2026-11-19")
			if err != nil || len(got) != 2 {
				t.Fatalf("MarketSnapshots = %+v, %v; want 2", got, err)
			}
			a, b := got[0], got[1]
			if a.Day != "2026-11-18" || a.Count != 100 || a.Priced != 90 || a.P25 != 550_000 || a.Median != 650_000 ||
				a.P75 != 750_000 || a.ZoneFrom != 600_000 || a.ZoneTo != 700_000 || !a.Demo || a.TakenAt.IsZero() {
				t.Errorf("first = %+v", a)
			}
			if b.Day != "2026-11-19" || b.Count != 111 || b.Median != 640_000 || b.Demo {
				t.Errorf("replaced = %+v", b)
			}
			if first, last, err := s.MarketDays(ctx); err != nil || first != "2026-11-18" || last != "2026-11-20" {
				t.Errorf("MarketDays = %s, %s, %v", first, last, err)
			}
			if err := s.PutMarketSnapshots(ctx, []store.MarketSnapshot{{Day: "20261120", Scope: "overall"}}); err == nil {
				t.Error("a snapshot with a malformed day was written")
			}
		})
	}
}
