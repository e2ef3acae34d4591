package market

import (
	"reflect"
	"testing"

	"anken/internal/search"
)

func TestFromIndex(t *testing.T) {
	s := search.Stats{Count: 9, Priced: 7, Min: 480_000, P25: 600_000, Median: 650_000, P75: 700_000, Max: 760_000, Mean: 640_000,
		// 45万 1, 50万 0, 55万 0, 60万 2, 65万 2, 70万 1, 75万 1
		Bands:     []int{9: 1, 12: 2, 13: 2, 14: 1, 15: 1},
		Breakdown: map[search.Facet]map[string]int{search.FacetRole: {"backend": 9}}}
	got := FromIndex(s, search.BasisMonthly)
	want := Stats{Basis: BasisMonthly, Count: 9, Priced: 7,
		Rate: &RateSummary{Min: 480_000, P25: 600_000, Median: 650_000, P75: 700_000, Max: 760_000, Mean: 640_000},
		Histogram: []Band{{450_000, 500_000, 1}, {500_000, 550_000, 0}, {550_000, 600_000, 0}, {600_000, 650_000, 2},
			{650_000, 700_000, 2}, {700_000, 750_000, 1}, {750_000, 800_000, 1}},
		VolumeZone: &Zone{From: 600_000, To: 700_000, Count: 4, AnnualFrom: ptr[int64](7_200_000), AnnualTo: ptr[int64](8_400_000)},
		Breakdown:  Breakdown{Role: map[string]int{"backend": 9}, Skill: map[string]int{}, Prefecture: map[string]int{}, Remote: map[string]int{}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("FromIndex =\n%+v\nwant\n%+v", got, want)
	}
	if w := "案件単価は月額60万〜70万円の範囲がボリュームゾーンで、年収に換算すると約720万〜840万円です。"; got.VolumeZone.Sentence() != w {
		t.Errorf("Sentence = %q, want %q", got.VolumeZone.Sentence(), w)
	}
	none := FromIndex(search.Stats{Count: 3}, search.BasisMonthly)
	if none.Rate != nil || none.VolumeZone != nil || none.Histogram == nil || len(none.Histogram) != 0 || none.Breakdown.Skill == nil {
		t.Errorf("FromIndex(unpriced) = %+v", none)
	}
}

func TestVolumeZone(t *testing.T) {
	for _, c := range []struct {
		bands []int
		want  *Zone
	}{
		{nil, nil},
		{[]int{0, 0, 0}, nil},
		{[]int{1}, &Zone{0, 100_000, 1, ptr[int64](0), ptr[int64](1_200_000), false}},
		// a tie between 10万–20万 and 30万–40万: the lower wins
		{[]int{0, 0, 2, 1, 0, 0, 3, 0}, &Zone{100_000, 200_000, 3, ptr[int64](1_200_000), ptr[int64](2_400_000), false}},
		// a lone top band (odd length)
		{[]int{1, 0, 0, 0, 2}, &Zone{200_000, 300_000, 2, ptr[int64](2_400_000), ptr[int64](3_600_000), false}},
	} {
		if got := volumeZone(c.bands, BandWidth, ZoneWidth); !reflect.DeepEqual(got, c.want) {
			t.Errorf("volumeZone(%v) = %+v, want %+v", c.bands, got, c.want)
		}
	}
}

func TestWords(t *testing.T) {
	for _, c := range []struct {
		yen        int64
		man, yenTx string
	}{
		{0, "0", "¥0"}, {650_000, "65万", "¥650,000"}, {655_000, "65.5万", "¥655,000"}, {7_200_000, "720万", "¥7,200,000"},
		{999, "0万", "¥999"}, {12_345_678, "1234.5万", "¥12,345,678"},
	} {
		if got := Man(c.yen); got != c.man {
			t.Errorf("Man(%d) = %q, want %q", c.yen, got, c.man)
		}
		if got := Yen(c.yen); got != c.yenTx {
			t.Errorf("Yen(%d) = %q, want %q", c.yen, got, c.yenTx)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// The hourly figures: 500円 bands, a 1,000円 volume zone, no annual.
func TestFromIndexHourly(t *testing.T) {
	s := search.Stats{Count: 5, Priced: 5, Min: 2000, P25: 2500, Median: 3600, P75: 3800, Max: 4200, Mean: 3220, BandWidth: 500,
		// 2,000 1, 2,500 1, 3,000 0, 3,500 2, 4,000 1
		Bands: []int{4: 1, 5: 1, 6: 0, 7: 2, 8: 1}}
	got := FromIndex(s, search.BasisHourly)
	if got.Basis != BasisHourly {
		t.Errorf("basis %q", got.Basis)
	}
	wantHist := []Band{{2000, 2500, 1}, {2500, 3000, 1}, {3000, 3500, 0}, {3500, 4000, 2}, {4000, 4500, 1}}
	if !reflect.DeepEqual(got.Histogram, wantHist) {
		t.Errorf("histogram %+v, want %+v", got.Histogram, wantHist)
	}
	// 2,000–3,000: 2; 3,000–4,000: 2; the lower wins the tie.
	if z := got.VolumeZone; z == nil || z.From != 2000 || z.To != 3000 || z.Count != 2 || z.AnnualFrom != nil || z.AnnualTo != nil || !z.Hourly {
		t.Errorf("volume zone %+v", got.VolumeZone)
	}
	if w := "時給は2,000〜3,000円の範囲がボリュームゾーンです。"; got.VolumeZone.Sentence() != w {
		t.Errorf("Sentence = %q, want %q", got.VolumeZone.Sentence(), w)
	}
}
