package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The inbox holds every accepted webhook delivery and feed row from the
// moment it is accepted until a worker has stored what it says. Items are
// claimed with a lease: a claim raises attempts and moves run_after past
// the lease, so an item whose worker died is claimed again once the lease
// runs out, and only the latest claim may complete it. On PostgreSQL the
// claim skips rows other nodes hold (FOR UPDATE SKIP LOCKED); SQLite has
// one writer at a time.

// Inbox item kinds.
const (
	KindWebhook = "webhook" // a signed webhook delivery: one event
	KindFeedRow = "feed"    // one row of a feed, as a raw listing in JSON
)

// Inbox item states.
const (
	Pending = "pending"
	Done    = "done"
	Parked  = "parked"
)

// InboxItem is one accepted item.
type InboxItem struct {
	ID         int64
	Agency     Agency
	Kind       string
	Payload    []byte
	RunID      int64
	RunSource  string // the feed run's source ("upload", "url", …), when RunID is set
	Line       int
	State      string
	Attempts   int // claims so far, this one included
	LastError  string
	ReceivedAt time.Time
}

// NewItem is an item to put in the inbox.
type NewItem struct {
	Kind           string
	Payload        []byte
	IdempotencyKey string // unique per agency when set
	RunID          int64
	Line           int
}

// ErrReplay is returned for a webhook delivery whose signature was seen.
var ErrReplay = errors.New("store: webhook delivery replayed")

