package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"anken/internal/dedupe"
	"anken/internal/listing"
)

// Duplicate groups. Every stored listing has its MinHash signature (column
// minhash) and its LSH buckets (table listing_bands, one row per band plus
// one for the canonical apply URL). When a listing's content changes, its
// group is chosen in the same transaction from what the database holds, so
// any number of nodes agree: open listings of other agencies sharing a
// bucket are candidates; one with the same apply URL, or else the most
// similar at or above dedupe.Threshold, gives its group. The column
// group_id is 0 for "own group" (the listing's id), which lets a new
// listing be written before its id is known.

// bucketLimit is how many of the most recent listings of other agencies in
// one bucket are candidates. Buckets of boilerplate text can grow large; reposts follow
// their original within days, so the newest members are the ones to check.
const bucketLimit = 16

// bandsInsertSQL inserts n bucket rows.
func (d dialect) bandsInsertSQL(n int) string {
	var b strings.Builder
	if d == sqlite {
		// OR IGNORE: a statement that cannot abort needs no statement journal.
		b.WriteString(`INSERT OR IGNORE INTO listing_bands (hash, listing_id, agency_id) VALUES `)
	} else {
		b.WriteString(`INSERT INTO listing_bands (hash, listing_id, agency_id) VALUES `)
	}
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + d.params(3*i+1, 3) + ")")
	}
	if d == postgres {
		b.WriteString(` ON CONFLICT DO NOTHING`)
	}
	return b.String()
}

var bandsDeleteSQL = func() string {
	ph := make([]string, dedupe.Bands+1)
	for i := range ph {
		ph[i] = fmt.Sprintf("$%d", i+2)
	}
	return `DELETE FROM listing_bands WHERE listing_id = $1 AND hash IN (` + strings.Join(ph, ", ") + `)`
}()

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
	// In key order the lookups sweep the bucket index once instead of
	// seeking all over it: with the index larger than the page cache, that
	// is the difference between reading each page once and many times.
	slices.Sort(keys)
	// The candidates of each listing, with whether one shares its apply URL.
	members, err := w.bucketMembers(ctx, agency, keys)
	if err != nil {
		return nil, fmt.Errorf("store: duplicate candidates: %w", err)
	}
	// Each listing's candidates, by how many buckets they share with it.
	shared := make([]map[int64]*dedupe.Vote, len(idx))
	for k, cids := range members {
		for _, cid := range cids {
			for _, m := range byKey[k] {
				if shared[m.n] == nil {
					shared[m.n] = map[int64]*dedupe.Vote{}
				}
				v := shared[m.n][cid]
				if v == nil {
					v = &dedupe.Vote{ID: cid}
					shared[m.n][cid] = v
				}
				v.Bands++
				v.URL = v.URL || m.url
			}
		}
	}
	cands := make([][]dedupe.Vote, len(idx))
	ids := map[int64]bool{}
	for n, votes := range shared {
		for _, v := range votes {
			cands[n] = append(cands[n], *v)
		}
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
	for lo := 0; lo < len(list); lo += maxParams {
		chunk := list[lo:min(lo+maxParams, len(list))]
		args := make([]any, 0, len(chunk))
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := w.stmt(ctx, `SELECT id, group_id, minhash FROM listings WHERE status = 'open' AND id IN (`+w.dialect.params(1, len(chunk))+`)`).
			QueryContext(ctx, args...)
		if err != nil {
			return nil, fmt.Errorf("store: duplicate candidates: %w", err)
		}
		for rows.Next() {
			var (
				c  candidate
				id int64
				mh []byte
			)
			if err := rows.Scan(&id, &c.group, &mh); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: duplicate candidates: %w", err)
			}
			if c.group == 0 {
				c.group = id
			}
			c.sig = dedupe.Parse(mh[:min(len(mh), 4*dedupe.Size)])
			open[id] = &c
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: duplicate candidates: %w", err)
		}
	}
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

