package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"anken/internal/dedupe"
	"anken/internal/listing"
)

// Outcome says what a write did to a listing.
type Outcome string

const (
	Created   Outcome = "created"
	Updated   Outcome = "updated"
	Unchanged Outcome = "unchanged" // same content: no change logged
	Closed    Outcome = "closed"
)

// PutResult is the result of writing one listing.
type PutResult struct {
	ID      int64
	Seq     int64 // change-log sequence number; 0 when Unchanged
	Outcome Outcome
}

// PutListing creates or replaces one listing of the agency. See PutListings.
func (s *Store) PutListing(ctx context.Context, agency Agency, l *listing.Listing) (PutResult, error) {
	res, err := s.PutListings(ctx, agency, []*listing.Listing{l})
	if err != nil {
		return PutResult{}, err
	}
	return res[0], nil
}

// PutListings creates or replaces listings of one agency, keyed by
// external_id, in one transaction, and logs a change for each one whose
// content changed. The listings must be valid. It sets each listing's ID,
// Agency, UpdatedAt and GroupID (duplicates across agencies share a group,
// see groups.go); a zero PostedAt keeps the stored one (or is now).
func (s *Store) PutListings(ctx context.Context, agency Agency, ls []*listing.Listing) ([]PutResult, error) {
	res, err := s.Apply(ctx, []Work{{Agency: agency, Puts: ls}})
	if err != nil {
		return nil, err
	}
	return res[0].Puts, nil
}

// stored is a listing in the form the store keeps, computed before the
// write transaction where it can be: its doc (what the agency said,
// normalized, without the id, agency, group and update time, which live in
// columns), the doc's hash, and its MinHash signature.
type stored struct {
	doc    []byte
	hash   string
	sig    dedupe.Signature
	err    error
	posted bool // the listing came with its PostedAt; else the write gives it one
	// template is the doc of a listing without PostedAt, with a
	// placeholder for it (see prepareListing); nil when none could be
	// made.
	template []byte
}

// prepareListing computes what it can of l's stored form. Its doc depends
// on PostedAt: a listing without one takes the stored listing's, or the
// time of the write, known only in the transaction; its doc is encoded
// with a placeholder time (template), which the write replaces (stamp).
func prepareListing(l *listing.Listing) stored {
	st := stored{sig: dedupe.Sign(l.Title, l.Description), posted: !l.PostedAt.IsZero()}
	if st.posted {
		st.encode(l)
		return st
	}
	c := *l
	c.PostedAt = postedPlaceholder
	if st.encode(&c); st.err == nil && bytes.Count(st.doc, postedPlaceholderJSON) == 1 {
		st.template = st.doc
	}
	st.doc, st.hash, st.err = nil, "", nil
	return st
}

// postedPlaceholder is the PostedAt of a template doc, and
// postedPlaceholderJSON how it reads in the doc.
var (
	postedPlaceholder     = time.Unix(0, 0).UTC()
	postedPlaceholderJSON = []byte(`"posted_at":"1970-01-01T00:00:00Z"`)
)

func (st *stored) encode(l *listing.Listing) {
	c := *l
	c.ID, c.Agency, c.UpdatedAt, c.GroupID, c.FirstSeenAt = 0, "", time.Time{}, 0, time.Time{}
	st.doc, st.err = json.Marshal(&c)
	if st.err != nil {
		st.err = fmt.Errorf("encode listing: %w", st.err)
		return
	}
	h := sha256.Sum256(st.doc)
	st.hash = hex.EncodeToString(h[:])
}

// stamp gives l's doc its PostedAt, set by the write: the template with
// the time in place of the placeholder, which is what encoding l gives,
// without encoding it again in the single writer.
func (st *stored) stamp(l *listing.Listing) {
	t, err := l.PostedAt.MarshalJSON()
	if st.template == nil || err != nil {
		st.encode(l)
		return
	}
	st.doc = bytes.Replace(st.template, postedPlaceholderJSON, append([]byte(`"posted_at":`), t...), 1)
	h := sha256.Sum256(st.doc)
	st.hash, st.err = hex.EncodeToString(h[:]), nil
}

