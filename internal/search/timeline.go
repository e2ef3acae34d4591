package search

import (
	"cmp"
	"math"
	"slices"
	"sort"

	"github.com/RoaringBitmap/roaring/v2"
)

// timeline keeps the slots in posted order: in buckets of consecutive
// (posted_at, id) keys, each holding at most runMax slots, so the newest
// and relevance sorts find a page by reading about as many slots as it
// needs from the newest bucket down, however posted_at is spread. A
// catalogue posted within one minute (or with no posted_at, all at the
// time of its import) is as many buckets as one spread over months; they
// split as they grow and merge with a neighbour as they empty.
//
// Bucket i holds the slots whose key is at least lo[i] and below lo[i+1];
// lo[0] is the least key there is, so every key has a bucket.
type timeline struct {
	lo   []pair
	bits []*roaring.Bitmap
}

// pair is the part of a sort key buckets are ordered by: posted_at (or
// the rate, for rate bands) and then the listing id.
type pair [2]int64

func (p pair) compare(o pair) int { return cmp.Or(cmp.Compare(p[0], o[0]), cmp.Compare(p[1], o[1])) }

// least is below every key.
var least = pair{math.MinInt64, math.MinInt64}

// runMax is the most slots a bucket holds before it splits in two: few
// enough that reading a whole bucket costs tens of microseconds, many
// enough that a search whose hits are a few percent of the listings still
// fills a page from a bucket or two. A bucket with fewer than an eighth
// of it merges with a neighbour that has room, and a build fills buckets
// to three quarters, leaving room to grow before they split.
const runMax = 2048

func newTimeline() *timeline {
	return &timeline{lo: []pair{least}, bits: []*roaring.Bitmap{roaring.New()}}
}

// timeKey is slot s's place in the timeline.
func (x *Index) timeKey(s uint32) pair { return pair{x.cols[s].posted, x.id[s]} }

// find returns the bucket of key k.
func (t *timeline) find(k pair) int {
	return sort.Search(len(t.lo), func(i int) bool { return t.lo[i].compare(k) > 0 }) - 1
}

// add adds slot s, splitting its bucket when it is full.
func (t *timeline) add(x *Index, s uint32) {
	i := t.find(x.timeKey(s))
	b := t.bits[i]
	b.Add(s)
	if b.GetCardinality() <= uint64(x.runMax) {
		return
	}
	slots := b.ToArray()
	x.sortByTime(slots)
	half := len(slots) / 2
	mid := x.timeKey(slots[half])
	left, right := roaring.New(), roaring.New()
	left.AddMany(sorted(slots[:half]))
	right.AddMany(sorted(slots[half:]))
	t.bits[i] = left
	t.lo = slices.Insert(t.lo, i+1, mid)
	t.bits = slices.Insert(t.bits, i+1, right)
}

// remove takes slot s out; its key must be as it was when it was added.
func (t *timeline) remove(x *Index, s uint32) {
	i := t.find(x.timeKey(s))
	b := t.bits[i]
	b.Remove(s)
	n := b.GetCardinality()
	if n >= uint64(max(1, x.runMax/8)) || len(t.lo) == 1 {
		return
	}
	if n == 0 {
		t.drop(i)
		return
	}
	// Merge with the smaller neighbour when both fit in one bucket.
	j := i - 1
	if i+1 < len(t.lo) && (j < 0 || t.bits[i+1].GetCardinality() < t.bits[j].GetCardinality()) {
		j = i + 1
	}
	if n+t.bits[j].GetCardinality() > uint64(x.runMax) {
		return
	}
	a := min(i, j)
	t.bits[a] = roaring.Or(t.bits[a], t.bits[a+1])
	t.drop(a + 1)
}

// drop deletes bucket i, whose keys its neighbours' ranges take over.
func (t *timeline) drop(i int) {
	t.lo = slices.Delete(t.lo, i, i+1)
	t.bits = slices.Delete(t.bits, i, i+1)
	if len(t.lo) == 0 {
		t.lo, t.bits = []pair{least}, []*roaring.Bitmap{roaring.New()}
	}
	t.lo[0] = least
}

// build fills the timeline with the live slots, which it sorts.
func (t *timeline) build(x *Index, slots []uint32) {
	x.sortByTime(slots)
	t.lo, t.bits = nil, nil
	n := max(1, x.runMax*3/4)
	for i := 0; i < len(slots) || i == 0; i += n {
		part := slots[i:min(len(slots), i+n)]
		lo := least
		if i > 0 {
			lo = x.timeKey(part[0])
		}
		b := roaring.New() // part is sorted by time: sort a copy by slot
		b.AddMany(sorted(slices.Clone(part)))
		t.lo, t.bits = append(t.lo, lo), append(t.bits, b)
	}
}

// sortByTime sorts slots by their key, oldest first.
func (x *Index) sortByTime(slots []uint32) {
	slices.SortFunc(slots, func(a, b uint32) int { return x.timeKey(a).compare(x.timeKey(b)) })
}

func sorted(s []uint32) []uint32 {
	slices.Sort(s)
	return s
}
