package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Backlog is what waits in the store's queues: the figures an operator
// alerts on (see docs/OPERATIONS.md). Every node reads the same figures.
type Backlog struct {
	InboxPending int       // inbox items waiting for a worker, retries included
	InboxOldest  time.Time // received_at of the oldest of them; zero when none
	InboxParked  int       // items set aside after failing repeatedly (anken inbox replay)
	MailPending  int       // mail pending or being sent
	MailOldest   time.Time // created_at of the oldest of them; zero when none
	MailParked   int       // mail refused for good (anken mail retry)
	HeldRuns     int       // full feed runs waiting for confirmation (anken feed confirm)
	LastSeq      int64     // the newest change-log sequence number
}

// Backlog reads the queues. The pending counts and oldest items read the
// indexes on state; counting parked inbox items reads the inbox table.
func (s *Store) Backlog(ctx context.Context) (Backlog, error) {
	var b Backlog
	counts := []struct {
		dst *int
		q   string
	}{
		{&b.InboxPending, `SELECT COUNT(*) FROM inbox WHERE state = 'pending'`},
		{&b.InboxParked, `SELECT COUNT(*) FROM inbox WHERE state = 'parked'`},
		{&b.MailPending, `SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending')`},
		{&b.MailParked, `SELECT COUNT(*) FROM outbox WHERE state = 'parked'`},
		{&b.HeldRuns, `SELECT COUNT(*) FROM feed_runs WHERE state = 'held'`},
	}
	for _, c := range counts {
		if err := s.db.QueryRowContext(ctx, c.q).Scan(c.dst); err != nil {
			return b, fmt.Errorf("store: backlog: %w", err)
		}
	}
	oldest := []struct {
		dst *time.Time
		q   string
	}{
		{&b.InboxOldest, `SELECT received_at FROM inbox WHERE state = 'pending' ORDER BY received_at LIMIT 1`},
		{&b.MailOldest, `SELECT created_at FROM outbox WHERE state IN ('pending', 'sending') ORDER BY created_at LIMIT 1`},
	}
	for _, o := range oldest {
		err := s.db.QueryRowContext(ctx, o.q).Scan(o.dst)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return b, fmt.Errorf("store: backlog: %w", err)
		}
	}
	var err error
	b.LastSeq, err = s.LastSeq(ctx)
	return b, err
}
