package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"anken/internal/listing"
	"anken/internal/store"
	"anken/internal/store/storetest"
)

// TestFullRunGuards runs full feed runs that must close nothing, on both
// databases: a feed that broke off, had no row that could be stored, or
// had most rows rejected fails; one that would close most open listings
// is held until confirmed.
func TestFullRunGuards(t *testing.T) {
	type feedRun struct {
		open     int    // the agency's open listings before the run: L-1…L-open
		carried  int    // rows of the run that store L-1…L-carried again
		fresh    int    // rows of the run that create new listings
		rejected int    // rows of the run that are rejected: L-(carried+1)…, kept open
		readErr  string // the feed broke off
	}
	tests := []struct {
		name      string
		run       feedRun
		state     string
		why       string // in the run's error
		closed    int
		stillOpen int
	}{
		{"broke off", feedRun{open: 4, carried: 4, readErr: "feed read to row 4, then: unexpected EOF"}, store.RunFailed,
			"unexpected EOF; nothing was closed", 0, 4},
		{"no rows", feedRun{open: 4}, store.RunFailed, "has no rows", 0, 4},
		{"every row rejected", feedRun{open: 4, rejected: 4}, store.RunFailed, "none of the feed's 4 rows could be stored", 0, 4},
		{"most rows rejected", feedRun{open: 10, carried: 4, rejected: 6}, store.RunFailed, "6 of the feed's 10 rows were rejected", 0, 10},
		{"half the rows rejected", feedRun{open: 10, carried: 5, rejected: 5}, store.RunDone, "", 0, 10},
		{"drops 3 of 4", feedRun{open: 4, carried: 1}, store.RunHeld, "would close 3 of 4 open listings; confirm", 0, 4},
		{"drops 3 of 4, adds 3", feedRun{open: 4, carried: 1, fresh: 3}, store.RunHeld, "would close 3 of 4 open listings", 0, 7},
		{"drops 2 of 4", feedRun{open: 4, carried: 2}, store.RunDone, "", 2, 2},
		{"drops 1 of 10", feedRun{open: 10, carried: 9}, store.RunDone, "", 1, 9},
		{"partial feed breaks off", feedRun{open: 4, carried: 1, readErr: "feed read to row 1, then: boom"}, store.RunAborted, "boom", 0, 4},
	}
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					ctx := context.Background()
					clock := storetest.NewClock(time.Now())
					s := storetest.OpenClock(t, backend, clock.Now)
					a := mustAgency(t, s, "a")
					for i := range tc.run.open {
						if _, err := s.PutListing(ctx, a, sample(fmt.Sprintf("L-%d", i+1))); err != nil {
							t.Fatal(err)
						}
					}
					clock.Add(2 * time.Millisecond) // the run starts after those writes
					full := !strings.HasPrefix(tc.name, "partial")
					run, _, err := s.StartRun(ctx, a, "upload", "jsonl", full, "")
					if err != nil {
						t.Fatal(err)
					}
					wk := store.Work{Agency: a, RunID: run.ID, Source: "feed"}
					for i := range tc.run.carried {
						wk.Puts = append(wk.Puts, sample(fmt.Sprintf("L-%d", i+1)))
					}
					for i := range tc.run.fresh {
						wk.Puts = append(wk.Puts, sample(fmt.Sprintf("N-%d", i+1)))
					}
					for i := range tc.run.rejected {
						id := fmt.Sprintf("L-%d", tc.run.carried+i+1)
						wk.Reject(id, store.Rejection{Line: 1000 + i, ExternalID: id, Field: "title", Reason: "is required"})
					}
					if _, err := s.Apply(ctx, []store.Work{wk}); err != nil {
						t.Fatal(err)
					}
					rows := tc.run.carried + tc.run.fresh + tc.run.rejected
					if err := s.EndReceive(ctx, run.ID, rows, tc.run.readErr); err != nil {
						t.Fatal(err)
					}
					if settled, err := s.FinishRun(ctx, run.ID); err != nil || !settled {
						t.Fatalf("FinishRun = %v, %v", settled, err)
					}
					got, err := s.FeedRun(ctx, a, run.ID)
					if err != nil {
						t.Fatal(err)
					}
					if got.State != tc.state || got.Closed != tc.closed || !strings.Contains(got.Error, tc.why) || tc.why == "" && got.Error != "" {
						t.Errorf("run = %s closed %d error %q; want %s closed %d error with %q", got.State, got.Closed, got.Error, tc.state, tc.closed, tc.why)
					}
					if (got.FinishedAt == nil) != (tc.state == store.RunHeld) {
						t.Errorf("finished_at %v in state %s", got.FinishedAt, got.State)
					}
					if n := openCount(t, s, a); n != tc.stillOpen {
						t.Errorf("%d listings open, want %d", n, tc.stillOpen)
					}
					if again, err := s.FinishRun(ctx, run.ID); err != nil || !again {
						t.Errorf("FinishRun again = %v, %v", again, err)
					}
					if after, _ := s.FeedRun(ctx, a, run.ID); after.State != got.State || after.Closed != got.Closed {
						t.Errorf("FinishRun again changed the run to %+v", after)
					}
				})
			}
		})
	}
}

