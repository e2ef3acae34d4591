package store

import (
	"context"
	"fmt"
	"time"

	"anken/internal/listing"
)

// Stamp is an open listing's id and when it last changed: what a sitemap
// lists of it.
type Stamp struct {
	ID        int64
	UpdatedAt time.Time
}

// OpenListingStamps returns up to limit open listings with an id above
// afterID, in id order: a keyset page, so a caller walks every open
// listing by passing the last id it got. Only the id and updated_at are
// read, never the listing's document.
func (s *Store) OpenListingStamps(ctx context.Context, afterID int64, limit int) ([]Stamp, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, updated_at FROM listings
		WHERE status = $1 AND id > $2 ORDER BY id LIMIT $3`, listing.StatusOpen, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: open listing stamps after %d: %w", afterID, err)
	}
	defer rows.Close()
	out := make([]Stamp, 0, min(limit, 1024))
	for rows.Next() {
		var st Stamp
		if err := rows.Scan(&st.ID, &st.UpdatedAt); err != nil {
			return nil, fmt.Errorf("store: open listing stamps after %d: %w", afterID, err)
		}
		st.UpdatedAt = st.UpdatedAt.UTC()
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: open listing stamps after %d: %w", afterID, err)
	}
	return out, nil
}
