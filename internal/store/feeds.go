package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"anken/internal/problem"
)

// FeedRun is one upload, poll or import of an agency's feed with its
// per-row counts. Its state goes receiving → received (every row is in the
// inbox or stored) → done once every row is processed. A run whose feed
// could not be read to its end is aborted (its rows are still processed).
//
// A full feed closes the agency's open listings it did not contain, but
// only when it is plainly the agency's catalogue:
//   - failed: it could not be read to its end, had no row that could be
//     stored, or had more than half of its rows rejected. Nothing is closed
//     and Error says why.
//   - held: it would close more than half of the agency's open listings.
//     Nothing is closed until the agency (POST /v1/agency/feeds/{id}/confirm)
//     or an operator (anken feed confirm) confirms; then the listings it did
//     not contain and that nothing wrote since it began are closed and it is
//     done.
//   - done: otherwise, with those listings closed.
type FeedRun struct {
	ID         int64
	Agency     string
	Source     string
	Format     string
	Full       bool
	State      string
	Rows       int
	Created    int
	Updated    int
	Unchanged  int
	Rejected   int
	Closed     int
	Error      string
	StartedAt  time.Time
	FinishedAt *time.Time
}

// Feed run states.
const (
	RunReceiving = "receiving"
	RunReceived  = "received"
	RunDone      = "done"
	RunAborted   = "aborted"
	RunFailed    = "failed" // a full run that closed nothing: see FeedRun
	RunHeld      = "held"   // a full run waiting for confirmation: see FeedRun
)

// ErrNotHeld is ConfirmRun's error for a run that is not held.
var ErrNotHeld = fmt.Errorf("store: feed run is not held: %w", problem.Conflict)

