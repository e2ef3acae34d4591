package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"anken/internal/ingest"
	"anken/internal/listing"
	"anken/internal/store"
	"anken/internal/store/storetest"
)

// putValid stores a listing of the agency valid through v (none when nil).
func putValid(t *testing.T, st *store.Store, ag store.Agency, ext string, v *time.Time) {
	t.Helper()
	l := &listing.Listing{ExternalID: ext, Title: "Goでの決済API開発 " + ext, Description: "決済APIの開発。",
		Status: listing.StatusOpen, PostedAt: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), ValidThrough: v}
	if _, err := st.PutListing(context.Background(), ag, l); err != nil {
		t.Fatal(err)
	}
}

func statusOf(t *testing.T, st *store.Store, ag store.Agency, ext string) listing.Status {
	t.Helper()
	l, err := st.AgencyListing(context.Background(), ag, ext)
	if err != nil {
		t.Fatal(err)
	}
	return l.Status
}

func TestExpirerOnce(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Hour), now.Add(time.Hour)
	cases := []struct {
		name    string
		batch   int
		expired int
		wrote   int // calls of Wrote: one per batch that closed some
	}{
		{"one batch", 0, 5, 1},
		{"batches of 2", 2, 5, 3},
		{"batches of 5", 5, 5, 1}, // a full batch, then an empty one
		{"nothing due", 2, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, "sqlite")
			ag, _ := st.CreateAgency(ctx, "a", "")
			for i := range c.expired {
				putValid(t, st, ag, fmt.Sprint("past-", i), &past)
			}
			putValid(t, st, ag, "future", &future)
			putValid(t, st, ag, "none", nil)
			var wrote int
			e := &ingest.Expirer{Store: st, Batch: c.batch, Wrote: func() { wrote++ }, Now: func() time.Time { return now }}
			n, err := e.Once(ctx)
			if err != nil || n != c.expired || wrote != c.wrote {
				t.Fatalf("Once = %d, %v with %d calls of Wrote; want %d, nil with %d", n, err, wrote, c.expired, c.wrote)
			}
			for i := range c.expired {
				if s := statusOf(t, st, ag, fmt.Sprint("past-", i)); s != listing.StatusClosed {
					t.Errorf("past-%d is %s", i, s)
				}
			}
			for _, ext := range []string{"future", "none"} {
				if s := statusOf(t, st, ag, ext); s != listing.StatusOpen {
					t.Errorf("%s is %s", ext, s)
				}
			}
			if n, err := e.Once(ctx); err != nil || n != 0 || wrote != c.wrote {
				t.Errorf("second Once = %d, %v with %d calls of Wrote; want nothing more", n, err, wrote)
			}
		})
	}
}

// failing fails CloseExpired while fails > 0.
type failing struct {
	*store.Store
	fails atomic.Int32
}

func (f *failing) CloseExpired(ctx context.Context, now time.Time, limit int) (int, error) {
	if f.fails.Add(-1) >= 0 {
		return 0, errors.New("database is locked")
	}
	return f.Store.CloseExpired(ctx, now, limit)
}

// TestExpirerRun runs the expirer on a clock the test moves: a listing
// closes once its valid_through has passed, after a failed look too, and
// Run returns when its context ends.
func TestExpirerRun(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, "sqlite")
	ag, _ := st.CreateAgency(ctx, "a", "")
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	valid := start.Add(time.Hour)
	putValid(t, st, ag, "soon", &valid)

	var clock atomic.Int64
	clock.Store(start.UnixNano())
	fs := &failing{Store: st}
	fs.fails.Store(2)
	wrote := make(chan struct{}, 10)
	e := &ingest.Expirer{Store: fs, Every: 5 * time.Millisecond,
		Now:   func() time.Time { return time.Unix(0, clock.Load()).UTC() },
		Wrote: func() { wrote <- struct{}{} }}
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { e.Run(runCtx) })
	defer func() { cancel(); wg.Wait() }()

	// Not due: it stays open, however often the expirer looks.
	waitFor(t, 10*time.Second, func() bool { return fs.fails.Load() < 0 }, "the expirer looks three times")
	if s := statusOf(t, st, ag, "soon"); s != listing.StatusOpen {
		t.Fatalf("closed before its valid_through: %s", s)
	}
	clock.Store(valid.Add(time.Second).UnixNano())
	select {
	case <-wrote:
	case <-time.After(10 * time.Second):
		t.Fatal("not closed 10 s after its valid_through passed")
	}
	if s := statusOf(t, st, ag, "soon"); s != listing.StatusClosed {
		t.Errorf("after valid_through: %s", s)
	}

	cancel()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}

