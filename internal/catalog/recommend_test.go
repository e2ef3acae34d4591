package catalog

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"anken/internal/listing"
	"anken/internal/store"
)

func exp(skill string, years int) listing.Experience {
	return listing.Experience{Skill: skill, Years: years}
}

// TestExperienceFit: a requirement in a skill is compared with the
// profile's years in it, one in general with its most years; years not
// given are not compared; one requirement not met makes the listing short.
func TestExperienceFit(t *testing.T) {
	tests := []struct {
		name    string
		profile map[string]int
		req     []listing.Experience
		met     string // fmt of the requirements met
		short   bool
	}{
		{"no requirement", map[string]int{"go": 3}, nil, "[]", false},
		{"no years in the profile", nil, []listing.Experience{exp("go", 3), exp("", 3)}, "[]", false},
		{"skill met exactly", map[string]int{"go": 3}, []listing.Experience{exp("go", 3)}, "[{go 3}]", false},
		{"skill met with more", map[string]int{"go": 5}, []listing.Experience{exp("go", 3)}, "[{go 3}]", false},
		{"skill short", map[string]int{"go": 2}, []listing.Experience{exp("go", 3)}, "[]", true},
		{"skill not given", map[string]int{"java": 10}, []listing.Experience{exp("go", 3)}, "[]", false},
		{"general met by the most years", map[string]int{"go": 1, "java": 6}, []listing.Experience{exp("", 5)}, "[{ 5}]", false},
		{"general short", map[string]int{"go": 1, "java": 2}, []listing.Experience{exp("", 3)}, "[]", true},
		{"skill and general met", map[string]int{"go": 4}, []listing.Experience{exp("go", 2), exp("", 3)}, "[{go 2} { 3}]", false},
		{"one met, one short", map[string]int{"go": 4, "aws": 1}, []listing.Experience{exp("go", 2), exp("aws", 3)}, "[]", true},
		{"one met, one not given", map[string]int{"go": 4}, []listing.Experience{exp("go", 2), exp("aws", 3)}, "[{go 2}]", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			met, short := experienceFit(store.Profile{Experience: tt.profile}, tt.req)
			if got := fmt.Sprint(met); got != tt.met || short != tt.short {
				t.Errorf("experienceFit = %s, short %v; want %s, short %v", got, short, tt.met, tt.short)
			}
		})
	}
}

// TestFitExperience: meeting the years required adds to the score and is
// said; falling short takes from it; years not given change nothing.
func TestFitExperience(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	base := listing.Listing{Skills: []string{"go"}, Role: listing.RoleBackend, PostedAt: now.Add(-30 * 24 * time.Hour)}
	profile := store.Profile{Skills: []string{"go"}, Role: "backend"}
	plain, _ := fit(profile, &base, now)
	tests := []struct {
		name    string
		profile map[string]int
		req     []listing.Experience
		delta   int
		why     string // the experience reason, "" for none
	}{
		{"nothing required", map[string]int{"go": 3}, nil, 0, ""},
		{"years not given", nil, []listing.Experience{exp("go", 3)}, 0, ""},
		{"met in Go", map[string]int{"go": 5}, []listing.Experience{exp("go", 3)}, scoreExperience, "Go経験3年以上の条件を満たしています"},
		{"met in general", map[string]int{"go": 5}, []listing.Experience{exp("", 5)}, scoreExperience, "実務経験5年以上の条件を満たしています"},
		{"met both", map[string]int{"go": 3, "aws": 8}, []listing.Experience{exp("go", 2), exp("", 5)}, scoreExperience,
			"Go経験2年以上・実務経験5年以上の条件を満たしています"},
		{"met in a Japanese-named skill", map[string]int{"requirements-definition": 4}, []listing.Experience{exp("requirements-definition", 3)}, scoreExperience,
			"要件定義経験3年以上の条件を満たしています"},
		{"short in Go", map[string]int{"go": 1}, []listing.Experience{exp("go", 3)}, -penaltyShort, ""},
		{"short in general", map[string]int{"go": 2}, []listing.Experience{exp("go", 1), exp("", 5)}, -penaltyShort, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := base
			l.Experience = tt.req
			p := profile
			p.Experience = tt.profile
			score, w := fit(p, &l, now)
			if score-plain != tt.delta {
				t.Errorf("score %d, want %d (%+d)", score, plain+tt.delta, tt.delta)
			}
			var got string
			for _, r := range WhyText(w) {
				if strings.Contains(r, "経験") {
					got = r
				}
			}
			if got != tt.why {
				t.Errorf("reason %q, want %q (all: %q)", got, tt.why, WhyText(w))
			}
			if w.ExperienceShort != (tt.delta < 0) {
				t.Errorf("ExperienceShort = %v", w.ExperienceShort)
			}
		})
	}
}

// TestRecommendExperience: of listings that otherwise fit alike, the
// newest one asking for more years than the profile gives comes last,
// still recommended; the one whose years it meets comes first.
func TestRecommendExperience(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	mk := func(id int64, age time.Duration, req ...listing.Experience) listing.Listing {
		return listing.Listing{ID: id, Title: fmt.Sprint("案件", id), Status: listing.StatusOpen, Skills: []string{"go"},
			Role: listing.RoleBackend, PostedAt: now.Add(-age), Experience: req}
	}
	st := &flakyStore{listings: map[int64]listing.Listing{
		1: mk(1, 10*24*time.Hour, exp("go", 5)), // met
		2: mk(2, 5*24*time.Hour),                // nothing required
		3: mk(3, 1*24*time.Hour, exp("go", 10)), // short, and newest
	}}
	c := &Catalog{Store: st, Index: fixedIndex{3, 2, 1}}
	picks, err := c.Recommend(ctx, store.Profile{Skills: []string{"go"}, Role: "backend", Experience: map[string]int{"go": 6}}, time.Time{}, now, 10)
	if err != nil {
		t.Fatal(err)
	}
	var order []int64
	for _, p := range picks {
		order = append(order, p.ID)
	}
	if !slices.Equal(order, []int64{1, 2, 3}) {
		t.Fatalf("order %v, want [1 2 3]: met, then nothing required, then short", order)
	}
	if w := WhyText(picks[0].Why); !slices.Contains(w, "Go経験5年以上の条件を満たしています") {
		t.Errorf("reasons of the first: %q", w)
	}
	if !picks[2].Why.ExperienceShort {
		t.Errorf("the last is not marked short: %+v", picks[2].Why)
	}
}
