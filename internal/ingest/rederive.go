package ingest

import (
	"context"

	"anken/internal/listing"
	"anken/internal/store"
)

// payRule names the one-time re-derivation of stored listings' pay under
// the rule of DESIGN.md "Pay" (monthly pay at the stated workload, hourly
// pay, workload), which replaced every hourly rate at 160 hours.
const payRule = "pay-at-stated-workload"

// RederivePay brings every stored listing's derived pay (rate.monthly_*,
// rate.hourly_*, workload) under the current rule, once per store: it is
// derived from what the agency quoted and the days and hours it stated,
// which the stored listing keeps, so nothing needs to be sent again. It
// returns how many listings changed.
func RederivePay(ctx context.Context, st *store.Store) (int, error) {
	return st.Rederive(ctx, payRule, func(l *listing.Listing) bool {
		rate, workload := l.Rate, l.Workload
		l.DerivePay()
		return l.Rate != rate || l.Workload != workload
	})
}
