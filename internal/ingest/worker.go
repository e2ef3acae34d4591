package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"anken/internal/listing"
	"anken/internal/store"
)

// WorkStore is what the worker needs of the system of record.
type WorkStore interface {
	Claim(ctx context.Context, limit int, lease time.Duration) ([]store.InboxItem, error)
	Apply(ctx context.Context, ws []store.Work) ([]store.WorkResult, error)
	Retry(ctx context.Context, it store.InboxItem, cause error, at time.Time) error
	Park(ctx context.Context, it store.InboxItem, cause error) error
	FinishRun(ctx context.Context, runID int64) (bool, error)
	OpenRuns(ctx context.Context) ([]int64, error)
}

// Worker takes inbox items through parse → normalize → dedupe → store. It
// claims items in batches with a lease, so several workers (on any number
// of nodes) share the inbox and an item whose worker died is taken again.
// A failure to store is retried with exponential backoff; after
// MaxAttempts the item is parked with its error. An item that cannot be
// read or is invalid is not retried: it is done, with a rejection the
// agency can read.
type Worker struct {
	Store       WorkStore
	Log         *slog.Logger
	Batch       int           // items per claim; 200 when 0
	Lease       time.Duration // how long a claim holds; 2m when 0
	MaxAttempts int           // attempts before parking; 8 when 0
	Backoff     time.Duration // first retry delay, doubled each time up to 10m; 1s when 0
	Poll        time.Duration // pause when the inbox is empty; 250ms when 0
	Wrote       func()        // called after listings were stored
	// Now is the clock a retry is scheduled by; the store compares the
	// time with its own clock, so it must be the store's (store.Config.Now).
	// time.Now when nil.
	Now func() time.Time
}

func (w *Worker) defaults() {
	if w.Batch <= 0 {
		w.Batch = 200
	}
	if w.Lease <= 0 {
		w.Lease = 2 * time.Minute
	}
	if w.MaxAttempts <= 0 {
		w.MaxAttempts = 8
	}
	if w.Backoff <= 0 {
		w.Backoff = time.Second
	}
	if w.Poll <= 0 {
		w.Poll = 250 * time.Millisecond
	}
	if w.Log == nil {
		w.Log = slog.New(slog.DiscardHandler)
	}
	if w.Wrote == nil {
		w.Wrote = func() {}
	}
	if w.Now == nil {
		w.Now = time.Now
	}
}

// Run works until ctx is done.
func (w *Worker) Run(ctx context.Context) {
	w.defaults()
	lastSweep := time.Time{}
	for ctx.Err() == nil {
		if time.Since(lastSweep) > 10*time.Second {
			lastSweep = time.Now()
			w.sweepRuns(ctx)
		}
		n, err := w.Once(ctx)
		if err != nil && ctx.Err() == nil {
			w.Log.Warn("inbox: claim failed", slog.Any("err", err))
		}
		if n == 0 || err != nil {
			select {
			case <-ctx.Done():
			case <-time.After(w.Poll):
			}
		}
	}
}

// sweepRuns finishes feed runs whose rows are all processed: after a
// restart, or when the last row was done before the feed was all read.
func (w *Worker) sweepRuns(ctx context.Context) {
	ids, err := w.Store.OpenRuns(ctx)
	if err != nil {
		w.Log.Warn("inbox: open feed runs", slog.Any("err", err))
		return
	}
	for _, id := range ids {
		w.finish(ctx, id)
	}
}

func (w *Worker) finish(ctx context.Context, run int64) {
	done, err := w.Store.FinishRun(ctx, run)
	if err != nil {
		w.Log.Warn("inbox: finish feed run", slog.Int64("run", run), slog.Any("err", err))
		return
	}
	if done {
		w.Wrote()
	}
}

