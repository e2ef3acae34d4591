package main

import (
	"log/slog"

	"anken/internal/market"
	"anken/internal/search"
	"anken/internal/search/follow"
	"anken/internal/store"
)

// marketDaily is the job that takes the day's market snapshots from this
// node's index once its index is loaded, when no other node has (a lease
// in the store). With --demo, a store without history starts with
// market.HistoryDays of generated history, so the trend charts of a fresh
// demo are not empty.
func marketDaily(st *store.Store, idx *search.Index, f *follow.Follower, log *slog.Logger, withDemo bool) *market.Daily {
	d := &market.Daily{Store: st, Index: idx, Log: log, Ready: f.Ready}
	if withDemo {
		d.History = func(today []store.MarketSnapshot) []store.MarketSnapshot {
			return market.History(today, market.HistoryDays, 1)
		}
	}
	return d
}
