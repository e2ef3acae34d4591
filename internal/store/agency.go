package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"time"
)

// Agency is a listing provider (エージェント).
type Agency struct {
	ID        int64     `json:"id"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

var slugRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$`)

// ValidSlug reports whether s can name an agency: 1–40 characters of a-z,
// 0-9 and inner hyphens.
func ValidSlug(s string) bool { return slugRE.MatchString(s) }

// CreateAgency adds an agency. It returns ErrConflict if the slug is taken.
// Audited (WithAudit): target the agency, detail its name.
func (s *Store) CreateAgency(ctx context.Context, slug, name string) (Agency, error) {
	if !ValidSlug(slug) {
		return Agency{}, fmt.Errorf("store: agency slug %q: use 1-40 characters of a-z, 0-9 and inner hyphens", slug)
	}
	if name == "" {
		name = slug
	}
	a := Agency{Slug: slug, Name: name, CreatedAt: s.now()}
	err := s.inTx(ctx, false, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx,
			`INSERT INTO agencies (slug, name, created_at) VALUES ($1, $2, $3) RETURNING id`,
			a.Slug, a.Name, a.CreatedAt).Scan(&a.ID)
		if isUniqueViolation(err) {
			return fmt.Errorf("store: agency %q: %w", slug, ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("store: create agency %q: %w", slug, err)
		}
		return audit(ctx, tx, "agency "+a.Slug, a.Name)
	})
	if err != nil {
		return Agency{}, err
	}
	return a, nil
}

// AgencyBySlug returns the agency with the slug, or ErrNotFound.
func (s *Store) AgencyBySlug(ctx context.Context, slug string) (Agency, error) {
	var a Agency
	err := s.db.QueryRowContext(ctx,
		`SELECT id, slug, name, created_at FROM agencies WHERE slug = $1`, slug).
		Scan(&a.ID, &a.Slug, &a.Name, &a.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Agency{}, fmt.Errorf("store: agency %q: %w", slug, ErrNotFound)
	}
	if err != nil {
		return Agency{}, fmt.Errorf("store: agency %q: %w", slug, err)
	}
	return a, nil
}

// Agencies returns every agency by slug.
func (s *Store) Agencies(ctx context.Context) ([]Agency, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, slug, name, created_at FROM agencies ORDER BY slug`)
	if err != nil {
		return nil, fmt.Errorf("store: agencies: %w", err)
	}
	defer rows.Close()
	var out []Agency
	for rows.Next() {
		var a Agency
		if err := rows.Scan(&a.ID, &a.Slug, &a.Name, &a.CreatedAt); err != nil {
			return nil, fmt.Errorf("store: agencies: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// keyPrefix starts every API key so that leaked keys are easy to find.
const keyPrefix = "ak_"

// CreateKey makes a new API key for the agency and returns it. Only its
// SHA-256 is stored: the key cannot be shown again. Audited (WithAudit):
// target the agency, detail the key's prefix.
func (s *Store) CreateKey(ctx context.Context, agencyID int64) (string, error) {
	key, err := newAgencyKey()
	if err != nil {
		return "", err
	}
	err = s.inTx(ctx, false, func(tx *sql.Tx) error {
		slug, err := agencySlug(ctx, tx, agencyID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO api_keys (agency_id, hash, prefix, created_at) VALUES ($1, $2, $3, $4)`,
			agencyID, hashKey(key), key[:len(keyPrefix)+6], s.now()); err != nil {
			return fmt.Errorf("store: create key for agency %d: %w", agencyID, err)
		}
		return audit(ctx, tx, "agency "+slug, "key "+key[:len(keyPrefix)+6])
	})
	if err != nil {
		return "", err
	}
	return key, nil
}

// AgencyByKey returns the agency that owns a live API key, or ErrNotFound.
func (s *Store) AgencyByKey(ctx context.Context, key string) (Agency, error) {
	var a Agency
	err := s.db.QueryRowContext(ctx, `
		SELECT a.id, a.slug, a.name, a.created_at
		FROM api_keys k JOIN agencies a ON a.id = k.agency_id
		WHERE k.hash = $1 AND k.revoked_at IS NULL`, hashKey(key)).
		Scan(&a.ID, &a.Slug, &a.Name, &a.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Agency{}, fmt.Errorf("store: api key: %w", ErrNotFound)
	}
	if err != nil {
		return Agency{}, fmt.Errorf("store: api key: %w", err)
	}
	return a, nil
}

// RevokeKeys revokes every key of the agency and returns how many.
// Audited (WithAudit): target the agency, detail how many.
func (s *Store) RevokeKeys(ctx context.Context, agencyID int64) (int64, error) {
	var n int64
	err := s.inTx(ctx, false, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE api_keys SET revoked_at = $1 WHERE agency_id = $2 AND revoked_at IS NULL`,
			s.now(), agencyID)
		if err != nil {
			return fmt.Errorf("store: revoke keys of agency %d: %w", agencyID, err)
		}
		n, _ = res.RowsAffected()
		slug, err := agencySlug(ctx, tx, agencyID)
		if err != nil {
			return err
		}
		return audit(ctx, tx, "agency "+slug, fmt.Sprintf("%d keys revoked", n))
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// agencySlug reads the slug of the agency with the id in tx, for the
// target of an audit row; ErrNotFound when there is none.
func agencySlug(ctx context.Context, tx *sql.Tx, agencyID int64) (string, error) {
	var slug string
	err := tx.QueryRowContext(ctx, `SELECT slug FROM agencies WHERE id = $1`, agencyID).Scan(&slug)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: agency %d: %w", agencyID, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("store: agency %d: %w", agencyID, err)
	}
	return slug, nil
}

// hashKey is SHA-256: keys are 192 random bits, so a slow hash adds nothing.
func hashKey(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:])
}
