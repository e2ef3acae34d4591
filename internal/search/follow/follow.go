// Package follow keeps a search index current with the store's change
// log: it loads the index (from its snapshot when one fits the store,
// else from every open listing), applies each change in order, and keeps
// the snapshot written. The index itself is package search's.
package follow

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"anken/internal/listing"
	"anken/internal/search/persist"
	"anken/internal/store"
)

// Source is the store as the follower reads it.
type Source interface {
	OpenListings(ctx context.Context, fn func(*listing.Listing) error) (int64, error)
	Changes(ctx context.Context, after int64, limit int) ([]store.Change, error)
}

// Target is an index the follower keeps current. *search.Index is one.
type Target interface {
	// RebuildAt replaces the contents with the listings fill adds, which
	// are those of the change log's position that fill returns.
	RebuildAt(ctx context.Context, fill func(add func(*listing.Listing)) (seq int64, err error)) error
	// Apply applies the change with sequence number seq: the listing is
	// added or replaced, or removed when it is not open. Changes come in
	// order.
	Apply(seq int64, l *listing.Listing)
	// LoadSnapshotFile replaces the contents with a snapshot written by
	// BeginSnapshotFile, whose header check accepts first (persist.go).
	LoadSnapshotFile(path string, check func(persist.Info) error) (persist.Info, error)
	// BeginSnapshotFile writes the contents to a temporary file beside
	// path, for its Commit to put in place.
	BeginSnapshotFile(ctx context.Context, path string, info persist.Info) (*persist.File, error)
}

// LogStore is what a follower asks the store about a snapshot of its
// index: *store.Store is one.
type LogStore interface {
	// Identity names the store: the same for every node sharing it (and
	// for a backup of it), another for another database.
	Identity(ctx context.Context) (string, error)
	// LastSeq returns the change log's newest sequence number.
	LastSeq(ctx context.Context) (int64, error)
	// MarkOf returns a listing's latest change (the zero Mark when there
	// is no such listing); it only moves forward.
	MarkOf(ctx context.Context, id int64) (store.Mark, error)
	// MarkAt returns the listing whose latest change is at seq, the zero
	// Mark when none is.
	MarkAt(ctx context.Context, seq int64) (store.Mark, error)
}

// SnapshotOptions make a follower keep a snapshot of its index in a file
// and start from it.
type SnapshotOptions struct {
	Path string
	// Every is how often a snapshot is written while the position moves;
	// 0: only after a build and by SaveSnapshot.
	Every time.Duration
	Store LogStore
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

	// The last change applied (markSeq): its listing and time, the mark
	// of a snapshot at that position.
	markSeq, markID, markAt atomic.Int64

	snap    *SnapshotOptions
	idMu    sync.Mutex
	storeID string        // the store's identity, once read
	writeMu sync.Mutex    // one snapshot write at a time
	snapMu  sync.Mutex    // guards what follows
	snapSeq int64         // position of the snapshot on disk (written or loaded); -1 none
	snapAt  time.Time     // when it was written or loaded, or a write last began
	snapDue bool          // the index was built: write its snapshot
	syncing chan struct{} // closed when the last write's Commit is done; nil before any
}

// changeBatch is how many changes one read of the log takes.
const changeBatch = 1000

// New returns a follower that reads src every poll.
func New(src Source, dst Target, poll time.Duration, log *slog.Logger) *Follower {
	return &Follower{src: src, dst: dst, poll: poll, log: log, wake: make(chan struct{}, 1), snapSeq: -1}
}

// KeepSnapshots makes the follower start from the snapshot at o.Path when
// it fits the store (Load), write one after a build and then every
// o.Every while the position moves (Run), and on SaveSnapshot. Call it
// before Load.
func (f *Follower) KeepSnapshots(o SnapshotOptions) { f.snap = &o }