// Enqueue stores items of the agency in one transaction and returns their
// ids. Items are pending and may be claimed at once.
func (s *Store) Enqueue(ctx context.Context, agency Agency, items []NewItem) ([]int64, error) {
	ids := make([]int64, len(items))
	err := s.inTx(ctx, false, func(tx *sql.Tx) error {
		w := &writer{tx: tx, dialect: s.dialect, now: s.now(), stmts: map[string]*sql.Stmt{}}
		for i, it := range items {
			id, err := w.enqueue(ctx, agency, it)
			if err != nil {
				return err
			}
			ids[i] = id
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

func (w *writer) enqueue(ctx context.Context, agency Agency, it NewItem) (int64, error) {
	var key, run any
	if it.IdempotencyKey != "" {
		key = it.IdempotencyKey
	}
	if it.RunID != 0 {
		run = it.RunID
	}
	var id int64
	err := w.stmt(ctx, `INSERT INTO inbox (agency_id, kind, payload, idempotency_key, run_id, line, state, attempts, run_after, received_at)
		VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7) RETURNING id`).
		QueryRowContext(ctx, agency.ID, it.Kind, string(it.Payload), key, run, it.Line, w.now).Scan(&id)
	if isUniqueViolation(err) {
		return 0, fmt.Errorf("store: inbox item %q of agency %q: %w", it.IdempotencyKey, agency.Slug, ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("store: enqueue for agency %q: %w", agency.Slug, err)
	}
	return id, nil
}

// EnqueueDelivery stores a signed webhook delivery. signature identifies
// the delivery (its timestamp and MAC): one seen in the last replayWindow
// gives ErrReplay. An item whose idempotency key (the event id) is already
// in the inbox is not stored again: its id comes back with dup set.
// Audited (WithAudit): detail the inbox item and whether it was a
// duplicate.
func (s *Store) EnqueueDelivery(ctx context.Context, agency Agency, signature string, it NewItem, replayWindow time.Duration) (id int64, dup bool, err error) {
	err = s.inTx(ctx, false, func(tx *sql.Tx) error {
		w := &writer{tx: tx, dialect: s.dialect, now: s.now(), stmts: map[string]*sql.Stmt{}}
		if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_deliveries WHERE received_at < $1`, w.now.Add(-replayWindow)); err != nil {
			return fmt.Errorf("store: prune deliveries: %w", err)
		}
		r, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (agency_id, signature, received_at) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, agency.ID, signature, w.now)
		if err != nil {
			return fmt.Errorf("store: record delivery: %w", err)
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return ErrReplay
		}
		if it.IdempotencyKey != "" {
			err := tx.QueryRowContext(ctx, `SELECT id FROM inbox WHERE agency_id = $1 AND idempotency_key = $2`,
				agency.ID, it.IdempotencyKey).Scan(&id)
			if err == nil {
				dup = true
			} else if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("store: find delivery: %w", err)
			}
		}
		if !dup {
			if id, err = w.enqueue(ctx, agency, it); err != nil {
				return err
			}
		}
		return audit(ctx, tx, "", fmt.Sprintf("inbox item %d (duplicate: %t)", id, dup))
	})
	return id, dup, err
}

// Claim takes up to limit pending items whose time has come, oldest first,
// and leases them for lease: until then no other claim takes them.
func (s *Store) Claim(ctx context.Context, limit int, lease time.Duration) ([]InboxItem, error) {
	now := s.now()
	lock := ""
	if s.dialect == postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var out []InboxItem
	err := s.inTx(ctx, false, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `
			UPDATE inbox SET attempts = attempts + 1, run_after = $1
			WHERE id IN (SELECT id FROM inbox WHERE state = 'pending' AND run_after <= $2 ORDER BY run_after, id LIMIT $3`+lock+`)
			RETURNING id, agency_id, kind, payload, COALESCE(run_id, 0), line, state, attempts, last_error, received_at`,
			now.Add(lease), now, limit)
		if err != nil {
			return fmt.Errorf("store: claim inbox: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var (
				it      InboxItem
				payload string
			)
			if err := rows.Scan(&it.ID, &it.Agency.ID, &it.Kind, &payload, &it.RunID, &it.Line, &it.State,
				&it.Attempts, &it.LastError, &it.ReceivedAt); err != nil {
				return fmt.Errorf("store: claim inbox: %w", err)
			}
			it.Payload = []byte(payload)
			out = append(out, it)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: claim inbox: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.fillAgencies(ctx, out); err != nil {
		return nil, err
	}
	return out, s.fillRunSources(ctx, out)
}

// fillRunSources reads the source of each item's feed run.
func (s *Store) fillRunSources(ctx context.Context, items []InboxItem) error {
	cache := map[int64]string{}
	for i := range items {
		id := items[i].RunID
		if id == 0 {
			continue
		}
		src, ok := cache[id]
		if !ok {
			if err := s.db.QueryRowContext(ctx, `SELECT source FROM feed_runs WHERE id = $1`, id).Scan(&src); err != nil {
				return fmt.Errorf("store: feed run %d: %w", id, err)
			}
			cache[id] = src
		}
		items[i].RunSource = src
	}
	return nil
}

// fillAgencies reads the agency of each item.
func (s *Store) fillAgencies(ctx context.Context, items []InboxItem) error {
	cache := map[int64]Agency{}
	for i := range items {
		id := items[i].Agency.ID
		a, ok := cache[id]
		if !ok {
			err := s.db.QueryRowContext(ctx, `SELECT id, slug, name, created_at FROM agencies WHERE id = $1`, id).
				Scan(&a.ID, &a.Slug, &a.Name, &a.CreatedAt)
			if err != nil {
				return fmt.Errorf("store: agency %d: %w", id, err)
			}
			cache[id] = a
		}
		items[i].Agency = a
	}
	return nil
}

// Retry gives the claimed item back with the error that stopped it, to be
// claimed again at at. It does nothing if a later claim holds the item.
func (s *Store) Retry(ctx context.Context, it InboxItem, cause error, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE inbox SET run_after = $1, last_error = $2 WHERE id = $3 AND state = 'pending' AND attempts = $4`,
		at.UTC(), clip(cause.Error(), maxReason), it.ID, it.Attempts)
	if err != nil {
		return fmt.Errorf("store: retry inbox item %d: %w", it.ID, err)
	}
	return nil
}

// Park sets the claimed item aside with the error of its last attempt and
// records a rejection the agency can read. An operator can Replay it.
func (s *Store) Park(ctx context.Context, it InboxItem, cause error) error {
	return s.write(ctx, func(w *writer) error {
		r, err := w.tx.ExecContext(ctx, `UPDATE inbox SET state = 'parked', last_error = $1, done_at = $2 WHERE id = $3 AND state = 'pending' AND attempts = $4`,
			clip(cause.Error(), maxReason), w.now, it.ID, it.Attempts)
		if err != nil {
			return fmt.Errorf("store: park inbox item %d: %w", it.ID, err)
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return nil
		}
		rj := Rejection{Source: it.Kind, RunID: it.RunID, InboxID: it.ID, Line: it.Line,
			Reason: fmt.Sprintf("not processed after %d attempts: %v", it.Attempts, cause)}
		if err := w.reject(ctx, it.Agency, &rj); err != nil {
			return err
		}
		if it.RunID != 0 {
			if _, err := w.tx.ExecContext(ctx, `UPDATE feed_runs SET rejected = rejected + 1 WHERE id = $1`, it.RunID); err != nil {
				return fmt.Errorf("store: count feed run %d: %w", it.RunID, err)
			}
		}
		return nil
	})
}

// Replay makes parked items pending again with fresh attempts: the items
// with the ids, or every parked item of the agency (slug) when ids is
// empty, or every parked item when both are. It returns how many.
// Audited (WithAudit): target the items named, detail how many.
func (s *Store) Replay(ctx context.Context, slug string, ids []int64) (int64, error) {
	q := `UPDATE inbox SET state = 'pending', attempts = 0, run_after = $1, done_at = NULL WHERE state = 'parked'`
	args := []any{s.now()}
	if slug != "" {
		args = append(args, slug)
		q += fmt.Sprintf(` AND agency_id = (SELECT id FROM agencies WHERE slug = $%d)`, len(args))
	}
	if len(ids) > 0 {
		ph := make([]string, len(ids))
		for i, id := range ids {
			args = append(args, id)
			ph[i] = fmt.Sprintf("$%d", len(args))
		}
		q += ` AND id IN (` + strings.Join(ph, ", ") + `)`
	}
	what := "all parked items"
	switch {
	case len(ids) > 0:
		what = fmt.Sprintf("items %v", ids)
	case slug != "":
		what = "parked items of " + slug
	}
	var n int64
	err := s.inTx(ctx, false, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("store: replay: %w", err)
		}
		n, _ = r.RowsAffected()
		return audit(ctx, tx, what, fmt.Sprintf("%d replayed", n))
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// ParkedItems returns parked items, of the agency (slug) when it is set,
// oldest first, at most limit.
func (s *Store) ParkedItems(ctx context.Context, slug string, limit int) ([]InboxItem, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT i.id, i.agency_id, i.kind, i.payload, COALESCE(i.run_id, 0), i.line, i.state, i.attempts, i.last_error, i.received_at
		FROM inbox i JOIN agencies a ON a.id = i.agency_id
		WHERE i.state = 'parked' AND ($1 = '' OR a.slug = $1) ORDER BY i.id LIMIT $2`, slug, limit)
	if err != nil {
		return nil, fmt.Errorf("store: parked items: %w", err)
	}
	defer rows.Close()
	var out []InboxItem
	for rows.Next() {
		var (
			it      InboxItem
			payload string
		)
		if err := rows.Scan(&it.ID, &it.Agency.ID, &it.Kind, &payload, &it.RunID, &it.Line, &it.State,
			&it.Attempts, &it.LastError, &it.ReceivedAt); err != nil {
			return nil, fmt.Errorf("store: parked items: %w", err)
		}
		it.Payload = []byte(payload)
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: parked items: %w", err)
	}
	return out, s.fillAgencies(ctx, out)
}

// InboxCounts returns how many items are in each state.
func (s *Store) InboxCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT state, COUNT(*) FROM inbox GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("store: inbox counts: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var (
			st string
			n  int
		)
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("store: inbox counts: %w", err)
		}
		out[st] = n
	}
	return out, rows.Err()
}