// segment is how many listings one round of batched statements writes. A
// put of listing columns has 13 parameters; SQLite allows 32,766 in one
// statement and PostgreSQL 65,535.
const segment = 500

// putAll writes ls, in order, in the writer's transaction, with a few
// statements per segment of listings rather than several per listing. run
// is the feed run carrying them (0 for none); carry marks the unchanged
// ones with it too (see carries), else they are not written at all. A
// segment never holds the same external id twice, so each one is looked
// up once and written once.
func (w *writer) putAll(ctx context.Context, agency Agency, ls []*listing.Listing, prep []stored, run int64, carry bool) ([]PutResult, error) {
	out := make([]PutResult, len(ls))
	seen := map[string]bool{}
	for start := 0; start < len(ls); {
		end := start
		clear(seen)
		for end < len(ls) && end-start < segment && !seen[ls[end].ExternalID] {
			seen[ls[end].ExternalID] = true
			end++
		}
		if err := w.putSegment(ctx, agency, ls[start:end], prep[start:end], run, carry, out[start:end]); err != nil {
			return nil, err
		}
		start = end
	}
	return out, nil
}

// current is what the store holds of a listing a put replaces.
type current struct {
	id        int64
	hash      string
	postedAt  time.Time
	firstSeen sql.NullTime
}

func (w *writer) putSegment(ctx context.Context, agency Agency, ls []*listing.Listing, prep []stored, run int64, carry bool, out []PutResult) error {
	old, err := w.current(ctx, agency, ls)
	if err != nil {
		return err
	}
	var (
		inserts []int   // indexes of new listings
		touched []int64 // unchanged listings the run carried
		changed []int   // indexes of new and changed listings
	)
	for i, l := range ls {
		p := &prep[i]
		o, exists := old[l.ExternalID]
		l.Agency = agency.Slug
		l.GroupID, l.UpdatedAt, l.FirstSeenAt = 0, time.Time{}, w.now
		if exists {
			l.FirstSeenAt = o.postedAt.UTC()
			if o.firstSeen.Valid {
				l.FirstSeenAt = o.firstSeen.Time.UTC()
			}
		}
		if !p.posted { // given again by a write tried again (errBucketsUnbuilt)
			l.PostedAt = w.now
			if exists {
				l.PostedAt = o.postedAt
			}
			p.stamp(l)
		} else if p.doc == nil && p.err == nil {
			p.encode(l)
		}
		if p.err != nil {
			return fmt.Errorf("store: put listing %q: %w", l.ExternalID, p.err)
		}
		if exists && p.hash == o.hash {
			// The stored row carries the group; read it back only when asked.
			l.ID = o.id
			out[i] = PutResult{ID: o.id, Outcome: Unchanged}
			if carry {
				touched = append(touched, o.id)
			}
			continue
		}
		changed = append(changed, i)
	}
	if len(changed) > 0 && !w.index.ready.Load() {
		return errBucketsUnbuilt
	}
	groups, err := w.groups(ctx, agency, ls, prep, changed)
	if err != nil {
		return err
	}
	for n, i := range changed {
		l, p := ls[i], &prep[i]
		o, exists := old[l.ExternalID]
		group := groups[n]
		if group == o.id && exists {
			group = 0
		}
		seq, err := w.nextSeq(ctx)
		if err != nil {
			return err
		}
		l.GroupID, l.UpdatedAt = group, w.now
		if !exists {
			inserts = append(inserts, i)
			out[i] = PutResult{Seq: seq, Outcome: Created}
			continue
		}
		if _, err := w.stmt(ctx,
			`UPDATE listings SET status = CASE WHEN status = 'hidden' THEN status ELSE $1 END, content_hash = $2, doc = $3, posted_at = $4, updated_at = $5, group_id = $6, minhash = $7, feed_run = $8, seq = $9, valid_through = $10 WHERE id = $11`).
			ExecContext(ctx, l.Status, p.hash, p.doc, l.PostedAt.UTC(), w.now, group, sigBlob(&p.sig, l.ApplyURL), run, seq, validThrough(l), o.id); err != nil {
			return fmt.Errorf("store: put listing %q: %w", l.ExternalID, err)
		}
		l.ID = o.id
		out[i] = PutResult{ID: o.id, Seq: seq, Outcome: Updated}
	}
	if err := w.insert(ctx, agency, ls, prep, run, inserts, out); err != nil {
		return err
	}
	for _, i := range changed {
		if ls[i].GroupID == 0 {
			ls[i].GroupID = ls[i].ID
		}
	}
	existed := make([]bool, len(changed))
	for n, i := range changed {
		_, existed[n] = old[ls[i].ExternalID]
	}
	if err := w.bucketAll(ctx, agency, ls, prep, changed, existed); err != nil {
		return err
	}
	return w.touch(ctx, run, touched)
}