// StartRun records a new feed run. With an idempotency key that the agency
// used before, it returns that run and existing set instead.
func (s *Store) StartRun(ctx context.Context, agency Agency, source, format string, full bool, key string) (run FeedRun, existing bool, err error) {
	if key != "" {
		run, err = s.runWhere(ctx, `r.agency_id = $1 AND r.idempotency_key = $2`, agency.ID, key)
		if err == nil {
			return run, true, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return FeedRun{}, false, err
		}
	}
	var k any
	if key != "" {
		k = key
	}
	now := s.now()
	var id int64
	err = s.db.QueryRowContext(ctx, `INSERT INTO feed_runs (agency_id, source, format, full_feed, state, idempotency_key, started_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, agency.ID, source, format, full, RunReceiving, k, now).Scan(&id)
	if isUniqueViolation(err) { // the same key, concurrently
		run, err = s.runWhere(ctx, `r.agency_id = $1 AND r.idempotency_key = $2`, agency.ID, key)
		return run, err == nil, err
	}
	if err != nil {
		return FeedRun{}, false, fmt.Errorf("store: start feed run: %w", err)
	}
	return FeedRun{ID: id, Agency: agency.Slug, Source: source, Format: format, Full: full, State: RunReceiving, StartedAt: now}, false, nil
}

// EndReceive records that the run's rows are all in (state received), or,
// with a non-empty readErr, that the feed broke off (state aborted: its rows
// are still processed but nothing is closed). In the same transaction it
// settles the run when its rows are all processed already (see FinishRun):
// an import's are, and an upload's whose rows were all rejected as they
// were read. A run aborted meanwhile (AbortStaleRuns) is left as it is.
//
// It is the last write of the process that received the run, so it is
// the one audited (WithAudit) for the upload, poll or import as a whole:
// target the run, detail its rows, counts and state as they then are.
func (s *Store) EndReceive(ctx context.Context, runID int64, rows int, readErr string) error {
	state := RunReceived
	if readErr != "" {
		state = RunAborted
	}
	return s.write(ctx, func(w *writer) error {
		res, err := w.tx.ExecContext(ctx, `UPDATE feed_runs SET state = $1, rows_read = $2, error = $3 WHERE id = $4 AND state = $5`,
			state, rows, clip(readErr, maxReason), runID, RunReceiving)
		if err != nil {
			return fmt.Errorf("store: end feed run %d: %w", runID, err)
		}
		if n, _ := res.RowsAffected(); n > 0 { // else aborted as stale meanwhile: FinishRun settles it
			if _, err := w.finishRun(ctx, runID); err != nil {
				return err
			}
		}
		r, err := w.lockRun(ctx, runID)
		if err != nil {
			return err
		}
		return audit(ctx, w.tx, r.auditTarget(), r.auditDetail())
	})
}

// auditTarget names the run in the audit log.
func (r FeedRun) auditTarget() string { return fmt.Sprintf("feed run %d of %s", r.ID, r.Agency) }

// auditDetail is the run's rows, counts and state for the audit log:
// "1,000 rows: 990 created, 0 updated, 8 unchanged, 2 rejected, 0 closed; done".
func (r FeedRun) auditDetail() string {
	d := fmt.Sprintf("%s rows: %s created, %s updated, %s unchanged, %s rejected, %s closed; %s",
		thousands(int64(r.Rows)), thousands(int64(r.Created)), thousands(int64(r.Updated)), thousands(int64(r.Unchanged)),
		thousands(int64(r.Rejected)), thousands(int64(r.Closed)), r.State)
	if r.Error != "" {
		d += ": " + r.Error
	}
	return d
}

// StoppedRunError is the error of a run AbortStaleRuns aborted.
const StoppedRunError = "the process receiving this feed stopped before its end"

// AbortStaleRuns marks aborted, with StoppedRunError, the runs still
// receiving that started more than olderThan ago: a process killed while
// it read a feed (an upload, a poll, an import) never ends its run, which
// would otherwise stay receiving forever. It returns how many it aborted.
//
// A run records no progress while it receives (rows_read is written at the
// end), and another node may be receiving a feed right now, so the bound
// must be longer than any feed takes to read: a run still receiving after
// it is aborted all the same, and its end (EndReceive) changes nothing. An
// aborted run is then finished like any other (FinishRun): its rows are
// processed, and a full one closes nothing.
//
// Each run aborted leaves a row in the audit log, in the same
// transaction (action AbortStaleRunAction, target the run): the rows its
// process stored before it stopped are written all the same, and the
// run's own row, written as a run ends, never came. Its actor and address
// are sender's for the run's agency and source.
func (s *Store) AbortStaleRuns(ctx context.Context, olderThan time.Duration, sender func(agency, source string) AuditEntry) (int, error) {
	before := s.now().Add(-olderThan)
	n := 0
	err := s.write(ctx, func(w *writer) error {
		n = 0
		rows, err := w.tx.QueryContext(ctx, `SELECT r.id, a.slug, r.source FROM feed_runs r JOIN agencies a ON a.id = r.agency_id
			WHERE r.state = $1 AND r.started_at < $2 ORDER BY r.id`, RunReceiving, before)
		if err != nil {
			return err
		}
		type stale struct {
			id             int64
			agency, source string
		}
		var runs []stale
		for rows.Next() {
			var r stale
			if err := rows.Scan(&r.id, &r.agency, &r.source); err != nil {
				rows.Close()
				return err
			}
			runs = append(runs, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range runs {
			res, err := w.tx.ExecContext(ctx, `UPDATE feed_runs SET state = $1, error = $2 WHERE id = $3 AND state = $4`,
				RunAborted, StoppedRunError, r.id, RunReceiving)
			if err != nil {
				return err
			}
			if k, err := res.RowsAffected(); err != nil || k == 0 {
				continue // ended meanwhile
			}
			n++
			e := sender(r.agency, r.source)
			e.Action = AbortStaleRunAction
			if err := audit(WithAudit(ctx, e), w.tx, fmt.Sprintf("feed run %d", r.id),
				fmt.Sprintf("%s feed of %s aborted: %s", r.source, r.agency, StoppedRunError)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: abort stale feed runs: %w", err)
	}
	return n, nil
}

// AbortStaleRunAction is the audit log's action for a feed run aborted
// because the process receiving it stopped (AbortStaleRuns).
const AbortStaleRunAction = "abort-stale-feed-run"

// FinishRun settles a received or aborted run whose rows are all
// processed. A partial run becomes done (or stays aborted). A full run is
// judged first (see FeedRun): it fails, is held, or closes the agency's
// open listings it did not carry (and that were not written since it
// started) and becomes done. FinishRun reports whether the run is settled,
// rows all processed: done, aborted, failed or held. Calling it again is
// harmless.
func (s *Store) FinishRun(ctx context.Context, runID int64) (bool, error) {
	settled := false
	err := s.write(ctx, func(w *writer) error {
		var err error
		settled, err = w.finishRun(ctx, runID)
		return err
	})
	return settled, err
}

func (w *writer) finishRun(ctx context.Context, runID int64) (bool, error) {
	r, err := w.lockRun(ctx, runID)
	if err != nil {
		return false, err
	}
	if r.finished() {
		return true, nil
	}
	if r.State != RunReceived && r.State != RunAborted {
		return false, nil
	}
	var pending int
	if err := w.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM inbox WHERE run_id = $1 AND state = 'pending'`, runID).Scan(&pending); err != nil {
		return false, fmt.Errorf("store: feed run %d: %w", runID, err)
	}
	if pending > 0 {
		return false, nil
	}
	state, why, closed := RunDone, r.Error, 0
	switch {
	case r.State == RunAborted && !r.Full:
		state = RunAborted
	case r.Full:
		state, why, err = w.judgeFull(ctx, r)
		if err != nil {
			return false, err
		}
		if state == RunDone {
			if closed, err = w.closeStale(ctx, r); err != nil {
				return false, err
			}
		}
	}
	finished := &w.now
	if state == RunHeld {
		finished = nil // until confirmed
	}
	if _, err := w.tx.ExecContext(ctx, `UPDATE feed_runs SET state = $1, error = $2, closed = closed + $3, finished_at = $4 WHERE id = $5`,
		state, clip(why, maxReason), closed, finished, runID); err != nil {
		return false, fmt.Errorf("store: finish feed run %d: %w", runID, err)
	}
	return true, nil
}

