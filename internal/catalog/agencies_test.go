package catalog_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"anken/internal/catalog"
	"anken/internal/listing"
	"anken/internal/problem"
	"anken/internal/search"
	"anken/internal/store/storetest"
)

// TestAgencyFigures: an agency's figures are those of the searches they
// name: its open listings (agency=), their roles and remote share, the
// median monthly pay of its full-workload ones (workload=full) and its
// listings first seen within 30 days (posted_within=30d); the list has
// every agency with open listings, most first; one agency's page is
// NotFound without open listings or without the agency.
func TestAgencyFigures(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	st := storetest.Open(t, "sqlite")
	for _, slug := range []string{"techlink", "codebridge", "quiet"} {
		if _, err := st.CreateAgency(ctx, slug, map[string]string{"techlink": "テックリンク", "codebridge": "コードブリッジ"}[slug]); err != nil {
			t.Fatal(err)
		}
	}
	x := search.NewIndex()
	for i, l := range []listing.Listing{
		{Agency: "techlink", Role: "backend", Remote: listing.RemoteFull, Rate: listing.Rate{MonthlyMin: 600_000, MonthlyMax: 700_000}, FirstSeenAt: now.Add(-time.Hour)},
		{Agency: "techlink", Role: "backend", Remote: listing.RemotePartial, Rate: listing.Rate{MonthlyMin: 800_000}, FirstSeenAt: now.AddDate(0, 0, -40)},
		{Agency: "techlink", Role: "frontend", Remote: listing.RemoteOnsite, Rate: listing.Rate{MonthlyMin: 900_000}, FirstSeenAt: now.AddDate(0, 0, -10)},
		// 週1〜2日: part workload, out of the median.
		{Agency: "techlink", Role: "frontend", DaysPerWeek: listing.Range{Min: 1, Max: 2}, Workload: listing.WorkloadPart, Rate: listing.Rate{MonthlyMin: 100_000}, FirstSeenAt: now.AddDate(0, 0, -50)},
		{Agency: "codebridge", Role: "infra", FirstSeenAt: now.AddDate(0, 0, -60)},
		{Agency: "quiet", Role: "infra", Status: listing.StatusClosed, FirstSeenAt: now},
	} {
		l.ID, l.Title = int64(i+1), "案件"
		if l.Status == "" {
			l.Status = listing.StatusOpen
		}
		x.Upsert(&l)
	}
	c := &catalog.Catalog{Store: st, Index: x}

	tl := catalog.AgencyFigures{Slug: "techlink", Name: "テックリンク", Open: 4,
		Roles: []catalog.RoleCount{{"backend", 2}, {"frontend", 2}},
		Full:  3, Priced: 3, MedianMonthly: 800_000, RemoteFull: 1, RemotePartial: 1, New30d: 2}
	cb := catalog.AgencyFigures{Slug: "codebridge", Name: "コードブリッジ", Open: 1, Roles: []catalog.RoleCount{{"infra", 1}}, Full: 1}
	for _, want := range []catalog.AgencyFigures{tl, cb, {Slug: "quiet", Name: "quiet"}, {Slug: "nobody", Name: "nobody"}} {
		got, err := c.AgencyFigures(ctx, want.Slug, now)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("AgencyFigures(%s) = %+v, %v\nwant %+v", want.Slug, got, err, want)
		}
	}
	list, err := c.AgencyList(ctx, now)
	if err != nil || !reflect.DeepEqual(list, []catalog.AgencyFigures{tl, cb}) {
		t.Errorf("AgencyList = %+v, %v; want techlink then codebridge", list, err)
	}
	page, err := c.Agency(ctx, "techlink", now)
	if err != nil || page.Profile.Name != "テックリンク" || !reflect.DeepEqual(page.Figures, tl) {
		t.Errorf("Agency(techlink) = %+v, %v", page, err)
	}
	for _, slug := range []string{"quiet", "nobody", "Bad Slug"} {
		if _, err := c.Agency(ctx, slug, now); problem.KindOf(err) != problem.NotFound {
			t.Errorf("Agency(%q) error = %v, want NotFound", slug, err)
		}
	}
}
