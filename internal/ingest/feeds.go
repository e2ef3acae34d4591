package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"time"

	"anken/internal/feed"
	"anken/internal/listing"
	"anken/internal/store"
)

// FeedStore is what feed runs need of the system of record.
type FeedStore interface {
	StartRun(ctx context.Context, agency store.Agency, source, format string, full bool, key string) (store.FeedRun, bool, error)
	Enqueue(ctx context.Context, agency store.Agency, items []store.NewItem) ([]int64, error)
	Apply(ctx context.Context, ws []store.Work) ([]store.WorkResult, error)
	EndReceive(ctx context.Context, runID int64, rows int, readErr string) error
	FeedRun(ctx context.Context, agency store.Agency, id int64) (store.FeedRun, error)
}

// FeedRequest says what feed to take and how.
type FeedRequest struct {
	Agency  store.Agency
	Format  string // feed.JSONL, feed.CSV, feed.JobPosting, feed.IndeedXML
	Options feed.Options
	Full    bool   // a full feed closes the agency's listings it does not contain
	Source  string // SourceUpload, SourceURL or SourceImport
	Key     string // idempotency key: the same key gives the same run
}

// SourceURL is the Source of a feed fetched from an agency's URL. Its
// bytes come from whatever server the URL reached, not from the agency, so
// they never appear in the errors and rejections the agency reads: a read
// error is told in general words, a rejected row by its line, external_id,
// field and reason only.
const SourceURL = "url"

// SourceUpload is the Source of a feed an agency uploads to the API, and
// SourceImport of one imported on the command line (anken import).
const (
	SourceUpload = "upload"
	SourceImport = "import"
)

// Sender is who sent a feed run from source, as the audit log names its
// actor and address: the agency for an upload, the agency from "poll"
// for a poll of its URL (anken fetched it, on the agency's schedule), and
// the command line for an import.
func Sender(agency, source string) store.AuditEntry {
	switch source {
	case SourceImport:
		return store.AuditEntry{ActorKind: store.AuditCLI, Actor: "cli", IP: "cli"}
	case SourceURL:
		return store.AuditEntry{ActorKind: store.AuditAgency, Actor: agency, IP: "poll"}
	}
	return store.AuditEntry{ActorKind: store.AuditAgency, Actor: agency}
}

func (r FeedRequest) fetched() bool { return r.Source == SourceURL }

// readFailure is the error a run records when its feed could not be read
// after rows rows.
func (r FeedRequest) readFailure(rows int, err error) error {
	if !r.fetched() {
		return fmt.Errorf("feed read to row %d, then: %w", rows, err)
	}
	var tooLarge *FeedTooLargeError
	var netErr net.Error
	switch {
	case errors.As(err, &tooLarge):
		return fmt.Errorf("feed read to row %d, then: %w", rows, tooLarge)
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Errorf("feed read to row %d, then: the fetch timed out", rows)
	}
	return fmt.Errorf("feed could not be read as %s after row %d", r.Format, rows)
}

// rowRejection records a row the reader could not read.
func (r FeedRequest) rowRejection(row feed.Row) store.Rejection {
	rj := store.Rejection{Line: row.Line, ExternalID: row.Raw.ExternalID, Field: row.Err.Field, Reason: row.Err.Message()}
	if r.fetched() {
		rj.Reason = row.Err.Reason
		rj.ExternalID = clipID(rj.ExternalID)
	}
	return rj
}

// clipID keeps an external id read from a broken row to the longest a
// valid one may be.
func clipID(id string) string {
	if len(id) <= listing.MaxExternalIDLen {
		return id
	}
	return strings.ToValidUTF8(id[:listing.MaxExternalIDLen], "")
}

// receiveBatch is how many rows go to the inbox per transaction.
const receiveBatch = 500

// finishTimeout bounds the writes that end a feed run once its reading is
// over, which do not depend on the request still being there.
const finishTimeout = 10 * time.Second

