package dedupe

import (
	"cmp"
	"slices"
)

// Vote is a candidate duplicate of a listing, found by the buckets they
// share: its id, how many of the listing's buckets it is in, and whether
// one of them is the apply URL's.
type Vote struct {
	ID    int64
	Bands int
	URL   bool
}

// MaxCandidates is how many candidates of a listing are worth reading and
// comparing. A repost at Threshold shares 16 × 0.62⁴ ≈ 2.4 of its buckets
// on average, a listing that merely shares boilerplate usually one: the
// candidates sharing the most buckets are the likely duplicates, and
// reading only those keeps a bucket of boilerplate from costing a read of
// every member.
const MaxCandidates = 8

// TopVotes sorts votes best first — the same apply URL, then most buckets
// shared, then newest (highest id) — and returns the MaxCandidates best.
func TopVotes(vs []Vote) []Vote {
	slices.SortFunc(vs, func(a, b Vote) int {
		if a.URL != b.URL {
			if a.URL {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(b.Bands, a.Bands), cmp.Compare(b.ID, a.ID))
	})
	return vs[:min(len(vs), MaxCandidates)]
}

// Candidate is an open listing of another agency that may be the same job:
// the group it belongs to, its signature, and whether it has the same
// apply URL.
type Candidate struct {
	Group int64
	Sig   Signature
	URL   bool
}

// Choose returns the group a listing of signature sig joins among its
// candidates, or 0 for a group of its own: the same apply URL is the same
// job; otherwise the most similar candidate at or above Threshold. Equal
// claims go to the lowest group, so every node decides alike.
func Choose(sig *Signature, cands []Candidate) int64 {
	var (
		best      int64
		bestScore float64
	)
	for i := range cands {
		c := &cands[i]
		score := 0.0
		if c.URL {
			score = 2
		} else if s := sig.Similarity(&c.Sig); s >= Threshold {
			score = s
		}
		if score > bestScore || (score == bestScore && score > 0 && c.Group < best) {
			best, bestScore = c.Group, score
		}
	}
	return best
}
