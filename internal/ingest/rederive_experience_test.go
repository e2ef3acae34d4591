package ingest

import (
	"context"
	"slices"
	"testing"

	"anken/internal/listing"
	"anken/internal/store"
	"anken/internal/store/storetest"
)

// Listings stored before the normalizer read years of experience take
// those their text states, once, through the change log; one that has
// some, and one whose text states none, are left as they are; the same
// listing sent again, normalized as now, is then unchanged.
func TestRederiveExperience(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, "sqlite")
	a, err := st.CreateAgency(ctx, "techlink", "テックリンク")
	if err != nil {
		t.Fatal(err)
	}
	put := func(l *listing.Listing) int64 {
		t.Helper()
		l.Status = listing.StatusOpen
		l.Rate = listing.Rate{Unit: listing.PerMonth, Min: 600_000}
		l.DerivePay()
		r, err := st.PutListing(ctx, a, l)
		if err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	oldText := func() *listing.Listing {
		return &listing.Listing{ExternalID: "old", Title: "Goバックエンド", Description: "【必須スキル】\n・Goでの開発経験2年以上\n・実務経験3年以上"}
	}
	old := put(oldText())
	given := put(&listing.Listing{ExternalID: "given", Title: "Go経験5年以上", Experience: []listing.Experience{{Skill: "go", Years: 1}}})
	none := put(&listing.Listing{ExternalID: "none", Title: "Goバックエンド", Description: "創業10年の会社です"})
	before, err := st.Changes(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	n, err := RederiveExperience(ctx, st)
	if err != nil || n != 1 {
		t.Fatalf("rederived %d, %v; want the one old listing", n, err)
	}
	want := map[int64][]listing.Experience{
		old:   {{Skill: "go", Years: 2}, {Years: 3}},
		given: {{Skill: "go", Years: 1}},
		none:  nil,
	}
	for id, w := range want {
		got, err := st.Listing(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Experience, w) {
			t.Errorf("listing %d: experience %+v, want %+v", id, got.Experience, w)
		}
	}
	after, err := st.Changes(ctx, before[len(before)-1].Seq, 100)
	if err != nil || len(after) != 1 || after[0].Listing.ID != old {
		t.Fatalf("changes after rederiving: %+v, %v; want listing %d once", after, err, old)
	}
	if n, err := RederiveExperience(ctx, st); err != nil || n != 0 {
		t.Errorf("a second run rederived %d, %v", n, err)
	}
	again := oldText()
	again.Experience = []listing.Experience{{Skill: "go", Years: 2}, {Years: 3}}
	again.Status = listing.StatusOpen
	again.Rate = listing.Rate{Unit: listing.PerMonth, Min: 600_000}
	again.DerivePay()
	if r, err := st.PutListing(ctx, a, again); err != nil || r.Outcome != store.Unchanged {
		t.Errorf("the same listing sent again: %+v, %v", r, err)
	}
}