// Load fills the index and remembers where in the change log to follow
// from: from the snapshot when there is one and it fits the store (see
// checkSnapshot), with the changes logged since applied, else with every
// open listing of the store.
func (f *Follower) Load(ctx context.Context) error {
	if f.snap != nil {
		// Temporary files of writes a stopped process left midway.
		persist.RemoveStaleTemps(f.snap.Path, time.Hour)
		err := f.loadSnapshot(ctx)
		switch {
		case err == nil:
			return nil
		case ctx.Err() != nil:
			return fmt.Errorf("search: load index: %w", ctx.Err())
		case errors.Is(err, fs.ErrNotExist):
			f.log.Info("no index snapshot yet: building the index from the store", slog.String("path", f.snap.Path))
		default:
			f.log.Warn("index snapshot not used: building the index from the store",
				slog.String("path", f.snap.Path), slog.String("reason", err.Error()))
		}
	}
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
	// A build leaves behind garbage about the size of the index (the
	// listings read, the postings of each range before they were merged).
	// Give it back now: else the node holds twice its index in RSS until
	// the runtime's scavenger slowly returns it.
	freed := time.Now()
	debug.FreeOSMemory()
	f.seq.Store(seq)
	f.markSeq.Store(0)
	f.ready.Store(true)
	f.log.Info("index built from the store", slog.Duration("free_memory", time.Since(freed)), slog.Int("listings", n), slog.Int64("seq", seq),
		slog.Duration("took", time.Since(start)))
	if f.snap != nil {
		f.snapMu.Lock()
		f.snapDue = true
		f.snapMu.Unlock()
	}
	return nil
}

// loadSnapshot loads the index from the snapshot file, when it fits the
// store, and applies the changes logged after it.
func (f *Follower) loadSnapshot(ctx context.Context) error {
	start := time.Now()
	var checked time.Duration
	info, err := f.dst.LoadSnapshotFile(f.snap.Path, func(info persist.Info) error {
		defer func() { checked = time.Since(start) }()
		return f.checkSnapshot(ctx, info)
	})
	if err != nil {
		return err
	}
	read := time.Since(start)
	f.seq.Store(info.Seq)
	f.markSeq.Store(0)
	caughtUp := time.Now()
	n, err := f.CatchUp(ctx)
	if err != nil {
		return fmt.Errorf("apply the changes after the snapshot's position %d: %w", info.Seq, err)
	}
	f.snapMu.Lock()
	f.snapSeq, f.snapAt = info.Seq, time.Now()
	f.snapMu.Unlock()
	f.ready.Store(true)
	f.log.Info("index loaded from snapshot", slog.String("path", f.snap.Path),
		slog.Int("listings", info.Listings), slog.Int64("snapshot_seq", info.Seq),
		slog.Time("written", info.Written), slog.Int("changes", n), slog.Int64("seq", f.seq.Load()),
		slog.Duration("check", checked), slog.Duration("read", read-checked),
		slog.Duration("catch_up", time.Since(caughtUp)), slog.Duration("took", time.Since(start)))
	return nil
}

// checkSnapshot accepts a snapshot only for this store, and only when the
// store's change log holds the snapshot's history: the log has reached
// its position, and the listing changed there (the mark) has not gone
// back. A store restored from a backup older than the snapshot, or
// another database, is refused: the index is built from it instead.
func (f *Follower) checkSnapshot(ctx context.Context, info persist.Info) error {
	id, err := f.identity(ctx)
	if err != nil {
		return err
	}
	if info.Store != id {
		return fmt.Errorf("written for store %q; this store is %q", info.Store, id)
	}
	last, err := f.snap.Store.LastSeq(ctx)
	if err != nil {
		return err
	}
	if last < info.Seq {
		return fmt.Errorf("the store's change log ends at %d, before the snapshot's position %d (restored from an older backup?)", last, info.Seq)
	}
	if info.Mark != 0 {
		m, err := f.snap.Store.MarkOf(ctx, info.Mark)
		if err != nil {
			return err
		}
		switch {
		case m.Seq < info.Seq:
			return fmt.Errorf("listing %d changed at %d when the snapshot was written; this store has its latest change at %d (restored from an older backup?)",
				info.Mark, info.Seq, m.Seq)
		case m.Seq == info.Seq && !m.At.Equal(info.MarkAt):
			return fmt.Errorf("listing %d's change at %d was stored at %s for the snapshot, at %s in this store (restored from an older backup and written to since?)",
				info.Mark, info.Seq, info.MarkAt.Format(time.RFC3339Nano), m.At.Format(time.RFC3339Nano))
		}
	}
	return nil
}

// identity returns the store's identity, read once.
func (f *Follower) identity(ctx context.Context) (string, error) {
	f.idMu.Lock()
	defer f.idMu.Unlock()
	if f.storeID == "" {
		id, err := f.snap.Store.Identity(ctx)
		if err != nil {
			return "", err
		}
		f.storeID = id
	}
	return f.storeID, nil
}

