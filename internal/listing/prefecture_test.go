package listing_test

import (
	"regexp"
	"testing"

	"anken/internal/listing"
)

// TestPrefectureSlugs: each of the 47 prefectures has its own romaji
// slug of a-z, found again by PrefectureBySlug.
func TestPrefectureSlugs(t *testing.T) {
	if len(listing.Prefectures) != 47 {
		t.Fatalf("%d prefectures, want 47", len(listing.Prefectures))
	}
	seen := map[string]bool{}
	ascii := regexp.MustCompile(`^[a-z]+$`)
	for _, p := range listing.Prefectures {
		if !ascii.MatchString(p.Slug) || seen[p.Slug] {
			t.Errorf("%s (%s): slug %q is not a-z or not its own", p.Name, p.Code, p.Slug)
		}
		seen[p.Slug] = true
		if got, ok := listing.PrefectureBySlug(p.Slug); !ok || got != p {
			t.Errorf("PrefectureBySlug(%q) = %+v, %v; want %+v", p.Slug, got, ok, p)
		}
	}
	for slug, code := range map[string]string{"tokyo": "JP-13", "osaka": "JP-27", "kanagawa": "JP-14", "hokkaido": "JP-01", "okinawa": "JP-47"} {
		if p, _ := listing.PrefectureBySlug(slug); p.Code != code {
			t.Errorf("PrefectureBySlug(%q) = %s, want %s", slug, p.Code, code)
		}
	}
	if _, ok := listing.PrefectureBySlug("Tokyo"); ok {
		t.Error("PrefectureBySlug takes Tokyo; slugs are lower case")
	}
}
