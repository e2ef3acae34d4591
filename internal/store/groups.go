package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"

	"anken/internal/dedupe"
	"anken/internal/listing"
)

// Duplicate groups. Every stored listing has its MinHash signature (column
// minhash) and so its LSH buckets, one per band plus one for the canonical
// apply URL, held in memory by each Store (buckets.go) and caught up from
// the listings in the write transaction. When a listing's content
// changes, its group is chosen in that transaction from what the database
// holds, so any number of nodes agree: open listings of other agencies
// sharing a bucket are candidates; one with the same apply URL, or else
// the most similar at or above dedupe.Threshold, gives its group. The
// column group_id is 0 for "own group" (the listing's id), which lets a
// new listing be written before its id is known.

// bucketLimit is how many of the most recent listings of other agencies in
// one bucket are candidates. Buckets of boilerplate text can grow large; reposts follow
// their original within days, so the newest members are the ones to check.
const bucketLimit = 16

// sigBlob is what the minhash column holds: the signature, then the
// apply URL's bucket key when there is one.
func sigBlob(sig *dedupe.Signature, applyURL string) []byte {
	b := sig.Bytes()
	if k, ok := dedupe.URLKey(applyURL); ok {
		b = binary.LittleEndian.AppendUint64(b, uint64(k))
	}
	return b
}