// judgeFull decides what a full run whose rows are all processed may do:
// RunFailed or RunHeld with the reason, or RunDone when it may close the
// listings it did not carry.
func (w *writer) judgeFull(ctx context.Context, r lockedRun) (state, why string, err error) {
	const keep = "; nothing was closed"
	stored := r.Created + r.Updated + r.Unchanged
	switch {
	case r.State == RunAborted:
		return RunFailed, r.Error + keep + ": a full feed closes listings only when it is read to its end", nil
	case r.Rows == 0:
		return RunFailed, "the feed has no rows" + keep + ": a full feed with no rows would close every listing", nil
	case stored == 0:
		return RunFailed, fmt.Sprintf("none of the feed's %d rows could be stored (see its rejections: is it really a %s feed?)%s",
			r.Rows, r.Format, keep), nil
	case 2*r.Rejected > r.Rows:
		return RunFailed, fmt.Sprintf("%d of the feed's %d rows were rejected%s: a full feed with more than half its rows rejected closes nothing",
			r.Rejected, r.Rows, keep), nil
	}
	stale, err := w.countStale(ctx, r)
	if err != nil {
		return "", "", err
	}
	var open int
	if err := w.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM listings WHERE `+w.dialect.agencyOpen(), r.Agency.ID).
		Scan(&open); err != nil {
		return "", "", fmt.Errorf("store: open listings of %q: %w", r.Agency.Slug, err)
	}
	// The listings open before the run: those it created are new.
	before := max(open-r.Created, stale)
	if 2*stale > before {
		return RunHeld, fmt.Sprintf("would close %d of %d open listings; confirm to close them", stale, before), nil
	}
	return RunDone, "", nil
}

// ConfirmRun closes what a held full run would close, the agency's open
// listings it did not carry and that nothing wrote since it started, and
// makes it done. It returns the run as it then is; ErrNotFound for an
// unknown run, ErrNotHeld for one that is not held. Audited (WithAudit):
// target the run, detail how many listings it closed.
func (s *Store) ConfirmRun(ctx context.Context, runID int64) (FeedRun, error) {
	var agency Agency
	err := s.write(ctx, func(w *writer) error {
		r, err := w.lockRun(ctx, runID)
		if err != nil {
			return err
		}
		agency = r.Agency
		if r.State != RunHeld {
			return fmt.Errorf("store: feed run %d is %s: %w", runID, r.State, ErrNotHeld)
		}
		closed, err := w.closeStale(ctx, r)
		if err != nil {
			return err
		}
		if _, err := w.tx.ExecContext(ctx, `UPDATE feed_runs SET state = $1, error = '', closed = closed + $2, finished_at = $3 WHERE id = $4`,
			RunDone, closed, w.now, runID); err != nil {
			return fmt.Errorf("store: confirm feed run %d: %w", runID, err)
		}
		return audit(ctx, w.tx, r.auditTarget(), fmt.Sprintf("%s listings closed", thousands(int64(closed))))
	})
	if err != nil {
		return FeedRun{}, err
	}
	return s.FeedRun(ctx, agency, runID)
}

// lockedRun is a feed run read for update, with its agency.
type lockedRun struct {
	FeedRun
	Agency Agency
}

// finished reports whether nothing more will happen to the run unless
// someone confirms it.
func (r lockedRun) finished() bool {
	return r.FinishedAt != nil || r.State == RunDone || r.State == RunFailed || r.State == RunHeld
}

// lockRun reads the run and its agency, locking the run's row until the
// transaction ends (SQLite has one writer anyway).
func (w *writer) lockRun(ctx context.Context, runID int64) (lockedRun, error) {
	lock := ""
	if w.dialect == postgres {
		lock = " FOR UPDATE OF r"
	}
	var r lockedRun
	err := w.tx.QueryRowContext(ctx, `SELECT r.id, r.source, r.format, r.full_feed, r.state, r.rows_read, r.created, r.updated,
		r.unchanged, r.rejected, r.closed, r.error, r.started_at, r.finished_at, a.id, a.slug, a.name, a.created_at
		FROM feed_runs r JOIN agencies a ON a.id = r.agency_id WHERE r.id = $1`+lock, runID).
		Scan(&r.ID, &r.Source, &r.Format, &r.Full, &r.State, &r.Rows, &r.Created, &r.Updated, &r.Unchanged, &r.Rejected,
			&r.Closed, &r.Error, &r.StartedAt, &r.FinishedAt, &r.Agency.ID, &r.Agency.Slug, &r.Agency.Name, &r.Agency.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return lockedRun{}, fmt.Errorf("store: feed run %d: %w", runID, ErrNotFound)
	}
	if err != nil {
		return lockedRun{}, fmt.Errorf("store: feed run %d: %w", runID, err)
	}
	r.FeedRun.Agency = r.Agency.Slug
	return r, nil
}

// staleWhere selects the agency's open listings a full run did not carry
// and that nothing wrote since it started. A listing a later run carried
// (feed_run above this one's) is not stale either: a held run confirmed
// late must not close what a newer feed still has.
func (d dialect) staleWhere() string {
	return `WHERE ` + d.agencyOpen() + ` AND feed_run < $2 AND updated_at < $3`
}

// agencyOpen selects the open listings of agency $1 by the index that
// starts with agency_id. On SQLite status is written +status so that the
// planner, which has no statistics, does not take listings_status_id
// instead: that walks every open listing of every agency (27 s at
// 2,000,000 listings, twice as a full feed run ends, inside the write
// transaction) where the agency's own rows are a fraction of it.
func (d dialect) agencyOpen() string {
	if d == sqlite {
		return `agency_id = $1 AND +status = 'open'`
	}
	return `agency_id = $1 AND status = 'open'`
}

func (w *writer) countStale(ctx context.Context, r lockedRun) (int, error) {
	var n int
	if err := w.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM listings `+w.dialect.staleWhere(), r.Agency.ID, r.ID, r.StartedAt).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: stale listings of %q: %w", r.Agency.Slug, err)
	}
	return n, nil
}

