package api_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"anken/internal/account"
)

func TestRecommendations(t *testing.T) {
	fx := newMeFixture(t, account.Limits{})
	tok := fx.engineer(t, "mio@example.com", "kumo-no-ue-22")
	id := fx.listing(t, "L-1") // Go, monthly 60万–70万円, fully remote
	l, err := fx.st.Listing(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	fx.Index.Upsert(&l)

	r := fx.Do(t, "GET", "/v1/me/recommendations", tok, "")
	if r.Status != 200 || len(r.Body["hits"].([]any)) != 0 {
		t.Fatalf("an empty profile: %d %s, want 200 and no hits", r.Status, r.Raw)
	}
	if r := fx.Do(t, "PUT", "/v1/me/profile", tok, `{"skills":["golang"],"desired_rate":650000,"remote":"full"}`); r.Status != 200 {
		t.Fatal(r.Raw)
	}
	r = fx.Do(t, "GET", "/v1/me/recommendations?limit=5", tok, "")
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Raw)
	}
	hits := r.Body["hits"].([]any)
	if len(hits) != 1 {
		t.Fatalf("%d hits, want 1: %s", len(hits), r.Raw)
	}
	h := hits[0].(map[string]any)
	if got := h["listing"].(map[string]any)["id"]; got != float64(id) {
		t.Errorf("recommended listing %v, want %d", got, id)
	}
	reasons := h["reasons"].(map[string]any)
	if fmt.Sprint(reasons["skills"]) != "[go]" || reasons["rate"] != true || reasons["remote"] != true {
		t.Errorf("reasons %v, want skills [go], rate and remote", reasons)
	}
	var why []string
	for _, w := range h["why"].([]any) {
		why = append(why, w.(string))
	}
	if !slices.Contains(why, "Goのスキルが一致") || !slices.Contains(why, "希望単価以上") {
		t.Errorf("why %q", why)
	}

	// Years of experience: the agency's experience field is read, and a
	// profile with more years meets it.
	r = fx.Do(t, "PUT", "/v1/agency/listings/L-2", fx.keyA, `{"title": "Goでの決済API開発", "description": "必須：Go経験3年以上", "experience": "Go経験3年以上", "remote": "full"}`)
	if r.Status != 200 {
		t.Fatalf("put a listing with experience: %d %s", r.Status, r.Raw)
	}
	id2 := int64(r.Body["id"].(float64))
	l2, err := fx.st.Listing(context.Background(), id2)
	if err != nil || fmt.Sprint(l2.Experience) != "[{go 3}]" {
		t.Fatalf("the listing with experience: %+v, %v", l2.Experience, err)
	}
	fx.Index.Upsert(&l2)
	for _, c := range []struct {
		years       int
		met, short  bool
		reasonShown bool
	}{{5, true, false, true}, {1, false, true, false}} {
		if r := fx.Do(t, "PUT", "/v1/me/profile", tok, fmt.Sprintf(`{"skills":["golang"],"experience":{"go":%d}}`, c.years)); r.Status != 200 {
			t.Fatal(r.Raw)
		}
		r = fx.Do(t, "GET", "/v1/me/recommendations", tok, "")
		var found bool
		for _, h := range r.Body["hits"].([]any) {
			h := h.(map[string]any)
			if h["listing"].(map[string]any)["id"] != float64(id2) {
				continue
			}
			found = true
			reasons := h["reasons"].(map[string]any)
			if reasons["experience"] != c.met || reasons["experience_short"] != c.short {
				t.Errorf("go %d years: reasons %v", c.years, reasons)
			}
			if got := slices.Contains(anyStrings(h["why"]), "Go経験3年以上の条件を満たしています"); got != c.reasonShown {
				t.Errorf("go %d years: why %v", c.years, h["why"])
			}
		}
		if !found {
			t.Errorf("go %d years: the listing is not recommended: %s", c.years, r.Raw)
		}
	}
	if r := fx.Do(t, "GET", "/v1/me/recommendations?limit=0", tok, ""); r.Status != 422 {
		t.Errorf("limit=0: %d, want 422", r.Status)
	}
}

func anyStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}
