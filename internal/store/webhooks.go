package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
)

// webhookPrefix starts every webhook signing secret.
const webhookPrefix = "whsec_"

// NewWebhookSecret issues a new webhook signing secret for the agency,
// replacing any earlier one, and returns it.
//
// The secret is stored as issued: checking an HMAC needs the secret
// itself, so a hash (as for API keys) cannot work. Encrypting it under a
// server key would only move the secret to the configuration, on the same
// host; what the secret guards (writing this agency's listings) is also
// what a reader of the database could do anyway. Rotate it with
// `anken agency webhook-secret SLUG`. Audited (WithAudit): target the
// agency.
func (s *Store) NewWebhookSecret(ctx context.Context, agencyID int64) (string, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("store: webhook secret: %w", err)
	}
	secret := webhookPrefix + hex.EncodeToString(b[:])
	err := s.inTx(ctx, false, func(tx *sql.Tx) error {
		slug, err := agencySlug(ctx, tx, agencyID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE agencies SET webhook_secret = $1 WHERE id = $2`, secret, agencyID); err != nil {
			return fmt.Errorf("store: webhook secret of agency %d: %w", agencyID, err)
		}
		return audit(ctx, tx, "agency "+slug, "")
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// WebhookSecret returns the agency with the slug and its webhook secret
// ("" when it has none), or ErrNotFound.
func (s *Store) WebhookSecret(ctx context.Context, slug string) (Agency, string, error) {
	var (
		a      Agency
		secret string
	)
	err := s.db.QueryRowContext(ctx, `SELECT id, slug, name, created_at, webhook_secret FROM agencies WHERE slug = $1`, slug).
		Scan(&a.ID, &a.Slug, &a.Name, &a.CreatedAt, &secret)
	if errors.Is(err, sql.ErrNoRows) {
		return Agency{}, "", fmt.Errorf("store: agency %q: %w", slug, ErrNotFound)
	}
	if err != nil {
		return Agency{}, "", fmt.Errorf("store: agency %q: %w", slug, err)
	}
	return a, secret, nil
}

// Idempotent is the stored answer to an API write sent with an
// Idempotency-Key.
type Idempotent struct {
	RequestHash string
	Status      int
	Response    []byte
}

// IdempotentAnswer returns the stored answer for the agency's key, or
// ErrNotFound.
func (s *Store) IdempotentAnswer(ctx context.Context, agency Agency, key string) (Idempotent, error) {
	var (
		a    Idempotent
		resp string
	)
	err := s.db.QueryRowContext(ctx, `SELECT request_hash, status, response FROM idempotency WHERE agency_id = $1 AND idem_key = $2`,
		agency.ID, key).Scan(&a.RequestHash, &a.Status, &resp)
	if errors.Is(err, sql.ErrNoRows) {
		return Idempotent{}, fmt.Errorf("store: idempotency key %q: %w", key, ErrNotFound)
	}
	if err != nil {
		return Idempotent{}, fmt.Errorf("store: idempotency key %q: %w", key, err)
	}
	a.Response = []byte(resp)
	return a, nil
}
