package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"

	"anken/internal/dedupe"
)

// The LSH bucket index of duplicate grouping (groups.go), held in memory.
//
// It is derived data, as the search index is: a listing's buckets follow
// from its minhash column (the signature, then the apply URL's key), and
// every write of that column gives the listing a new change-log number.
// So each Store builds the index from the listings at its first write
// that groups a listing and, in each write transaction that groups,
// catches up with the listings whose seq is above the position it
// reflects, under the change log's lock (SQLite's write lock,
// PostgreSQL's advisory lock): every node reads the same buckets as the
// database holds them, and decides alike.
//
// A bucket table in the database (listing_bands, until migration 17)
// cost 17 rows a listing keyed by a random hash: each batch of a bulk
// import touched pages all over that index, and SQLite's commits wrote
// most of it again each time. In memory a listing's buckets cost 17
// entries of 16 bytes, written as sorted runs merged LSM-style.

// bucketEntry is one listing in one bucket.
type bucketEntry struct {
	hash   int64
	id     uint32 // listing id
	agency uint32 // its agency: a listing is never a candidate for its own agency's
}

func (a bucketEntry) compare(b bucketEntry) int {
	return cmp.Or(cmp.Compare(a.hash, b.hash), cmp.Compare(a.id, b.id))
}

// bucketIndex is the bucket index of one Store. A write transaction holds
// it (mu) from its first use to its end; what it adds is kept apart
// (bucketTx) and joins the index only when the transaction commits.
type bucketIndex struct {
	mu    sync.Mutex
	ready atomic.Bool // built: see build
	seq   int64       // the change-log position the index reflects
	maxID uint32      // the highest listing id in it: a higher one is new
	runs  bucketRuns
	// moved holds the current buckets of listings whose buckets changed
	// since their older entries were written: an entry of a listing in
	// moved counts only if its hash is still one of the listing's.
	moved map[uint32][]int64
}

// bucketRuns are runs of entries sorted by (hash, id), largest first; a
// new run merges into the one before it while that is less than twice
// its size, so there are O(log n) of them.
type bucketRuns [][]bucketEntry

// bucketTx is what one write transaction does to the bucket index.
type bucketTx struct {
	ix    *bucketIndex
	from  int64 // the index's position before the transaction caught it up
	runs  bucketRuns
	moved map[uint32][]int64
}

// errBucketsUnbuilt is the error of a write that would group a listing
// before the Store has read the bucket index: Apply reads it, outside the
// transaction, and writes again.
var errBucketsUnbuilt = errors.New("store: duplicate buckets not read yet")

// maxMoved is how many moved listings the index keeps before it merges
// every run into one, which drops their stale entries and forgets them.
const maxMoved = 1 << 16

