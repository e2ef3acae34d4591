package store

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"
)

// Rejection is a row or item that was not stored, and why: a feed row that
// did not parse or validate, an API listing that failed validation, or an
// inbox item parked after its last attempt.
type Rejection struct {
	ID         int64
	Source     string
	RunID      int64
	InboxID    int64
	Line       int
	ExternalID string
	Field      string
	Reason     string
	At         time.Time
}

// maxReason bounds what one rejection keeps of a message.
const maxReason = 1000

func (w *writer) reject(ctx context.Context, agency Agency, r *Rejection) error {
	r.At = w.now
	r.Reason = clip(r.Reason, maxReason)
	r.ExternalID = clip(r.ExternalID, 200)
	r.Field = clip(r.Field, 100)
	var run, inbox any
	if r.RunID != 0 {
		run = r.RunID
	}
	if r.InboxID != 0 {
		inbox = r.InboxID
	}
	err := w.stmt(ctx, `INSERT INTO rejections (agency_id, source, run_id, inbox_id, line, external_id, field, reason, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`).
		QueryRowContext(ctx, agency.ID, r.Source, run, inbox, r.Line, r.ExternalID, r.Field, r.Reason, r.At).Scan(&r.ID)
	if err != nil {
		return fmt.Errorf("store: record rejection: %w", err)
	}
	return nil
}

// clip shortens s to at most n bytes of valid UTF-8.
func clip(s string, n int) string {
	if !utf8.ValidString(s) {
		s = string([]rune(s)) // replaces invalid bytes with U+FFFD
	}
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// RejectionFilter selects rejections of one agency.
type RejectionFilter struct {
	After int64 // only ids above this (the cursor)
	RunID int64 // only this feed run's; 0 for all
	Limit int   // at most this many (100 when 0)
}

// Rejections returns the agency's rejections, newest last, after the
// filter's cursor.
func (s *Store) Rejections(ctx context.Context, agency Agency, f RejectionFilter) ([]Rejection, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	rows, err := s.db.QueryContext(ctx, `
		SELECT id, source, COALESCE(run_id, 0), COALESCE(inbox_id, 0), line, external_id, field, reason, at
		FROM rejections WHERE agency_id = $1 AND id > $2 AND ($3 = 0 OR run_id = $3)
		ORDER BY id LIMIT $4`, agency.ID, f.After, f.RunID, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("store: rejections of %q: %w", agency.Slug, err)
	}
	defer rows.Close()
	out := []Rejection{}
	for rows.Next() {
		var r Rejection
		if err := rows.Scan(&r.ID, &r.Source, &r.RunID, &r.InboxID, &r.Line, &r.ExternalID, &r.Field, &r.Reason, &r.At); err != nil {
			return nil, fmt.Errorf("store: rejections of %q: %w", agency.Slug, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