// current returns what the store holds of the agency's listings ls, by
// external id.
func (w *writer) current(ctx context.Context, agency Agency, ls []*listing.Listing) (map[string]current, error) {
	args := make([]any, 0, len(ls)+1)
	args = append(args, agency.ID)
	for _, l := range ls {
		args = append(args, l.ExternalID)
	}
	rows, err := w.stmt(ctx, `SELECT external_id, id, content_hash, posted_at, first_seen FROM listings WHERE agency_id = `+
		w.dialect.params(1, 1)+` AND external_id IN (`+w.dialect.params(2, len(ls))+`)`).
		QueryContext(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("store: look up listings of %q: %w", agency.Slug, err)
	}
	defer rows.Close()
	out := make(map[string]current, len(ls))
	for rows.Next() {
		var (
			ext string
			c   current
		)
		if err := rows.Scan(&ext, &c.id, &c.hash, &c.postedAt, &c.firstSeen); err != nil {
			return nil, fmt.Errorf("store: look up listings of %q: %w", agency.Slug, err)
		}
		out[ext] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: look up listings of %q: %w", agency.Slug, err)
	}
	return out, nil
}

// insert writes the new listings ls[i] for i in idx with one statement and
// sets their ids.
func (w *writer) insert(ctx context.Context, agency Agency, ls []*listing.Listing, prep []stored, run int64, idx []int, out []PutResult) error {
	if len(idx) == 0 {
		return nil
	}
	const cols = 13
	var b strings.Builder
	b.WriteString(`INSERT INTO listings (agency_id, external_id, status, content_hash, doc, seq, posted_at, updated_at, group_id, minhash, feed_run, valid_through, first_seen) VALUES `)
	args := make([]any, 0, cols*len(idx))
	byExt := make(map[string]int, len(idx))
	for n, i := range idx {
		if n > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + w.dialect.params(n*cols+1, cols) + ")")
		l, p := ls[i], &prep[i]
		args = append(args, agency.ID, l.ExternalID, l.Status, p.hash, p.doc, out[i].Seq,
			l.PostedAt.UTC(), w.now, l.GroupID, sigBlob(&p.sig, l.ApplyURL), run, validThrough(l), w.now)
		byExt[l.ExternalID] = i
	}
	b.WriteString(` RETURNING id, external_id`)
	rows, err := w.stmt(ctx, b.String()).QueryContext(ctx, args...)
	if err != nil {
		return fmt.Errorf("store: insert listings of %q: %w", agency.Slug, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id  int64
			ext string
		)
		if err := rows.Scan(&id, &ext); err != nil {
			return fmt.Errorf("store: insert listings of %q: %w", agency.Slug, err)
		}
		i := byExt[ext]
		ls[i].ID, out[i].ID = id, id
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: insert listings of %q: %w", agency.Slug, err)
	}
	return nil
}

// validThrough is l's valid_through for its column (NULL when it has none),
// in UTC: SQLite compares times as the text the driver writes, which
// orders them only in one zone. See CloseExpired.
func validThrough(l *listing.Listing) any {
	if l.ValidThrough == nil {
		return nil
	}
	return l.ValidThrough.UTC()
}

