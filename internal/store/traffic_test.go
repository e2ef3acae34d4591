package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"anken/internal/store"
	"anken/internal/store/storetest"
)

// TestTraffic runs against both backends: counts added twice (two nodes)
// are summed per (listing, day), and an agency reads its own listings'
// sums per day and per listing, never another agency's.
func TestTraffic(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			s := storetest.Open(t, backend)
			a, b := mustAgency(t, s, "a"), mustAgency(t, s, "b")
			put := func(ag store.Agency, ext string) int64 {
				r, err := s.PutListing(ctx, ag, sample(ext))
				if err != nil {
					t.Fatal(err)
				}
				return r.ID
			}
			a1, a2, b1 := put(a, "A-1"), put(a, "A-2"), put(b, "B-1")
			c := func(i, v, k int64) store.TrafficCounts {
				return store.TrafficCounts{Impressions: i, Views: v, Clicks: k}
			}
			node1 := []store.TrafficRow{
				{a1, "2026-11-01", c(10, 2, 1)},
				{a1, "2026-11-02", c(5, 1, 0)},
				{a2, "2026-11-02", c(3, 0, 0)},
				{b1, "2026-11-02", c(100, 50, 25)},
			}
			node2 := []store.TrafficRow{
				{a1, "2026-11-02", c(1, 1, 1)},
				{a2, "2026-10-31", c(7, 0, 0)}, // before the range read below
			}
			for _, rows := range [][]store.TrafficRow{node1, node2} {
				if err := s.AddTraffic(ctx, rows); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.AddTraffic(ctx, []store.TrafficRow{{a1, "11/02", c(1, 0, 0)}}); err == nil {
				t.Error("a day not YYYY-MM-DD was taken")
			}
			got, err := s.AgencyTraffic(ctx, a, "2026-11-01", "2026-11-30", 0)
			if err != nil {
				t.Fatal(err)
			}
			want := store.AgencyTraffic{
				Days: []store.DayTraffic{{"2026-11-01", c(10, 2, 1)}, {"2026-11-02", c(9, 2, 1)}},
				Listings: []store.ListingTraffic{
					{ListingID: a1, ExternalID: "A-1", TrafficCounts: c(16, 4, 2)},
					{ListingID: a2, ExternalID: "A-2", TrafficCounts: c(3, 0, 0)},
				},
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("agency a, November:\n got %+v\nwant %+v", got, want)
			}
			got, err = s.AgencyTraffic(ctx, a, "2026-10-01", "2026-11-01", a2)
			if err != nil {
				t.Fatal(err)
			}
			want = store.AgencyTraffic{
				Days:     []store.DayTraffic{{"2026-10-31", c(7, 0, 0)}},
				Listings: []store.ListingTraffic{{ListingID: a2, ExternalID: "A-2", TrafficCounts: c(7, 0, 0)}},
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("agency a, listing A-2 to November 1:\n got %+v\nwant %+v", got, want)
			}
			if got, err := s.AgencyTraffic(ctx, a, "2026-11-01", "2026-11-30", b1); err != nil || len(got.Days)+len(got.Listings) != 0 {
				t.Errorf("agency a asking for b's listing: %+v, %v; want nothing", got, err)
			}

			// A flush larger than one statement's chunk.
			var many []store.TrafficRow
			for i := range 450 {
				many = append(many, store.TrafficRow{ListingID: b1, Day: time.Date(2025, 1, 1+i, 0, 0, 0, 0, time.UTC).Format(time.DateOnly), TrafficCounts: c(1, 1, 1)})
			}
			if err := s.AddTraffic(ctx, many); err != nil {
				t.Fatal(err)
			}
			got, err = s.AgencyTraffic(ctx, b, "2025-01-01", "2026-03-31", 0)
			if err != nil || len(got.Days) != 450 || len(got.Listings) != 1 || got.Listings[0].TrafficCounts != c(450, 450, 450) {
				t.Errorf("450 rows in one flush: %d days, listings %+v, %v", len(got.Days), got.Listings, err)
			}
		})
	}
}
