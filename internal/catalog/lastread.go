package catalog

import (
	"sync"
	"time"

	"anken/internal/listing"
)

// lastReadSize is how many listings one generation of lastRead holds: it
// keeps between this and twice this many, the most recently read.
const lastReadSize = 4096

// lastRead keeps the listings most recently read from the store, and the
// time of its last change, so that while the store does not answer (a
// database restarting, a network cut) searches still answer from the
// index: a page whose every listing was read lately is answered with them
// as they were read; any other still fails Unavailable. It is never read
// while the store answers. Two generations of maps keep it bounded
// without per-entry bookkeeping: when the current fills up it becomes
// the old one, and the old one is dropped.
type lastRead struct {
	mu       sync.Mutex
	cur, old map[int64]listing.Listing
	change   time.Time
}

func (r *lastRead) keep(ls ...listing.Listing) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range ls {
		if r.cur == nil || len(r.cur) >= lastReadSize {
			r.old, r.cur = r.cur, make(map[int64]listing.Listing, lastReadSize)
		}
		r.cur[l.ID] = l
	}
}

// get returns the listings of ids in their order, if it has every one.
func (r *lastRead) get(ids []int64) ([]listing.Listing, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]listing.Listing, 0, len(ids))
	for _, id := range ids {
		l, ok := r.cur[id]
		if !ok {
			l, ok = r.old[id]
		}
		if !ok {
			return nil, false
		}
		out = append(out, l)
	}
	return out, true
}

func (r *lastRead) keepChange(at time.Time) {
	r.mu.Lock()
	r.change = at
	r.mu.Unlock()
}

func (r *lastRead) lastChange() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.change
}
