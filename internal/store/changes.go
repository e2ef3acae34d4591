package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"anken/internal/listing"
)

// Change is one entry of the change log with the listing as it is now.
type Change struct {
	Seq     int64
	Listing listing.Listing
}

// Changes returns up to limit changes with a sequence number above after, in
// order. Sequence numbers commit in order, so a follower that remembers the
// last one it applied never misses a change. The log is compacted: a
// listing appears once, at its latest change, with its current content, so
// there are gaps where its earlier changes were.
func (s *Store) Changes(ctx context.Context, after int64, limit int) ([]Change, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT l.seq, l.id, a.slug, l.doc, l.group_id, l.updated_at, l.status, l.first_seen
		FROM listings l JOIN agencies a ON a.id = l.agency_id
		WHERE l.seq > $1 ORDER BY l.seq LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: changes after %d: %w", after, err)
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var c Change
		if c.Listing, err = scanListing(rows, &c.Seq); err != nil {
			return nil, fmt.Errorf("store: changes after %d: %w", after, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: changes after %d: %w", after, err)
	}
	return out, nil
}

// LastSeq returns the newest sequence number in the change log (0 if empty).
func (s *Store) LastSeq(ctx context.Context) (int64, error) {
	var seq int64
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM listings`).Scan(&seq); err != nil {
		return 0, fmt.Errorf("store: last seq: %w", err)
	}
	return seq, nil
}

// OpenListings calls fn for every open listing in id order and returns the
// change-log position to follow from: every change after it must be applied
// on top. It reads the position first, so a change made during the scan is
// applied again, never missed.
//
// Decoding the documents is most of the work of reading them: rows are
// read here and decoded by one worker a core, in batches, and fn gets them
// in order on the caller's goroutine.
func (s *Store) OpenListings(ctx context.Context, fn func(*listing.Listing) error) (int64, error) {
	seq, err := s.LastSeq(ctx)
	if err != nil {
		return 0, err
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	rows, err := s.db.QueryContext(ctx, selectListing+`WHERE l.status = $1 ORDER BY l.id`, listing.StatusOpen)
	if err != nil {
		return 0, fmt.Errorf("store: open listings: %w", err)
	}
	type batch struct {
		rows []listingRow
		ls   []listing.Listing
		err  error
		done chan struct{}
	}
	const batchSize = 256
	workers := runtime.GOMAXPROCS(0)
	work := make(chan *batch, workers)
	order := make(chan *batch, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for b := range work {
				b.ls = make([]listing.Listing, len(b.rows))
				for i := range b.rows {
					if b.ls[i], b.err = b.rows[i].listing(); b.err != nil {
						break
					}
				}
				b.rows = nil
				close(b.done)
			}
		})
	}
	// The reader: rows in id order, batched, to the workers and, in the
	// same order, to the loop below.
	var readErr error
	wg.Go(func() {
		defer close(order)
		defer close(work)
		defer rows.Close()
		send := func(b *batch) bool {
			select {
			case order <- b:
			case <-ctx.Done():
				return false
			}
			work <- b // the workers take every batch ordered
			return true
		}
		b := &batch{done: make(chan struct{})}
		for rows.Next() {
			b.rows = append(b.rows, listingRow{})
			if err := b.rows[len(b.rows)-1].scan(rows); err != nil {
				readErr = err
				return
			}
			if len(b.rows) == batchSize {
				if !send(b) {
					return
				}
				b = &batch{done: make(chan struct{})}
			}
		}
		if readErr = rows.Err(); readErr == nil && len(b.rows) > 0 {
			send(b)
		}
	})
	var fnErr error
	err = func() error {
		for b := range order {
			<-b.done
			if b.err != nil {
				return b.err
			}
			if err := parent.Err(); err != nil {
				return err
			}
			for i := range b.ls {
				if fnErr = fn(&b.ls[i]); fnErr != nil {
					return nil
				}
			}
		}
		return nil
	}()
	cancel()
	for b := range order { // after an error: let the reader end
		<-b.done
	}
	wg.Wait()
	if fnErr != nil {
		return 0, fnErr // fn's own, as fn returned it
	}
	if err == nil {
		err = readErr
	}
	if err != nil {
		return 0, fmt.Errorf("store: open listings: %w", err)
	}
	return seq, nil
}

// CountListings returns how many listings are stored, by status.
func (s *Store) CountListings(ctx context.Context) (map[listing.Status]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT status, COUNT(*) FROM listings GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("store: count listings: %w", err)
	}
	defer rows.Close()
	out := map[listing.Status]int{}
	for rows.Next() {
		var (
			st listing.Status
			n  int
		)
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("store: count listings: %w", err)
		}
		out[st] = n
	}
	return out, rows.Err()
}

// LastChange returns when the latest change to any listing was stored:
// the "updated" time pages show next to the number of listings. The zero
// time when nothing is stored.
func (s *Store) LastChange(ctx context.Context) (time.Time, error) {
	var t time.Time
	err := s.db.QueryRowContext(ctx, `SELECT updated_at FROM listings ORDER BY seq DESC LIMIT 1`).Scan(&t)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("store: last change: %w", err)
	}
	return t, nil
}
