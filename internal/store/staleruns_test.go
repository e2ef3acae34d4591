package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"anken/internal/listing"
	"anken/internal/store"
	"anken/internal/store/storetest"
)

// TestAbortStaleRuns: runs left receiving by a process that stopped are
// aborted once they are older than the bound, and then finished like any
// aborted run: a partial one stays aborted, a full one fails and closes
// nothing. A run younger than the bound, which another node may be
// receiving right now, is left alone.
func TestAbortStaleRuns(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(time.Now())
			s := storetest.OpenClock(t, backend, clock.Now)
			a := mustAgency(t, s, "a")
			for _, id := range []string{"L-1", "L-2", "L-3", "L-4"} {
				if _, err := s.PutListing(ctx, a, sample(id)); err != nil {
					t.Fatal(err)
				}
			}
			clock.Add(2 * time.Millisecond)
			full, _, err := s.StartRun(ctx, a, "upload", "jsonl", true, "")
			if err != nil {
				t.Fatal(err)
			}
			partial, _, err := s.StartRun(ctx, a, "import", "jsonl", false, "")
			if err != nil {
				t.Fatal(err)
			}
			started := clock.Now() // both stale runs started at this
			// The killed process stored one row of each before it stopped.
			if _, err := s.Apply(ctx, []store.Work{
				{Agency: a, RunID: full.ID, Source: "feed", Puts: []*listing.Listing{sample("L-1")}},
				{Agency: a, RunID: partial.ID, Source: "feed", Puts: []*listing.Listing{sample("N-1")}},
			}); err != nil {
				t.Fatal(err)
			}
			clock.Add(time.Second)
			liveAt := clock.Now() // the live run starts at this
			live, _, err := s.StartRun(ctx, a, "url", "jsonl", true, "")
			if err != nil {
				t.Fatal(err)
			}
			// Stale means started before the midpoint of the two, on the
			// store's clock: half a second either side.
			cutoff := started.Add(liveAt.Sub(started) / 2)
			stale := func() time.Duration { return clock.Now().Sub(cutoff) }

			// Who sent a run is the caller's to say (ingest.Sender).
			sender := func(agency, source string) store.AuditEntry {
				if source == "import" {
					return store.AuditEntry{ActorKind: store.AuditCLI, Actor: "cli", IP: "cli"}
				}
				return store.AuditEntry{ActorKind: store.AuditAgency, Actor: agency}
			}
			var lastAudit int64
			storetest.AuditSince(t, s, &lastAudit)
			n, err := s.AbortStaleRuns(ctx, stale(), sender)
			if err != nil || n != 2 {
				t.Fatalf("AbortStaleRuns = %d, %v; want 2", n, err)
			}
			// One audit row a run aborted, naming who sent it.
			rows := storetest.AuditSince(t, s, &lastAudit)
			slices.Reverse(rows) // oldest first
			want := []store.AuditEntry{
				{ActorKind: store.AuditAgency, Actor: "a", Target: fmt.Sprintf("feed run %d", full.ID)},
				{ActorKind: store.AuditCLI, Actor: "cli", Target: fmt.Sprintf("feed run %d", partial.ID), IP: "cli"},
			}
			if len(rows) != len(want) {
				t.Fatalf("audit rows after the abort: %+v; want %d", rows, len(want))
			}
			for i, w := range want {
				r := rows[i]
				if r.ActorKind != w.ActorKind || r.Actor != w.Actor || r.Action != store.AbortStaleRunAction ||
					r.Target != w.Target || r.IP != w.IP || !strings.Contains(r.Detail, store.StoppedRunError) {
					t.Errorf("audit row %d = %+v; want %s %s %s on %s from %q", i, r, w.ActorKind, w.Actor, store.AbortStaleRunAction, w.Target, w.IP)
				}
			}
			for _, id := range []int64{full.ID, partial.ID} {
				r, _ := s.FeedRun(ctx, a, id)
				if r.State != store.RunAborted || r.Error != store.StoppedRunError {
					t.Errorf("run %d: %s %q", id, r.State, r.Error)
				}
			}
			if r, _ := s.FeedRun(ctx, a, live.ID); r.State != store.RunReceiving || r.Error != "" {
				t.Errorf("live run: %s %q", r.State, r.Error)
			}
			if n, err := s.AbortStaleRuns(ctx, stale(), sender); err != nil || n != 0 {
				t.Errorf("AbortStaleRuns again = %d, %v", n, err)
			}
			if rows := storetest.AuditSince(t, s, &lastAudit); len(rows) != 0 {
				t.Errorf("audit rows after aborting nothing: %+v", rows)
			}
			// A late end of a run aborted this way changes nothing.
			if err := s.EndReceive(ctx, full.ID, 4, ""); err != nil {
				t.Fatal(err)
			}
			open, err := s.OpenRuns(ctx)
			if err != nil || !slices.Contains(open, full.ID) || !slices.Contains(open, partial.ID) || slices.Contains(open, live.ID) {
				t.Errorf("OpenRuns = %v, %v; want %d and %d, not %d", open, err, full.ID, partial.ID, live.ID)
			}

			for _, c := range []struct {
				id    int64
				state string
			}{{full.ID, store.RunFailed}, {partial.ID, store.RunAborted}} {
				if settled, err := s.FinishRun(ctx, c.id); err != nil || !settled {
					t.Fatalf("FinishRun(%d) = %v, %v", c.id, settled, err)
				}
				r, _ := s.FeedRun(ctx, a, c.id)
				if r.State != c.state || r.FinishedAt == nil || r.Closed != 0 || r.Created+r.Unchanged+r.Updated != 1 {
					t.Errorf("run %d finished: %+v; want %s with its row, nothing closed", c.id, r, c.state)
				}
			}
			if n := openCount(t, s, a); n != 5 {
				t.Errorf("%d listings open, want 5: the aborted full run closed some", n)
			}
		})
	}
}
