package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"anken/internal/feed"
	"anken/internal/ingest"
	"anken/internal/listing"
	"anken/internal/store"
	"anken/internal/store/storetest"
)

// catalogue returns a JSON Lines feed of the listings L-from…L-to.
func catalogue(from, to int) string {
	var b strings.Builder
	for i := from; i <= to; i++ {
		fmt.Fprintf(&b, `{"external_id": "L-%d", "title": "Goバックエンド開発 その%d", "description": "決済APIの開発。", "rate": "月額%d万円"}`+"\n", i, i, 50+i)
	}
	return b.String()
}

// fullFeedBy takes a full feed the way a source does: "upload" (and poll)
// through the inbox and a worker, "import" straight into the store. It
// returns the run once every row is processed.
func fullFeedBy(t *testing.T, mode string, st *store.Store, ag store.Agency, format, body string) store.FeedRun {
	t.Helper()
	ctx := context.Background()
	req := ingest.FeedRequest{Agency: ag, Format: format, Full: true, Source: mode}
	var (
		run store.FeedRun
		err error
	)
	switch mode {
	case "upload":
		run, _, err = ingest.Receive(ctx, st, req, strings.NewReader(body))
		w := &ingest.Worker{Store: st}
		for n := 1; n > 0; {
			if n, err = w.Once(ctx); err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
		}
	case "import":
		run, err = ingest.Import(ctx, st, req, strings.NewReader(body), ingest.ImportOptions{Batch: 3})
	}
	var fe *ingest.FeedError
	if err != nil && !errors.As(err, &fe) {
		t.Fatalf("%s: %v", mode, err)
	}
	if run.ID == 0 {
		t.Fatalf("%s: no feed run (%v)", mode, err)
	}
	run, err = st.FeedRun(ctx, ag, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	return run
}

func openOf(t *testing.T, st *store.Store, ag store.Agency) int {
	t.Helper()
	n := 0
	for i := 1; i <= 10; i++ {
		if l, err := st.AgencyListing(context.Background(), ag, fmt.Sprintf("L-%d", i)); err == nil && l.Status == listing.StatusOpen {
			n++
		}
	}
	return n
}

// TestFullFeedThatIsNoFeed sends full feeds that are not the agency's
// catalogue, by upload and by import, on both databases: each fails with a
// reason and closes nothing.
func TestFullFeedThatIsNoFeed(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 11))
	random := make([]byte, 64<<10)
	for i := range random {
		random[i] = byte(rnd.Uint32())
	}
	const htmlPage = "<!DOCTYPE html>\n<html lang=\"ja\">\n<head><meta charset=\"utf-8\"><title>503 Service Unavailable</title></head>\n" +
		"<body>\n<h1>ただいまメンテナンス中です</h1>\n<p>しばらくしてから再度アクセスしてください。<br>\n</body>\n</html>\n"
	csvFeed := "案件ID,案件名,単価\nL-1,Goの開発,月額60万円\nL-2,SRE,月額70万円\n"
	indeedFeed := "<?xml version=\"1.0\"?>\n<source><job><referencenumber>L-1</referencenumber><title>Goの開発</title></job></source>\n"
	noTitles := strings.Repeat(`{"external_id": "L-1", "title": ""}`+"\n", 4)
	mostlyRejected := catalogue(1, 1) + strings.Repeat(`{"external_id": "X", "title": "", "rate": "月額60万円"}`+"\n", 2)
	tests := []struct {
		name, format, body string
	}{
		{"random bytes as jsonl", feed.JSONL, string(random)},
		{"random bytes as csv", feed.CSV, string(random)},
		{"random bytes as indeed-xml", feed.IndeedXML, string(random)},
		{"random bytes as jobposting", feed.JobPosting, string(random)},
		{"html page as jsonl", feed.JSONL, htmlPage},
		{"html page as csv", feed.CSV, htmlPage},
		{"html page as indeed-xml", feed.IndeedXML, htmlPage},
		{"html page as jobposting", feed.JobPosting, htmlPage},
		{"csv as jsonl", feed.JSONL, csvFeed},
		{"jsonl as csv", feed.CSV, catalogue(1, 4)},
		{"jsonl as indeed-xml", feed.IndeedXML, catalogue(1, 4)},
		{"indeed-xml as jobposting", feed.JobPosting, indeedFeed},
		{"empty", feed.JSONL, ""},
		{"every row rejected", feed.JSONL, noTitles},
		{"most rows rejected", feed.JSONL, mostlyRejected},
	}
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(time.Now())
			st := storetest.OpenClock(t, backend, clock.Now)
			for _, mode := range []string{"upload", "import"} {
				for i, tc := range tests {
					t.Run(mode+"/"+tc.name, func(t *testing.T) {
						ag, err := st.CreateAgency(ctx, fmt.Sprintf("%s-%d", mode, i), "")
						if err != nil {
							t.Fatal(err)
						}
						if _, err := ingest.Import(ctx, st, ingest.FeedRequest{Agency: ag, Format: feed.JSONL}, strings.NewReader(catalogue(1, 4)), ingest.ImportOptions{}); err != nil {
							t.Fatal(err)
						}
						clock.Add(2 * time.Millisecond) // the run starts after those writes
						run := fullFeedBy(t, mode, st, ag, tc.format, tc.body)
						t.Logf("%s: %s", run.State, run.Error)
						if run.State != store.RunFailed || run.Closed != 0 || !strings.Contains(run.Error, "nothing was closed") {
							t.Errorf("run = %s, closed %d, error %q; want failed, nothing closed", run.State, run.Closed, run.Error)
						}
						if n := openOf(t, st, ag); n != 4 {
							t.Errorf("%d of 4 listings open after the run", n)
						}
					})
				}
			}
		})
	}
}

