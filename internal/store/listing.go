package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
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

// put writes one listing in the writer's transaction. run is the feed run
// carrying it (0 for none).
func (w *writer) put(ctx context.Context, agency Agency, l *listing.Listing, sig *dedupe.Signature, run int64) (PutResult, error) {
	var (
		id       int64
		oldHash  string
		postedAt time.Time
		oldSig   []byte
		exists   = true
	)
	err := w.stmt(ctx, `SELECT id, content_hash, posted_at, minhash FROM listings WHERE agency_id = $1 AND external_id = $2`).
		QueryRowContext(ctx, agency.ID, l.ExternalID).Scan(&id, &oldHash, &postedAt, &oldSig)
	if errors.Is(err, sql.ErrNoRows) {
		exists = false
	} else if err != nil {
		return PutResult{}, err
	}
	if l.PostedAt.IsZero() {
		if exists {
			l.PostedAt = postedAt
		} else {
			l.PostedAt = w.now
		}
	}
	l.Agency = agency.Slug
	l.GroupID = 0
	l.UpdatedAt = time.Time{}
	hash, err := contentHash(l)
	if err != nil {
		return PutResult{}, err
	}
	if exists && hash == oldHash {
		if run != 0 {
			if _, err := w.stmt(ctx, `UPDATE listings SET feed_run = $1 WHERE id = $2`).ExecContext(ctx, run, id); err != nil {
				return PutResult{}, err
			}
		}
		// The stored doc carries the group; read it back only when asked.
		l.ID = id
		return PutResult{ID: id, Outcome: Unchanged}, nil
	}
	group, err := w.group(ctx, agency, id, l, sig)
	if err != nil {
		return PutResult{}, fmt.Errorf("group: %w", err)
	}
	l.GroupID = group
	l.UpdatedAt = w.now
	doc, err := json.Marshal(docOf(l))
	if err != nil {
		return PutResult{}, fmt.Errorf("encode listing: %w", err)
	}
	outcome := Updated
	if exists {
		_, err = w.stmt(ctx,
			`UPDATE listings SET status = $1, content_hash = $2, doc = $3, posted_at = $4, updated_at = $5, group_id = $6, minhash = $7, feed_run = $8 WHERE id = $9`).
			ExecContext(ctx, l.Status, hash, doc, l.PostedAt.UTC(), w.now, group, sigBlob(sig, l.ApplyURL), run, id)
	} else {
		outcome = Created
		err = w.stmt(ctx, `
			INSERT INTO listings (agency_id, external_id, status, content_hash, doc, seq, posted_at, updated_at, group_id, minhash, feed_run)
			VALUES ($1, $2, $3, $4, $5, 0, $6, $7, $8, $9, $10) RETURNING id`).
			QueryRowContext(ctx, agency.ID, l.ExternalID, l.Status, hash, doc, l.PostedAt.UTC(), w.now, group, sigBlob(sig, l.ApplyURL), run).Scan(&id)
	}
	if err != nil {
		return PutResult{}, err
	}
	l.ID = id
	if group == 0 {
		l.GroupID = id
	}
	if err := w.bucket(ctx, id, l, sig, oldSig); err != nil {
		return PutResult{}, fmt.Errorf("group: %w", err)
	}
	seq, err := w.logChange(ctx, id, "put")
	if err != nil {
		return PutResult{}, err
	}
	return PutResult{ID: id, Seq: seq, Outcome: outcome}, nil
}

func (w *writer) logChange(ctx context.Context, id int64, op string) (int64, error) {
	var seq int64
	err := w.stmt(ctx, `INSERT INTO listing_changes (listing_id, op, at) VALUES ($1, $2, $3) RETURNING seq`).
		QueryRowContext(ctx, id, op, w.now).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("log change: %w", err)
	}
	if _, err := w.stmt(ctx, `UPDATE listings SET seq = $1 WHERE id = $2`).ExecContext(ctx, seq, id); err != nil {
		return 0, fmt.Errorf("log change: %w", err)
	}
	return seq, nil
}

// docOf returns the listing as its doc stores it: without id and agency,
// which live in columns, and without a group of its own (group 0 is read
// back as the listing's id).
func docOf(l *listing.Listing) *listing.Listing {
	c := *l
	c.ID, c.Agency = 0, ""
	return &c
}

// contentHash is the hash of what the agency said: the listing without the
// fields anken sets (id, agency, updated_at, group).
func contentHash(l *listing.Listing) (string, error) {
	c := *l
	c.ID, c.Agency, c.UpdatedAt, c.GroupID = 0, "", time.Time{}, 0
	b, err := json.Marshal(&c)
	if err != nil {
		return "", fmt.Errorf("encode listing: %w", err)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:]), nil
}

func decodeDoc(id int64, agency string, doc []byte) (listing.Listing, error) {
	var l listing.Listing
	if err := json.Unmarshal(doc, &l); err != nil {
		return listing.Listing{}, fmt.Errorf("store: decode listing %d: %w", id, err)
	}
	l.ID, l.Agency = id, agency
	if l.GroupID == 0 {
		l.GroupID = id
	}
	return l, nil
}

// CloseListing marks the agency's listing closed and logs the change.
// Closing a closed listing is Unchanged. It returns ErrNotFound when the
// agency has no listing with that external id.
func (s *Store) CloseListing(ctx context.Context, agency Agency, externalID string) (PutResult, error) {
	var res PutResult
	err := s.write(ctx, func(w *writer) error {
		var err error
		res, err = w.close(ctx, agency, externalID)
		return err
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
	var stored listing.Listing // the doc as stored keeps group 0 for "own"
	if err := json.Unmarshal(doc, &stored); err != nil {
		return PutResult{}, fmt.Errorf("store: decode listing %d: %w", id, err)
	}
	stored.Status, stored.UpdatedAt = listing.StatusClosed, w.now
	hash, err := contentHash(&stored)
	if err != nil {
		return PutResult{}, err
	}
	newDoc, err := json.Marshal(&stored)
	if err != nil {
		return PutResult{}, fmt.Errorf("store: encode listing %d: %w", id, err)
	}
	if _, err := w.stmt(ctx, `UPDATE listings SET status = $1, content_hash = $2, doc = $3, updated_at = $4 WHERE id = $5`).
		ExecContext(ctx, stored.Status, hash, newDoc, w.now, id); err != nil {
		return PutResult{}, fmt.Errorf("store: close listing %d: %w", id, err)
	}
	seq, err := w.logChange(ctx, id, "close")
	if err != nil {
		return PutResult{}, fmt.Errorf("store: close listing %d: %w", id, err)
	}
	return PutResult{ID: id, Seq: seq, Outcome: Closed}, nil
}

const selectListing = `SELECT l.id, a.slug, l.doc FROM listings l JOIN agencies a ON a.id = l.agency_id `

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
	var (
		id     int64
		agency string
		doc    []byte
	)
	err := s.db.QueryRowContext(ctx, query, args...).Scan(&id, &agency, &doc)
	if errors.Is(err, sql.ErrNoRows) {
		return listing.Listing{}, fmt.Errorf("store: listing %v: %w", args, ErrNotFound)
	}
	if err != nil {
		return listing.Listing{}, fmt.Errorf("store: listing %v: %w", args, err)
	}
	return decodeDoc(id, agency, doc)
}