// SaveSnapshot writes the index's snapshot unless the file already holds
// the index at its position, and returns once it is in place. A node
// calls it as it stops, once nothing applies changes any more; ctx bounds
// the write.
func (f *Follower) SaveSnapshot(ctx context.Context) error {
	if f.snap == nil || !f.ready.Load() {
		return nil
	}
	f.waitSynced()
	f.snapMu.Lock()
	at := f.snapSeq
	f.snapMu.Unlock()
	if at == f.seq.Load() {
		f.log.Info("index snapshot already at the index's position", slog.Int64("seq", at))
		return nil
	}
	return f.writeSnapshot(ctx, "stop", true)
}

// waitSynced waits for the last write's Commit.
func (f *Follower) waitSynced() {
	f.snapMu.Lock()
	c := f.syncing
	f.snapMu.Unlock()
	if c != nil {
		<-c
	}
}

// snapshotDue says why a snapshot is to be written now, or "".
func (f *Follower) snapshotDue() string {
	f.snapMu.Lock()
	defer f.snapMu.Unlock()
	if f.syncing != nil {
		select {
		case <-f.syncing:
		default:
			return "" // the last one is still going to disk
		}
	}
	switch {
	case f.snapDue:
		return "built"
	case f.snap.Every > 0 && time.Since(f.snapAt) >= f.snap.Every && f.seq.Load() != f.snapSeq:
		return "periodic"
	}
	return ""
}

// writeSnapshot writes the index's snapshot at its position now. While it
// reads the index, changes wait (the caller is the one applying them) and
// searches do not. Syncing the file to disk and renaming it into place
// happen in the background, unless wait.
func (f *Follower) writeSnapshot(ctx context.Context, why string, wait bool) error {
	f.writeMu.Lock()
	defer f.writeMu.Unlock()
	f.waitSynced()
	start := time.Now()
	f.snapMu.Lock()
	f.snapDue, f.snapAt = false, start // a failed write is retried after Every
	f.snapMu.Unlock()
	failed := func(err error) error {
		f.log.Error("index snapshot not written", slog.String("path", f.snap.Path), slog.String("why", why),
			slog.Any("err", err), slog.Duration("took", time.Since(start)))
		return err
	}
	seq := f.seq.Load()
	id, err := f.identity(ctx)
	if err != nil {
		return failed(err)
	}
	mark := store.Mark{ID: f.markID.Load(), Seq: f.markSeq.Load(), At: timeOfNanos(f.markAt.Load())}
	if mark.Seq != seq {
		if mark, err = f.snap.Store.MarkAt(ctx, seq); err != nil {
			return failed(err)
		}
	}
	w, err := f.dst.BeginSnapshotFile(ctx, f.snap.Path, persist.Info{Seq: seq, Store: id, Mark: mark.ID, MarkAt: mark.At})
	if err != nil {
		return failed(err)
	}
	read := time.Since(start)
	commit := func() error {
		info, size, err := w.Commit()
		if err != nil {
			return failed(err)
		}
		f.snapMu.Lock()
		f.snapSeq = info.Seq
		f.snapMu.Unlock()
		f.log.Info("index snapshot written", slog.String("path", f.snap.Path), slog.String("why", why),
			slog.Int("listings", info.Listings), slog.Int64("seq", info.Seq), slog.Int64("bytes", size),
			slog.Duration("changes_waited", read), slog.Duration("took", time.Since(start)))
		return nil
	}
	if wait {
		return commit()
	}
	done := make(chan struct{})
	f.snapMu.Lock()
	f.syncing = done
	f.snapMu.Unlock()
	go func() {
		defer close(done)
		commit() // logged
	}()
	return nil
}

// Run applies changes until ctx ends, and writes the index's snapshots
// when they are due (KeepSnapshots). Call Load first.
func (f *Follower) Run(ctx context.Context) {
	t := time.NewTicker(f.poll)
	defer t.Stop()
	for {
		if _, err := f.CatchUp(ctx); err != nil && ctx.Err() == nil {
			f.log.Error("index: follow change log", slog.Any("err", err), slog.Int64("seq", f.seq.Load()))
		}
		if f.snap != nil && ctx.Err() == nil {
			if why := f.snapshotDue(); why != "" {
				f.writeSnapshot(ctx, why, false) // logged
			}
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
		if n := len(cs); n > 0 {
			f.markID.Store(cs[n-1].Listing.ID)
			f.markAt.Store(nanosOf(cs[n-1].Listing.UpdatedAt))
			f.markSeq.Store(cs[n-1].Seq)
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

// nanosOf is t in Unix nanoseconds, 0 for the zero time, as the mark is
// kept in an atomic.
func nanosOf(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// timeOfNanos is the inverse of nanosOf, in UTC.
func timeOfNanos(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}
