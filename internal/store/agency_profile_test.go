package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"anken/internal/store"
	"anken/internal/store/storetest"
)

// TestAgencyProfile: an agency's profile is empty until set; setting it
// replaces the name, description and site, stamps when, and the name is
// the one every other read of the agency gives; an unknown agency is
// ErrNotFound. On both backends.
func TestAgencyProfile(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC))
			s := storetest.OpenClock(t, backend, clock.Now)
			a, err := s.CreateAgency(ctx, "sakura", "さくら")
			if err != nil {
				t.Fatal(err)
			}
			p, err := s.AgencyProfile(ctx, "sakura")
			if err != nil || p != (store.AgencyProfile{Slug: "sakura", Name: "さくら"}) {
				t.Fatalf("new agency's profile = %+v, %v; want its name alone", p, err)
			}
			want := store.AgencyProfile{Slug: "sakura", Name: "さくらテック", Description: "Go と TypeScript の案件が中心です。\n副業向けも扱います。",
				SiteURL: "https://sakura.example/", UpdatedAt: clock.Now()}
			got, err := s.SetAgencyProfile(ctx, a.ID, store.AgencyProfile{Slug: "ignored", Name: want.Name, Description: want.Description, SiteURL: want.SiteURL})
			if err != nil || got != want {
				t.Fatalf("SetAgencyProfile = %+v, %v; want %+v", got, err, want)
			}
			if got, err := s.AgencyProfile(ctx, "sakura"); err != nil || got != want {
				t.Errorf("read back %+v, %v; want %+v", got, err, want)
			}
			if got, err := s.AgencyBySlug(ctx, "sakura"); err != nil || got.Name != "さくらテック" {
				t.Errorf("AgencyBySlug = %+v, %v; want the new name", got, err)
			}
			if _, err := s.AgencyProfile(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("AgencyProfile(unknown) error = %v, want ErrNotFound", err)
			}
			if _, err := s.SetAgencyProfile(ctx, a.ID+100, want); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("SetAgencyProfile(unknown) error = %v, want ErrNotFound", err)
			}
		})
	}
}
