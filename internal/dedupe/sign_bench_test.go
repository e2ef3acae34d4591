package dedupe

import (
	"slices"
	"testing"

	"anken/internal/demo"
)

// BenchmarkSign signs generated listings: about 40 characters of title and
// 600 of Japanese description each.
func BenchmarkSign(b *testing.B) {
	items := slices.Collect(demo.Generate(200, demo.Options{Seed: 1}))
	for i := 0; b.Loop(); i++ {
		it := items[i%len(items)]
		Sign(it.Raw.Title, it.Raw.Description)
	}
}
