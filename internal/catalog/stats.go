package catalog

import (
	"context"
	"errors"
	"time"

	"anken/internal/market"
	"anken/internal/problem"
	"anken/internal/search"
	"anken/internal/store"
)

// Market figures: what /v1/stats, /v1/stats/trend and the market pages
// read. The index answers a search's figures (search.Index.Stats); the
// store keeps the daily snapshots the trends are drawn from.

// TrendStore is what the trends need of the store; *store.Store has it.
type TrendStore interface {
	MarketSnapshots(ctx context.Context, scope, from, to string) ([]store.MarketSnapshot, error)
}

// errNoFigures is for a catalog over an index or store that cannot
// answer figures (a test's fake).
var errNoFigures = errors.New("catalog: the index or store here keeps no market figures")

// Stats answers the market figures of the listings q returns, with its
// collapse, of monthly or hourly pay as basis says; its page, sort,
// facets and cursor do not matter.
func (c *Catalog) Stats(ctx context.Context, q search.Query, basis search.Basis) (market.Stats, error) {
	x, ok := c.Index.(market.StatsIndex)
	if !ok {
		return market.Stats{}, problem.Wrap(problem.Internal, errNoFigures, "market figures are not available")
	}
	s, err := x.Stats(ctx, q, basis)
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
	st, ok := c.Store.(TrendStore)
	if !ok {
		return market.Trend{}, problem.Wrap(problem.Internal, errNoFigures, "market trends are not available")
	}
	scope, exact := market.ScopeOf(q)
	from, to := market.Window(time.Now(), days)
	snaps, err := st.MarketSnapshots(ctx, scope, from, to)
	if err != nil {
		return market.Trend{}, storeError(err)
	}
	return market.TrendOf(scope, exact, from, to, snaps), nil
}
