package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"anken/internal/listing"
	"anken/internal/market"
	"anken/internal/search"
	"anken/internal/server/servertest"
	"anken/internal/store"
)

// statsServer serves four listings of an index of their own.
func statsServer(t *testing.T) (*servertest.Server, *store.Store) {
	t.Helper()
	x := search.NewIndex()
	for i, l := range []listing.Listing{
		{Title: "Go バックエンド", Role: "backend", Skills: []string{"go"}, Remote: "full", Prefecture: "JP-13",
			Rate: listing.Rate{MonthlyMin: 600_000, MonthlyMax: 700_000}},
		{Title: "Go API", Role: "backend", Skills: []string{"go", "aws"}, Rate: listing.Rate{MonthlyMax: 650_000}},
		{Title: "Go 再掲", Role: "backend", Skills: []string{"go"}, Rate: listing.Rate{MonthlyMin: 900_000}, GroupID: 1},
		{Title: "React", Role: "frontend", Skills: []string{"react"}},
	} {
		l.ID, l.Status = int64(i+1), listing.StatusOpen
		x.Upsert(&l)
	}
	srv := servertest.Start(t, servertest.Options{Index: x})
	return srv, srv.Store
}

func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v: %s", url, err, b)
	}
	return resp.StatusCode
}

func TestStats(t *testing.T) {
	srv, _ := statsServer(t)
	var got market.Stats
	if code := getJSON(t, srv.URL+"/v1/stats?q=go&role=backend&sort=rate&limit=1", &got); code != 200 {
		t.Fatalf("status %d", code)
	}
	// Collapsed by default: listing 3 is a repost of 1, so two jobs.
	want := market.Stats{Basis: "monthly", Count: 2, Priced: 2,
		Rate:       &market.RateSummary{Min: 650_000, P25: 650_000, Median: 650_000, P75: 650_000, Max: 650_000, Mean: 650_000},
		Histogram:  []market.Band{{From: 650_000, To: 700_000, Count: 2}},
		VolumeZone: &market.Zone{From: 600_000, To: 700_000, Count: 2, AnnualFrom: ptr[int64](7_200_000), AnnualTo: ptr[int64](8_400_000)},
		Breakdown: market.Breakdown{Role: map[string]int{"backend": 2}, Skill: map[string]int{"go": 2, "aws": 1},
			Prefecture: map[string]int{"JP-13": 1}, Remote: map[string]int{"full": 1}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stats =\n%+v\nwant\n%+v", got, want)
	}
	var all market.Stats
	getJSON(t, srv.URL+"/v1/stats?q=go&collapse=false", &all)
	if all.Count != 3 || all.Priced != 3 || all.Rate.Max != 900_000 || len(all.Histogram) != 6 {
		t.Errorf("collapse=false: %+v", all)
	}
	var none map[string]any
	getJSON(t, srv.URL+"/v1/stats?role=frontend", &none)
	if none["count"] != 1.0 || none["priced"] != 0.0 || none["rate"] != nil || none["volume_zone"] != nil {
		t.Errorf("unpriced: %v", none)
	}
	for _, bad := range []string{"role=chef", "skill=nosuchskill", "rate_min=-1", "collapse=maybe"} {
		var p struct {
			Errors []struct{ Location string }
		}
		if code := getJSON(t, srv.URL+"/v1/stats?"+bad, &p); code != http.StatusUnprocessableEntity || len(p.Errors) == 0 ||
			!strings.HasPrefix(p.Errors[0].Location, "query."+strings.Split(bad, "=")[0]) {
			t.Errorf("%s: %d %+v; want 422 naming it", bad, code, p)
		}
	}
}

func TestStatsTrend(t *testing.T) {
	srv, st := statsServer(t)
	today := market.Day(time.Now())
	yesterday := market.Day(time.Now().AddDate(0, 0, -1))
	if err := st.PutMarketSnapshots(context.Background(), []store.MarketSnapshot{
		{Day: yesterday, Scope: "role:backend", Count: 2, Median: 640_000, ZoneFrom: 600_000, ZoneTo: 700_000, Demo: true},
		{Day: today, Scope: "role:backend", Count: 3, Median: 650_000, ZoneFrom: 600_000, ZoneTo: 700_000, PayRule: market.PayRule},
		{Day: today, Scope: "overall", Count: 4},
	}); err != nil {
		t.Fatal(err)
	}
	var tr market.Trend
	// A role's snapshots are of its full-workload listings: that search
	// is answered exactly; yesterday's point was taken under the old rule.
	if code := getJSON(t, srv.URL+"/v1/stats/trend?role=backend&workload=full&days=2", &tr); code != 200 {
		t.Fatalf("status %d", code)
	}
	if tr.Scope != "role:backend" || !tr.Exact || !tr.Demo || tr.To != today || tr.From != yesterday || len(tr.Points) != 2 ||
		tr.RuleChanged != today || tr.Points[0].PayRule != 1 ||
		tr.Points[1] != (market.Point{Date: today, Count: 3, Median: 650_000, PayRule: market.PayRule, VolumeZone: tr.Points[1].VolumeZone}) ||
		*tr.Points[1].VolumeZone != (market.ZoneRange{From: 600_000, To: 700_000}) {
		t.Errorf("trend = %+v", tr)
	}
	getJSON(t, srv.URL+"/v1/stats/trend?role=backend&days=1", &tr)
	if len(tr.Points) != 1 {
		t.Errorf("days=1: %d points", len(tr.Points))
	}
	getJSON(t, srv.URL+"/v1/stats/trend?q=go", &tr)
	if tr.Scope != "overall" || tr.Exact || len(tr.Points) != 1 || tr.Points[0].Count != 4 {
		t.Errorf("a keyword search's trend = %+v; want overall's, not exact", tr)
	}
	var p map[string]any
	if code := getJSON(t, srv.URL+"/v1/stats/trend?days=0", &p); code != http.StatusUnprocessableEntity {
		t.Errorf("days=0: %d", code)
	}
}

func TestEstimate(t *testing.T) {
	srv, _ := statsServer(t)
	var e market.Estimate
	if code := getJSON(t, srv.URL+"/v1/estimate?hourly_min=2000&hourly_max=3500&hours_min=1&hours_max=2&days=22", &e); code != 200 ||
		e.MonthlyMin != 44_000 || e.MonthlyMax != 154_000 || !strings.Contains(e.Formula, "22日") {
		t.Errorf("entry tier: %d %+v", code, e)
	}
	if getJSON(t, srv.URL+"/v1/estimate?hourly=4000&hours_per_day=1.5", &e); e.Monthly != 132_000 || e.Annual != 1_584_000 {
		t.Errorf("hourly: %+v", e)
	}
	if getJSON(t, srv.URL+"/v1/estimate?monthly=600000&days_per_week=3", &e); e.Hourly != 6250 || !strings.Contains(e.Formula, "4週") {
		t.Errorf("週3日: %+v", e)
	}
	for bad, field := range map[string]string{"hourly=3000": "query.hours_per_day", "hourly=0&hours_per_day=2": "query.hourly",
		"monthly=500000&annual=6000000": "query.annual", "": "query.hourly", "hourly=2000&hours_per_day=1.25": "query.hours_per_day"} {
		var p struct {
			Errors []struct{ Location string }
		}
		if code := getJSON(t, srv.URL+"/v1/estimate?"+bad, &p); code != http.StatusUnprocessableEntity || len(p.Errors) == 0 ||
			p.Errors[0].Location != field {
			t.Errorf("%q: %d %+v; want 422 at %s", bad, code, p, field)
		}
	}
}

func ptr[T any](v T) *T { return &v }