// closeStale closes the listings staleWhere selects for r.
func (w *writer) closeStale(ctx context.Context, r lockedRun) (int, error) {
	agency, runID, started := r.Agency, r.ID, r.StartedAt
	rows, err := w.tx.QueryContext(ctx, `SELECT id, doc FROM listings `+w.dialect.staleWhere(), agency.ID, runID, started)
	if err != nil {
		return 0, fmt.Errorf("store: stale listings of %q: %w", agency.Slug, err)
	}
	type stale struct {
		id  int64
		doc []byte
	}
	var all []stale
	for rows.Next() {
		var st stale
		if err := rows.Scan(&st.id, &st.doc); err != nil {
			rows.Close()
			return 0, fmt.Errorf("store: stale listings of %q: %w", agency.Slug, err)
		}
		all = append(all, st)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("store: stale listings of %q: %w", agency.Slug, err)
	}
	for _, st := range all {
		if _, err := w.closeDoc(ctx, agency.Slug, st.id, st.doc); err != nil {
			return 0, err
		}
	}
	return len(all), nil
}

// FeedRun returns the agency's feed run, or ErrNotFound.
func (s *Store) FeedRun(ctx context.Context, agency Agency, id int64) (FeedRun, error) {
	return s.runWhere(ctx, `r.agency_id = $1 AND r.id = $2`, agency.ID, id)
}