// TestConfirmRun holds a full run that drops 3 of 4 listings, writes one of
// them anew, and confirms: the other two close and the run is done.
func TestConfirmRun(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(time.Now())
			s := storetest.OpenClock(t, backend, clock.Now)
			a, b := mustAgency(t, s, "a"), mustAgency(t, s, "b")
			for _, id := range []string{"L-1", "L-2", "L-3", "L-4"} {
				s.PutListing(ctx, a, sample(id))
			}
			s.PutListing(ctx, b, sample("L-2"))
			clock.Add(2 * time.Millisecond) // the run starts after those writes
			run, _, _ := s.StartRun(ctx, a, "upload", "jsonl", true, "")
			if _, err := s.Apply(ctx, []store.Work{{Agency: a, RunID: run.ID, Source: "feed", Puts: []*listing.Listing{sample("L-1")}}}); err != nil {
				t.Fatal(err)
			}
			s.EndReceive(ctx, run.ID, 1, "")
			s.FinishRun(ctx, run.ID)
			if got, _ := s.FeedRun(ctx, a, run.ID); got.State != store.RunHeld || got.Closed != 0 {
				t.Fatalf("run = %+v, want held", got)
			}
			if _, err := s.ConfirmRun(ctx, run.ID+100); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("ConfirmRun(unknown) = %v, want ErrNotFound", err)
			}
			// Written since the run began: kept open.
			clock.Add(2 * time.Millisecond)
			l4 := sample("L-4")
			l4.Title += "（更新）"
			s.PutListing(ctx, a, l4)

			got, err := s.ConfirmRun(ctx, run.ID)
			if err != nil || got.State != store.RunDone || got.Closed != 2 || got.Error != "" || got.FinishedAt == nil {
				t.Fatalf("ConfirmRun = %+v, %v", got, err)
			}
			for id, want := range map[string]listing.Status{"L-1": listing.StatusOpen, "L-2": listing.StatusClosed,
				"L-3": listing.StatusClosed, "L-4": listing.StatusOpen} {
				if l, _ := s.AgencyListing(ctx, a, id); l.Status != want {
					t.Errorf("%s is %s, want %s", id, l.Status, want)
				}
			}
			if l, _ := s.AgencyListing(ctx, b, "L-2"); l.Status != listing.StatusOpen {
				t.Error("a's confirmed run closed b's listing")
			}
			if _, err := s.ConfirmRun(ctx, run.ID); !errors.Is(err, store.ErrNotHeld) {
				t.Errorf("ConfirmRun(done run) = %v, want ErrNotHeld", err)
			}
		})
	}
}

// TestConfirmAfterNewerRun confirms a held run after a newer full feed
// carried one of the listings it lacked: that listing stays open.
func TestConfirmAfterNewerRun(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(time.Now())
			s := storetest.OpenClock(t, backend, clock.Now)
			a := mustAgency(t, s, "a")
			for _, id := range []string{"L-1", "L-2", "L-3", "L-4"} {
				s.PutListing(ctx, a, sample(id))
			}
			clock.Add(2 * time.Millisecond) // the runs start after those writes
			full := func(ids ...string) store.FeedRun {
				run, _, _ := s.StartRun(ctx, a, "url", "jsonl", true, "")
				wk := store.Work{Agency: a, RunID: run.ID, Source: "feed"}
				for _, id := range ids {
					wk.Puts = append(wk.Puts, sample(id)) // unchanged: only marked as carried
				}
				if _, err := s.Apply(ctx, []store.Work{wk}); err != nil {
					t.Fatal(err)
				}
				s.EndReceive(ctx, run.ID, len(ids), "")
				s.FinishRun(ctx, run.ID)
				got, _ := s.FeedRun(ctx, a, run.ID)
				return got
			}
			first := full("L-1")
			second := full("L-1", "L-2", "L-3")
			if first.State != store.RunHeld || second.State != store.RunDone || second.Closed != 1 {
				t.Fatalf("first %s, second %s closing %d", first.State, second.State, second.Closed)
			}
			got, err := s.ConfirmRun(ctx, first.ID)
			if err != nil || got.Closed != 0 {
				t.Errorf("ConfirmRun = %+v, %v; want nothing left to close", got, err)
			}
			if n := openCount(t, s, a); n != 3 {
				t.Errorf("%d open listings, want 3", n)
			}
		})
	}
}

func openCount(t *testing.T, s *store.Store, a store.Agency) int {
	t.Helper()
	n := 0
	for _, id := range []string{"L-1", "L-2", "L-3", "L-4", "L-5", "L-6", "L-7", "L-8", "L-9", "L-10", "N-1", "N-2", "N-3"} {
		if l, err := s.AgencyListing(context.Background(), a, id); err == nil && l.Status == listing.StatusOpen {
			n++
		}
	}
	return n
}
