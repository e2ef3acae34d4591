package ingest

import (
	"context"
	"log/slog"
	"time"
)

// ExpireStore is what the expirer needs of the system of record.
type ExpireStore interface {
	CloseExpired(ctx context.Context, now time.Time, limit int) (int, error)
}

// Expirer closes the listings whose valid_through has passed, at start and
// then every Every, the way an agency's close does: each close goes into
// the change log, so every node's index drops the listing, and its page
// stays. Every node may run one; the store closes a listing once, whichever
// node comes to it first.
type Expirer struct {
	Store ExpireStore
	Log   *slog.Logger
	Every time.Duration    // how often to look; a minute when 0
	Batch int              // listings closed per transaction; 500 when 0
	Wrote func()           // called after listings were closed
	Now   func() time.Time // the clock; time.Now when nil
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

func (e *Expirer) log() *slog.Logger {
	if e.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return e.Log
}
