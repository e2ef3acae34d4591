package operate

import (
	"context"
	"errors"
	"fmt"
	"time"

	"anken/internal/listing"
	"anken/internal/problem"
	"anken/internal/store"
)

// The agency console (/agency): an agency logs in with its API key and
// reads its listings, rejections, feed runs and counts, confirms or
// discards a held full feed, edits its profile and rotates its key. An
// operator opens any agency's console with the same methods, the agency
// named by its slug. Which agency a request may act for is the caller's
// to decide; every method here takes that agency and never reaches
// another's listings or runs.

// AgencyLogin starts a console session of the agency whose live key
// this is; store.ErrNotFound for a key that is not live. The session
// ends with the key (rotated or revoked).
func (s *Service) AgencyLogin(ctx context.Context, key string, ttl time.Duration) (store.Agency, string, time.Time, error) {
	return s.st.CreateAgencySession(ctx, key, ttl)
}

// AgencyByKey returns the agency of a live API key, or
// store.ErrNotFound.
func (s *Service) AgencyByKey(ctx context.Context, key string) (store.Agency, error) {
	return s.st.AgencyByKey(ctx, key)
}

// AgencyBySession returns the agency of a live console session, or
// store.ErrNotFound.
func (s *Service) AgencyBySession(ctx context.Context, token string) (store.Agency, error) {
	return s.st.AgencyBySession(ctx, token)
}

// AgencyLogout ends a console session.
func (s *Service) AgencyLogout(ctx context.Context, token string) error {
	return s.st.EndAgencySession(ctx, token)
}

// AgencyListings returns a page of the agency's listings, the last
// changed first, and its counts by state.
func (s *Service) AgencyListings(ctx context.Context, a store.Agency, offset, limit int) ([]listing.Listing, error) {
	return s.st.AgencyListings(ctx, a, offset, limit)
}

// AgencyListingCounts counts the agency's listings by state.
func (s *Service) AgencyListingCounts(ctx context.Context, a store.Agency) (map[listing.Status]int, error) {
	return s.st.AgencyListingCounts(ctx, a)
}

// AgencyListing returns the agency's listing with the external id, or
// store.ErrNotFound (another agency's too).
func (s *Service) AgencyListing(ctx context.Context, a store.Agency, externalID string) (listing.Listing, error) {
	return s.st.AgencyListing(ctx, a, externalID)
}

// AgencyTraffic sums the counts of the agency's listings (traffic.Reader).
func (s *Service) AgencyTraffic(ctx context.Context, a store.Agency, from, to string, listingID int64) (store.AgencyTraffic, error) {
	return s.st.AgencyTraffic(ctx, a, from, to, listingID)
}

// RoleTraffic sums the counts of every listing of each role, of every
// agency: what an agency's listing is compared with.
func (s *Service) RoleTraffic(ctx context.Context, from, to string) (map[listing.Role]store.TrafficCounts, error) {
	return s.st.RoleTraffic(ctx, from, to)
}

// FeedRuns returns the agency's last limit feed runs, newest first.
func (s *Service) FeedRuns(ctx context.Context, a store.Agency, limit int) ([]store.FeedRun, error) {
	return s.st.FeedRuns(ctx, a, limit)
}

// ConfirmRun closes what the agency's held full run would close
// (store.ConfirmRun) and wakes the local index. Another agency's run is
// NotFound, a run that is not held Conflict.
func (s *Service) ConfirmRun(ctx context.Context, a store.Agency, runID int64) (store.FeedRun, error) {
	if err := s.heldRun(ctx, a, runID); err != nil {
		return store.FeedRun{}, err
	}
	r, err := s.st.ConfirmRun(ctx, runID)
	if err == nil && r.Closed > 0 {
		s.wrote()
	}
	return r, err
}

// DiscardRun ends the agency's held full run closing nothing
// (store.DiscardRun). Another agency's run is NotFound, a run that is
// not held Conflict.
func (s *Service) DiscardRun(ctx context.Context, a store.Agency, runID int64) (store.FeedRun, error) {
	if err := s.heldRun(ctx, a, runID); err != nil {
		return store.FeedRun{}, err
	}
	return s.st.DiscardRun(ctx, runID)
}

// heldRun checks that the run is the agency's, before a write that names
// it by id alone.
func (s *Service) heldRun(ctx context.Context, a store.Agency, runID int64) error {
	_, err := s.st.FeedRun(ctx, a, runID)
	if errors.Is(err, store.ErrNotFound) {
		return problem.Errorf(problem.NotFound, "no feed run %d of %s", runID, a.Slug)
	}
	if err != nil {
		return fmt.Errorf("operate: feed run %d: %w", runID, err)
	}
	return nil
}
