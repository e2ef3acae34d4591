// Package operate is what operators do to run anken: manage agencies,
// their keys and their profiles (which agencies also set, through the
// same rule), hide and restore listings, replay parked inbox items, read
// rejections and the audit log, and log in; and what an agency does in
// its own console (/agency), which operators open as well (console.go). The operator API (/v1/operator)
// and the operator pages (/ops) both call this one Service, so an action
// does the same thing whichever way it is asked: hiding a listing wakes the
// local index at once either way.
//
// Who may act, and the audit entry of each write, are the callers' (the
// entry travels in the context, store.WithAudit); what an action does is
// this package's.
package operate

import (
	"context"
	"time"

	"anken/internal/listing"
	"anken/internal/store"
)

// Store is what operators' work needs of the store; *store.Store is it.
type Store interface {
	OperatorByKey(ctx context.Context, key string) (store.Operator, error)
	CreateOperatorSession(ctx context.Context, operatorID int64, ttl time.Duration) (string, time.Time, error)
	OperatorBySession(ctx context.Context, token string) (store.Operator, error)
	EndOperatorSession(ctx context.Context, token string) error

	AgencySummaries(ctx context.Context) ([]store.AgencySummary, error)
	CreateAgency(ctx context.Context, slug, name string) (store.Agency, error)
	AgencyBySlug(ctx context.Context, slug string) (store.Agency, error)
	AgencyKeys(ctx context.Context, agencyID int64) ([]store.APIKey, error)
	CreateKey(ctx context.Context, agencyID int64) (string, error)
	RotateKey(ctx context.Context, agencyID int64) (string, int64, error)
	RevokeKeys(ctx context.Context, agencyID int64) (int64, error)
	RevokeKey(ctx context.Context, agencyID, keyID int64) error
	NewWebhookSecret(ctx context.Context, agencyID int64) (string, error)
	AgencyProfile(ctx context.Context, slug string) (store.AgencyProfile, error)
	SetAgencyProfile(ctx context.Context, agencyID int64, p store.AgencyProfile) (store.AgencyProfile, error)

	Listing(ctx context.Context, id int64) (listing.Listing, error)
	HideListing(ctx context.Context, id int64) (store.PutResult, error)
	RestoreListing(ctx context.Context, id int64) (store.PutResult, error)

	ParkedItems(ctx context.Context, slug string, limit int) ([]store.InboxItem, error)
	Replay(ctx context.Context, slug string, ids []int64) (int64, error)
	Rejections(ctx context.Context, agency store.Agency, f store.RejectionFilter) ([]store.Rejection, error)
	AuditLog(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error)

	// The agency console (console.go).
	AgencyByKey(ctx context.Context, key string) (store.Agency, error)
	CreateAgencySession(ctx context.Context, key string, ttl time.Duration) (store.Agency, string, time.Time, error)
	AgencyBySession(ctx context.Context, token string) (store.Agency, error)
	EndAgencySession(ctx context.Context, token string) error
	AgencyListings(ctx context.Context, agency store.Agency, offset, limit int) ([]listing.Listing, error)
	AgencyListingCounts(ctx context.Context, agency store.Agency) (map[listing.Status]int, error)
	AgencyListing(ctx context.Context, agency store.Agency, externalID string) (listing.Listing, error)
	FeedRuns(ctx context.Context, agency store.Agency, limit int) ([]store.FeedRun, error)
	FeedRun(ctx context.Context, agency store.Agency, id int64) (store.FeedRun, error)
	ConfirmRun(ctx context.Context, runID int64) (store.FeedRun, error)
	DiscardRun(ctx context.Context, runID int64) (store.FeedRun, error)
	AgencyTraffic(ctx context.Context, agency store.Agency, from, to string, listingID int64) (store.AgencyTraffic, error)
	RoleTraffic(ctx context.Context, from, to string) (map[listing.Role]store.TrafficCounts, error)
}

// Service carries out operators' actions. Safe for concurrent use.
type Service struct {
	st    Store
	wrote func()
}

// New returns the service over st. wrote is called after a write that
// changes what searches return (hiding, restoring), so the local index
// takes it in at once rather than at its next poll; nil for none.
func New(st Store, wrote func()) *Service {
	if wrote == nil {
		wrote = func() {}
	}
	return &Service{st: st, wrote: wrote}
}

// ByKey returns the operator whose key this is, or store.ErrNotFound
// (revoked keys included).
func (s *Service) ByKey(ctx context.Context, key string) (store.Operator, error) {
	return s.st.OperatorByKey(ctx, key)
}

