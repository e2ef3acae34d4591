package store

import (
	"context"
	"encoding/binary"
	"fmt"
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

// bucketLimit is how many of the most recent listings of one bucket are
// candidates. Buckets of boilerplate text can grow large; reposts follow
// their original within days, so the newest members are the ones to check.
const bucketLimit = 16

var candidatesSQL = func() string {
	var b strings.Builder
	b.WriteString(`SELECT l.id, l.group_id, l.minhash, c.hash FROM (`)
	for i := range dedupe.Bands + 1 {
		if i > 0 {
			b.WriteString(" UNION ALL ")
		}
		fmt.Fprintf(&b, `SELECT * FROM (SELECT hash, listing_id FROM listing_bands WHERE hash = $%d ORDER BY listing_id DESC LIMIT %d) b%d`,
			i+1, bucketLimit, i)
	}
	fmt.Fprintf(&b, `) c JOIN listings l ON l.id = c.listing_id WHERE l.status = 'open' AND l.agency_id <> $%d`, dedupe.Bands+2)
	return b.String()
}()

func bandsInsertSQL(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO listing_bands (hash, listing_id) VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "($%d, $%d)", i+1, n+1)
	}
	b.WriteString(` ON CONFLICT DO NOTHING`)
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

var (
	bandsSQL    = bandsInsertSQL(dedupe.Bands)
	bandsURLSQL = bandsInsertSQL(dedupe.Bands + 1)
)

// group returns the group_id column value for l (0: its own group).
func (w *writer) group(ctx context.Context, agency Agency, id int64, l *listing.Listing, sig *dedupe.Signature) (int64, error) {
	if sig.IsZero() {
		return 0, nil
	}
	keys := sig.BandKeys()
	urlKey, hasURL := dedupe.URLKey(l.ApplyURL)
	if !hasURL {
		urlKey = -1 // keys are never negative
	}
	args := make([]any, 0, dedupe.Bands+2)
	for _, k := range keys {
		args = append(args, k)
	}
	args = append(args, urlKey, agency.ID)
	rows, err := w.stmt(ctx, candidatesSQL).QueryContext(ctx, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var (
		best      int64
		bestScore float64
		seen      = map[int64]bool{}
	)
	for rows.Next() {
		var (
			cid, cgroup, hash int64
			mh                []byte
		)
		if err := rows.Scan(&cid, &cgroup, &mh, &hash); err != nil {
			return 0, err
		}
		if cid == id {
			continue
		}
		if cgroup == 0 {
			cgroup = cid
		}
		score := 0.0
		if hash == urlKey {
			score = 2 // the same apply URL is the same job
		} else if !seen[cid] {
			seen[cid] = true
			other := dedupe.Parse(mh[:min(len(mh), 4*dedupe.Size)])
			if s := sig.Similarity(&other); s >= dedupe.Threshold {
				score = s
			}
		}
		if score > bestScore || (score == bestScore && score > 0 && cgroup < best) {
			best, bestScore = cgroup, score
		}
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if best == id {
		return 0, nil
	}
	return best, nil
}

// bucket replaces the listing's LSH buckets: those of its old signature
// (and any apply URL) go, those of the new one come.
func (w *writer) bucket(ctx context.Context, id int64, l *listing.Listing, sig *dedupe.Signature, oldSig []byte) error {
	if len(oldSig) >= 4*dedupe.Size {
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
		if _, err := w.stmt(ctx, bandsDeleteSQL).ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	if sig.IsZero() {
		return nil
	}
	keys := sig.BandKeys()
	args := make([]any, 0, dedupe.Bands+2)
	for _, k := range keys {
		args = append(args, k)
	}
	query := bandsSQL
	if k, ok := dedupe.URLKey(l.ApplyURL); ok {
		args = append(args, k)
		query = bandsURLSQL
	}
	args = append(args, id)
	_, err := w.stmt(ctx, query).ExecContext(ctx, args...)
	return err
}

// GroupListings returns the open listings of the duplicate group, every
// agency's offer of the same job, by id. A group with no open listing, or
// no such group, gives none.
func (s *Store) GroupListings(ctx context.Context, groupID int64) ([]listing.Listing, error) {
	rows, err := s.db.QueryContext(ctx, selectListing+
		`WHERE (l.group_id = $1 OR (l.id = $1 AND l.group_id = 0)) AND l.status = $2 ORDER BY l.id`,
		groupID, listing.StatusOpen)
	if err != nil {
		return nil, fmt.Errorf("store: group %d: %w", groupID, err)
	}
	defer rows.Close()
	var out []listing.Listing
	for rows.Next() {
		var (
			id     int64
			agency string
			doc    []byte
		)
		if err := rows.Scan(&id, &agency, &doc); err != nil {
			return nil, fmt.Errorf("store: group %d: %w", groupID, err)
		}
		l, err := decodeDoc(id, agency, doc)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: group %d: %w", groupID, err)
	}
	return out, nil
}
