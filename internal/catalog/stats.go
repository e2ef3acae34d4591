package catalog

import (
	"context"
	"time"

	"anken/internal/market"
	"anken/internal/problem"
	"anken/internal/search"
)

// Market figures: what /v1/stats, /v1/stats/trend and the market pages
// read. The index answers a search's figures (search.Index.Stats); the
// store keeps the daily snapshots the trends are drawn from.

// Stats answers the market figures of the listings q returns, with its
// collapse, of monthly or hourly pay as basis says; its page, sort,
// facets and cursor do not matter.
func (c *Catalog) Stats(ctx context.Context, q search.Query, basis search.Basis) (market.Stats, error) {
	s, err := c.Index.Stats(ctx, q, basis)
	if err != nil {
		return market.Stats{}, searchError(err)
	}
	return market.FromIndex(s, basis), nil
}

// Trend answers one point a day of q's market figures over the days days
// up to today (Asia/Tokyo), from the daily snapshots of the scope closest
// to q (market.ScopeOf says which, and whether it is exactly q). days is
// market.DefaultTrendDays when 0; beyond market.MaxTrendDays or below 0
// it is Unprocessable.
func (c *Catalog) Trend(ctx context.Context, q search.Query, days int) (market.Trend, error) {
	switch {
	case days == 0:
		days = market.DefaultTrendDays
	case days < 0 || days > market.MaxTrendDays:
		return market.Trend{}, problem.Field(problem.Unprocessable, "query.days", days, "must be from 1 to 730")
	}
	scope, exact := market.ScopeOf(q)
	from, to := market.Window(time.Now(), days)
	snaps, err := c.Store.MarketSnapshots(ctx, scope, from, to)
	if err != nil {
		return market.Trend{}, storeError(err)
	}
	return market.TrendOf(scope, exact, from, to, snaps), nil
}