// Once claims one batch and works it; it returns how many items it took.
func (w *Worker) Once(ctx context.Context) (int, error) {
	w.defaults()
	items, err := w.Store.Claim(ctx, w.Batch, w.Lease)
	if err != nil || len(items) == 0 {
		return 0, err
	}
	works := make([]store.Work, len(items))
	for i, it := range items {
		works[i] = work(it)
	}
	runs := map[int64]bool{}
	if _, err := w.Store.Apply(ctx, works); err != nil {
		// One item may be to blame: store them one by one.
		w.Log.Warn("inbox: batch failed; storing items one by one", slog.Int("items", len(items)), slog.Any("err", err))
		for i, it := range items {
			if _, err := w.Store.Apply(ctx, works[i:i+1]); err != nil {
				w.fail(ctx, it, err)
			}
		}
	}
	for _, it := range items {
		if it.RunID != 0 {
			runs[it.RunID] = true
		}
	}
	w.Wrote()
	for run := range runs {
		w.finish(ctx, run)
	}
	return len(items), nil
}

// fail retries the item later, or parks it after its last attempt.
func (w *Worker) fail(ctx context.Context, it store.InboxItem, cause error) {
	log := w.Log.With(slog.Int64("inbox_id", it.ID), slog.String("agency", it.Agency.Slug), slog.Int("attempt", it.Attempts))
	if it.Attempts >= w.MaxAttempts {
		log.Error("inbox: parking item after its last attempt", slog.Any("err", cause))
		if err := w.Store.Park(ctx, it, cause); err != nil {
			log.Error("inbox: park failed; the lease will run out and it is tried again", slog.Any("err", err))
		}
		return
	}
	delay := w.Backoff << min(it.Attempts-1, 20)
	delay = min(delay, 10*time.Minute)
	delay += time.Duration(rand.Int64N(int64(delay)/4 + 1)) // jitter
	log.Warn("inbox: item failed; retrying", slog.Duration("in", delay), slog.Any("err", cause))
	if err := w.Store.Retry(ctx, it, cause, w.Now().Add(delay)); err != nil {
		log.Error("inbox: retry failed; the lease will run out and it is tried again", slog.Any("err", err))
	}
}

// work reads an inbox item into what it does to the store. What cannot be
// read or is invalid becomes a rejection: retrying would not change it. A
// row of a feed fetched from a URL is rejected without the values that
// were wrong (see SourceURL).
func work(it store.InboxItem) store.Work {
	fetched := it.RunSource == SourceURL
	wk := store.Work{Agency: it.Agency, InboxID: it.ID, Claim: it.Attempts, RunID: it.RunID, Source: it.Kind}
	reject := func(externalID, field, reason string) store.Work {
		wk.Reject(externalID, store.Rejection{Line: it.Line, ExternalID: externalID, Field: field, Reason: reason})
		return wk
	}
	var raw listing.Raw
	switch it.Kind {
	case store.KindFeedRow:
		if err := json.Unmarshal(it.Payload, &raw); err != nil {
			if fetched {
				return reject("", "", "stored row is not a raw listing")
			}
			return reject("", "", "stored row is not a raw listing: "+err.Error())
		}
	case store.KindWebhook:
		ev, err := ParseEvent(it.Payload)
		if err != nil {
			var ee *EventError
			field := ""
			if errors.As(err, &ee) {
				field = ee.Field
			}
			return reject("", field, err.Error())
		}
		if ev.Type == EventClose {
			wk.Closes = []string{ev.ExternalID}
			return wk
		}
		raw = *ev.Listing
	default:
		return reject("", "", fmt.Sprintf("unknown inbox item kind %q", it.Kind))
	}
	l, _, errs := prepare(raw)
	if errs != nil {
		id := raw.ExternalID
		if fetched {
			id, errs = clipID(id), withoutValues(errs)
		}
		wk.Reject(id, rejections(it.Line, id, errs)...)
		return wk
	}
	wk.Puts = []*listing.Listing{l}
	return wk
}