// touch marks unchanged listings as carried by the feed run.
func (w *writer) touch(ctx context.Context, run int64, ids []int64) error {
	if run == 0 || len(ids) == 0 {
		return nil
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, run)
	for _, id := range ids {
		args = append(args, id)
	}
	if _, err := w.stmt(ctx, `UPDATE listings SET feed_run = `+w.dialect.params(1, 1)+` WHERE id IN (`+w.dialect.params(2, len(ids))+`)`).
		ExecContext(ctx, args...); err != nil {
		return fmt.Errorf("store: mark listings of run %d: %w", run, err)
	}
	return nil
}

// params returns n statement parameters from the first-th: "$2, $3, $4"
// on PostgreSQL, "?, ?, ?" on SQLite. Statements of many parameters use
// it: SQLite looks up each $n by name, which costs a scan of every name the
// statement has.
func (d dialect) params(first, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		if d == sqlite {
			b.WriteByte('?')
			continue
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(first + i))
	}
	return b.String()
}

// nextSeq returns the next change-log sequence number. The log is kept
// compacted on the listings themselves: a listing's seq is that of its
// latest change, and a follower reads the listings whose seq is above the
// last one it applied. Writers hold the log's lock (SQLite's write lock,
// PostgreSQL's advisory lock), so numbers commit in order.
func (w *writer) nextSeq(ctx context.Context) (int64, error) {
	if !w.seqRead {
		if err := w.tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM listings`).Scan(&w.seq); err != nil {
			return 0, fmt.Errorf("store: read change-log position: %w", err)
		}
		w.seqRead = true
	}
	w.seq++
	return w.seq, nil
}

// selectListing reads a listing for scanListing.
const selectListing = `SELECT l.id, a.slug, l.doc, l.group_id, l.updated_at, l.status, l.first_seen FROM listings l JOIN agencies a ON a.id = l.agency_id `

// scanListing reads a row of selectListing (after any leading columns
// given in dst).
func scanListing(sc interface{ Scan(...any) error }, dst ...any) (listing.Listing, error) {
	var r listingRow
	if err := r.scan(sc, dst...); err != nil {
		return listing.Listing{}, err
	}
	return r.listing()
}

// listingRow is a row of selectListing before its doc is decoded.
type listingRow struct {
	id, group int64
	agency    string
	doc       []byte
	updated   time.Time
	status    listing.Status
	firstSeen sql.NullTime // NULL: stored before anken kept it (its doc's posted_at then)
}

func (r *listingRow) scan(sc interface{ Scan(...any) error }, dst ...any) error {
	return sc.Scan(append(dst, &r.id, &r.agency, &r.doc, &r.group, &r.updated, &r.status, &r.firstSeen)...)
}

func (r *listingRow) listing() (listing.Listing, error) {
	l, err := decodeDoc(r.id, r.agency, r.doc)
	if err != nil {
		return listing.Listing{}, err
	}
	if r.status == listing.StatusHidden { // an operator's, over the agency's doc: see hide.go
		l.Status = r.status
	}
	l.GroupID, l.UpdatedAt, l.FirstSeenAt = r.group, r.updated.UTC(), l.PostedAt.UTC()
	if r.firstSeen.Valid {
		l.FirstSeenAt = r.firstSeen.Time.UTC()
	}
	if l.GroupID == 0 {
		l.GroupID = r.id
	}
	return l, nil
}

// decodeDoc decodes a stored doc. Group and update time live in columns:
// see scanListing.
func decodeDoc(id int64, agency string, doc []byte) (listing.Listing, error) {
	var l listing.Listing
	if err := json.Unmarshal(doc, &l); err != nil {
		return listing.Listing{}, fmt.Errorf("store: decode listing %d: %w", id, err)
	}
	l.ID, l.Agency = id, agency
	return l, nil
}

// CloseListing marks the agency's listing closed and logs the change.
// Closing a closed listing is Unchanged. It returns ErrNotFound when the
// agency has no listing with that external id. Audited (WithAudit):
// detail the listing and the outcome.
func (s *Store) CloseListing(ctx context.Context, agency Agency, externalID string) (PutResult, error) {
	var res PutResult
	err := s.write(ctx, func(w *writer) error {
		var err error
		if res, err = w.close(ctx, agency, externalID); err != nil {
			return err
		}
		return audit(ctx, w.tx, fmt.Sprintf("listing %d", res.ID), fmt.Sprintf("%s of %s: %s", externalID, agency.Slug, res.Outcome))
	})
	return res, err
}

func (w *writer) close(ctx context.Context, agency Agency, externalID string) (PutResult, error) {
	var (
		id  int64
		doc []byte
	)
	err := w.stmt(ctx, `SELECT id, doc FROM listings WHERE agency_id = $1 AND external_id = $2`).
		QueryRowContext(ctx, agency.ID, externalID).Scan(&id, &doc)
	if errors.Is(err, sql.ErrNoRows) {
		return PutResult{}, fmt.Errorf("store: listing %q of agency %q: %w", externalID, agency.Slug, ErrNotFound)
	}
	if err != nil {
		return PutResult{}, fmt.Errorf("store: close listing %q: %w", externalID, err)
	}
	return w.closeDoc(ctx, agency.Slug, id, doc)
}

// closeDoc closes the listing id whose stored doc is doc.
func (w *writer) closeDoc(ctx context.Context, agency string, id int64, doc []byte) (PutResult, error) {
	l, err := decodeDoc(id, agency, doc)
	if err != nil {
		return PutResult{}, err
	}
	if l.Status == listing.StatusClosed {
		return PutResult{ID: id, Outcome: Unchanged}, nil
	}
	l.Status = listing.StatusClosed
	var st stored
	if st.encode(&l); st.err != nil {
		return PutResult{}, fmt.Errorf("store: close listing %d: %w", id, st.err)
	}
	seq, err := w.nextSeq(ctx)
	if err != nil {
		return PutResult{}, err
	}
	if _, err := w.stmt(ctx, `UPDATE listings SET status = CASE WHEN status = 'hidden' THEN status ELSE $1 END, content_hash = $2, doc = $3, updated_at = $4, seq = $5 WHERE id = $6`).
		ExecContext(ctx, l.Status, st.hash, st.doc, w.now, seq, id); err != nil {
		return PutResult{}, fmt.Errorf("store: close listing %d: %w", id, err)
	}
	return PutResult{ID: id, Seq: seq, Outcome: Closed}, nil
}

// Listing returns the listing with the id, open or closed, or ErrNotFound.
func (s *Store) Listing(ctx context.Context, id int64) (listing.Listing, error) {
	return s.oneListing(ctx, selectListing+`WHERE l.id = $1`, id)
}

// AgencyListing returns the agency's listing with the external id, or
// ErrNotFound. It never returns another agency's listing.
func (s *Store) AgencyListing(ctx context.Context, agency Agency, externalID string) (listing.Listing, error) {
	return s.oneListing(ctx, selectListing+`WHERE l.agency_id = $1 AND l.external_id = $2`, agency.ID, externalID)
}

func (s *Store) oneListing(ctx context.Context, query string, args ...any) (listing.Listing, error) {
	l, err := scanListing(s.db.QueryRowContext(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return listing.Listing{}, fmt.Errorf("store: listing %v: %w", args, ErrNotFound)
	}
	if err != nil {
		return listing.Listing{}, fmt.Errorf("store: listing %v: %w", args, err)
	}
	return l, nil
}

// BackdateFirstSeen sets every listing's first_seen to its posted_at where
// that is earlier: for a generated demo store, as if anken had been
// running while the listings were posted, so 今日の新着 and posted_within
// read as they would on a running site. It returns how many changed.
func (s *Store) BackdateFirstSeen(ctx context.Context) (int64, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE listings SET first_seen = posted_at WHERE first_seen IS NULL OR posted_at < first_seen`)
	if err != nil {
		return 0, fmt.Errorf("store: backdate first seen: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
