package api_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
)

// The worked examples of DESIGN.md "Pay" through the API: sent as agencies
// write them, read back with their monthly pay at the stated workload,
// their hourly pay and workload, and found by rate_min, hourly_min and
// workload as those figures say.
func TestPayThroughAPI(t *testing.T) {
	fx := newFixture(t)
	examples := []struct {
		id, rate, days, hours string
		workload              string
		monthly, hourly       [2]float64 // min, max; 0 when absent
	}{
		{"P-1", "月額60万〜70万円", "", "", "full", [2]float64{600_000, 700_000}, [2]float64{3750, 4375}},
		{"P-2", "時給4,000円〜", "", "", "full", [2]float64{640_000, 0}, [2]float64{4000, 0}},
		{"P-3", "時給2,000〜3,500円", "週1日〜", "", "part", [2]float64{64_000, 112_000}, [2]float64{2000, 3500}},
		{"P-4", "時給4,500円", "週1〜2日", "", "part", [2]float64{144_000, 288_000}, [2]float64{4500, 4500}},
		{"P-5", "月額10万円", "週1日", "月40時間", "part", [2]float64{100_000, 100_000}, [2]float64{2500, 2500}},
		{"P-6", "日額3万円", "週3日", "", "part", [2]float64{360_000, 360_000}, [2]float64{3750, 3750}},
	}
	ids := map[string]int{}
	for _, e := range examples {
		raw := map[string]any{"title": "Goの開発 " + e.id, "description": "Goで開発します。", "rate": e.rate}
		if e.days != "" {
			raw["days"] = e.days
		}
		if e.hours != "" {
			raw["hours"] = e.hours
		}
		body, _ := json.Marshal(raw)
		r := fx.Do(t, "PUT", "/v1/agency/listings/"+e.id, fx.keyA, string(body))
		if r.Status != 200 {
			t.Fatalf("put %s: %d %s", e.id, r.Status, r.Raw)
		}
		ids[e.id] = int(r.Body["id"].(float64))
	}
	for _, e := range examples {
		r := fx.Do(t, "GET", fmt.Sprintf("/v1/listings/%d", ids[e.id]), "", "")
		rate, _ := r.Body["rate"].(map[string]any)
		got := [4]any{rate["monthly_min"], rate["monthly_max"], rate["hourly_min"], rate["hourly_max"]}
		want := [4]any{}
		for i, v := range []float64{e.monthly[0], e.monthly[1], e.hourly[0], e.hourly[1]} {
			if v != 0 {
				want[i] = v
			}
		}
		if got != want || r.Body["workload"] != e.workload {
			t.Errorf("%s %s %s %s: monthly %v–%v hourly %v–%v %v; want %v–%v, %v–%v %s", e.id, e.rate, e.days, e.hours,
				got[0], got[1], got[2], got[3], r.Body["workload"], want[0], want[1], want[2], want[3], e.workload)
		}
	}
	for _, c := range []struct {
		query string
		want  []string
	}{
		// 時給4,500円・週1〜2日 is 28.8万円 at most a month: not a 72万円 job.
		{"rate_min=400000", []string{"P-1", "P-2"}},
		{"rate_max=150000", []string{"P-3", "P-4", "P-5"}},
		{"hourly_min=4000", []string{"P-1", "P-2", "P-4"}},
		{"hourly_max=3000", []string{"P-3", "P-5"}},
		{"workload=part", []string{"P-3", "P-4", "P-5", "P-6"}},
		{"workload=full&hourly_min=3800", []string{"P-1", "P-2"}},
	} {
		r := fx.Do(t, "GET", "/v1/listings?limit=100&"+c.query, "", "")
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", c.query, r.Status, r.Raw)
		}
		var got []string
		for _, h := range r.Body["hits"].([]any) {
			got = append(got, h.(map[string]any)["external_id"].(string))
		}
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.query, got, c.want)
		}
	}
	for _, bad := range []string{"workload=half", "hourly_min=-1", "hourly_min=5000&hourly_max=4000", "basis=daily"} {
		if r := fx.Do(t, "GET", "/v1/stats?"+bad, "", ""); r.Status != 422 {
			t.Errorf("stats?%s: %d, want 422 %s", bad, r.Status, r.Raw)
		}
	}
	r := fx.Do(t, "GET", "/v1/stats?workload=part&basis=hourly", "", "")
	if r.Status != 200 || r.Body["basis"] != "hourly" || r.Body["priced"] != 4.0 {
		t.Fatalf("hourly stats of part-time work: %d %s", r.Status, r.Raw)
	}
	// 2,750 (P-3's midpoint), 2,500, 3,750, 4,500: nearest-rank median 2,750.
	if med := r.Body["rate"].(map[string]any)["median"]; med != 2750.0 {
		t.Errorf("hourly median %v, want 2750", med)
	}
	if z := r.Body["volume_zone"].(map[string]any); z["from"] != 2000.0 || z["to"] != 3000.0 || z["annual_from"] != nil {
		t.Errorf("hourly volume zone %v, want 2,000–3,000 without annual", z)
	}
}
