package ingest

import (
	"context"
	"testing"

	"anken/internal/listing"
	"anken/internal/store"
	"anken/internal/store/storetest"
)

// Listings stored under the old rule (every hourly rate at 160 hours, no
// hourly figures, no workload) take the new one from what they quoted,
// once, through the change log; the same listing sent again is then
// unchanged.
func TestRederivePay(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, backend)
			a, err := st.CreateAgency(ctx, "techlink", "テックリンク")
			if err != nil {
				t.Fatal(err)
			}
			old := func(id string) *listing.Listing { // 時給4,000円 週1〜2日, as the old rule stored it
				return &listing.Listing{ExternalID: id, Title: "Goの副業", Status: listing.StatusOpen,
					Rate:        listing.Rate{Unit: listing.PerHour, Min: 4000, Max: 4000, MonthlyMin: 640_000, MonthlyMax: 640_000},
					DaysPerWeek: listing.Range{Min: 1, Max: 2}}
			}
			p, err := st.PutListing(ctx, a, old("s1"))
			if err != nil {
				t.Fatal(err)
			}
			full := &listing.Listing{ExternalID: "f1", Title: "Goの開発", Status: listing.StatusOpen,
				Rate: listing.Rate{Unit: listing.PerMonth, Min: 600_000, Max: 600_000}}
			full.DerivePay()
			if _, err := st.PutListing(ctx, a, full); err != nil {
				t.Fatal(err)
			}
			before, err := st.Changes(ctx, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			n, err := RederivePay(ctx, st)
			if err != nil || n != 1 {
				t.Fatalf("rederived %d, %v; want the one old listing", n, err)
			}
			got, err := st.Listing(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := listing.Rate{Unit: listing.PerHour, Min: 4000, Max: 4000, MonthlyMin: 128_000, MonthlyMax: 256_000,
				HourlyMin: 4000, HourlyMax: 4000}
			if got.Rate != want || got.Workload != listing.WorkloadPart {
				t.Errorf("rate %+v %s, want %+v part", got.Rate, got.Workload, want)
			}
			after, err := st.Changes(ctx, before[len(before)-1].Seq, 100)
			if err != nil || len(after) != 1 || after[0].Listing.ID != p.ID {
				t.Fatalf("changes after rederiving: %+v, %v; want listing %d once", after, err, p.ID)
			}
			if n, err := RederivePay(ctx, st); err != nil || n != 0 {
				t.Errorf("a second run rederived %d, %v", n, err)
			}
			again := old("s1")
			again.DerivePay()
			if r, err := st.PutListing(ctx, a, again); err != nil || r.Outcome != store.Unchanged {
				t.Errorf("the same listing sent again: %+v, %v", r, err)
			}
		})
	}
}
