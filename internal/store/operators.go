package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
)

// Operator is a person who runs anken: edits guides and articles.
type Operator struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Prefix    string    `json:"prefix"` // the key's first characters, op_1a2b3c
	CreatedAt time.Time `json:"created_at"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
}

// OperatorKeyPrefix starts every operator key, as ak_ starts agency keys:
// a key found in a log says at once whose it is.
const OperatorKeyPrefix = "op_"

// CreateOperator adds an operator and returns it with its key. Only the
// key's SHA-256 is stored: the key cannot be shown again. A name taken is
// ErrConflict. Audited (WithAudit): target the operator, detail the key's
// prefix.
func (s *Store) CreateOperator(ctx context.Context, name string) (Operator, string, error) {
	if name == "" || utf8.RuneCountInString(name) > 100 || !utf8.ValidString(name) {
		return Operator{}, "", fmt.Errorf("store: operator name %q: use 1-100 characters", name)
	}
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return Operator{}, "", fmt.Errorf("store: create operator key: %w", err)
	}
	key := OperatorKeyPrefix + hex.EncodeToString(b[:])
	o := Operator{Name: name, Prefix: key[:len(OperatorKeyPrefix)+6], CreatedAt: s.now()}
	err := s.inTx(ctx, false, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx,
			`INSERT INTO operators (name, hash, prefix, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
			o.Name, hashKey(key), o.Prefix, o.CreatedAt).Scan(&o.ID)
		if isUniqueViolation(err) {
			return fmt.Errorf("store: operator %q: %w", name, ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("store: create operator %q: %w", name, err)
		}
		return audit(ctx, tx, "operator "+o.Name, "key "+o.Prefix)
	})
	if err != nil {
		return Operator{}, "", err
	}
	return o, key, nil
}

// OperatorByKey returns the operator of a live key, or ErrNotFound.
func (s *Store) OperatorByKey(ctx context.Context, key string) (Operator, error) {
	var o Operator
	err := s.db.QueryRowContext(ctx,
		`SELECT id, name, prefix, created_at FROM operators WHERE hash = $1 AND revoked_at IS NULL`, hashKey(key)).
		Scan(&o.ID, &o.Name, &o.Prefix, &o.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Operator{}, fmt.Errorf("store: operator key: %w", ErrNotFound)
	}
	if err != nil {
		return Operator{}, fmt.Errorf("store: operator key: %w", err)
	}
	return o, nil
}

// Operators returns every operator by name, revoked ones included.
func (s *Store) Operators(ctx context.Context) ([]Operator, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, prefix, created_at, revoked_at FROM operators ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: operators: %w", err)
	}
	defer rows.Close()
	var out []Operator
	for rows.Next() {
		var o Operator
		var revoked sql.NullTime
		if err := rows.Scan(&o.ID, &o.Name, &o.Prefix, &o.CreatedAt, &revoked); err != nil {
			return nil, fmt.Errorf("store: operators: %w", err)
		}
		o.RevokedAt = revoked.Time
		out = append(out, o)
	}
	return out, rows.Err()
}

// RevokeOperator revokes the named operator's key; ErrNotFound when no
// live operator has the name. The operator's edits stay attributed.
// Audited (WithAudit): target the operator.
func (s *Store) RevokeOperator(ctx context.Context, name string) error {
	return s.inTx(ctx, false, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`UPDATE operators SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL`,
			s.now(), name)
		if err != nil {
			return fmt.Errorf("store: revoke operator %q: %w", name, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: operator %q: %w", name, ErrNotFound)
		}
		return audit(ctx, tx, "operator "+name, "")
	})
}
