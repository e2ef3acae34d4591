package market

import (
	"reflect"
	"testing"
	"time"

	"anken/internal/store"
)

// TestHistory: a series per scope for every day before today, ending near
// today's figures, believable (no jumps, quartiles in order, the zone a
// 10万円 band near the median), marked demo, the same for the same seed.
func TestHistory(t *testing.T) {
	today := []store.MarketSnapshot{
		{Day: "2026-11-20", Scope: "overall", Count: 5000, Priced: 4200, P25: 550_000, Median: 650_000, P75: 750_000, ZoneFrom: 600_000, ZoneTo: 700_000},
		{Day: "2026-11-20", Scope: "skill:cobol", Count: 3},
		{Day: "2026-11-20", Scope: "role:pm", Count: 0},
	}
	h := History(today, HistoryDays, 1)
	if !reflect.DeepEqual(h, History(today, HistoryDays, 1)) {
		t.Fatal("History is not deterministic")
	}
	by := map[string][]store.MarketSnapshot{}
	for _, s := range h {
		if !s.Demo {
			t.Fatalf("%+v is not marked demo", s)
		}
		by[s.Scope] = append(by[s.Scope], s)
	}
	for _, scope := range []string{"overall", "skill:cobol", "role:pm"} {
		if len(by[scope]) != HistoryDays-1 {
			t.Fatalf("%s: %d days, want %d", scope, len(by[scope]), HistoryDays-1)
		}
	}
	all := by["overall"]
	prev := today[0]
	for i, s := range all {
		want := time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -i).Format(time.DateOnly)
		if s.Day != want {
			t.Fatalf("day %d = %s, want %s", i, s.Day, want)
		}
		if s.Count < 3000 || s.Count > 6000 || s.Priced > s.Count {
			t.Fatalf("%s: count %d priced %d", s.Day, s.Count, s.Priced)
		}
		if d := float64(s.Count-prev.Count) / float64(prev.Count); d > 0.08 || d < -0.08 {
			t.Fatalf("%s: count jumps from %d to %d", s.Day, prev.Count, s.Count)
		}
		if !(s.P25 <= s.Median && s.Median <= s.P75) || s.Median%5000 != 0 || s.Median < 550_000 || s.Median > 750_000 {
			t.Fatalf("%s: quartiles %d %d %d", s.Day, s.P25, s.Median, s.P75)
		}
		if s.ZoneTo-s.ZoneFrom != 100_000 || s.ZoneFrom%100_000 != 0 || s.ZoneFrom < 500_000 || s.ZoneFrom > 700_000 {
			t.Fatalf("%s: zone %d–%d", s.Day, s.ZoneFrom, s.ZoneTo)
		}
		prev = s
	}
	for _, s := range by["role:pm"] {
		if s.Count != 0 || s.Median != 0 || s.ZoneTo != 0 {
			t.Fatalf("a scope without listings got %+v", s)
		}
	}
}
