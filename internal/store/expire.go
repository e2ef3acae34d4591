package store

import (
	"context"
	"fmt"
	"time"
)

// CloseExpired closes open listings whose valid_through is before now, at
// most limit of them (the longest expired first) in one transaction. Each
// is closed as CloseListing closes one: it takes a new change-log number,
// so every node's index drops it, and its page stays readable. It returns
// how many it closed; when that is limit, more may be due: call it again.
// Nodes running it at once close each listing once, for the listings are
// read under the change log's lock.
func (s *Store) CloseExpired(ctx context.Context, now time.Time, limit int) (int, error) {
	if limit < 1 {
		return 0, fmt.Errorf("store: close expired listings: limit %d, want at least 1", limit)
	}
	closed := 0
	err := s.write(ctx, func(w *writer) error {
		rows, err := w.tx.QueryContext(ctx, w.dialect.expiredSQL(), now.UTC(), limit)
		if err != nil {
			return fmt.Errorf("store: expired listings: %w", err)
		}
		type due struct {
			id  int64
			doc []byte
		}
		var all []due
		for rows.Next() {
			var d due
			if err := rows.Scan(&d.id, &d.doc); err != nil {
				rows.Close()
				return fmt.Errorf("store: expired listings: %w", err)
			}
			all = append(all, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: expired listings: %w", err)
		}
		for _, d := range all {
			r, err := w.closeDoc(ctx, "", d.id, d.doc)
			if err != nil {
				return fmt.Errorf("store: close expired listing %d: %w", d.id, err)
			}
			if r.Outcome == Closed {
				closed++
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return closed, nil
}

// expiredSQL selects the open listings whose valid_through is before $1,
// the longest expired first, at most $2. status = 'open' as written, and a
// comparison on valid_through, are what let the partial index
// listings_valid_through serve it. SQLite is told to use it: without
// statistics its planner prefers the index on status, which at 2,000,000
// listings meant reading and sorting every open one, for minutes, inside
// the write transaction, while every other writer waited and failed with
// SQLITE_BUSY.
func (d dialect) expiredSQL() string {
	from := `listings`
	if d == sqlite {
		from += ` INDEXED BY listings_valid_through`
	}
	return `SELECT id, doc FROM ` + from + `
		WHERE status = 'open' AND valid_through < $1 ORDER BY valid_through LIMIT $2`
}
