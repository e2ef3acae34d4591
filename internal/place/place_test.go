package place

import (
	"testing"

	"anken/internal/listing"
)

func TestData(t *testing.T) {
	kinds := map[Kind]int{}
	for _, p := range All() {
		kinds[p.Kind]++
		if _, ok := listing.PrefectureByCode(p.Code); !ok {
			t.Errorf("%s: code %s is not a prefecture", p.Name, p.Code)
		}
	}
	if kinds[Prefecture] != 2*len(listing.Prefectures) {
		t.Errorf("%d prefecture names, want %d (full and short)", kinds[Prefecture], 2*len(listing.Prefectures))
	}
	if kinds[Station] < 200 {
		t.Errorf("%d stations, want at least 200", kinds[Station])
	}
	if kinds[City] < 150 {
		t.Errorf("%d cities and wards, want at least 150", kinds[City])
	}
	// prefectures.tsv agrees with listing.Prefectures.
	for _, lp := range listing.Prefectures {
		p, ok := Lookup(lp.Name)
		if !ok || p.Code != lp.Code || p.Kind != Prefecture {
			t.Errorf("Lookup(%q) = %+v, %v; want %s", lp.Name, p, ok, lp.Code)
		}
	}
}

func TestLookup(t *testing.T) {
	for name, want := range map[string]string{
		"東京都": "JP-13", "東京": "JP-13", "都内": "JP-13", "渋谷区": "JP-13", "渋谷": "JP-13", "渋谷駅": "JP-13",
		"品川駅": "JP-13", "横浜市": "JP-14", "横浜": "JP-14", "大阪市北区": "JP-27", "梅田駅": "JP-27",
		"名古屋": "JP-23", "博多駅": "JP-40", "札幌": "JP-01", "京都": "JP-26", "千葉": "JP-12", "栄駅": "JP-23",
	} {
		p, ok := Lookup(name)
		if !ok || p.Code != want {
			t.Errorf("Lookup(%q) = %+v, %v; want %s", name, p, ok, want)
		}
	}
	for _, name := range []string{"", "どこか", "北区", "駅", "東京都駅"} {
		if p, ok := Lookup(name); ok {
			t.Errorf("Lookup(%q) = %+v, want none", name, p)
		}
	}
}

func TestBare(t *testing.T) {
	for name, want := range map[string]bool{"渋谷": true, "上野": false, "千葉": false, "東京": true, "栄": false} {
		var got *Place
		for _, p := range All() {
			if p.Name == name && (got == nil || p.Bare) {
				p := p
				got = &p
			}
		}
		if got == nil || got.Bare != want {
			t.Errorf("%s: bare %v, want %v", name, got, want)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	for _, c := range []struct{ prefs, cities, stations string }{
		{"JP-48\t東京都\t東京\tyes\n", "", ""},
		{"JP-13\t東京都\t東京\tmaybe\n", "", ""},
		{"", "渋谷区\tJP-13\n渋谷区\tJP-14\n", ""},
		{"", "", "渋谷駅\tJP-13\tyes\n"},
		{"", "", "渋谷\tJP-13\n"},
	} {
		if _, err := load(c.prefs, c.cities, c.stations); err == nil {
			t.Errorf("load(%q, %q, %q): want an error", c.prefs, c.cities, c.stations)
		}
	}
}
