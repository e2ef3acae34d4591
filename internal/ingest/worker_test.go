package ingest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"anken/internal/ingest"
	"anken/internal/store"
	"anken/internal/store/storetest"
)

// flaky fails Apply while fails > 0.
type flaky struct {
	*store.Store
	fails int
}

func (f *flaky) Apply(ctx context.Context, ws []store.Work) ([]store.WorkResult, error) {
	if f.fails > 0 {
		f.fails--
		return nil, errors.New("database is locked")
	}
	return f.Store.Apply(ctx, ws)
}

func TestWorkerRetriesThenParks(t *testing.T) {
	ctx := context.Background()
	clock := storetest.NewClock(time.Now())
	st := storetest.OpenClock(t, "sqlite", clock.Now)
	ag, _ := st.CreateAgency(ctx, "a", "")
	payload := []byte(`{"type": "listing.upsert", "listing": {"external_id": "R-1", "title": "Goの開発"}}`)
	if _, err := st.Enqueue(ctx, ag, []store.NewItem{{Kind: store.KindWebhook, Payload: payload}}); err != nil {
		t.Fatal(err)
	}
	fs := &flaky{Store: st, fails: 2} // the batch, then the item alone
	w := &ingest.Worker{Store: fs, Backoff: time.Millisecond, MaxAttempts: 3, Now: clock.Now}
	if n, err := w.Once(ctx); n != 1 || err != nil {
		t.Fatalf("Once = %d, %v", n, err)
	}
	if _, err := st.AgencyListing(ctx, ag, "R-1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("stored despite the failure: %v", err)
	}
	if n, _ := w.Once(ctx); n != 0 {
		t.Fatalf("retry claimed before its backoff")
	}
	clock.Add(20 * time.Millisecond) // the backoff: 1ms and its jitter
	if n, _ := w.Once(ctx); n != 1 {
		t.Fatalf("retry not claimed")
	}
	if _, err := st.AgencyListing(ctx, ag, "R-1"); err != nil {
		t.Fatalf("not stored on retry: %v", err)
	}

	// An item that keeps failing is parked after MaxAttempts, with its error.
	st.Enqueue(ctx, ag, []store.NewItem{{Kind: store.KindWebhook, Payload: payload}})
	fs.fails = 1000
	for range 3 {
		w.Once(ctx)
		clock.Add(30 * time.Millisecond) // more than the backoff, 4ms at most
	}
	parked, _ := st.ParkedItems(ctx, "a", 10)
	if len(parked) != 1 || parked[0].Attempts != 3 || parked[0].LastError != "database is locked" {
		t.Fatalf("parked = %+v", parked)
	}
	if rs, _ := st.Rejections(ctx, ag, store.RejectionFilter{}); len(rs) != 1 || rs[0].InboxID != parked[0].ID {
		t.Errorf("rejections = %+v", rs)
	}
	// Replayed, it goes through once the store is well.
	fs.fails = 0
	if n, _ := st.Replay(ctx, "", []int64{parked[0].ID}); n != 1 {
		t.Fatal("replay")
	}
	if n, _ := w.Once(ctx); n != 1 {
		t.Fatal("replayed item not claimed")
	}
	if c, _ := st.InboxCounts(ctx); c[store.Done] != 2 || c[store.Parked] != 0 {
		t.Errorf("inbox counts %v", c)
	}
}