// TestFullFeedDroppingListings sends full feeds that drop listings: most
// of them waits for confirmation, a few are closed at once.
func TestFullFeedDroppingListings(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(time.Now())
			st := storetest.OpenClock(t, backend, clock.Now)
			for _, mode := range []string{"upload", "import"} {
				t.Run(mode, func(t *testing.T) {
					seed := func(slug string, n int) store.Agency {
						ag, err := st.CreateAgency(ctx, mode+"-"+slug, "")
						if err != nil {
							t.Fatal(err)
						}
						if _, err := ingest.Import(ctx, st, ingest.FeedRequest{Agency: ag, Format: feed.JSONL}, strings.NewReader(catalogue(1, n)), ingest.ImportOptions{}); err != nil {
							t.Fatal(err)
						}
						clock.Add(2 * time.Millisecond) // the run starts after those writes
						return ag
					}

					// Drops 3 of 4: held, nothing closed, until confirmed.
					ag := seed("four", 4)
					run := fullFeedBy(t, mode, st, ag, feed.JSONL, catalogue(1, 1))
					if run.State != store.RunHeld || run.Closed != 0 || run.Error != "would close 3 of 4 open listings; confirm to close them" {
						t.Fatalf("dropping 3 of 4: run %s closed %d error %q", run.State, run.Closed, run.Error)
					}
					if n := openOf(t, st, ag); n != 4 {
						t.Errorf("held: %d of 4 listings open", n)
					}
					run, err := st.ConfirmRun(ctx, run.ID)
					if err != nil || run.State != store.RunDone || run.Closed != 3 {
						t.Fatalf("confirmed: %+v, %v", run, err)
					}
					if n := openOf(t, st, ag); n != 1 {
						t.Errorf("confirmed: %d listings open, want 1", n)
					}

					// Drops 1 of 10: done, 1 closed.
					ag = seed("ten", 10)
					run = fullFeedBy(t, mode, st, ag, feed.JSONL, catalogue(1, 9))
					if run.State != store.RunDone || run.Closed != 1 || run.Error != "" {
						t.Errorf("dropping 1 of 10: run %s closed %d error %q", run.State, run.Closed, run.Error)
					}
					if n := openOf(t, st, ag); n != 9 {
						t.Errorf("dropping 1 of 10: %d listings open, want 9", n)
					}
				})
			}
		})
	}
}