// Receive reads a feed into the durable inbox, row by row, and returns its
// run once every row is stored: rows that do not parse are recorded as
// rejections at once, the others are pending for the workers. A feed that
// breaks off midway leaves an aborted run: its rows are processed, but a
// full feed closes nothing. A request with a known idempotency key returns
// the earlier run without reading r. The audit entry ctx carries
// (store.WithAudit) is written when the run's receiving ends, however it
// ends (store.EndReceive).
func Receive(ctx context.Context, st FeedStore, req FeedRequest, r io.Reader) (store.FeedRun, bool, error) {
	fr, err := feed.NewReader(req.Format, r, req.Options)
	if err != nil {
		if req.fetched() {
			err = req.readFailure(0, err)
		}
		return store.FeedRun{}, false, &FeedError{Err: err}
	}
	run, existing, err := st.StartRun(ctx, req.Agency, req.Source, req.Format, req.Full, req.Key)
	if err != nil || existing {
		return run, existing, err
	}
	var (
		items []store.NewItem
		bad   store.Work
		rows  int
		kept  int // rows stored: in the inbox or rejected
	)
	bad = store.Work{Agency: req.Agency, RunID: run.ID, Source: "feed"}
	flush := func(ctx context.Context) error {
		if len(items) > 0 {
			if _, err := st.Enqueue(ctx, req.Agency, items); err != nil {
				return err
			}
			items = items[:0]
		}
		if len(bad.Rejected) > 0 {
			if _, err := st.Apply(ctx, []store.Work{bad}); err != nil {
				return err
			}
			bad.Rejected, bad.Seen = bad.Rejected[:0], bad.Seen[:0]
		}
		kept = rows
		return nil
	}
	var readErr, storeErr error
	for {
		row, err := fr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			readErr = err
			break
		}
		rows++
		if row.Err != nil {
			rj := req.rowRejection(row)
			bad.Reject(rj.ExternalID, rj)
		} else {
			payload, err := json.Marshal(&row.Raw)
			if err != nil {
				return run, false, fmt.Errorf("ingest: encode row %d: %w", row.Line, err)
			}
			items = append(items, store.NewItem{Kind: store.KindFeedRow, Payload: payload, RunID: run.ID, Line: row.Line})
		}
		if len(items)+len(bad.Rejected) >= receiveBatch {
			if storeErr = flush(ctx); storeErr != nil {
				break
			}
		}
	}
	// However the read ended, the rows read are kept and the run is ended,
	// never left receiving. The request may be gone by now (its connection
	// closed, the server shutting down), so the bookkeeping has a context
	// of its own.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	if storeErr == nil {
		storeErr = flush(ctx)
	}
	if storeErr != nil {
		msg := fmt.Sprintf("feed could not be stored after row %d; send it again", kept)
		if err := st.EndReceive(ctx, run.ID, kept, msg); err != nil {
			storeErr = errors.Join(storeErr, err)
		}
		return run, false, fmt.Errorf("ingest: store feed rows: %w", storeErr)
	}
	msg := ""
	if readErr != nil {
		failure := req.readFailure(rows, readErr)
		msg = failure.Error()
		if req.fetched() {
			readErr = failure
		}
	}
	if err := st.EndReceive(ctx, run.ID, rows, msg); err != nil {
		return run, false, err
	}
	run, err = st.FeedRun(ctx, req.Agency, run.ID)
	if err == nil && readErr != nil {
		err = &FeedError{Err: readErr, Run: run.ID, Rows: rows}
	}
	return run, false, err
}

// FeedError is a feed that could not be read (to its end).
type FeedError struct {
	Err  error
	Run  int64 // the run holding the rows read before the error, if any
	Rows int
}

func (e *FeedError) Error() string { return e.Err.Error() }
func (e *FeedError) Unwrap() error { return e.Err }

// Progress is how far an import has come.
type Progress struct {
	Rows                                 int
	Created, Updated, Unchanged, Rejects int
	Bytes                                int64 // bytes of the file read
	Elapsed                              time.Duration
}

// RowReport is one rejected row of an import.
type RowReport struct {
	Line       int
	ExternalID string
	Field      string
	Reason     string
}

// ImportOptions tune Import.
type ImportOptions struct {
	Batch    int                  // rows per transaction; 10,000 when 0
	Workers  int                  // normalizing goroutines; GOMAXPROCS when 0
	Progress func(Progress)       // called after each batch
	Reject   func(RowReport)      // called for each rejected row, in order
	Counter  func() (int64, bool) // bytes read so far, for Progress.Bytes
}

