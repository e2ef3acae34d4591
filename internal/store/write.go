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

// writer is one write transaction: the statements it has prepared, the
// time it writes, and the store's dialect.
type writer struct {
	tx      *sql.Tx
	dialect dialect
	now     time.Time
	stmts   map[string]*sql.Stmt
	seq     int64 // the last change-log number given out, once seqRead
	seqRead bool
	index   *bucketIndex
	bt      *bucketTx      // the bucket index, once taken (buckets)
	carry   map[int64]bool // by feed run: whether it marks what it carries (carries)
}

// write runs fn in a transaction that may append to the change log.
func (s *Store) write(ctx context.Context, fn func(*writer) error) error {
	var w *writer
	err := s.inTx(ctx, true, func(tx *sql.Tx) error {
		w = &writer{tx: tx, dialect: s.dialect, now: s.now(), stmts: map[string]*sql.Stmt{}, index: s.buckets}
		return fn(w)
	})
	if w != nil && w.bt != nil {
		w.bt.end(err == nil, w.seq)
	}
	return err
}

// buckets returns the duplicate bucket index, taken for the transaction
// and caught up with the listings written since it was last used; the
// caller built it (bucketIndex.build) before the transaction began.
func (w *writer) buckets(ctx context.Context) (*bucketTx, error) {
	if w.bt == nil {
		bt, err := w.index.begin(ctx, w.tx)
		if err != nil {
			return nil, err
		}
		w.bt = bt
	}
	return w.bt, nil
}

// stmt returns the statement for query, prepared once per transaction: a
// batch of a thousand listings runs each statement a thousand times.
func (w *writer) stmt(ctx context.Context, query string) prepared {
	if st, ok := w.stmts[query]; ok {
		return prepared{st: st}
	}
	st, err := w.tx.PrepareContext(ctx, query)
	if err != nil { // run it unprepared: it reports its own error
		return prepared{tx: w.tx, query: query}
	}
	w.stmts[query] = st
	return prepared{st: st}
}

// prepared is a prepared statement, or the query to run on tx when it
// could not be prepared.
type prepared struct {
	st    *sql.Stmt
	tx    *sql.Tx
	query string
}

func (p prepared) ExecContext(ctx context.Context, args ...any) (sql.Result, error) {
	if p.st == nil {
		return p.tx.ExecContext(ctx, p.query, args...)
	}
	return p.st.ExecContext(ctx, args...)
}

func (p prepared) QueryRowContext(ctx context.Context, args ...any) *sql.Row {
	if p.st == nil {
		return p.tx.QueryRowContext(ctx, p.query, args...)
	}
	return p.st.QueryRowContext(ctx, args...)
}

func (p prepared) QueryContext(ctx context.Context, args ...any) (*sql.Rows, error) {
	if p.st == nil {
		return p.tx.QueryContext(ctx, p.query, args...)
	}
	return p.st.QueryContext(ctx, args...)
}

// Work is what one accepted item does to an agency's listings: listings to
// put, external ids to close, and rows rejected with their reasons. Apply
// does a batch of Work in one transaction.
type Work struct {
	Agency  Agency
	InboxID int64 // inbox item done by this work; 0 for none (API, import)
	Claim   int   // the item's attempts when claimed: a later claim wins
	RunID   int64 // feed run the rows belong to; 0 for none
	Source  string
	Puts    []*listing.Listing
	Closes  []string
	// Rejected lists what was not stored, and why.
	Rejected []Rejection
	// Seen are external ids of rejected feed rows: a full feed keeps their
	// listings open, for the row is there even if broken.
	Seen []string
	// Sent is how many listings the request behind the work sent, valid
	// or not (the API's put and batch): its audit row counts them.
	Sent int
	// Once, when set, makes the work happen once per agency and key.
	Once *Once

	prep []stored // the puts' stored forms; see Prepare
}

// Reject records rows of one external id that are not stored, and why.
// A full feed keeps that id's listing open: the row is there, if broken.
func (wk *Work) Reject(externalID string, rs ...Rejection) {
	wk.Rejected = append(wk.Rejected, rs...)
	if externalID != "" {
		wk.Seen = append(wk.Seen, externalID)
	}
}

// Prepare computes what can be computed of the puts' stored forms before
// the write transaction (their signatures and docs), so a caller with idle
// cores can take it off the single writer's path. Apply prepares any Work
// not yet prepared.
func (wk *Work) Prepare() {
	if len(wk.prep) == len(wk.Puts) {
		return
	}
	wk.prep = make([]stored, len(wk.Puts))
	for i, l := range wk.Puts {
		wk.prep[i] = prepareListing(l)
	}
}

// Once makes a Work happen once per agency and key (an API request's
// Idempotency-Key). Apply claims the key in the write transaction before
// it writes, and keeps the answer Answer gives in the same transaction: the
// write and the answer to its repeats are stored together or not at all.
// A key claimed already (by a committed write, or by one still writing,
// which Apply waits for) writes nothing and fails with ErrRepeated.
type Once struct {
	Key         string
	RequestHash string // what the request was: IdempotentAnswer returns it
	// Answer gives the answer kept for repeats from what the work did.
	// keep false keeps none and frees the key: a repeat writes again.
	Answer func(WorkResult) (a Idempotent, keep bool, err error)
}

