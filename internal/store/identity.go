package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Identity returns the store's identity: a random id migration 00010 made
// once for the database. Every node sharing the database reads the same,
// a backup restored carries it, another database has another.
func (s *Store) Identity(ctx context.Context) (string, error) {
	var id string
	if err := s.db.QueryRowContext(ctx, `SELECT id FROM store_identity WHERE one = 1`).Scan(&id); err != nil {
		return "", fmt.Errorf("store: identity: %w", err)
	}
	return id, nil
}

// Mark is a listing's latest change: its sequence number in the change log
// and when it was stored. A listing's mark only moves forward (listings
// are never deleted), so a mark seen once tells whether a store's log
// holds the history seen then.
type Mark struct {
	ID  int64
	Seq int64
	At  time.Time // the listing's updated_at, as Changes gives it
}

// MarkOf returns listing id's mark; the zero Mark when there is no such
// listing.
func (s *Store) MarkOf(ctx context.Context, id int64) (Mark, error) {
	return s.mark(ctx, `WHERE id = $1`, id)
}

// MarkAt returns the mark of the listing whose latest change has sequence
// number seq; the zero Mark when none has (that listing changed again
// since, or nothing was written at seq).
func (s *Store) MarkAt(ctx context.Context, seq int64) (Mark, error) {
	return s.mark(ctx, `WHERE seq = $1`, seq)
}

func (s *Store) mark(ctx context.Context, where string, arg int64) (Mark, error) {
	var m Mark
	err := s.db.QueryRowContext(ctx, `SELECT id, seq, updated_at FROM listings `+where, arg).Scan(&m.ID, &m.Seq, &m.At)
	if errors.Is(err, sql.ErrNoRows) {
		return Mark{}, nil
	}
	if err != nil {
		return Mark{}, fmt.Errorf("store: mark %s %d: %w", where, arg, err)
	}
	m.At = m.At.UTC()
	return m, nil
}