func (s *Store) runWhere(ctx context.Context, where string, args ...any) (FeedRun, error) {
	var r FeedRun
	err := s.db.QueryRowContext(ctx, `SELECT r.id, a.slug, r.source, r.format, r.full_feed, r.state, r.rows_read,
		r.created, r.updated, r.unchanged, r.rejected, r.closed, r.error, r.started_at, r.finished_at
		FROM feed_runs r JOIN agencies a ON a.id = r.agency_id WHERE `+where, args...).
		Scan(&r.ID, &r.Agency, &r.Source, &r.Format, &r.Full, &r.State, &r.Rows, &r.Created, &r.Updated,
			&r.Unchanged, &r.Rejected, &r.Closed, &r.Error, &r.StartedAt, &r.FinishedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return FeedRun{}, fmt.Errorf("store: feed run %v: %w", args, ErrNotFound)
	}
	if err != nil {
		return FeedRun{}, fmt.Errorf("store: feed run %v: %w", args, err)
	}
	return r, nil
}

// OpenRuns returns the ids of runs received or aborted but not finished:
// what a worker checks after a restart.
func (s *Store) OpenRuns(ctx context.Context) ([]int64, error) {
	return s.int64s(ctx, "open feed runs", `SELECT id FROM feed_runs WHERE state IN ('received', 'aborted') AND finished_at IS NULL ORDER BY id`)
}

// FeedSource is a feed anken fetches on a schedule.
type FeedSource struct {
	ID        int64
	Agency    Agency
	URL       string
	Format    string
	Full      bool
	Options   string // the parser options as JSON
	Every     time.Duration
	NextAt    time.Time
	ETag      string
	LastRun   int64
	LastError string
}