// WorkResult is what Apply did with one Work.
type WorkResult struct {
	Puts   []PutResult
	Closes []PutResult // a close of an unknown listing is in Rejected instead
	// Skipped is set when the inbox item was no longer this claim's: it was
	// done, or claimed again after the lease ran out. Nothing was written.
	Skipped bool
}

// Apply does ws in one transaction: puts (with duplicate grouping and
// change log), closes, rejections, the inbox items' completion and their
// feed runs' counts. Either all of it is stored or none of it.
//
// Work straight from a request (neither an inbox item's nor a feed run's)
// is audited (WithAudit): detail how many listings were sent, accepted and
// rejected. An inbox item was audited when it was delivered, and a feed
// run is when it ends (EndReceive).
func (s *Store) Apply(ctx context.Context, ws []Work) ([]WorkResult, error) {
	prepareAll(ws)
	out := make([]WorkResult, len(ws))
	apply := func(w *writer) error {
		counts := map[int64]*runCounts{}
		for i := range ws {
			r, err := w.apply(ctx, &ws[i], counts)
			if err != nil {
				return err
			}
			out[i] = r
		}
		for run, c := range counts {
			if _, err := w.stmt(ctx, `UPDATE feed_runs SET created = created + $1, updated = updated + $2,
				unchanged = unchanged + $3, rejected = rejected + $4, closed = closed + $5 WHERE id = $6`).
				ExecContext(ctx, c.created, c.updated, c.unchanged, c.rejected, c.closed, run); err != nil {
				return fmt.Errorf("store: count feed run %d: %w", run, err)
			}
		}
		for i := range ws {
			if wk := &ws[i]; wk.InboxID == 0 && wk.RunID == 0 {
				return audit(ctx, w.tx, "", wk.auditDetail())
			}
		}
		return nil
	}
	err := s.write(ctx, apply)
	if errors.Is(err, errBucketsUnbuilt) {
		// The first write to group a listing: the bucket index is read
		// outside the transaction, which is then done again.
		if err := s.buckets.build(ctx, s.db, s.dialect); err != nil {
			return nil, err
		}
		err = s.write(ctx, apply)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// prepareAll prepares the Work not yet prepared, on every core: signing and
// encoding listings costs CPU the single writer should not spend.
func prepareAll(ws []Work) {
	var todo []*Work
	n := 0
	for i := range ws {
		if len(ws[i].prep) != len(ws[i].Puts) {
			todo = append(todo, &ws[i])
			n += len(ws[i].Puts)
		}
	}
	if n < 64 {
		for _, wk := range todo {
			wk.Prepare()
		}
		return
	}
	var wg sync.WaitGroup
	for _, wk := range todo {
		wk.prep = make([]stored, len(wk.Puts))
		chunk := max(16, len(wk.Puts)/runtime.GOMAXPROCS(0))
		for lo := 0; lo < len(wk.Puts); lo += chunk {
			hi := min(lo+chunk, len(wk.Puts))
			wg.Go(func() {
				for i := lo; i < hi; i++ {
					wk.prep[i] = prepareListing(wk.Puts[i])
				}
			})
		}
	}
	wg.Wait()
}

type runCounts struct{ created, updated, unchanged, rejected, closed int }

func (w *writer) apply(ctx context.Context, wk *Work, counts map[int64]*runCounts) (WorkResult, error) {
	var res WorkResult
	if wk.InboxID != 0 {
		r, err := w.stmt(ctx, `UPDATE inbox SET state = 'done', done_at = $1, last_error = '' WHERE id = $2 AND state = 'pending' AND attempts = $3`).
			ExecContext(ctx, w.now, wk.InboxID, wk.Claim)
		if err != nil {
			return res, fmt.Errorf("store: complete inbox item %d: %w", wk.InboxID, err)
		}
		if n, _ := r.RowsAffected(); n == 0 {
			res.Skipped = true
			return res, nil
		}
	}
	if wk.Once != nil {
		if err := w.claim(ctx, wk.Agency, wk.Once); err != nil {
			return res, err
		}
	}
	c := counts[wk.RunID]
	if c == nil {
		c = &runCounts{}
		if wk.RunID != 0 {
			counts[wk.RunID] = c
		}
	}
	carry, err := w.carries(ctx, wk.Agency, wk.RunID)
	if err != nil {
		return res, err
	}
	puts, err := w.putAll(ctx, wk.Agency, wk.Puts, wk.prep, wk.RunID, carry)
	if err != nil {
		return res, fmt.Errorf("store: put listings of agency %q: %w", wk.Agency.Slug, err)
	}
	res.Puts = puts
	for _, r := range puts {
		switch r.Outcome {
		case Created:
			c.created++
		case Updated:
			c.updated++
		default:
			c.unchanged++
		}
	}
	rejected := wk.Rejected
	for _, ext := range wk.Closes {
		r, err := w.close(ctx, wk.Agency, ext)
		if errors.Is(err, ErrNotFound) {
			rejected = append(rejected, Rejection{ExternalID: ext, Field: "external_id", Reason: "no listing with this external_id to close"})
			continue
		}
		if err != nil {
			return res, err
		}
		res.Closes = append(res.Closes, r)
		if r.Outcome == Closed {
			c.closed++
		}
	}
	for _, rj := range rejected {
		if rj.Source == "" {
			rj.Source = wk.Source
		}
		if rj.RunID == 0 {
			rj.RunID = wk.RunID
		}
		if rj.InboxID == 0 {
			rj.InboxID = wk.InboxID
		}
		if err := w.reject(ctx, wk.Agency, &rj); err != nil {
			return res, err
		}
	}
	c.rejected += countRows(rejected)
	if wk.RunID != 0 {
		for _, ext := range wk.Seen {
			if _, err := w.stmt(ctx, `UPDATE listings SET feed_run = $1 WHERE agency_id = $2 AND external_id = $3`).
				ExecContext(ctx, wk.RunID, wk.Agency.ID, ext); err != nil {
				return res, fmt.Errorf("store: mark seen %q: %w", ext, err)
			}
		}
	}
	if wk.Once != nil {
		if err := w.answer(ctx, wk.Agency, wk.Once, res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// carries reports whether the feed run must mark the unchanged listings
// it carries (feed_run): only a full run of the agency still to settle,
// this one or an earlier one, reads the marks (staleWhere), so a re-import
// of an unchanged feed, when there is none, rewrites no listing.
func (w *writer) carries(ctx context.Context, agency Agency, run int64) (bool, error) {
	if run == 0 {
		return false, nil
	}
	if c, ok := w.carry[run]; ok {
		return c, nil
	}
	var n int
	if err := w.stmt(ctx, `SELECT COUNT(*) FROM feed_runs WHERE agency_id = $1 AND full_feed = $2 AND id <= $3 AND state IN ($4, $5, $6)`).
		QueryRowContext(ctx, agency.ID, true, run, RunReceiving, RunReceived, RunHeld).Scan(&n); err != nil {
		return false, fmt.Errorf("store: full runs of %q: %w", agency.Slug, err)
	}
	if w.carry == nil {
		w.carry = map[int64]bool{}
	}
	w.carry[run] = n > 0
	return n > 0, nil
}

// claim takes o's key for the agency, or fails with ErrRepeated when it
// is taken. On PostgreSQL a claim by a transaction still open waits for
// it: its answer is then there to read, or its key free again.
func (w *writer) claim(ctx context.Context, agency Agency, o *Once) error {
	r, err := w.stmt(ctx, `INSERT INTO idempotency (agency_id, idem_key, request_hash, status, response, created_at)
		VALUES ($1, $2, $3, 0, '', $4) ON CONFLICT DO NOTHING`).ExecContext(ctx, agency.ID, o.Key, o.RequestHash, w.now)
	if err != nil {
		return fmt.Errorf("store: idempotency key %q: %w", o.Key, err)
	}
	if n, err := r.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("store: idempotency key %q: %w", o.Key, ErrRepeated)
	}
	return nil
}

// answer keeps the answer to o's repeats, or frees its key.
func (w *writer) answer(ctx context.Context, agency Agency, o *Once, res WorkResult) error {
	a, keep, err := o.Answer(res)
	if err != nil {
		return fmt.Errorf("store: answer for idempotency key %q: %w", o.Key, err)
	}
	if keep {
		_, err = w.stmt(ctx, `UPDATE idempotency SET status = $1, response = $2 WHERE agency_id = $3 AND idem_key = $4`).
			ExecContext(ctx, a.Status, string(a.Response), agency.ID, o.Key)
	} else {
		_, err = w.stmt(ctx, `DELETE FROM idempotency WHERE agency_id = $1 AND idem_key = $2`).ExecContext(ctx, agency.ID, o.Key)
	}
	if err != nil {
		return fmt.Errorf("store: idempotency key %q: %w", o.Key, err)
	}
	return nil
}

// auditDetail says what a request's work did: "put 3 listings: 2
// accepted, 1 rejected".
func (wk *Work) auditDetail() string {
	sent := wk.Sent
	if sent == 0 {
		sent = len(wk.Puts) + countRows(wk.Rejected)
	}
	return fmt.Sprintf("put %s listings: %s accepted, %s rejected",
		thousands(int64(sent)), thousands(int64(len(wk.Puts))), thousands(int64(sent-len(wk.Puts))))
}

// countRows counts rejected rows: several field errors of one row (same
// line and external id, in a row) count once.
func countRows(rs []Rejection) int {
	n := 0
	for i, r := range rs {
		if i > 0 && rs[i-1].Line == r.Line && rs[i-1].ExternalID == r.ExternalID {
			continue
		}
		n++
	}
	return n
}