// TestExpirerAbortsStaleRuns: at start the expirer aborts a feed run left
// receiving for longer than StaleRuns, and leaves a younger one alone.
func TestExpirerAbortsStaleRuns(t *testing.T) {
	ctx := context.Background()
	clock := storetest.NewClock(time.Now())
	st := storetest.OpenClock(t, "sqlite", clock.Now)
	ag, _ := st.CreateAgency(ctx, "a", "")
	old, _, err := st.StartRun(ctx, ag, "upload", "jsonl", true, "")
	if err != nil {
		t.Fatal(err)
	}
	clock.Add(150 * time.Millisecond)
	young, _, _ := st.StartRun(ctx, ag, "upload", "jsonl", true, "")
	e := &ingest.Expirer{Store: st, StaleRuns: 100 * time.Millisecond, Every: time.Hour}
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { e.Run(runCtx) })
	waitFor(t, 10*time.Second, func() bool {
		r, _ := st.FeedRun(ctx, ag, old.ID)
		return r.State == store.RunAborted && r.Error == store.StoppedRunError
	}, "the expirer aborts the stale run at start")
	cancel()
	wg.Wait()
	if r, _ := st.FeedRun(ctx, ag, young.ID); r.State != store.RunReceiving {
		t.Errorf("young run: %s", r.State)
	}
	if settled, err := st.FinishRun(ctx, old.ID); err != nil || !settled {
		t.Fatalf("FinishRun = %v, %v", settled, err)
	}
	if r, _ := st.FeedRun(ctx, ag, old.ID); r.State != store.RunFailed || r.Closed != 0 {
		t.Errorf("aborted full run finished %s, closed %d", r.State, r.Closed)
	}
}

// Prune forgets sent mail after KeepSentMail, and keeps what is still to
// be done.
func TestExpirerPrunes(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, "sqlite")
	for range 2 {
		if _, err := st.EnqueueMail(ctx, store.Mail{Kind: "alert", To: "ren@example.jp", Subject: "件名", Text: "本文"}); err != nil {
			t.Fatal(err)
		}
	}
	claimed, err := st.ClaimMail(ctx, 1, time.Minute)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("ClaimMail = %d, %v", len(claimed), err)
	}
	if err := st.MarkMailSent(ctx, claimed[0]); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		after     time.Duration
		sent, all int
	}{
		{ingest.KeepSentMail - time.Hour, 1, 2}, // not yet
		{ingest.KeepSentMail + time.Hour, 0, 1},
	} {
		e := &ingest.Expirer{Store: st, Now: func() time.Time { return time.Now().Add(c.after) }}
		e.Prune(ctx)
		counts, err := st.MailCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if counts[store.MailSent] != c.sent || counts[store.MailSent]+counts[store.MailPending] != c.all {
			t.Errorf("%v after sending: %v; want %d sent of %d", c.after, counts, c.sent, c.all)
		}
	}
}

// TestAbortStaleNamesSender: each feed run the sweep aborts leaves an
// audit row naming who sent it: the agency for an upload, the agency from
// "poll" for a poll of its URL, the command line for an import.
func TestAbortStaleNamesSender(t *testing.T) {
	ctx := context.Background()
	clock := storetest.NewClock(time.Now())
	st := storetest.OpenClock(t, "sqlite", clock.Now)
	ag, err := st.CreateAgency(ctx, "a", "A")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]store.AuditEntry{}
	for _, tc := range []struct {
		source string
		want   store.AuditEntry
	}{
		{ingest.SourceUpload, store.AuditEntry{ActorKind: store.AuditAgency, Actor: "a"}},
		{ingest.SourceURL, store.AuditEntry{ActorKind: store.AuditAgency, Actor: "a", IP: "poll"}},
		{ingest.SourceImport, store.AuditEntry{ActorKind: store.AuditCLI, Actor: "cli", IP: "cli"}},
	} {
		run, _, err := st.StartRun(ctx, ag, tc.source, "jsonl", false, "")
		if err != nil {
			t.Fatal(err)
		}
		want[fmt.Sprintf("feed run %d", run.ID)] = tc.want
	}
	clock.Add(5 * time.Millisecond) // the runs are older than StaleRuns
	var last int64
	storetest.AuditSince(t, st, &last)
	e := &ingest.Expirer{Store: st, StaleRuns: time.Millisecond}
	if n := e.AbortStale(ctx); n != 3 {
		t.Fatalf("AbortStale = %d, want 3", n)
	}
	rows := storetest.AuditSince(t, st, &last)
	if len(rows) != len(want) {
		t.Fatalf("audit rows %+v, want %d", rows, len(want))
	}
	for _, r := range rows {
		w, ok := want[r.Target]
		if !ok || r.ActorKind != w.ActorKind || r.Actor != w.Actor || r.IP != w.IP || r.Action != store.AbortStaleRunAction {
			t.Errorf("audit row %+v, want %+v with action %s", r, w, store.AbortStaleRunAction)
		}
	}
}
