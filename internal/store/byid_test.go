package store_test

import (
	"context"
	"fmt"
	"testing"

	"anken/internal/store/storetest"
)

func TestListingsByID(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			s := storetest.Open(t, backend)
			a := mustAgency(t, s, "a")
			var ids []int64
			for i := range 5 {
				r, err := s.PutListing(ctx, a, sample(fmt.Sprint("I-", i)))
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, r.ID)
			}
			want := []int64{ids[3], ids[0], ids[4]}
			got, err := s.ListingsByID(ctx, append(want, 999_999))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 3 {
				t.Fatalf("got %d listings, want 3 (a missing id is left out)", len(got))
			}
			for i, l := range got {
				if l.ID != want[i] || l.Agency != "a" || l.Title == "" {
					t.Errorf("listing %d = id %d agency %q; want id %d in request order", i, l.ID, l.Agency, want[i])
				}
			}
			if none, err := s.ListingsByID(ctx, nil); err != nil || len(none) != 0 {
				t.Errorf("no ids: %v, %v", none, err)
			}
		})
	}
}
