package catalog

import (
	"sync"
	"time"

	"anken/internal/listing"
	"anken/internal/search"
)

// recentSize is how many listings one generation of recent holds: it
// keeps between this and twice this many, the most recently read.
const recentSize = 8192

// recent keeps the listings most recently read from the store, each with
// the index's stamp of the version it was read for (search.Hit.Stamp),
// and the time of the store's last change. It serves two ends:
//
//   - A page of a search takes a listing from here while the index still
//     answers with the stamp it was read for, so the first pages everyone
//     asks for are answered without reading and decoding their listings
//     again. The store is never behind the index, so what was read for a
//     stamp is that version or a later one; a listing changes here when
//     the index takes in its change, as its place in the answers does.
//   - While the store does not answer (a database restarting, a network
//     cut), a page whose every listing was read lately is answered with
//     them as they were read, whatever their stamp; any other page still
//     fails Unavailable.
//
// Two generations of maps keep it bounded without per-entry bookkeeping:
// when the current fills up it becomes the old one, and the old one is
// dropped. Listings are shared between readers, which must not change
// them.
type recent struct {
	mu       sync.Mutex
	cur, old map[int64]kept
	change   time.Time
}

type kept struct {
	l     listing.Listing
	stamp uint64 // 0: read outside a search, for no stamp
}

// keep records listings read for the stamps of hits. A listing read
// without a hit (a listing's own page) keeps the stamp of the entry it
// replaces when it is the same version (the same UpdatedAt), else has none.
func (r *recent) keep(hits []search.Hit, ls ...listing.Listing) {
	var stamp map[int64]uint64
	if len(hits) > 0 {
		stamp = make(map[int64]uint64, len(hits))
		for _, h := range hits {
			stamp[h.ID] = h.Stamp
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range ls {
		if r.cur == nil || len(r.cur) >= recentSize {
			r.old, r.cur = r.cur, make(map[int64]kept, recentSize)
		}
		st, ok := stamp[l.ID]
		if !ok {
			k, had := r.cur[l.ID]
			if !had {
				k, had = r.old[l.ID]
			}
			if had && k.l.UpdatedAt.Equal(l.UpdatedAt) {
				st = k.stamp
			}
		}
		r.cur[l.ID] = kept{l: l, stamp: st}
	}
}

// fresh returns the listings of hits kept for their stamps, by id, and
// the ids of the others in the hits' order.
func (r *recent) fresh(hits []search.Hit) (map[int64]listing.Listing, []int64) {
	found := make(map[int64]listing.Listing, len(hits))
	var missing []int64
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, h := range hits {
		k, ok := r.cur[h.ID]
		if !ok {
			k, ok = r.old[h.ID]
		}
		if ok && h.Stamp != 0 && k.stamp == h.Stamp {
			found[h.ID] = k.l
		} else {
			missing = append(missing, h.ID)
		}
	}
	return found, missing
}

// get returns the listings of ids in their order, as last read whatever
// the stamp, if it has every one.
func (r *recent) get(ids []int64) ([]listing.Listing, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]listing.Listing, 0, len(ids))
	for _, id := range ids {
		k, ok := r.cur[id]
		if !ok {
			k, ok = r.old[id]
		}
		if !ok {
			return nil, false
		}
		out = append(out, k.l)
	}
	return out, true
}

func (r *recent) keepChange(at time.Time) {
	r.mu.Lock()
	r.change = at
	r.mu.Unlock()
}

func (r *recent) lastChange() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.change
}
