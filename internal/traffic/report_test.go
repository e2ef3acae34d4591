package traffic_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"anken/internal/listing"
	"anken/internal/problem"
	"anken/internal/store"
	"anken/internal/store/storetest"
	"anken/internal/traffic"
)

// TestReports: an agency's counts per day (every day of the range, zeros
// included) and per listing, with CTR; the range's defaults and limits;
// another agency's listing is NotFound.
func TestReports(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, "sqlite")
	a, _ := st.CreateAgency(ctx, "a", "A")
	b, _ := st.CreateAgency(ctx, "b", "B")
	put := func(ag store.Agency, ext string) int64 {
		r, err := st.PutListing(ctx, ag, &listing.Listing{ExternalID: ext, Title: "Go の開発", Description: "Go",
			Status: listing.StatusOpen, PostedAt: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	a1, a2, b1 := put(a, "A-1"), put(a, "A-2"), put(b, "B-1")
	c := func(i, v, k int64) store.TrafficCounts {
		return store.TrafficCounts{Impressions: i, Views: v, Clicks: k}
	}
	if err := st.AddTraffic(ctx, []store.TrafficRow{
		{ListingID: a1, Day: "2026-11-01", TrafficCounts: c(200, 10, 3)},
		{ListingID: a2, Day: "2026-11-01", TrafficCounts: c(100, 5, 5)},
		{ListingID: a1, Day: "2026-11-03", TrafficCounts: c(0, 1, 1)}, // clicked from mail: no impression
		{ListingID: b1, Day: "2026-11-01", TrafficCounts: c(999, 99, 9)},
		{ListingID: a1, Day: "2025-11-03", TrafficCounts: c(1, 0, 0)}, // 366 days up to "today"
	}); err != nil {
		t.Fatal(err)
	}
	// Today is 2026-11-03 in Tokyo (it is still the 2nd in UTC).
	r := &traffic.Reports{Store: st, Now: func() time.Time { return time.Date(2026, 11, 2, 16, 0, 0, 0, time.UTC) }}

	rep, err := r.Agency(ctx, a, traffic.Query{From: "2026-11-01", To: "2026-11-03"})
	if err != nil {
		t.Fatal(err)
	}
	want := traffic.Report{From: "2026-11-01", To: "2026-11-03",
		Total: traffic.Counts{Impressions: 300, Views: 16, Clicks: 9, CTR: 0.03},
		Days: []traffic.DayCounts{
			{Day: "2026-11-01", Counts: traffic.Counts{Impressions: 300, Views: 15, Clicks: 8, CTR: 0.0267}},
			{Day: "2026-11-02"},
			{Day: "2026-11-03", Counts: traffic.Counts{Views: 1, Clicks: 1}},
		},
		Listings: []traffic.ListingCounts{ // most clicked first
			{ListingID: a2, ExternalID: "A-2", Counts: traffic.Counts{Impressions: 100, Views: 5, Clicks: 5, CTR: 0.05}},
			{ListingID: a1, ExternalID: "A-1", Counts: traffic.Counts{Impressions: 200, Views: 11, Clicks: 4, CTR: 0.02}},
		},
	}
	if !reflect.DeepEqual(rep, want) {
		t.Errorf("agency a, 1–3 November:\n got %+v\nwant %+v", rep, want)
	}

	rep, err = r.Agency(ctx, a, traffic.Query{Listing: "A-1"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.From != "2026-10-05" || rep.To != "2026-11-03" || len(rep.Days) != traffic.DefaultDays ||
		rep.Total != (traffic.Counts{Impressions: 200, Views: 11, Clicks: 4, CTR: 0.02}) || len(rep.Listings) != 1 {
		t.Errorf("A-1 by default: %s to %s, %d days, total %+v, listings %+v; want the 30 days to 2026-11-03 and A-1 alone",
			rep.From, rep.To, len(rep.Days), rep.Total, rep.Listings)
	}
	rep, err = r.Agency(ctx, a, traffic.Query{From: "2025-11-03"})
	if err != nil || len(rep.Days) != traffic.MaxDays || rep.Total.Impressions != 301 {
		t.Errorf("366 days to today: %d days, %+v, %v", len(rep.Days), rep.Total, err)
	}

	for _, c := range []struct {
		name string
		q    traffic.Query
		kind problem.Kind
	}{
		{"another agency's listing", traffic.Query{Listing: "B-1"}, problem.NotFound},
		{"no such listing", traffic.Query{Listing: "NOPE"}, problem.NotFound},
		{"not a day", traffic.Query{From: "2026/11/01"}, problem.Unprocessable},
		{"no such day", traffic.Query{To: "2026-02-30"}, problem.Unprocessable},
		{"from after to", traffic.Query{From: "2026-11-04", To: "2026-11-03"}, problem.Unprocessable},
		{"367 days", traffic.Query{From: "2025-11-01", To: "2026-11-02"}, problem.Unprocessable},
	} {
		if _, err := r.Agency(ctx, a, c.q); problem.KindOf(err) != c.kind {
			t.Errorf("%s: %v, want %v", c.name, err, c.kind)
		}
	}
}