// Import reads a feed file straight into the store: rows are normalized in
// parallel and written in order, one transaction per batch, as a feed run
// with its counts. Memory is bounded by a few batches whatever the size of
// the file. An import cut short (a crash, Ctrl-C) can simply be run again:
// rows already stored come back unchanged. Cut short by Ctrl-C (ctx) or a
// batch the store refused, its run ends aborted with the rows stored.
// The audit entry ctx carries (store.WithAudit) is written when the run
// ends (store.EndReceive), with its counts and state.
func Import(ctx context.Context, st FeedStore, req FeedRequest, r io.Reader, o ImportOptions) (store.FeedRun, error) {
	if o.Batch <= 0 {
		// Large: a SQLite commit writes every page the batch touched, and
		// index pages included: fewer, larger commits write each fewer times.
		o.Batch = 10000
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	fr, err := feed.NewReader(req.Format, r, req.Options)
	if err != nil {
		return store.FeedRun{}, &FeedError{Err: err}
	}
	run, _, err := st.StartRun(ctx, req.Agency, SourceImport, req.Format, req.Full, "")
	if err != nil {
		return store.FeedRun{}, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type batch struct {
		seq  int
		rows []feed.Row
		work store.Work
	}
	raw := make(chan *batch, o.Workers)
	done := make(chan *batch, o.Workers)
	var readErr error
	rowsRead := 0
	go func() { // read
		defer close(raw)
		seq := 0
		b := &batch{}
		for {
			row, err := fr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				readErr = err
				break
			}
			rowsRead++
			b.rows = append(b.rows, row)
			if len(b.rows) == o.Batch {
				b.seq, seq = seq, seq+1
				select {
				case raw <- b:
				case <-ctx.Done():
					return
				}
				b = &batch{}
			}
		}
		if len(b.rows) > 0 {
			b.seq = seq
			select {
			case raw <- b:
			case <-ctx.Done():
			}
		}
	}()
	var wg sync.WaitGroup
	for range o.Workers { // normalize
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range raw {
				b.work = store.Work{Agency: req.Agency, RunID: run.ID, Source: SourceImport}
				for _, row := range b.rows {
					if row.Err != nil {
						b.work.Reject(row.Raw.ExternalID, req.rowRejection(row))
						continue
					}
					l, _, errs := prepare(row.Raw)
					if errs != nil {
						b.work.Reject(row.Raw.ExternalID, rejections(row.Line, row.Raw.ExternalID, errs)...)
						continue
					}
					b.work.Puts = append(b.work.Puts, l)
				}
				b.work.Prepare()
				b.rows = nil
				done <- b
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()

	// Write in order.
	start := time.Now()
	var p Progress
	pending := map[int]*batch{}
	next := 0
	var writeErr error
	for b := range done {
		if writeErr != nil {
			continue // drain
		}
		pending[b.seq] = b
		for {
			b, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			res, err := st.Apply(ctx, []store.Work{b.work})
			if err != nil {
				writeErr = err
				cancel()
				break
			}
			for _, r := range res[0].Puts {
				switch r.Outcome {
				case store.Created:
					p.Created++
				case store.Updated:
					p.Updated++
				default:
					p.Unchanged++
				}
			}
			last := RowReport{Line: -1}
			for _, rj := range b.work.Rejected {
				if rj.Line != last.Line || rj.ExternalID != last.ExternalID {
					p.Rejects++
				}
				last = RowReport{Line: rj.Line, ExternalID: rj.ExternalID, Field: rj.Field, Reason: rj.Reason}
				if o.Reject != nil {
					o.Reject(last)
				}
			}
			p.Rows = p.Created + p.Updated + p.Unchanged + p.Rejects
			p.Elapsed = time.Since(start)
			if o.Counter != nil {
				p.Bytes, _ = o.Counter()
			}
			if o.Progress != nil {
				o.Progress(p)
			}
		}
	}
	if writeErr != nil || ctx.Err() != nil {
		// The batches written are kept; the run ends aborted with them
		// (and is audited) rather than being left receiving.
		why, stop := "the import was interrupted", ctx.Err()
		if writeErr != nil && !errors.Is(writeErr, context.Canceled) {
			why, stop = "the import could not store a batch", writeErr
		}
		end, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
		defer cancel()
		if err := st.EndReceive(end, run.ID, p.Rows, fmt.Sprintf("%s after %d rows were stored", why, p.Rows)); err != nil {
			stop = errors.Join(stop, err)
		}
		return run, stop
	}
	msg := ""
	if readErr != nil {
		msg = req.readFailure(rowsRead, readErr).Error()
	}
	if err := st.EndReceive(ctx, run.ID, rowsRead, msg); err != nil {
		return run, err
	}
	run, err = st.FeedRun(ctx, req.Agency, run.ID)
	if err == nil && readErr != nil {
		err = &FeedError{Err: readErr, Run: run.ID, Rows: rowsRead}
	}
	return run, err
}
