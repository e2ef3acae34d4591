package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"anken/internal/listing"
	"anken/internal/store"
	"anken/internal/store/storetest"
)

// TestAgencySessions: a console session opens with a live key, ends at
// logout, at its expiry and with its key (rotated or revoked).
func TestAgencySessions(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(time.Now())
			s := storetest.OpenClock(t, backend, clock.Now)
			a := mustAgency(t, s, "a")
			key, _ := s.CreateKey(ctx, a.ID)
			if _, _, _, err := s.CreateAgencySession(ctx, "ak_nope", time.Hour); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("a session with an unknown key: %v, want ErrNotFound", err)
			}
			got, token, _, err := s.CreateAgencySession(ctx, key, time.Hour)
			if err != nil || got.ID != a.ID {
				t.Fatalf("CreateAgencySession = %+v, %v", got, err)
			}
			if got, err := s.AgencyBySession(ctx, token); err != nil || got.Slug != "a" {
				t.Fatalf("AgencyBySession = %+v, %v", got, err)
			}
			clock.Add(2 * time.Hour)
			if _, err := s.AgencyBySession(ctx, token); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("an expired session: %v, want ErrNotFound", err)
			}
			_, token, _, _ = s.CreateAgencySession(ctx, key, time.Hour)
			if err := s.EndAgencySession(ctx, token); err != nil {
				t.Fatal(err)
			}
			if _, err := s.AgencyBySession(ctx, token); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("after logout: %v, want ErrNotFound", err)
			}
			_, token, _, _ = s.CreateAgencySession(ctx, key, time.Hour)
			if _, _, err := s.RotateKey(ctx, a.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := s.AgencyBySession(ctx, token); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("after the key was rotated: %v, want ErrNotFound", err)
			}
		})
	}
}

// TestConsoleReads: an agency's listings by last change with their
// counts by state, its feed runs, a held run discarded, and the counts
// of every listing of a role.
func TestConsoleReads(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(time.Now())
			s := storetest.OpenClock(t, backend, clock.Now)
			a, b := mustAgency(t, s, "a"), mustAgency(t, s, "b")
			ids := map[string]int64{}
			for _, id := range []string{"L-1", "L-2", "L-3", "L-4"} {
				clock.Add(time.Millisecond)
				res, err := s.PutListing(ctx, a, sample(id))
				if err != nil {
					t.Fatal(err)
				}
				ids[id] = res.ID
			}
			front := sample("F-1")
			front.Role = listing.RoleFrontend
			rb, _ := s.PutListing(ctx, b, front)
			ob, _ := s.PutListing(ctx, b, sample("B-1"))
			clock.Add(time.Millisecond)
			s.CloseListing(ctx, a, "L-2")
			ls, err := s.AgencyListings(ctx, a, 0, 3)
			if err != nil || len(ls) != 3 || ls[0].ExternalID != "L-2" || ls[0].Status != listing.StatusClosed || ls[1].ExternalID != "L-4" {
				t.Fatalf("AgencyListings = %d listings, %v; want L-2 (closed), L-4, L-3", len(ls), err)
			}
			if ls, _ := s.AgencyListings(ctx, a, 3, 3); len(ls) != 1 || ls[0].ExternalID != "L-1" {
				t.Errorf("the second page has %d listings, want L-1", len(ls))
			}
			n, err := s.AgencyListingCounts(ctx, a)
			if err != nil || n[listing.StatusOpen] != 3 || n[listing.StatusClosed] != 1 {
				t.Errorf("AgencyListingCounts = %v, %v", n, err)
			}

			clock.Add(2 * time.Millisecond)
			run, _, _ := s.StartRun(ctx, a, "upload", "jsonl", true, "")
			s.Apply(ctx, []store.Work{{Agency: a, RunID: run.ID, Source: "feed", Puts: []*listing.Listing{sample("L-1")}}})
			s.EndReceive(ctx, run.ID, 1, "")
			s.FinishRun(ctx, run.ID)
			if _, err := s.DiscardRun(ctx, 999999); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("DiscardRun of no run: %v", err)
			}
			got, err := s.DiscardRun(ctx, run.ID)
			if err != nil || got.State != store.RunFailed || got.Error != store.DiscardedRun || got.Closed != 0 {
				t.Fatalf("DiscardRun = %+v, %v", got, err)
			}
			if _, err := s.DiscardRun(ctx, run.ID); !errors.Is(err, store.ErrNotHeld) {
				t.Errorf("DiscardRun again: %v, want ErrNotHeld", err)
			}
			if n, _ := s.AgencyListingCounts(ctx, a); n[listing.StatusOpen] != 3 {
				t.Errorf("%d open after the discard, want 3", n[listing.StatusOpen])
			}
			runs, err := s.FeedRuns(ctx, a, 10)
			if err != nil || len(runs) != 1 || runs[0].ID != run.ID {
				t.Errorf("FeedRuns = %+v, %v", runs, err)
			}
			if runs, _ := s.FeedRuns(ctx, b, 10); len(runs) != 0 {
				t.Errorf("b has %d runs", len(runs))
			}

			err = s.AddTraffic(ctx, []store.TrafficRow{
				{ListingID: ids["L-1"], Day: "2026-05-01", TrafficCounts: store.TrafficCounts{Impressions: 10, Views: 3, Clicks: 1}},
				{ListingID: ids["L-1"], Day: "2026-05-02", TrafficCounts: store.TrafficCounts{Impressions: 5, Clicks: 1}},
				{ListingID: ob.ID, Day: "2026-05-02", TrafficCounts: store.TrafficCounts{Impressions: 20, Views: 2, Clicks: 4}},
				{ListingID: rb.ID, Day: "2026-05-02", TrafficCounts: store.TrafficCounts{Impressions: 7, Clicks: 7}},
				{ListingID: ob.ID, Day: "2026-04-01", TrafficCounts: store.TrafficCounts{Impressions: 100}}, // before the days
			})
			if err != nil {
				t.Fatal(err)
			}
			byRole, err := s.RoleTraffic(ctx, "2026-05-01", "2026-05-31")
			if err != nil {
				t.Fatal(err)
			}
			want := map[listing.Role]store.TrafficCounts{
				listing.RoleBackend:  {Impressions: 35, Views: 5, Clicks: 6},
				listing.RoleFrontend: {Impressions: 7, Clicks: 7},
			}
			if len(byRole) != len(want) || byRole[listing.RoleBackend] != want[listing.RoleBackend] || byRole[listing.RoleFrontend] != want[listing.RoleFrontend] {
				t.Errorf("RoleTraffic = %v, want %v", byRole, want)
			}
		})
	}
}