// PutFeedSource adds the agency's feed URL or replaces its settings; the
// first poll is due at once. Audited (WithAudit): detail the source.
func (s *Store) PutFeedSource(ctx context.Context, src FeedSource) (FeedSource, error) {
	now := s.now()
	if src.Options == "" {
		src.Options = "{}"
	}
	err := s.inTx(ctx, false, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO feed_sources (agency_id, url, format, full_feed, options, every_seconds, next_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (agency_id, url) DO UPDATE SET format = excluded.format, full_feed = excluded.full_feed,
				options = excluded.options, every_seconds = excluded.every_seconds, next_at = excluded.next_at, etag = ''
			RETURNING id`, src.Agency.ID, src.URL, src.Format, src.Full, src.Options, int64(src.Every/time.Second), now).Scan(&src.ID)
		if err != nil {
			return fmt.Errorf("store: put feed source %q: %w", src.URL, err)
		}
		return audit(ctx, tx, "agency "+src.Agency.Slug, fmt.Sprintf("feed source %d: %s (%s, every %s)", src.ID, src.URL, src.Format, src.Every))
	})
	if err != nil {
		return FeedSource{}, err
	}
	src.NextAt = now
	return src, nil
}

// FeedSources returns the agency's feed sources.
func (s *Store) FeedSources(ctx context.Context, agency Agency) ([]FeedSource, error) {
	return s.sources(ctx, `WHERE f.agency_id = $1 ORDER BY f.id`, agency.ID)
}

// DeleteFeedSource stops polling the agency's feed; ErrNotFound if unknown.
// Audited (WithAudit): detail the source.
func (s *Store) DeleteFeedSource(ctx context.Context, agency Agency, id int64) error {
	return s.inTx(ctx, false, func(tx *sql.Tx) error {
		var url string
		err := tx.QueryRowContext(ctx, `DELETE FROM feed_sources WHERE agency_id = $1 AND id = $2 RETURNING url`, agency.ID, id).Scan(&url)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: feed source %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: delete feed source %d: %w", id, err)
		}
		return audit(ctx, tx, "agency "+agency.Slug, fmt.Sprintf("feed source %d: %s", id, url))
	})
}

// ClaimDueSource takes one feed source whose poll is due and moves its
// next poll a lease ahead, so that one node polls it. ErrNotFound when none
// is due.
func (s *Store) ClaimDueSource(ctx context.Context, lease time.Duration) (FeedSource, error) {
	now := s.now()
	lock := ""
	if s.dialect == postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var id int64
	err := s.db.QueryRowContext(ctx, `UPDATE feed_sources SET next_at = $1
		WHERE id = (SELECT id FROM feed_sources WHERE next_at <= $2 ORDER BY next_at LIMIT 1`+lock+`) RETURNING id`,
		now.Add(lease), now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return FeedSource{}, fmt.Errorf("store: due feed source: %w", ErrNotFound)
	}
	if err != nil {
		return FeedSource{}, fmt.Errorf("store: due feed source: %w", err)
	}
	all, err := s.sources(ctx, `WHERE f.id = $1`, id)
	if err != nil || len(all) == 0 {
		return FeedSource{}, fmt.Errorf("store: feed source %d: %w", id, errors.Join(err, ErrNotFound))
	}
	return all[0], nil
}

// PolledSource records a poll's outcome and schedules the next one.
func (s *Store) PolledSource(ctx context.Context, src FeedSource, runID int64, etag string, pollErr error) error {
	msg := ""
	if pollErr != nil {
		msg = clip(pollErr.Error(), maxReason)
	}
	next := s.now().Add(src.Every)
	_, err := s.db.ExecContext(ctx, `UPDATE feed_sources SET next_at = $1, etag = $2, last_run = CASE WHEN $3 = 0 THEN last_run ELSE $3 END,
		last_error = $4 WHERE id = $5`, next, etag, runID, msg, src.ID)
	if err != nil {
		return fmt.Errorf("store: feed source %d: %w", src.ID, err)
	}
	return nil
}

func (s *Store) sources(ctx context.Context, where string, args ...any) ([]FeedSource, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT f.id, a.id, a.slug, a.name, a.created_at, f.url, f.format, f.full_feed, f.options,
		f.every_seconds, f.next_at, f.etag, f.last_run, f.last_error
		FROM feed_sources f JOIN agencies a ON a.id = f.agency_id `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: feed sources: %w", err)
	}
	defer rows.Close()
	out := []FeedSource{}
	for rows.Next() {
		var (
			f     FeedSource
			every int64
		)
		if err := rows.Scan(&f.ID, &f.Agency.ID, &f.Agency.Slug, &f.Agency.Name, &f.Agency.CreatedAt, &f.URL, &f.Format,
			&f.Full, &f.Options, &every, &f.NextAt, &f.ETag, &f.LastRun, &f.LastError); err != nil {
			return nil, fmt.Errorf("store: feed sources: %w", err)
		}
		f.Every = time.Duration(every) * time.Second
		out = append(out, f)
	}
	return out, rows.Err()
}
