package store

import (
	"cmp"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestBucketMembersMatchTable runs random writes through the in-memory
// bucket index — committed and rolled-back transactions, listings moved to
// other buckets, writes of other nodes caught up, runs merged — and checks
// every lookup against a model of the bucket table it replaced: one row
// per (bucket, listing), read newest first, bucketWindow rows, then the
// newest bucketLimit of other agencies.
func TestBucketMembersMatchTable(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	type row struct{ agency int64 }
	table := map[int64]map[int64]row{} // bucket → listing → row
	keysOf := map[int64][]int64{}      // listing → its buckets
	ix := &bucketIndex{moved: map[uint32][]int64{}}
	ix.ready.Store(true)
	nextID := int64(1)
	randKeys := func() []int64 {
		// A small key space, so that buckets fill past bucketWindow.
		ks := make([]int64, 1+r.IntN(5))
		for i := range ks {
			ks[i] = 1 + r.Int64N(40)
		}
		slices.Sort(ks)
		return slices.Compact(ks)
	}
	setRows := func(tbl map[int64]map[int64]row, keys map[int64][]int64, id, agency int64, ks []int64) {
		for _, k := range keys[id] {
			delete(tbl[k], id)
		}
		keys[id] = ks
		for _, k := range ks {
			if tbl[k] == nil {
				tbl[k] = map[int64]row{}
			}
			tbl[k][id] = row{agency}
		}
	}
	want := func(tbl map[int64]map[int64]row, k, agency int64) []int64 {
		var ids []int64
		for id := range tbl[k] {
			ids = append(ids, id)
		}
		slices.SortFunc(ids, func(a, b int64) int { return cmp.Compare(b, a) })
		var out []int64
		for _, id := range ids[:min(len(ids), bucketWindow)] {
			if tbl[k][id].agency != agency && len(out) < bucketLimit {
				out = append(out, id)
			}
		}
		return out
	}
	agencyOf := map[int64]int64{}
	for round := range 300 {
		// Another node's writes, caught up as begin does.
		if r.IntN(3) == 0 {
			var caught []bucketEntry
			// The change log holds a listing once, at its latest write.
			first := nextID
			for range 1 + r.IntN(20) {
				id := nextID
				if first > 1 && r.IntN(3) == 0 {
					id = 1 + r.Int64N(first-1)
					if slices.ContainsFunc(caught, func(e bucketEntry) bool { return e.id == uint32(id) }) {
						continue
					}
				} else {
					nextID++
					agencyOf[id] = 1 + r.Int64N(4)
				}
				ks := randKeys()
				if uint32(id) <= ix.maxID {
					ix.moved[uint32(id)] = ks
				}
				for _, k := range ks {
					caught = append(caught, bucketEntry{hash: k, id: uint32(id), agency: uint32(agencyOf[id])})
				}
				setRows(table, keysOf, id, agencyOf[id], ks)
			}
			ix.mu.Lock()
			ix.commit(caught, nil)
			ix.mu.Unlock()
		}
		// This node's transaction: a few segments of one agency's puts.
		ix.mu.Lock()
		bt := &bucketTx{ix: ix, moved: map[uint32][]int64{}}
		agency := 1 + r.Int64N(4)
		txTable := map[int64]map[int64]row{}
		for k, rows := range table {
			txTable[k] = maps.Clone(rows)
		}
		txKeys, agencies := maps.Clone(keysOf), maps.Clone(agencyOf)
		txNext := nextID
		for range 1 + r.IntN(3) {
			for k := int64(1); k <= 40; k++ {
				got, w := bt.members([]int64{k}, agency)[k], want(txTable, k, agency)
				if !slices.Equal(got, w) {
					t.Fatalf("round %d, bucket %d, agency %d: members %v, want %v", round, k, agency, got, w)
				}
			}
			var es []bucketEntry
			for range 1 + r.IntN(30) {
				id, existed := txNext, false
				var own []int64
				for id, a := range agencyOf {
					if a == agency && id < txNext {
						own = append(own, id)
					}
				}
				if len(own) > 0 && r.IntN(3) == 0 {
					id, existed = own[r.IntN(len(own))], true
				} else {
					txNext++
				}
				ks := randKeys()
				if r.IntN(10) == 0 {
					ks = nil // a listing without text
				}
				var err error
				if es, err = bt.put(es, id, agency, ks, existed); err != nil {
					t.Fatal(err)
				}
				setRows(txTable, txKeys, id, agency, ks)
				agencyOf[id] = agency
			}
			bt.added(es)
		}
		if r.IntN(4) == 0 {
			bt.end(false, 0) // rolled back: the index is as it was
			agencyOf = agencies
			continue
		}
		bt.end(true, 0)
		table, keysOf, nextID = txTable, txKeys, txNext
	}
	if len(ix.runs) > 12 {
		t.Errorf("%d runs: merging does not keep them few", len(ix.runs))
	}
}

// TestSortEntries checks the radix sort against a comparison sort: small
// hashes (one part), hashes over the whole range with parts large enough
// for the bytewise passes, and many equal hashes.
func TestSortEntries(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct {
		n    int
		hash func(i int) int64
	}{
		{0, nil}, {1, func(int) int64 { return 5 }},
		{100000, func(i int) int64 { return r.Int64N(1 << 20 * int64(1+i%3)) }},
		{100000, func(int) int64 { return r.Int64N(math.MaxInt64) }},
		{1 << 21, func(int) int64 { return r.Int64N(math.MaxInt64) }},
		{300000, func(int) int64 { return r.Int64N(1000) << 50 }},
	} {
		es := make([]bucketEntry, tc.n)
		for i := range es {
			es[i] = bucketEntry{hash: tc.hash(i), id: uint32(r.IntN(1000)), agency: 1}
		}
		want := slices.Clone(es)
		slices.SortFunc(want, bucketEntry.compare)
		if got := sortEntries(es); !slices.Equal(got, want) {
			t.Errorf("n=%d: radix order differs from (hash, id) order", tc.n)
		}
	}
}
