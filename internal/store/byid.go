package store

import (
	"context"
	"fmt"

	"anken/internal/listing"
)

// ListingsByID returns the listings with the ids, in the order given;
// ids with no listing are left out. It reads a search page in one query.
func (s *Store) ListingsByID(ctx context.Context, ids []int64) ([]listing.Listing, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	// The ids are integers, written into the statement so one query shape
	// serves any page size on both dialects.
	rows, err := s.db.QueryContext(ctx, selectListing+`WHERE l.id IN (`+idList(ids)+`)`)
	if err != nil {
		return nil, fmt.Errorf("store: listings by id: %w", err)
	}
	defer rows.Close()
	byID := make(map[int64]listing.Listing, len(ids))
	for rows.Next() {
		l, err := scanListing(rows)
		if err != nil {
			return nil, fmt.Errorf("store: listings by id: %w", err)
		}
		byID[l.ID] = l
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: listings by id: %w", err)
	}
	out := make([]listing.Listing, 0, len(ids))
	for _, id := range ids {
		if l, ok := byID[id]; ok {
			out = append(out, l)
		}
	}
	return out, nil
}
