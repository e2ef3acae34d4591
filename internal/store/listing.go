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
// Agency and UpdatedAt; a zero PostedAt keeps the stored one (or is now).
func (s *Store) PutListings(ctx context.Context, agency Agency, ls []*listing.Listing) ([]PutResult, error) {
	now := time.Now().UTC().Truncate(time.Microsecond)
	out := make([]PutResult, len(ls))
	err := s.inTx(ctx, true, func(tx *sql.Tx) error {
		for i, l := range ls {
			r, err := s.put(ctx, tx, agency, l, now)
			if err != nil {
				return fmt.Errorf("store: put listing %q of agency %q: %w", l.ExternalID, agency.Slug, err)
			}
			out[i] = r
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Store) put(ctx context.Context, tx *sql.Tx, agency Agency, l *listing.Listing, now time.Time) (PutResult, error) {
	var (
		id       int64
		oldHash  string
		postedAt time.Time
		exists   = true
	)
	err := tx.QueryRowContext(ctx,
		`SELECT id, content_hash, posted_at FROM listings WHERE agency_id = $1 AND external_id = $2`,
		agency.ID, l.ExternalID).Scan(&id, &oldHash, &postedAt)
	if errors.Is(err, sql.ErrNoRows) {
		exists = false
	} else if err != nil {
		return PutResult{}, err
	}
	if l.PostedAt.IsZero() {
		if exists {
			l.PostedAt = postedAt
		} else {
			l.PostedAt = now
		}
	}
	l.Agency = agency.Slug
	doc, hash, err := encodeDoc(l)
	if err != nil {
		return PutResult{}, err
	}
	if exists && hash == oldHash {
		l.ID = id
		return PutResult{ID: id, Outcome: Unchanged}, nil
	}
	l.UpdatedAt = now
	if doc, _, err = encodeDoc(l); err != nil {
		return PutResult{}, err
	}
	outcome := Updated
	if exists {
		_, err = tx.ExecContext(ctx,
			`UPDATE listings SET status = $1, content_hash = $2, doc = $3, posted_at = $4, updated_at = $5 WHERE id = $6`,
			l.Status, hash, doc, l.PostedAt, now, id)
	} else {
		outcome = Created
		err = tx.QueryRowContext(ctx, `
			INSERT INTO listings (agency_id, external_id, status, content_hash, doc, seq, posted_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, 0, $6, $7) RETURNING id`,
			agency.ID, l.ExternalID, l.Status, hash, doc, l.PostedAt, now).Scan(&id)
	}
	if err != nil {
		return PutResult{}, err
	}
	l.ID = id
	seq, err := logChange(ctx, tx, id, "put", now)
	if err != nil {
		return PutResult{}, err
	}
	return PutResult{ID: id, Seq: seq, Outcome: outcome}, nil
}

func logChange(ctx context.Context, tx *sql.Tx, id int64, op string, at time.Time) (int64, error) {
	var seq int64
	err := tx.QueryRowContext(ctx,
		`INSERT INTO listing_changes (listing_id, op, at) VALUES ($1, $2, $3) RETURNING seq`, id, op, at).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("log change: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE listings SET seq = $1 WHERE id = $2`, seq, id); err != nil {
		return 0, fmt.Errorf("log change: %w", err)
	}
	return seq, nil
}

// encodeDoc returns the listing as stored (without id and agency, which live
// in columns) and the hash of its content (without updated_at).
func encodeDoc(l *listing.Listing) (doc string, hash string, err error) {
	c := *l
	c.ID, c.Agency = 0, ""
	updated := c.UpdatedAt
	c.UpdatedAt = time.Time{}
	b, err := json.Marshal(&c)
	if err != nil {
		return "", "", fmt.Errorf("encode listing: %w", err)
	}
	h := sha256.Sum256(b)
	if !updated.IsZero() {
		c.UpdatedAt = updated
		if b, err = json.Marshal(&c); err != nil {
			return "", "", fmt.Errorf("encode listing: %w", err)
		}
	}
	return string(b), hex.EncodeToString(h[:]), nil
}

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
// agency has no listing with that external id.
func (s *Store) CloseListing(ctx context.Context, agency Agency, externalID string) (PutResult, error) {
	var res PutResult
	err := s.inTx(ctx, true, func(tx *sql.Tx) error {
		var (
			id  int64
			doc []byte
		)
		err := tx.QueryRowContext(ctx,
			`SELECT id, doc FROM listings WHERE agency_id = $1 AND external_id = $2`,
			agency.ID, externalID).Scan(&id, &doc)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: listing %q of agency %q: %w", externalID, agency.Slug, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: close listing %q: %w", externalID, err)
		}
		l, err := decodeDoc(id, agency.Slug, doc)
		if err != nil {
			return err
		}
		if l.Status == listing.StatusClosed {
			res = PutResult{ID: id, Outcome: Unchanged}
			return nil
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		l.Status, l.UpdatedAt = listing.StatusClosed, now
		newDoc, hash, err := encodeDoc(&l)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx,
			`UPDATE listings SET status = $1, content_hash = $2, doc = $3, updated_at = $4 WHERE id = $5`,
			l.Status, hash, newDoc, now, id); err != nil {
			return fmt.Errorf("store: close listing %q: %w", externalID, err)
		}
		seq, err := logChange(ctx, tx, id, "close", now)
		if err != nil {
			return fmt.Errorf("store: close listing %q: %w", externalID, err)
		}
		res = PutResult{ID: id, Seq: seq, Outcome: Closed}
		return nil
	})
	return res, err
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