// groups returns the group_id column value (0: its own group) of each
// listing ls[i], i in idx, of the agency. Candidates are open listings of
// other agencies sharing an LSH bucket with it: one with the same apply
// URL, or else the most similar at or above dedupe.Threshold, gives its
// group. No listing of the agency is a candidate for another, so one
// lookup serves them all: the buckets' members, then the members' groups
// and signatures.
func (w *writer) groups(ctx context.Context, agency Agency, ls []*listing.Listing, prep []stored, idx []int) ([]int64, error) {
	out := make([]int64, len(idx))
	type member struct {
		n   int // index into idx
		url bool
	}
	byKey := map[int64][]member{}
	var keys []int64
	add := func(k int64, m member) {
		if _, ok := byKey[k]; !ok {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], m)
	}
	for n, i := range idx {
		sig := &prep[i].sig
		if sig.IsZero() {
			continue
		}
		for _, k := range sig.BandKeys() {
			add(k, member{n: n})
		}
		if k, ok := dedupe.URLKey(ls[i].ApplyURL); ok {
			add(k, member{n: n, url: true})
		}
	}
	if len(keys) == 0 {
		return out, nil
	}
	// In key order the lookups walk each run of the index once.
	slices.Sort(keys)
	// The candidates of each listing, with whether one shares its apply URL.
	bt, err := w.buckets(ctx)
	if err != nil {
		return nil, err
	}
	members := bt.members(keys, agency.ID)
	// Each listing's candidates, by how many buckets they share with it:
	// one hit per (listing, candidate, bucket), sorted and counted.
	type hit struct {
		n   int
		id  int64
		url bool
	}
	var hits []hit
	for k, cids := range members {
		for _, m := range byKey[k] {
			for _, cid := range cids {
				hits = append(hits, hit{n: m.n, id: cid, url: m.url})
			}
		}
	}
	slices.SortFunc(hits, func(a, b hit) int { return cmp.Or(cmp.Compare(a.n, b.n), cmp.Compare(a.id, b.id)) })
	cands := make([][]dedupe.Vote, len(idx))
	for lo := 0; lo < len(hits); {
		v := dedupe.Vote{ID: hits[lo].id}
		hi := lo
		for ; hi < len(hits) && hits[hi].n == hits[lo].n && hits[hi].id == v.ID; hi++ {
			v.Bands++
			v.URL = v.URL || hits[hi].url
		}
		cands[hits[lo].n] = append(cands[hits[lo].n], v)
		lo = hi
	}
	ids := map[int64]bool{}
	for n := range cands {
		cands[n] = dedupe.TopVotes(cands[n])
		for _, v := range cands[n] {
			ids[v.ID] = true
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	type candidate struct {
		group int64
		sig   dedupe.Signature
	}
	open := make(map[int64]*candidate, len(ids))
	list := make([]int64, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	// In id order, the reads walk the table forward. One statement of
	// one parameter, prepared once per transaction.
	slices.Sort(list)
	var rows *sql.Rows
	if w.dialect == sqlite {
		arr, _ := json.Marshal(list)
		rows, err = w.stmt(ctx, `SELECT id, group_id, minhash FROM listings WHERE status = 'open' AND id IN (SELECT value FROM json_each(?))`).
			QueryContext(ctx, string(arr))
	} else {
		rows, err = w.stmt(ctx, `SELECT id, group_id, minhash FROM listings WHERE status = 'open' AND id = ANY($1::bigint[])`).
			QueryContext(ctx, list)
	}
	if err != nil {
		return nil, fmt.Errorf("store: duplicate candidates: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			c  candidate
			id int64
			mh []byte
		)
		if err := rows.Scan(&id, &c.group, &mh); err != nil {
			return nil, fmt.Errorf("store: duplicate candidates: %w", err)
		}
		if c.group == 0 {
			c.group = id
		}
		c.sig = dedupe.Parse(mh[:min(len(mh), 4*dedupe.Size)])
		open[id] = &c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: duplicate candidates: %w", err)
	}
	rows.Close()
	// The decision is dedupe's; the store hands it the candidates.
	var cs []dedupe.Candidate
	for n, i := range idx {
		cs = cs[:0]
		for _, v := range cands[n] {
			if c := open[v.ID]; c != nil {
				cs = append(cs, dedupe.Candidate{Group: c.group, Sig: c.sig, URL: v.URL})
			}
		}
		out[n] = dedupe.Choose(&prep[i].sig, cs)
	}
	return out, nil
}

// bucketWindow is how many of a bucket's newest members are read for each
// lookup, whatever their agency: the cost of a lookup stays bounded in a
// bucket of one agency's boilerplate. Of them, the newest bucketLimit of
// other agencies are candidates.
const bucketWindow = 64

// bucketAll records the LSH buckets of the listings ls[i] for i in idx,
// which have their ids; existed[n] says ls[idx[n]] was stored before, so
// its older buckets are dropped.
func (w *writer) bucketAll(ctx context.Context, agency Agency, ls []*listing.Listing, prep []stored, idx []int, existed []bool) error {
	if len(idx) == 0 {
		return nil
	}
	bt, err := w.buckets(ctx)
	if err != nil {
		return err
	}
	var es []bucketEntry
	for n, i := range idx {
		if es, err = bt.put(es, ls[i].ID, agency.ID, listingKeys(sigBlob(&prep[i].sig, ls[i].ApplyURL)), existed[n]); err != nil {
			return fmt.Errorf("store: duplicate buckets of listing %d: %w", ls[i].ID, err)
		}
	}
	bt.added(es)
	return nil
}

// GroupListings returns the open listings of the duplicate group, every
// agency's offer of the same job, by id. A group with no open listing, or
// no such group, gives none.
func (s *Store) GroupListings(ctx context.Context, groupID int64) ([]listing.Listing, error) {
	rows, err := s.db.QueryContext(ctx, selectListing+
		// Two lookups by index: an OR across the columns made SQLite walk
		// every open listing (0.3 s at 200,000 listings for each page).
		`WHERE l.id IN (SELECT id FROM listings WHERE group_id = $1
			UNION ALL SELECT id FROM listings WHERE id = $1 AND group_id = 0)
		AND l.status = $2 ORDER BY l.id`,
		groupID, listing.StatusOpen)
	if err != nil {
		return nil, fmt.Errorf("store: group %d: %w", groupID, err)
	}
	defer rows.Close()
	var out []listing.Listing
	for rows.Next() {
		l, err := scanListing(rows)
		if err != nil {
			return nil, fmt.Errorf("store: group %d: %w", groupID, err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: group %d: %w", groupID, err)
	}
	return out, nil
}
