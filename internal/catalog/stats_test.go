package catalog_test

import (
	"context"
	"testing"
	"time"

	"anken/internal/catalog"
	"anken/internal/listing"
	"anken/internal/market"
	"anken/internal/problem"
	"anken/internal/search"
	"anken/internal/store"
	"anken/internal/store/storetest"
)

func TestStatsAndTrend(t *testing.T) {
	ctx := context.Background()
	x := search.NewIndex()
	for i, r := range []listing.Rate{{MonthlyMin: 600_000, MonthlyMax: 700_000}, {MonthlyMax: 800_000}, {}} {
		x.Upsert(&listing.Listing{ID: int64(i + 1), Title: "Go開発", Status: listing.StatusOpen, Role: "backend", Rate: r})
	}
	st := storetest.Open(t, "sqlite")
	c := &catalog.Catalog{Store: st, Index: x}

	p, err := catalog.ParseQuery("role=backend&q=Go&sort=rate&limit=1")
	if err != nil {
		t.Fatal(err)
	}
	q, err := p.Query()
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.Stats(ctx, q, search.BasisMonthly)
	if err != nil {
		t.Fatal(err)
	}
	if s.Count != 3 || s.Priced != 2 || s.Rate.Median != 650_000 || s.Rate.Max != 800_000 || s.VolumeZone.From != 600_000 ||
		s.Breakdown.Role["backend"] != 3 {
		t.Errorf("Stats = %+v", s)
	}

	today := market.Day(time.Now())
	if err := st.PutMarketSnapshots(ctx, []store.MarketSnapshot{
		{Day: today, Scope: "role:backend", Count: 3, Median: 650_000, ZoneFrom: 600_000, ZoneTo: 700_000},
		{Day: "2000-01-01", Scope: "role:backend", Count: 1},
	}); err != nil {
		t.Fatal(err)
	}
	tr, err := c.Trend(ctx, search.Query{Roles: []listing.Role{"backend"}, Collapse: true, Workload: listing.WorkloadFull}, 0)
	if err != nil || tr.Scope != "role:backend" || !tr.Exact || len(tr.Points) != 1 || tr.Points[0].Count != 3 || tr.To != today {
		t.Errorf("Trend = %+v, %v", tr, err)
	}
	tr, err = c.Trend(ctx, q, 7)
	if err != nil || tr.Scope != "role:backend" || tr.Exact || len(tr.Points) != 1 {
		t.Errorf("Trend of a narrower search = %+v, %v; want role:backend's, not exact", tr, err)
	}
	if _, err := c.Trend(ctx, q, 731); problem.KindOf(err) != problem.Unprocessable {
		t.Errorf("Trend(731 days) error = %v, want Unprocessable", err)
	}
}
