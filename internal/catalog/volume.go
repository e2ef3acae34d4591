package catalog

import (
	"context"
	"time"

	"anken/internal/search"
)

// BroadWeekly is how many listings a week a saved search may match before
// its engineer is asked to narrow it: more than a few hundred new listings
// a week is a search nobody reads mail for.
const BroadWeekly = 300

// WeeklyVolume counts the listings the search finds among those posted in
// the week before now, up to BroadWeekly+1 (it stops counting there), and
// reports whether that is more than BroadWeekly.
func (c *Catalog) WeeklyVolume(ctx context.Context, q search.Query, now time.Time) (n int, broad bool, err error) {
	since := now.AddDate(0, 0, -7)
	q.Sort, q.Cursor, q.Limit, q.Facets = search.SortNewest, "", search.MaxLimit, nil
	for {
		page, err := c.Search(ctx, q)
		if err != nil {
			return 0, false, err
		}
		for _, h := range page.Hits {
			if h.PostedAt.Before(since) {
				return n, false, nil
			}
			if n++; n > BroadWeekly {
				return n, true, nil
			}
		}
		if page.NextCursor == "" {
			return n, false, nil
		}
		q.Cursor = page.NextCursor
	}
}