// listingKeys returns the bucket keys of a listing stored with the minhash
// column value blob (sigBlob): one per band of its signature, then its
// apply URL's, sorted and without repeats. A zero or missing signature has
// none.
func listingKeys(blob []byte) []int64 {
	if len(blob) < 4*dedupe.Size {
		return nil
	}
	sig := dedupe.Parse(blob[:4*dedupe.Size])
	if sig.IsZero() {
		return nil
	}
	bk := sig.BandKeys()
	keys := append(make([]int64, 0, dedupe.Bands+1), bk[:]...)
	if len(blob) == 4*dedupe.Size+8 {
		keys = append(keys, int64(binary.LittleEndian.Uint64(blob[4*dedupe.Size:])))
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// smallID checks that a listing or agency id fits the index's entries.
func smallID(id int64) (uint32, error) {
	if id <= 0 || id > math.MaxUint32 {
		return 0, fmt.Errorf("store: id %d is outside the bucket index's range", id)
	}
	return uint32(id), nil
}

// WarmDuplicates builds the duplicate bucket index now, rather than at the
// first write that groups a listing, which would wait for it (about a
// second at 200,000 listings). serve calls it once its search index is
// ready; it does nothing once the index is built.
func (s *Store) WarmDuplicates(ctx context.Context) error {
	return s.buckets.build(ctx, s.db, s.dialect)
}

// build reads every listing's buckets, unless the index is built. It runs
// outside any write transaction, in a read transaction of its own: the
// position it records is the snapshot's, and the first write transaction
// catches up from there.
func (ix *bucketIndex) build(ctx context.Context, db *sql.DB, d dialect) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.ready.Load() {
		return nil
	}
	opts := &sql.TxOptions{ReadOnly: d == postgres}
	if d == postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("store: build duplicate buckets: %w", err)
	}
	defer tx.Rollback()
	var seq, n int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0), COUNT(*) FROM listings`).Scan(&seq, &n); err != nil {
		return fmt.Errorf("store: build duplicate buckets: %w", err)
	}
	var (
		// Sized once: grown by appends, the index would pass through
		// twice its size.
		all   = make([]bucketEntry, 0, n*(dedupe.Bands+1))
		maxID uint32
	)
	if err := scanBuckets(ctx, tx, d.bucketsScanSQL(), nil,
		func(id, agency uint32, keys []int64, _ int64) {
			maxID = max(maxID, id)
			for _, k := range keys {
				all = append(all, bucketEntry{hash: k, id: id, agency: agency})
			}
		}); err != nil {
		return fmt.Errorf("store: build duplicate buckets: %w", err)
	}
	ix.runs, ix.moved, ix.seq, ix.maxID = nil, map[uint32][]int64{}, seq, maxID
	ix.runs.add(all, nil)
	ix.ready.Store(true)
	return nil
}

// bucketsScanSQL reads every listing's buckets: on SQLite from the index
// that holds them (migration 18), not from the table's pages, which hold
// the documents too.
func (d dialect) bucketsScanSQL() string {
	if d == sqlite {
		return `SELECT id, agency_id, minhash, seq FROM listings INDEXED BY listings_buckets`
	}
	return `SELECT id, agency_id, minhash, seq FROM listings`
}

// scanBuckets runs query and calls fn with each listing's buckets.
func scanBuckets(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args []any, fn func(id, agency uint32, keys []int64, seq int64)) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id, agency, seq int64
			blob            []byte
		)
		if err := rows.Scan(&id, &agency, &blob, &seq); err != nil {
			return err
		}
		lid, err := smallID(id)
		if err != nil {
			return err
		}
		aid, err := smallID(agency)
		if err != nil {
			return err
		}
		fn(lid, aid, listingKeys(blob), seq)
	}
	return rows.Err()
}

// begin takes the index for the write transaction tx, which holds the
// change log's lock, and catches it up with the listings written since
// the position it reflects (by other nodes, or by other Stores of this
// process). The caller ends it with end.
func (ix *bucketIndex) begin(ctx context.Context, tx *sql.Tx) (*bucketTx, error) {
	ix.mu.Lock()
	if !ix.ready.Load() {
		ix.mu.Unlock()
		return nil, errBucketsUnbuilt
	}
	var caught []bucketEntry
	from := ix.seq
	seq, maxID := ix.seq, ix.maxID
	err := scanBuckets(ctx, tx, `SELECT id, agency_id, minhash, seq FROM listings WHERE seq > $1 ORDER BY seq`, []any{ix.seq},
		func(id, agency uint32, keys []int64, s int64) {
			// Committed by others: part of the index whatever this
			// transaction does. Listing ids only grow, so one at or
			// below the highest known may have older entries.
			if id <= ix.maxID {
				ix.moved[id] = keys
			}
			maxID = max(maxID, id)
			for _, k := range keys {
				caught = append(caught, bucketEntry{hash: k, id: id, agency: agency})
			}
			seq = max(seq, s)
		})
	if err != nil {
		ix.mu.Unlock()
		return nil, fmt.Errorf("store: catch up duplicate buckets: %w", err)
	}
	ix.commit(caught, nil)
	ix.seq, ix.maxID = seq, maxID
	return &bucketTx{ix: ix, from: from, moved: map[uint32][]int64{}}, nil
}

// end releases the index; what the transaction added joins it when it
// committed, and seq is the last change-log number it wrote (0: none).
//
// The catch-up may have read rows the transaction itself wrote before
// (a close, say, numbered in the log but never committed when it rolls
// back): a rolled-back transaction moves the index's position back to
// where it was, for its numbers will be given again. What it caught up
// stays: read again, it changes nothing.
func (bt *bucketTx) end(committed bool, seq int64) {
	ix := bt.ix
	defer ix.mu.Unlock()
	if !committed {
		ix.seq = bt.from
		return
	}
	var added []bucketEntry
	for _, r := range bt.runs {
		added = append(added, r...)
	}
	ix.commit(added, bt.moved)
	ix.seq = max(ix.seq, seq)
}

// commit adds entries es and the listings moved to the index.
func (ix *bucketIndex) commit(es []bucketEntry, moved map[uint32][]int64) {
	for id, keys := range moved {
		ix.moved[id] = keys
	}
	for _, e := range es {
		ix.maxID = max(ix.maxID, e.id)
	}
	ix.runs.add(es, ix.moved)
	if len(ix.moved) > maxMoved {
		for len(ix.runs) > 1 {
			n := len(ix.runs)
			ix.runs[n-2] = mergeRuns(ix.runs[n-2], ix.runs[n-1], ix.moved)
			ix.runs = ix.runs[:n-1]
		}
	}
	if len(ix.runs) <= 1 {
		// Every entry is in one run merged with moved applied (or none):
		// nothing older is left for moved to overrule.
		clear(ix.moved)
	}
}

// add makes es (which it may reorder) a run, merging runs to keep them
// few; the entries moved says are stale are dropped.
func (rs *bucketRuns) add(es []bucketEntry, moved map[uint32][]int64) {
	es = sortEntries(es)
	es = slices.CompactFunc(es, func(a, b bucketEntry) bool { return a.hash == b.hash && a.id == b.id })
	// A listing written twice in one transaction left entries of its
	// first buckets.
	es = slices.DeleteFunc(es, func(e bucketEntry) bool { return !isCurrent(e, moved, nil) })
	if len(es) == 0 {
		return
	}
	*rs = append(*rs, es)
	for n := len(*rs); n > 1 && len((*rs)[n-2]) < 2*len((*rs)[n-1]); n = len(*rs) {
		(*rs)[n-2] = mergeRuns((*rs)[n-2], (*rs)[n-1], moved)
		*rs = (*rs)[:n-1]
	}
}

// mergeRuns merges two sorted runs into one, dropping repeats and the
// entries moved says are stale.
func mergeRuns(a, b []bucketEntry, moved map[uint32][]int64) []bucketEntry {
	out := make([]bucketEntry, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		var e bucketEntry
		if j == len(b) || i < len(a) && a[i].compare(b[j]) <= 0 {
			e, i = a[i], i+1
		} else {
			e, j = b[j], j+1
		}
		if n := len(out); n > 0 && out[n-1].hash == e.hash && out[n-1].id == e.id {
			continue
		}
		if isCurrent(e, moved, nil) {
			out = append(out, e)
		}
	}
	return out
}

// isCurrent reports whether entry e is one of its listing's buckets now:
// the transaction's moved listings (may be nil) overrule the index's.
func isCurrent(e bucketEntry, moved, txMoved map[uint32][]int64) bool {
	keys, ok := txMoved[e.id]
	if !ok {
		if keys, ok = moved[e.id]; !ok {
			return true
		}
	}
	_, found := slices.BinarySearch(keys, e.hash)
	return found
}

// put records that the transaction wrote listing id of the agency with the
// buckets keys (listingKeys); existed says it was stored before.
func (bt *bucketTx) put(es []bucketEntry, id, agency int64, keys []int64, existed bool) ([]bucketEntry, error) {
	lid, err := smallID(id)
	if err != nil {
		return es, err
	}
	aid, err := smallID(agency)
	if err != nil {
		return es, err
	}
	if existed {
		bt.moved[lid] = keys
	}
	for _, k := range keys {
		es = append(es, bucketEntry{hash: k, id: lid, agency: aid})
	}
	return es, nil
}

// added makes es, entries put by the transaction, one of its runs.
func (bt *bucketTx) added(es []bucketEntry) { bt.runs.add(es, nil) }

// members returns, for each bucket key (sorted), the newest listings of
// other agencies than agency in it: of the bucketWindow newest members,
// whatever their agency, the newest bucketLimit of other agencies, newest
// first. It is what the bucket table's lookup answered (see groups).
func (bt *bucketTx) members(keys []int64, agency int64) map[int64][]int64 {
	runs := append(slices.Clone(bt.ix.runs), bt.runs...)
	pos := make([]int, len(runs))
	out := map[int64][]int64{}
	var in []bucketEntry
	for _, k := range keys {
		in = in[:0]
		for r, run := range runs {
			lo := gallop(run, pos[r], k)
			hi := len(run)
			if k < math.MaxInt64 {
				hi = gallop(run, lo, k+1)
			}
			pos[r] = hi
			// The run's newest current members: the bucket's newest
			// bucketWindow are among them.
			taken := 0
			for i := hi - 1; i >= lo && taken < bucketWindow; i-- {
				if e := run[i]; isCurrent(e, bt.ix.moved, bt.moved) {
					in = append(in, e)
					taken++
				}
			}
		}
		if len(in) == 0 {
			continue
		}
		slices.SortFunc(in, func(a, b bucketEntry) int { return cmp.Compare(b.id, a.id) })
		in = slices.CompactFunc(in, func(a, b bucketEntry) bool { return a.id == b.id })
		var ids []int64
		for _, e := range in[:min(len(in), bucketWindow)] {
			if int64(e.agency) != agency {
				ids = append(ids, int64(e.id))
				if len(ids) == bucketLimit {
					break
				}
			}
		}
		if len(ids) > 0 {
			out[k] = ids
		}
	}
	return out
}

// gallop returns the first position at or after from in run whose hash is
// not below k, searching outwards from from: keys looked up in order cost
// the log of the distance between them, not of the run.
func gallop(run []bucketEntry, from int, k int64) int {
	if from >= len(run) || run[from].hash >= k {
		return from
	}
	lo, step := from, 1 // run[lo].hash < k
	hi := from + step
	for hi < len(run) && run[hi].hash < k {
		lo, step = hi, step*2
		hi = from + step
	}
	hi = min(hi, len(run))
	i, _ := slices.BinarySearchFunc(run[lo+1:hi], k, func(e bucketEntry, k int64) int { return cmp.Compare(e.hash, k) })
	return lo + 1 + i
}

// sortEntries sorts es by (hash, id), in place: a radix sort by hash —
// the entries first spread in place over 256 parts by the hash's top
// byte, then each part sorted a byte at a time from the lowest through a
// buffer the size of one part, so that sorting an index needs about a
// 128th of its size more rather than twice it — then by id among equal
// hashes, which are few. A comparison sort of a 2,000,000-listing index
// (34 million entries) took seconds more.
func sortEntries(es []bucketEntry) []bucketEntry {
	if len(es) < 1<<12 {
		slices.SortFunc(es, bucketEntry.compare)
		return es
	}
	for _, e := range es {
		if e.hash < 0 { // not a key of dedupe's, which are positive
			slices.SortFunc(es, bucketEntry.compare)
			return es
		}
	}
	top := func(e bucketEntry) byte { return byte(uint64(e.hash) >> 56) }
	var count, start, next [256]int
	for _, e := range es {
		count[top(e)]++
	}
	largest, pos := 0, 0
	for b, c := range count {
		start[b], next[b] = pos, pos
		pos += c
		largest = max(largest, c)
	}
	// Each swap puts one entry in its part (American flag sort).
	for b := range 256 {
		end := start[b] + count[b]
		for next[b] < end {
			e := es[next[b]]
			t := top(e)
			if int(t) == b {
				next[b]++
				continue
			}
			es[next[b]], es[next[t]] = es[next[t]], e
			next[t]++
		}
	}
	tmp := make([]bucketEntry, largest)
	for b := range 256 {
		part := es[start[b] : start[b]+count[b]]
		if len(part) < 1<<12 {
			slices.SortFunc(part, func(x, y bucketEntry) int { return cmp.Compare(x.hash, y.hash) })
			continue
		}
		src, dst := part, tmp[:len(part)]
		for shift := 0; shift < 56; shift += 8 {
			var count [256]int
			for _, e := range src {
				count[byte(uint64(e.hash)>>shift)]++
			}
			if count[byte(uint64(src[0].hash)>>shift)] == len(src) {
				continue // every entry has this byte alike
			}
			pos := 0
			for b, c := range count {
				count[b] = pos
				pos += c
			}
			for _, e := range src {
				b := byte(uint64(e.hash) >> shift)
				dst[count[b]] = e
				count[b]++
			}
			src, dst = dst, src
		}
		if &src[0] != &part[0] {
			copy(part, src)
		}
	}
	for lo := 0; lo < len(es); {
		hi := lo + 1
		for hi < len(es) && es[hi].hash == es[lo].hash {
			hi++
		}
		if hi-lo > 1 {
			slices.SortFunc(es[lo:hi], bucketEntry.compare)
		}
		lo = hi
	}
	return es
}
