package ingest

import (
	"context"

	"anken/internal/listing"
	"anken/internal/normalize"
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

// experienceRule names the one-time reading of the years of experience
// (経験年数) stored listings require from their title and description:
// listings stored before the normalizer read them have none.
const experienceRule = "experience-from-text"

// RederiveExperience gives every stored listing without requirements of
// experience those its title and description state, once per store, as
// the normalizer would now read them; a listing that has some (read, or
// sent by its agency) is left as it is. It returns how many listings
// changed.
func RederiveExperience(ctx context.Context, st *store.Store) (int, error) {
	return st.Rederive(ctx, experienceRule, func(l *listing.Listing) bool {
		if len(l.Experience) > 0 {
			return false
		}
		l.Experience = normalize.ListingExperience(l.Title, l.Description)
		return len(l.Experience) > 0
	})
}
