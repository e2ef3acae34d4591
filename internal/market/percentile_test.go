package market_test

import (
	"testing"

	"anken/internal/market"
)

func TestPercentile(t *testing.T) {
	// 10 priced listings: 2 in 50万〜55万, 5 in 55万〜60万, 0 in 60万〜65万,
	// 3 in 65万〜70万.
	s := market.Stats{Priced: 10, Histogram: []market.Band{
		{From: 500_000, To: 550_000, Count: 2},
		{From: 550_000, To: 600_000, Count: 5},
		{From: 600_000, To: 650_000, Count: 0},
		{From: 650_000, To: 700_000, Count: 3},
	}}
	tests := []struct {
		rate int64
		want int
		ok   bool
	}{
		{400_000, 0, true},  // below every band
		{500_000, 10, true}, // (0 + 2/2) / 10
		{575_000, 45, true}, // (2 + 5/2) / 10
		{620_000, 70, true}, // (7 + 0) / 10
		{699_999, 85, true}, // (7 + 3/2) / 10
		{900_000, 100, true},
		{0, 0, false},
	}
	for _, tc := range tests {
		got, ok := market.Percentile(s, tc.rate)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Percentile(%d) = %d, %v; want %d, %v", tc.rate, got, ok, tc.want, tc.ok)
		}
	}
	if _, ok := market.Percentile(market.Stats{}, 500_000); ok {
		t.Error("Percentile of no priced listing is ok")
	}
}
