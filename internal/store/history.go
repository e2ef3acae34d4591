package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// HistoryMax is how many viewed listings an engineer's 閲覧履歴 keeps.
const HistoryMax = 100

// Viewed is a listing an engineer opened (閲覧履歴), at its latest view.
type Viewed struct {
	ListingID int64     `json:"listing_id"`
	ViewedAt  time.Time `json:"viewed_at"`
}

// PutViewed records that the engineer opened the listing now: a listing
// opened again moves to the front, and past HistoryMax the oldest views
// are dropped, in the same transaction.
func (s *Store) PutViewed(ctx context.Context, engineerID, listingID int64) error {
	return s.inTx(ctx, false, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO viewed_listings (engineer_id, listing_id, viewed_at) VALUES ($1, $2, $3)
			ON CONFLICT (engineer_id, listing_id) DO UPDATE SET viewed_at = excluded.viewed_at`,
			engineerID, listingID, s.now()); err != nil {
			return fmt.Errorf("store: view listing %d: %w", listingID, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM viewed_listings WHERE engineer_id = $1 AND listing_id NOT IN (
			SELECT listing_id FROM viewed_listings WHERE engineer_id = $1 ORDER BY viewed_at DESC, listing_id DESC LIMIT $2)`,
			engineerID, HistoryMax); err != nil {
			return fmt.Errorf("store: trim history of engineer %d: %w", engineerID, err)
		}
		return nil
	})
}

// History returns the engineer's viewed listings, latest first.
func (s *Store) History(ctx context.Context, engineerID int64) ([]Viewed, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT listing_id, viewed_at FROM viewed_listings
		WHERE engineer_id = $1 ORDER BY viewed_at DESC, listing_id DESC`, engineerID)
	if err != nil {
		return nil, fmt.Errorf("store: history of engineer %d: %w", engineerID, err)
	}
	defer rows.Close()
	out := []Viewed{}
	for rows.Next() {
		var v Viewed
		if err := rows.Scan(&v.ListingID, &v.ViewedAt); err != nil {
			return nil, fmt.Errorf("store: history of engineer %d: %w", engineerID, err)
		}
		v.ViewedAt = v.ViewedAt.UTC()
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: history of engineer %d: %w", engineerID, err)
	}
	return out, nil
}

// ClearHistory forgets every listing the engineer viewed.
func (s *Store) ClearHistory(ctx context.Context, engineerID int64) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM viewed_listings WHERE engineer_id = $1`, engineerID); err != nil {
		return fmt.Errorf("store: clear history of engineer %d: %w", engineerID, err)
	}
	return nil
}
