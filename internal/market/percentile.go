package market

import "math"

// Percentile says where a rate stands among the priced listings of s,
// from its histogram (the same figures as /v1/stats): the share, in
// percent rounded to a whole number, of the priced listings in bands
// below the rate's band plus half of those in its band (the rate is
// taken to sit in the middle of its band). ok is false when s has no
// priced listing or rate is not positive. A rate below the lowest band
// is 0, above the highest 100.
func Percentile(s Stats, rate int64) (p int, ok bool) {
	if s.Priced == 0 || rate <= 0 || len(s.Histogram) == 0 {
		return 0, false
	}
	var below, in int
	for _, b := range s.Histogram {
		switch {
		case b.To <= rate:
			below += b.Count
		case b.From <= rate:
			in += b.Count
		}
	}
	return int(math.Round(100 * (float64(below) + float64(in)/2) / float64(s.Priced))), true
}
