package search

import (
	"cmp"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
)

// Duplicate groups: the same job offered by several agencies. A group is
// named by the id of its first listing (listing.GroupID); a listing alone
// names itself. A collapsed search shows each group once, as its
// representative: the first listing while it is open, else the group's
// member with the lowest id.
//
// The index keeps, per group, the members other than the first listing
// (most groups have none, so this stays small), and a bitmap of every slot
// that is not its group's representative, with that representative's slot
// in rep.

// groupOf returns the group slot s belongs to.
func (x *Index) groupOf(s uint32) int64 {
	if g := x.group[s]; g != 0 {
		return g
	}
	return x.id[s]
}

// joinGroup records slot s in its group. x.mu must be held.
func (x *Index) joinGroup(s uint32) {
	g := x.groupOf(s)
	if g != x.id[s] {
		x.reposts[g] = append(x.reposts[g], s)
		x.sortByID(x.reposts[g])
	}
	x.regroup(g)
}

// leaveGroup forgets slot s in its group. x.mu must be held.
func (x *Index) leaveGroup(s uint32) {
	g := x.groupOf(s)
	x.dups.Remove(s)
	if g != x.id[s] {
		ms := slices.DeleteFunc(x.reposts[g], func(m uint32) bool { return m == s })
		if len(ms) == 0 {
			delete(x.reposts, g)
		} else {
			x.reposts[g] = ms
		}
	}
	x.regroup(g)
}

// members returns the open slots of group g, representative first, and
// whether the first listing is among them.
func (x *Index) members(g int64) []uint32 {
	var out []uint32
	if s, ok := x.slot[g]; ok && x.groupOf(s) == g {
		out = append(out, s)
	}
	return append(out, x.reposts[g]...)
}

func (x *Index) sortByID(slots []uint32) {
	slices.SortFunc(slots, func(a, b uint32) int { return cmp.Compare(x.id[a], x.id[b]) })
}

// regroup marks every member of g but the representative as a duplicate,
// of that representative.
func (x *Index) regroup(g int64) {
	ms := x.members(g)
	for i, s := range ms {
		if i == 0 {
			x.dups.Remove(s)
		} else {
			x.dups.Add(s)
			x.rep[s] = ms[0]
		}
	}
}

// denseRepsFrom: collapse gathers the representatives of duplicate hits
// in a bitset of every slot when more than one slot in denseRepsFrom is a
// duplicate hit, else in a sorted slice. The bitset costs a slot count's
// bits to clear and scan however few hits there are; the slice, a sort.
const denseRepsFrom = 64

// collapse replaces each duplicate among hits by its group's
// representative. Its cost is one read of rep per duplicate among hits,
// nothing per hit. When hits are every open listing, each representative
// is a hit already and the duplicates are simply left out.
func (x *Index) collapse(hits *roaring.Bitmap) *roaring.Bitmap {
	if !hits.Intersects(x.dups) {
		return hits
	}
	out := roaring.AndNot(hits, x.dups)
	if hits.GetCardinality() == x.live.GetCardinality() { // hits ⊆ live
		return out
	}
	dupHits := roaring.And(hits, x.dups)
	buf := make([]uint32, 1024)
	it := dupHits.ManyIterator()
	if n := dupHits.GetCardinality(); n <= uint64(len(x.rep)/x.denseRepsFrom) {
		// Few duplicates among the hits: gather their representatives in
		// a slice rather than a bitset of every slot (250 KB at 2M).
		// A representative that is a hit is in out already, and a
		// duplicate mostly matches where its representative does: only
		// the others are sorted and added.
		var reps []uint32
		for k := it.NextMany(buf); k > 0; k = it.NextMany(buf) {
			for _, s := range buf[:k] {
				if r := x.rep[s]; !hits.Contains(r) {
					reps = append(reps, r)
				}
			}
		}
		slices.Sort(reps)
		out.AddMany(reps)
		return out
	}
	reps := make([]uint64, (len(x.rep)+63)/64)
	for k := it.NextMany(buf); k > 0; k = it.NextMany(buf) {
		for _, s := range buf[:k] {
			r := x.rep[s]
			reps[r>>6] |= 1 << (r & 63)
		}
	}
	out.Or(roaring.FromDense(reps, false))
	return out
}

// pageOffers fills in the offers of a page's hits from their groups as
// they are now. A hit that is not open now (a page of a snapshot shows it
// as it was) is in the group of its version at the snapshot, one of olds.
func (x *Index) pageOffers(hits []Hit, olds []past) {
	var pastGroup map[int64]int64
	for i := range hits {
		h := &hits[i]
		if s, ok := x.slot[h.ID]; ok {
			x.offers(h, x.groupOf(s))
			continue
		}
		if pastGroup == nil {
			pastGroup = make(map[int64]int64, len(olds))
			for _, o := range olds {
				pastGroup[o.v.id] = o.v.groupID()
			}
		}
		x.offers(h, pastGroup[h.ID])
	}
}

// offers fills in the number of offers and the rate range of group g,
// when it has more than one open listing.
func (x *Index) offers(h *Hit, g int64) {
	ms := x.members(g)
	if len(ms) < 2 {
		return
	}
	h.Offers = len(ms)
	for _, m := range ms {
		c := &x.cols[m]
		if c.rateLo > 0 && (h.RateMin == 0 || int64(c.rateLo) < h.RateMin) {
			h.RateMin = int64(c.rateLo)
		}
		if int64(c.rateHi) > h.RateMax {
			h.RateMax = int64(c.rateHi)
		}
	}
}
