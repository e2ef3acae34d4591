package search

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"anken/internal/listing"
	"anken/internal/store"
)

// Source is the store as the follower reads it.
type Source interface {
	OpenListings(ctx context.Context, fn func(*listing.Listing) error) (int64, error)
	Changes(ctx context.Context, after int64, limit int) ([]store.Change, error)
}

// Target is an index the follower keeps current. *Index is one.
type Target interface {
	// RebuildAt replaces the contents with the listings fill adds, which
	// are those of the change log's position that fill returns.
	RebuildAt(ctx context.Context, fill func(add func(*listing.Listing)) (seq int64, err error)) error
	// Apply applies the change with sequence number seq: the listing is
	// added or replaced, or removed when it is not open. Changes come in
	// order.
	Apply(seq int64, l *listing.Listing)
}

// Follower builds an index from the store and then applies the store's
// change log to it, in order, so a write is searchable within one poll.
type Follower struct {
	src   Source
	dst   Target
	poll  time.Duration
	log   *slog.Logger
	seq   atomic.Int64 // last change applied
	ready atomic.Bool
	wake  chan struct{}
}

// changeBatch is how many changes one read of the log takes.
const changeBatch = 1000

// NewFollower returns a follower that reads src every poll.
func NewFollower(src Source, dst Target, poll time.Duration, log *slog.Logger) *Follower {
	return &Follower{src: src, dst: dst, poll: poll, log: log, wake: make(chan struct{}, 1)}
}

// Load fills the index with every open listing and remembers where in the
// change log to follow from.
func (f *Follower) Load(ctx context.Context) error {
	start := time.Now()
	var (
		n   int
		seq int64
	)
	err := f.dst.RebuildAt(ctx, func(add func(*listing.Listing)) (int64, error) {
		var err error
		seq, err = f.src.OpenListings(ctx, func(l *listing.Listing) error {
			add(l)
			n++
			return nil
		})
		return seq, err
	})
	if err != nil {
		return fmt.Errorf("search: load index: %w", err)
	}
	f.seq.Store(seq)
	f.ready.Store(true)
	f.log.Info("index loaded", slog.Int("listings", n), slog.Int64("seq", seq),
		slog.Duration("took", time.Since(start)))
	return nil
}

// Run applies changes until ctx ends. Call Load first.
func (f *Follower) Run(ctx context.Context) {
	t := time.NewTicker(f.poll)
	defer t.Stop()
	for {
		if _, err := f.CatchUp(ctx); err != nil && ctx.Err() == nil {
			f.log.Error("index: follow change log", slog.Any("err", err), slog.Int64("seq", f.seq.Load()))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-f.wake:
		}
	}
}

// CatchUp applies every change logged so far and returns how many.
func (f *Follower) CatchUp(ctx context.Context) (int, error) {
	total := 0
	for {
		cs, err := f.src.Changes(ctx, f.seq.Load(), changeBatch)
		if err != nil {
			return total, err
		}
		for i := range cs {
			f.dst.Apply(cs[i].Seq, &cs[i].Listing)
			f.seq.Store(cs[i].Seq)
		}
		total += len(cs)
		if len(cs) < changeBatch {
			return total, nil
		}
	}
}

// Notify asks Run to read the change log now rather than at the next poll;
// a node calls it after its own writes.
func (f *Follower) Notify() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// Seq returns the last change-log sequence number applied.
func (f *Follower) Seq() int64 { return f.seq.Load() }

// Ready reports whether the index has been loaded.
func (f *Follower) Ready() bool { return f.ready.Load() }
