package api_test

import (
	"slices"
	"testing"
)

// agency= keeps the listings of the agencies named; posted_within keeps
// those anken first saw within the span (all of these, stored just now).
func TestAgencyAndFreshnessFilters(t *testing.T) {
	fx := newFixture(t)
	for _, w := range []struct{ key, id string }{{fx.keyA, "A-1"}, {fx.keyA, "A-2"}, {fx.keyB, "B-1"}} {
		r := fx.Do(t, "PUT", "/v1/agency/listings/"+w.id, w.key, `{"title": "Goの開発 `+w.id+`", "description": "Goで開発します。"}`)
		if r.Status != 200 {
			t.Fatalf("put %s: %d %s", w.id, r.Status, r.Raw)
		}
	}
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"agency=agency-b", []string{"B-1"}},
		{"agency=agency-a,agency-b", []string{"A-1", "A-2", "B-1"}},
		{"agency=agency-a&agency=nobody", []string{"A-1", "A-2"}},
		{"agency=nobody", nil},
		{"posted_within=1d", []string{"A-1", "A-2", "B-1"}},
		{"posted_within=1d&agency=agency-a", []string{"A-1", "A-2"}},
	} {
		r := fx.Do(t, "GET", "/v1/listings?limit=100&"+c.query, "", "")
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", c.query, r.Status, r.Raw)
		}
		var got []string
		for _, h := range r.Body["hits"].([]any) {
			hit := h.(map[string]any)
			got = append(got, hit["external_id"].(string))
			if hit["first_seen_at"] == nil || hit["first_seen_at"] == "0001-01-01T00:00:00Z" {
				t.Errorf("%s: hit without first_seen_at: %v", c.query, hit)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.query, got, c.want)
		}
	}
	r := fx.Do(t, "GET", "/v1/listings?facets=agency", "", "")
	if f, _ := r.Body["facets"].(map[string]any)["agency"].(map[string]any); f["agency-a"] != 2.0 || f["agency-b"] != 1.0 {
		t.Errorf("facets=agency: %v", r.Body["facets"])
	}
	for _, bad := range []string{"posted_within=2d", "agency=Not%20A%20Slug"} {
		if r := fx.Do(t, "GET", "/v1/listings?"+bad, "", ""); r.Status != 422 {
			t.Errorf("%s: %d, want 422 %s", bad, r.Status, r.Raw)
		}
	}
}
