package store

import (
	"context"
	"fmt"
	"time"
)

// Finished work the store can forget; see PruneFinished.
const (
	PruneInbox       = "inbox"       // inbox items applied (done), with their payloads
	PruneIdempotency = "idempotency" // answers kept for Idempotency-Key retries
	PruneMail        = "mail"        // mail sent
)

// pruneBatch is how many rows one statement deletes, so that a large
// backlog never holds the write lock for long.
const pruneBatch = 5000

// PruneFinished deletes, for each kind of finished work named in before,
// what finished before that time: applied inbox items, stored
// Idempotency-Key answers, sent mail. Pending, parked and held work is
// never touched. It returns how many rows of each kind went. What to keep
// and how long is the caller's decision.
func (s *Store) PruneFinished(ctx context.Context, before map[string]time.Time) (map[string]int64, error) {
	queries := map[string]string{
		PruneInbox:       `DELETE FROM inbox WHERE id IN (SELECT id FROM inbox WHERE state = 'done' AND done_at < $1 LIMIT $2)`,
		PruneIdempotency: `DELETE FROM idempotency WHERE (agency_id, idem_key) IN (SELECT agency_id, idem_key FROM idempotency WHERE created_at < $1 LIMIT $2)`,
		PruneMail:        `DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE state = 'sent' AND sent_at < $1 LIMIT $2)`,
	}
	out := map[string]int64{}
	for kind, at := range before {
		q, ok := queries[kind]
		if !ok {
			return out, fmt.Errorf("store: prune: no kind %q", kind)
		}
		for {
			res, err := s.db.ExecContext(ctx, q, at.UTC(), pruneBatch)
			if err != nil {
				return out, fmt.Errorf("store: prune %s: %w", kind, err)
			}
			n, _ := res.RowsAffected()
			out[kind] += n
			if n < pruneBatch {
				break
			}
		}
	}
	return out, nil
}
