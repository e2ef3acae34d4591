package ingest

import (
	"context"
	"log/slog"
	"time"

	"anken/internal/store"
)

// ExpireStore is what the expirer needs of the system of record.
type ExpireStore interface {
	CloseExpired(ctx context.Context, now time.Time, limit int) (int, error)
	AbortStaleRuns(ctx context.Context, olderThan time.Duration, sender func(agency, source string) store.AuditEntry) (int, error)
	PruneFinished(ctx context.Context, before map[string]time.Time) (map[string]int64, error)
}

// How long finished work is kept before the expirer prunes it (hourly):
// applied inbox items with their payloads a week, for an operator looking
// into what an agency sent; the answers to Idempotency-Key retries a day,
// longer than any client retries a request; sent mail 30 days, then the
// addresses and text it holds go.
const (
	KeepAppliedInbox = 7 * 24 * time.Hour
	KeepIdempotency  = 24 * time.Hour
	KeepSentMail     = 30 * 24 * time.Hour
	pruneEvery       = time.Hour
)

// StaleRunAge is how long a feed run may stay receiving before the
// expirer takes its process for dead and aborts it. A run records no
// progress while it receives, and another node may be receiving a feed
// right now, so the bound is far longer than a feed takes to read (a poll
// is cut off after ANKEN_FEED_TIMEOUT, 10 minutes by default).
const StaleRunAge = time.Hour

// abortEvery is how often the expirer looks for stale feed runs.
const abortEvery = 5 * time.Minute

// Expirer closes the listings whose valid_through has passed, at start and
// then every Every, the way an agency's close does: each close goes into
// the change log, so every node's index drops the listing, and its page
// stays. Every node may run one; the store closes a listing once, whichever
// node comes to it first.
//
// It also aborts the feed runs a stopped process left receiving (see
// AbortStale), at start and every 5 minutes.
type Expirer struct {
	Store ExpireStore
	Log   *slog.Logger
	Every time.Duration    // how often to look; a minute when 0
	Batch int              // listings closed per transaction; 500 when 0
	Wrote func()           // called after listings were closed
	Now   func() time.Time // the clock; time.Now when nil
	// StaleRuns is how long a feed run may stay receiving before it is
	// aborted; StaleRunAge when 0.
	StaleRuns time.Duration

	abortedAt time.Time // the last AbortStale
	prunedAt  time.Time // the last Prune
}

// Run closes what is due at once and then every Every, until ctx is done.
func (e *Expirer) Run(ctx context.Context) {
	every := e.Every
	if every <= 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if time.Since(e.abortedAt) >= abortEvery {
			e.AbortStale(ctx)
		}
		if time.Since(e.prunedAt) >= pruneEvery {
			e.Prune(ctx)
		}
		if _, err := e.Once(ctx); err != nil && ctx.Err() == nil {
			e.log().Warn("expire listings", slog.Any("err", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Once closes every open listing whose valid_through is before now, a batch
// per transaction, and returns how many it closed.
func (e *Expirer) Once(ctx context.Context) (int, error) {
	batch := e.Batch
	if batch <= 0 {
		batch = 500
	}
	now := time.Now
	if e.Now != nil {
		now = e.Now
	}
	at := now()
	total := 0
	defer func() {
		if total > 0 {
			e.log().Info("listings expired", slog.Int("closed", total), slog.Time("valid_through_before", at))
		}
	}()
	for {
		n, err := e.Store.CloseExpired(ctx, at, batch)
		total += n
		if n > 0 && e.Wrote != nil {
			e.Wrote()
		}
		if err != nil {
			return total, err
		}
		if n < batch {
			return total, nil
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
}

// AbortStale marks aborted the feed runs receiving for longer than
// StaleRuns: their process stopped (killed, or its node lost) before the
// feed's end, and they would stay receiving forever. The workers then
// finish them as aborted: their rows are processed and a full one closes
// nothing. It returns how many it aborted; a failure is logged. Run calls
// it at start and every 5 minutes; it is not safe to call while Run runs.
func (e *Expirer) AbortStale(ctx context.Context) int {
	age := e.StaleRuns
	if age <= 0 {
		age = StaleRunAge
	}
	e.abortedAt = time.Now()
	n, err := e.Store.AbortStaleRuns(ctx, age, Sender)
	if err != nil && ctx.Err() == nil {
		e.log().Warn("abort stale feed runs", slog.Any("err", err))
	}
	if n > 0 {
		e.log().Warn("feed runs aborted: receiving too long, their process stopped", slog.Int("runs", n), slog.Duration("older_than", age))
	}
	return n
}

func (e *Expirer) log() *slog.Logger {
	if e.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return e.Log
}

// Prune deletes finished work past its keeping time (KeepAppliedInbox,
// KeepIdempotency, KeepSentMail); pending, parked and held work stays.
// Every node may do it: deleting twice is harmless.
func (e *Expirer) Prune(ctx context.Context) {
	e.prunedAt = time.Now()
	now := time.Now()
	if e.Now != nil {
		now = e.Now()
	}
	n, err := e.Store.PruneFinished(ctx, map[string]time.Time{
		store.PruneInbox:       now.Add(-KeepAppliedInbox),
		store.PruneIdempotency: now.Add(-KeepIdempotency),
		store.PruneMail:        now.Add(-KeepSentMail),
	})
	if err != nil && ctx.Err() == nil {
		e.log().Warn("prune finished work", slog.Any("err", err))
	}
	for kind, rows := range n {
		if rows > 0 {
			e.log().Info("pruned finished work", slog.String("kind", kind), slog.Int64("rows", rows))
		}
	}
}
