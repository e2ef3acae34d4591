package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// What operators need of agencies, their keys and their own sessions.

// AgencySummary is an agency as operators list it.
type AgencySummary struct {
	Agency
	Open    int  // open listings
	Hidden  int  // listings an operator hid
	Keys    int  // live API keys
	Webhook bool // a webhook secret is issued
}

// AgencySummaries returns every agency by slug with its counts.
func (s *Store) AgencySummaries(ctx context.Context) ([]AgencySummary, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT a.id, a.slug, a.name, a.created_at, a.webhook_secret <> '',
			COALESCE(l.open, 0), COALESCE(l.hidden, 0),
			(SELECT COUNT(*) FROM api_keys k WHERE k.agency_id = a.id AND k.revoked_at IS NULL)
		FROM agencies a LEFT JOIN (
			SELECT agency_id,
				SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END) AS open,
				SUM(CASE WHEN status = 'hidden' THEN 1 ELSE 0 END) AS hidden
			FROM listings WHERE status IN ('open', 'hidden') GROUP BY agency_id
		) l ON l.agency_id = a.id
		ORDER BY a.slug`)
	if err != nil {
		return nil, fmt.Errorf("store: agency summaries: %w", err)
	}
	defer rows.Close()
	out := []AgencySummary{}
	for rows.Next() {
		var a AgencySummary
		if err := rows.Scan(&a.ID, &a.Slug, &a.Name, &a.CreatedAt, &a.Webhook, &a.Open, &a.Hidden, &a.Keys); err != nil {
			return nil, fmt.Errorf("store: agency summaries: %w", err)
		}
		a.CreatedAt = a.CreatedAt.UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}

// APIKey is an agency's key as operators see it: never the key itself.
type APIKey struct {
	ID        int64
	Prefix    string // the key's first characters, ak_1a2b3c
	CreatedAt time.Time
	RevokedAt time.Time // zero while live
}

// AgencyKeys returns the agency's keys, newest first, revoked ones
// included.
func (s *Store) AgencyKeys(ctx context.Context, agencyID int64) ([]APIKey, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT id, prefix, created_at, revoked_at FROM api_keys WHERE agency_id = $1 ORDER BY id DESC`, agencyID)
	if err != nil {
		return nil, fmt.Errorf("store: keys of agency %d: %w", agencyID, err)
	}
	defer rows.Close()
	out := []APIKey{}
	for rows.Next() {
		var (
			k       APIKey
			revoked sql.NullTime
		)
		if err := rows.Scan(&k.ID, &k.Prefix, &k.CreatedAt, &revoked); err != nil {
			return nil, fmt.Errorf("store: keys of agency %d: %w", agencyID, err)
		}
		k.CreatedAt, k.RevokedAt = k.CreatedAt.UTC(), revoked.Time.UTC()
		if !revoked.Valid {
			k.RevokedAt = time.Time{}
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// RotateKey issues a new key for the agency and revokes every other in
// the same transaction: from the commit on, only the new key works. It
// returns the new key and how many were revoked. Audited (WithAudit):
// target the agency, detail the new key's prefix and how many.
func (s *Store) RotateKey(ctx context.Context, agencyID int64) (string, int64, error) {
	key, err := newAgencyKey()
	if err != nil {
		return "", 0, err
	}
	var revoked int64
	err = s.inTx(ctx, false, func(tx *sql.Tx) error {
		slug, err := agencySlug(ctx, tx, agencyID)
		if err != nil {
			return err
		}
		now := s.now()
		r, err := tx.ExecContext(ctx, `UPDATE api_keys SET revoked_at = $1 WHERE agency_id = $2 AND revoked_at IS NULL`, now, agencyID)
		if err != nil {
			return fmt.Errorf("store: rotate key of agency %d: %w", agencyID, err)
		}
		revoked, _ = r.RowsAffected()
		if _, err := tx.ExecContext(ctx, `INSERT INTO api_keys (agency_id, hash, prefix, created_at) VALUES ($1, $2, $3, $4)`,
			agencyID, hashKey(key), key[:len(keyPrefix)+6], now); err != nil {
			return fmt.Errorf("store: rotate key of agency %d: %w", agencyID, err)
		}
		return audit(ctx, tx, "agency "+slug, fmt.Sprintf("key %s; %d revoked", key[:len(keyPrefix)+6], revoked))
	})
	if err != nil {
		return "", 0, err
	}
	return key, revoked, nil
}

func newAgencyKey() (string, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("store: create key: %w", err)
	}
	return keyPrefix + hex.EncodeToString(b[:]), nil
}

// RevokeKey revokes one live key of the agency; ErrNotFound when the
// agency has no live key with the id. Audited (WithAudit): target the
// agency, detail the key's id.
func (s *Store) RevokeKey(ctx context.Context, agencyID, keyID int64) error {
	return s.inTx(ctx, false, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND agency_id = $3 AND revoked_at IS NULL`,
			s.now(), keyID, agencyID)
		if err != nil {
			return fmt.Errorf("store: revoke key %d: %w", keyID, err)
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return fmt.Errorf("store: live key %d of agency %d: %w", keyID, agencyID, ErrNotFound)
		}
		slug, err := agencySlug(ctx, tx, agencyID)
		if err != nil {
			return err
		}
		return audit(ctx, tx, "agency "+slug, fmt.Sprintf("key %d revoked", keyID))
	})
}

// operatorSessionPrefix starts the token of an operator's page session.
const operatorSessionPrefix = "ops_"

// CreateOperatorSession starts a session of the operator's pages lasting
// ttl and returns its token, which only its SHA-256 is kept of. Sessions
// that have ended are removed on the way. Audited (WithAudit): a login.
func (s *Store) CreateOperatorSession(ctx context.Context, operatorID int64, ttl time.Duration) (string, time.Time, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", time.Time{}, fmt.Errorf("store: operator session: %w", err)
	}
	token := operatorSessionPrefix + hex.EncodeToString(b[:])
	now := s.now()
	expires := now.Add(ttl)
	err := s.inTx(ctx, false, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM operator_sessions WHERE expires_at < $1`, now); err != nil {
			return fmt.Errorf("store: operator session: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO operator_sessions (hash, operator_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
			hashKey(token), operatorID, now, expires); err != nil {
			return fmt.Errorf("store: operator session: %w", err)
		}
		return audit(ctx, tx, "", "")
	})
	if err != nil {
		return "", time.Time{}, err
	}
	return token, expires, nil
}

// OperatorBySession returns the operator of a live session whose key is
// not revoked, or ErrNotFound.
func (s *Store) OperatorBySession(ctx context.Context, token string) (Operator, error) {
	var o Operator
	err := s.db.QueryRowContext(ctx, `
		SELECT o.id, o.name, o.prefix, o.created_at
		FROM operator_sessions x JOIN operators o ON o.id = x.operator_id
		WHERE x.hash = $1 AND x.expires_at > $2 AND o.revoked_at IS NULL`,
		hashKey(token), s.now()).Scan(&o.ID, &o.Name, &o.Prefix, &o.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Operator{}, fmt.Errorf("store: operator session: %w", ErrNotFound)
	}
	if err != nil {
		return Operator{}, fmt.Errorf("store: operator session: %w", err)
	}
	return o, nil
}

// EndOperatorSession ends the session of the token, if there is one.
// Audited (WithAudit): a logout.
func (s *Store) EndOperatorSession(ctx context.Context, token string) error {
	return s.inTx(ctx, false, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM operator_sessions WHERE hash = $1`, hashKey(token)); err != nil {
			return fmt.Errorf("store: end operator session: %w", err)
		}
		return audit(ctx, tx, "", "")
	})
}
