package store_test

import (
	"context"
	"testing"
	"time"

	"anken/internal/store/storetest"
)

// A listing is first seen when it is stored, kept by updates; a demo
// store backdates it to its posted_at.
func TestFirstSeen(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC))
			s := storetest.OpenClock(t, backend, clock.Now)
			a := mustAgency(t, s, "a")
			l := sample("F-1") // posted 2026-11-01
			r, err := s.PutListing(ctx, a, l)
			if err != nil {
				t.Fatal(err)
			}
			clock.Add(48 * time.Hour)
			again := sample("F-1")
			again.Title += "（更新）"
			if _, err := s.PutListing(ctx, a, again); err != nil {
				t.Fatal(err)
			}
			got, err := s.Listing(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if want := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC); !got.FirstSeenAt.Equal(want) {
				t.Errorf("first seen %v after an update, want %v", got.FirstSeenAt, want)
			}
			if n, err := s.BackdateFirstSeen(ctx); err != nil || n != 1 {
				t.Fatalf("backdate: %d, %v", n, err)
			}
			if got, _ = s.Listing(ctx, r.ID); !got.FirstSeenAt.Equal(got.PostedAt) {
				t.Errorf("first seen %v after backdating, want posted_at %v", got.FirstSeenAt, got.PostedAt)
			}
		})
	}
}
