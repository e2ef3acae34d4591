package catalog

import (
	"context"

	"anken/internal/listing"
	"anken/internal/problem"
)

// Offer reads the listing id as the agency slug offers it, for an apply
// link /go/{id}/{agency}: open or closed, with the apply URL that agency
// stored. A listing of another agency, a hidden one and one never stored
// are all NotFound, alike.
func (c *Catalog) Offer(ctx context.Context, id int64, agency string) (listing.Listing, error) {
	l, err := c.Store.Listing(ctx, id)
	if err != nil {
		ls, ok := c.fallback(err, []int64{id})
		if !ok {
			return listing.Listing{}, storeError(err)
		}
		l = ls[0]
	} else {
		c.recent.keep(nil, l)
	}
	if l.Status == listing.StatusHidden || l.Agency != agency {
		return listing.Listing{}, problem.Errorf(problem.NotFound, "no listing %d of agency %q", id, agency)
	}
	return l, nil
}