// bucketMembers returns, for each bucket key, the newest members of other
// agencies than agency (at most bucketLimit, newest first), in one
// statement for all keys.
func (w *writer) bucketMembers(ctx context.Context, agency Agency, keys []int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	var (
		rows *sql.Rows
		err  error
	)
	if w.dialect == sqlite {
		list, _ := json.Marshal(keys)
		rows, err = w.stmt(ctx, `SELECT k.value, (SELECT group_concat(listing_id) FROM (
				SELECT listing_id, agency_id FROM listing_bands WHERE hash = k.value ORDER BY listing_id DESC LIMIT `+strconv.Itoa(bucketWindow)+`
			) WHERE agency_id <> ?) FROM json_each(?) k`).QueryContext(ctx, agency.ID, string(list))
	} else {
		rows, err = w.stmt(ctx, `SELECT k, b.listing_id::text FROM unnest($1::bigint[]) k CROSS JOIN LATERAL (
				SELECT listing_id, agency_id FROM listing_bands WHERE hash = k ORDER BY listing_id DESC LIMIT `+strconv.Itoa(bucketWindow)+`
			) b WHERE b.agency_id <> $2`).QueryContext(ctx, keys, agency.ID)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			k   int64
			ids sql.NullString
		)
		if err := rows.Scan(&k, &ids); err != nil {
			return nil, err
		}
		if !ids.Valid || ids.String == "" {
			continue
		}
		for f := range strings.SplitSeq(ids.String, ",") {
			id, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("bucket member %q: %w", f, err)
			}
			out[k] = append(out[k], id)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for k, ids := range out {
		slices.SortFunc(ids, func(a, b int64) int { return cmp.Compare(b, a) })
		out[k] = ids[:min(len(ids), bucketLimit)]
	}
	return out, nil
}

// maxParams is how many parameters a batched lookup passes in one
// statement: below SQLite's limit of 32,766 and PostgreSQL's of 65,535.
const maxParams = 30000

// unbucket removes the LSH buckets of a listing's old signature (and any
// apply URL), stored as oldSig.
func (w *writer) unbucket(ctx context.Context, id int64, oldSig []byte) error {
	if len(oldSig) < 4*dedupe.Size {
		return nil
	}
	old := dedupe.Parse(oldSig[:4*dedupe.Size])
	args := []any{id}
	for _, k := range old.BandKeys() {
		args = append(args, k)
	}
	urlKey := int64(-1)
	if len(oldSig) == 4*dedupe.Size+8 {
		urlKey = int64(binary.LittleEndian.Uint64(oldSig[4*dedupe.Size:]))
	}
	args = append(args, urlKey)
	_, err := w.stmt(ctx, bandsDeleteSQL).ExecContext(ctx, args...)
	return err
}

// bandRows is how many bucket rows one statement inserts (three parameters
// each).
const bandRows = 3000

// bucketAll writes the LSH buckets of the listings ls[i] for i in idx, which
// have their ids.
func (w *writer) bucketAll(ctx context.Context, agency Agency, ls []*listing.Listing, prep []stored, idx []int) error {
	type band struct{ hash, id int64 }
	var bands []band
	for _, i := range idx {
		sig := &prep[i].sig
		if sig.IsZero() {
			continue
		}
		id := ls[i].ID
		for _, k := range sig.BandKeys() {
			bands = append(bands, band{k, id})
		}
		if k, ok := dedupe.URLKey(ls[i].ApplyURL); ok {
			bands = append(bands, band{k, id})
		}
	}
	// Written in key order, the rows land as one sweep over the index's
	// pages rather than one random page each (see groups).
	slices.SortFunc(bands, func(a, b band) int { return cmp.Or(cmp.Compare(a.hash, b.hash), cmp.Compare(a.id, b.id)) })
	args := make([]any, 0, 3*bandRows)
	for lo := 0; lo < len(bands); lo += bandRows {
		args = args[:0]
		for _, b := range bands[lo:min(lo+bandRows, len(bands))] {
			args = append(args, b.hash, b.id, agency.ID)
		}
		if _, err := w.stmt(ctx, w.dialect.bandsInsertSQL(len(args)/3)).ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("store: write duplicate buckets: %w", err)
		}
	}
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