// StartSession starts a session of the operator for the pages; it
// returns its token and when it ends.
func (s *Service) StartSession(ctx context.Context, operatorID int64, ttl time.Duration) (string, time.Time, error) {
	return s.st.CreateOperatorSession(ctx, operatorID, ttl)
}

// BySession returns the operator of a live session, or store.ErrNotFound.
func (s *Service) BySession(ctx context.Context, token string) (store.Operator, error) {
	return s.st.OperatorBySession(ctx, token)
}

// EndSession ends a session.
func (s *Service) EndSession(ctx context.Context, token string) error {
	return s.st.EndOperatorSession(ctx, token)
}

// Agencies returns every agency with its counts.
func (s *Service) Agencies(ctx context.Context) ([]store.AgencySummary, error) {
	return s.st.AgencySummaries(ctx)
}

// Agency returns the agency with the slug, or store.ErrNotFound.
func (s *Service) Agency(ctx context.Context, slug string) (store.Agency, error) {
	return s.st.AgencyBySlug(ctx, slug)
}

// CreateAgency adds an agency without a key.
func (s *Service) CreateAgency(ctx context.Context, slug, name string) (store.Agency, error) {
	return s.st.CreateAgency(ctx, slug, name)
}

// Keys returns the agency's API keys, newest first, revoked ones included.
func (s *Service) Keys(ctx context.Context, a store.Agency) ([]store.APIKey, error) {
	return s.st.AgencyKeys(ctx, a.ID)
}

// IssueKey issues another key of the agency; the key is returned once.
func (s *Service) IssueKey(ctx context.Context, a store.Agency) (string, error) {
	return s.st.CreateKey(ctx, a.ID)
}

// RotateKeys issues a key and revokes every other key of the agency at
// once; it returns the key and how many it revoked.
func (s *Service) RotateKeys(ctx context.Context, a store.Agency) (string, int64, error) {
	return s.st.RotateKey(ctx, a.ID)
}

// RevokeKeys revokes every key of the agency.
func (s *Service) RevokeKeys(ctx context.Context, a store.Agency) (int64, error) {
	return s.st.RevokeKeys(ctx, a.ID)
}

// RevokeKey revokes one key of the agency.
func (s *Service) RevokeKey(ctx context.Context, a store.Agency, keyID int64) error {
	return s.st.RevokeKey(ctx, a.ID, keyID)
}

// NewWebhookSecret issues the agency's webhook signing secret, replacing
// the one before; it is returned once.
func (s *Service) NewWebhookSecret(ctx context.Context, a store.Agency) (string, error) {
	return s.st.NewWebhookSecret(ctx, a.ID)
}

// Listing returns any listing, hidden and closed ones included.
func (s *Service) Listing(ctx context.Context, id int64) (listing.Listing, error) {
	return s.st.Listing(ctx, id)
}

// Hide takes the listing out of public view and wakes the local index.
func (s *Service) Hide(ctx context.Context, id int64) (store.PutResult, error) {
	return s.changed(s.st.HideListing(ctx, id))
}

// Restore puts a hidden listing back and wakes the local index.
func (s *Service) Restore(ctx context.Context, id int64) (store.PutResult, error) {
	return s.changed(s.st.RestoreListing(ctx, id))
}

func (s *Service) changed(res store.PutResult, err error) (store.PutResult, error) {
	if err == nil && res.Outcome != store.Unchanged {
		s.wrote()
	}
	return res, err
}

// Parked returns up to limit inbox items parked after failing repeatedly,
// of the agency with the slug ("" for every agency).
func (s *Service) Parked(ctx context.Context, slug string, limit int) ([]store.InboxItem, error) {
	return s.st.ParkedItems(ctx, slug, limit)
}

// Replay makes parked items pending again: those with the ids, or every
// parked item of the agency (slug) when ids is empty; it returns how many.
func (s *Service) Replay(ctx context.Context, slug string, ids []int64) (int64, error) {
	return s.st.Replay(ctx, slug, ids)
}

// Rejections returns what the agency sent that was not stored.
func (s *Service) Rejections(ctx context.Context, a store.Agency, f store.RejectionFilter) ([]store.Rejection, error) {
	return s.st.Rejections(ctx, a, f)
}

// AuditLog returns audit entries, newest first.
func (s *Service) AuditLog(ctx context.Context, f store.AuditFilter) ([]store.AuditEntry, error) {
	return s.st.AuditLog(ctx, f)
}
