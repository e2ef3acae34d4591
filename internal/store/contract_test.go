package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"anken/internal/listing"
	"anken/internal/store"
	"anken/internal/store/storetest"
)

// TestContract runs the same behaviour table against SQLite and PostgreSQL,
// in the manner of testing/slogtest.
func TestContract(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			for _, c := range contract {
				t.Run(c.name, func(t *testing.T) {
					s := storetest.Open(t, backend)
					c.run(t, s)
				})
			}
		})
	}
}

// onClock opens a fresh store of s's database on a fake clock reading the
// wall clock's now, for a case that moves time on itself.
func onClock(t *testing.T, s *store.Store) (*store.Store, *storetest.Clock) {
	t.Helper()
	clock := storetest.NewClock(time.Now())
	return storetest.OpenClock(t, s.Dialect(), clock.Now), clock
}

var contract = []struct {
	name string
	run  func(t *testing.T, s *store.Store)
}{
	{"migrate is idempotent", func(t *testing.T, s *store.Store) {
		n, err := s.Migrate(context.Background())
		if err != nil || n != 0 {
			t.Fatalf("second Migrate = %d, %v; want 0, nil", n, err)
		}
	}},
	{"agencies", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, err := s.CreateAgency(ctx, "sakura-tech", "さくらテック")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateAgency(ctx, "sakura-tech", "dup"); !errors.Is(err, store.ErrConflict) {
			t.Errorf("CreateAgency(dup) error = %v, want ErrConflict", err)
		}
		if _, err := s.CreateAgency(ctx, "Bad Slug", ""); err == nil {
			t.Error("CreateAgency(bad slug) succeeded")
		}
		got, err := s.AgencyBySlug(ctx, "sakura-tech")
		if err != nil || got.ID != a.ID || got.Name != "さくらテック" || !got.CreatedAt.Equal(a.CreatedAt) {
			t.Errorf("AgencyBySlug = %+v, %v; want %+v", got, err, a)
		}
		if _, err := s.AgencyBySlug(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("AgencyBySlug(missing) error = %v, want ErrNotFound", err)
		}
		all, err := s.Agencies(ctx)
		if err != nil || len(all) != 1 || all[0].Slug != "sakura-tech" {
			t.Errorf("Agencies = %+v, %v", all, err)
		}
	}},
	{"keys", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := mustAgency(t, s, "a")
		b := mustAgency(t, s, "b")
		ka, err := s.CreateKey(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		kb, _ := s.CreateKey(ctx, b.ID)
		if ka == kb || len(ka) < 40 {
			t.Fatalf("keys %q and %q: want distinct and long", ka, kb)
		}
		if got, err := s.AgencyByKey(ctx, ka); err != nil || got.ID != a.ID {
			t.Errorf("AgencyByKey(a's key) = %+v, %v", got, err)
		}
		if got, err := s.AgencyByKey(ctx, kb); err != nil || got.ID != b.ID {
			t.Errorf("AgencyByKey(b's key) = %+v, %v", got, err)
		}
		for _, bad := range []string{"", "ak_", ka + "x", ka[:len(ka)-1]} {
			if _, err := s.AgencyByKey(ctx, bad); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("AgencyByKey(%q) error = %v, want ErrNotFound", bad, err)
			}
		}
		if n, err := s.RevokeKeys(ctx, a.ID); err != nil || n != 1 {
			t.Errorf("RevokeKeys = %d, %v", n, err)
		}
		if _, err := s.AgencyByKey(ctx, ka); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("revoked key still works: %v", err)
		}
	}},
	{"put creates, skips unchanged, updates", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := mustAgency(t, s, "a")
		l := sample("X-1")
		r, err := s.PutListing(ctx, a, l)
		if err != nil || r.Outcome != store.Created || r.ID == 0 || r.Seq == 0 {
			t.Fatalf("first put = %+v, %v", r, err)
		}
		got, err := s.Listing(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(&got, l) {
			t.Errorf("read back\n got %+v\nwant %+v", got, *l)
		}
		again := sample("X-1")
		r2, err := s.PutListing(ctx, a, again)
		if err != nil || r2.Outcome != store.Unchanged || r2.ID != r.ID || r2.Seq != 0 {
			t.Errorf("same put = %+v, %v; want unchanged", r2, err)
		}
		changed := sample("X-1")
		changed.PostedAt = time.Time{} // keeps the stored posted_at
		changed.Rate.MonthlyMax = 800_000
		r3, err := s.PutListing(ctx, a, changed)
		if err != nil || r3.Outcome != store.Updated || r3.ID != r.ID || r3.Seq <= r.Seq {
			t.Fatalf("changed put = %+v, %v; want updated with a later seq", r3, err)
		}
		got, _ = s.Listing(ctx, r.ID)
		if got.Rate.MonthlyMax != 800_000 || !got.PostedAt.Equal(l.PostedAt) {
			t.Errorf("after update: rate %d posted %v; want 800000 and %v", got.Rate.MonthlyMax, got.PostedAt, l.PostedAt)
		}
		if _, err := s.Listing(ctx, r.ID+1000); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Listing(missing) error = %v, want ErrNotFound", err)
		}
	}},
	{"batch reports each item", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := mustAgency(t, s, "a")
		if _, err := s.PutListing(ctx, a, sample("B-2")); err != nil {
			t.Fatal(err)
		}
		b2 := sample("B-2")
		b2.Title = "変更後のタイトル"
		res, err := s.PutListings(ctx, a, []*listing.Listing{sample("B-1"), b2, sample("B-3")})
		if err != nil {
			t.Fatal(err)
		}
		want := []store.Outcome{store.Created, store.Updated, store.Created}
		for i, r := range res {
			if r.Outcome != want[i] {
				t.Errorf("item %d: outcome %s, want %s", i, r.Outcome, want[i])
			}
		}
	}},
	{"agencies are isolated", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := mustAgency(t, s, "a"), mustAgency(t, s, "b")
		ra, _ := s.PutListing(ctx, a, sample("SAME"))
		lb := sample("SAME")
		lb.Title = "B社の案件"
		rb, err := s.PutListing(ctx, b, lb)
		if err != nil || rb.Outcome != store.Created || rb.ID == ra.ID {
			t.Fatalf("b's put of the same external id = %+v, %v; want a new listing", rb, err)
		}
		got, err := s.AgencyListing(ctx, a, "SAME")
		if err != nil || got.ID != ra.ID || got.Agency != "a" {
			t.Errorf("AgencyListing(a) = id %d agency %q, %v", got.ID, got.Agency, err)
		}
		if _, err := s.CloseListing(ctx, b, "ONLY-A"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("closing a listing b does not have: %v, want ErrNotFound", err)
		}
		if r, _ := s.CloseListing(ctx, b, "SAME"); r.ID != rb.ID {
			t.Errorf("b closed listing %d, want its own %d", r.ID, rb.ID)
		}
		if got, _ := s.Listing(ctx, ra.ID); got.Status != listing.StatusOpen {
			t.Errorf("a's listing is %s after b closed its own", got.Status)
		}
	}},
	{"close", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := mustAgency(t, s, "a")
		r, _ := s.PutListing(ctx, a, sample("C-1"))
		c, err := s.CloseListing(ctx, a, "C-1")
		if err != nil || c.Outcome != store.Closed || c.ID != r.ID || c.Seq <= r.Seq {
			t.Fatalf("close = %+v, %v", c, err)
		}
		if c2, err := s.CloseListing(ctx, a, "C-1"); err != nil || c2.Outcome != store.Unchanged {
			t.Errorf("second close = %+v, %v; want unchanged", c2, err)
		}
		got, _ := s.Listing(ctx, r.ID)
		if got.Status != listing.StatusClosed || got.Title != sample("C-1").Title {
			t.Errorf("closed listing = %s %q", got.Status, got.Title)
		}
		// Putting it again reopens it.
		if r3, err := s.PutListing(ctx, a, sample("C-1")); err != nil || r3.Outcome != store.Updated {
			t.Errorf("reopen = %+v, %v", r3, err)
		}
	}},
	{"change log", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := mustAgency(t, s, "a")
		if seq, _ := s.LastSeq(ctx); seq != 0 {
			t.Errorf("LastSeq of empty store = %d", seq)
		}
		for i := range 5 {
			s.PutListing(ctx, a, sample(fmt.Sprint("L-", i)))
		}
		s.CloseListing(ctx, a, "L-1")
		// The log is compacted: L-1 appears once, at its close.
		all, err := s.Changes(ctx, 0, 100)
		if err != nil || len(all) != 5 {
			t.Fatalf("Changes = %d, %v; want 5", len(all), err)
		}
		for i := 1; i < len(all); i++ {
			if all[i].Seq <= all[i-1].Seq {
				t.Errorf("seq %d after %d", all[i].Seq, all[i-1].Seq)
			}
		}
		if last := all[4]; last.Listing.ExternalID != "L-1" || last.Listing.Status != listing.StatusClosed {
			t.Errorf("last change = %s %s, want L-1 closed", last.Listing.ExternalID, last.Listing.Status)
		}
		page, _ := s.Changes(ctx, all[2].Seq, 2)
		if len(page) != 2 || page[0].Seq != all[3].Seq {
			t.Errorf("Changes(after %d, 2) = %d changes from %d", all[2].Seq, len(page), page[0].Seq)
		}
		var open []string
		seq, err := s.OpenListings(ctx, func(l *listing.Listing) error {
			open = append(open, l.ExternalID)
			return nil
		})
		if err != nil || seq != all[4].Seq || len(open) != 4 {
			t.Errorf("OpenListings = %v at %d, %v; want 4 at %d", open, seq, err, all[4].Seq)
		}
		counts, _ := s.CountListings(ctx)
		if counts[listing.StatusOpen] != 4 || counts[listing.StatusClosed] != 1 {
			t.Errorf("CountListings = %v", counts)
		}
	}},
	{"open listings: many batches, in id order, stopped by fn", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := mustAgency(t, s, "a")
		var ls []*listing.Listing
		for i := range 1100 { // several of OpenListings' batches
			l := sample(fmt.Sprint("M-", i))
			l.Title = fmt.Sprint("案件 ", i)
			ls = append(ls, l)
		}
		if _, err := s.PutListings(ctx, a, ls); err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"M-0", "M-500", "M-1099"} {
			if _, err := s.CloseListing(ctx, a, id); err != nil {
				t.Fatal(err)
			}
		}
		var got []listing.Listing
		if _, err := s.OpenListings(ctx, func(l *listing.Listing) error {
			got = append(got, *l)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if len(got) != 1097 {
			t.Fatalf("OpenListings gave %d listings, want 1097", len(got))
		}
		for i, l := range got {
			if i > 0 && l.ID <= got[i-1].ID {
				t.Fatalf("listing %d after %d: not in id order", l.ID, got[i-1].ID)
			}
			if l.Status != listing.StatusOpen || l.Title != "案件 "+strings.TrimPrefix(l.ExternalID, "M-") || l.Agency != "a" {
				t.Fatalf("listing %d = %s %q %q of %q", l.ID, l.Status, l.ExternalID, l.Title, l.Agency)
			}
		}
		stop := errors.New("enough")
		n := 0
		_, err := s.OpenListings(ctx, func(*listing.Listing) error {
			if n++; n == 300 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || n != 300 {
			t.Errorf("OpenListings stopped at %d with %v; want 300 and fn's error", n, err)
		}
		cctx, cancel := context.WithCancel(ctx)
		n = 0
		_, err = s.OpenListings(cctx, func(*listing.Listing) error {
			if n++; n == 10 {
				cancel()
			}
			return nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("OpenListings with its context cancelled = %v, want context.Canceled", err)
		}
	}},
	{"concurrent writers keep the log in order", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := mustAgency(t, s, "a")
		const writers, each = 4, 15
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		stop := make(chan struct{})
		seen := map[string]bool{}
		var followErr error
		followed := make(chan struct{})
		go func() { // a follower that must see every write, in order
			defer close(followed)
			// It polls the log every 2ms for a minute at most.
			poll := time.NewTicker(2 * time.Millisecond)
			defer poll.Stop()
			deadline := time.After(time.Minute)
			var after int64
			for {
				cs, err := s.Changes(ctx, after, 50)
				if err != nil {
					followErr = err
					return
				}
				for _, c := range cs {
					if c.Seq <= after {
						followErr = fmt.Errorf("seq %d after %d", c.Seq, after)
						return
					}
					after = c.Seq
					seen[c.Listing.ExternalID] = true
				}
				if len(cs) == 0 {
					select {
					case <-stop:
						if len(seen) == writers*each {
							return
						}
					default:
					}
					select {
					case <-poll.C:
					case <-deadline:
						followErr = fmt.Errorf("the follower saw %d of %d listings in a minute", len(seen), writers*each)
						return
					}
				}
			}
		}()
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					if _, err := s.PutListing(ctx, a, sample(fmt.Sprintf("W%d-%d", w, i))); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(stop)
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		<-followed // within the follower's minute
		if followErr != nil {
			t.Fatal(followErr)
		}
	}},
	{"inbox: claim, complete once, retry, park, replay", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := mustAgency(t, s, "a")
		ids, err := s.Enqueue(ctx, a, []store.NewItem{
			{Kind: store.KindFeedRow, Payload: []byte(`{"external_id": "I-1"}`), IdempotencyKey: "k1"},
			{Kind: store.KindFeedRow, Payload: []byte(`{"external_id": "I-2"}`)},
		})
		if err != nil || len(ids) != 2 {
			t.Fatalf("Enqueue = %v, %v", ids, err)
		}
		if _, err := s.Enqueue(ctx, a, []store.NewItem{{Kind: store.KindFeedRow, Payload: []byte(`{}`), IdempotencyKey: "k1"}}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("Enqueue with a used key: %v, want ErrConflict", err)
		}
		items, err := s.Claim(ctx, 10, time.Minute)
		if err != nil || len(items) != 2 || items[0].Agency.Slug != "a" || items[0].Attempts != 1 || string(items[0].Payload) != `{"external_id": "I-1"}` {
			t.Fatalf("Claim = %+v, %v", items, err)
		}
		if again, _ := s.Claim(ctx, 10, time.Minute); len(again) != 0 {
			t.Errorf("leased items claimed again: %d", len(again))
		}
		// Completing applies the work once; a second completion is skipped.
		w := store.Work{Agency: a, InboxID: items[0].ID, Claim: items[0].Attempts, Puts: []*listing.Listing{sample("I-1")}}
		res, err := s.Apply(ctx, []store.Work{w})
		if err != nil || res[0].Skipped || res[0].Puts[0].Outcome != store.Created {
			t.Fatalf("Apply = %+v, %v", res, err)
		}
		w.Puts = []*listing.Listing{sample("I-1b")}
		if res, err := s.Apply(ctx, []store.Work{w}); err != nil || !res[0].Skipped {
			t.Errorf("second Apply = %+v, %v; want skipped", res, err)
		}
		if _, err := s.AgencyListing(ctx, a, "I-1b"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("skipped work was stored: %v", err)
		}
		// Retry makes it claimable at the given time; Park sets it aside.
		if err := s.Retry(ctx, items[1], errors.New("db busy"), time.Now().Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		again, _ := s.Claim(ctx, 10, time.Minute)
		if len(again) != 1 || again[0].Attempts != 2 || again[0].LastError != "db busy" {
			t.Fatalf("claim after retry = %+v", again)
		}
		if err := s.Park(ctx, items[1], errors.New("stale claim")); err != nil { // an old claim cannot park it
			t.Fatal(err)
		}
		if p, _ := s.ParkedItems(ctx, "", 10); len(p) != 0 {
			t.Errorf("a stale claim parked the item: %+v", p)
		}
		if err := s.Park(ctx, again[0], errors.New("still failing")); err != nil {
			t.Fatal(err)
		}
		parked, err := s.ParkedItems(ctx, "a", 10)
		if err != nil || len(parked) != 1 || parked[0].LastError != "still failing" {
			t.Fatalf("ParkedItems = %+v, %v", parked, err)
		}
		rs, _ := s.Rejections(ctx, a, store.RejectionFilter{})
		if len(rs) != 1 || rs[0].InboxID != parked[0].ID || !strings.Contains(rs[0].Reason, "still failing") {
			t.Errorf("rejections after park = %+v", rs)
		}
		if n, err := s.Replay(ctx, "a", nil); err != nil || n != 1 {
			t.Errorf("Replay = %d, %v", n, err)
		}
		if again, _ := s.Claim(ctx, 10, time.Minute); len(again) != 1 || again[0].Attempts != 1 {
			t.Errorf("claim after replay = %+v", again)
		}
		counts, _ := s.InboxCounts(ctx)
		if counts[store.Done] != 1 || counts[store.Pending] != 1 {
			t.Errorf("InboxCounts = %v", counts)
		}
	}},
	{"webhook deliveries: replay refused, event id kept once", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := mustAgency(t, s, "a")
		secret, err := s.NewWebhookSecret(ctx, a.ID)
		if err != nil || !strings.HasPrefix(secret, "whsec_") {
			t.Fatalf("NewWebhookSecret = %q, %v", secret, err)
		}
		if got, sec, err := s.WebhookSecret(ctx, "a"); err != nil || sec != secret || got.ID != a.ID {
			t.Errorf("WebhookSecret = %+v %q, %v", got, sec, err)
		}
		it := store.NewItem{Kind: store.KindWebhook, Payload: []byte(`{}`), IdempotencyKey: "evt_1"}
		id, dup, err := s.EnqueueDelivery(ctx, a, "sig1", it, time.Minute)
		if err != nil || dup || id == 0 {
			t.Fatalf("first delivery = %d %v, %v", id, dup, err)
		}
		if _, _, err := s.EnqueueDelivery(ctx, a, "sig1", it, time.Minute); !errors.Is(err, store.ErrReplay) {
			t.Errorf("replayed delivery: %v, want ErrReplay", err)
		}
		id2, dup, err := s.EnqueueDelivery(ctx, a, "sig2", it, time.Minute)
		if err != nil || !dup || id2 != id {
			t.Errorf("redelivered event = %d %v, %v; want %d duplicate", id2, dup, err, id)
		}
	}},
	{"idempotent answers", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := mustAgency(t, s, "a")
		if _, err := s.IdempotentAnswer(ctx, a, "k"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown key: %v", err)
		}
		open := func() int {
			n, err := s.CountListings(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n[listing.StatusOpen]
		}
		answer := func(body string, keep bool, err error) func(store.WorkResult) (store.Idempotent, bool, error) {
			return func(store.WorkResult) (store.Idempotent, bool, error) {
				return store.Idempotent{RequestHash: "h1", Status: 200, Response: []byte(body)}, keep, err
			}
		}
		once := func(id, key, hash string, ans func(store.WorkResult) (store.Idempotent, bool, error)) error {
			_, err := s.Apply(ctx, []store.Work{{Agency: a, Source: "api", Puts: []*listing.Listing{sample(id)},
				Once: &store.Once{Key: key, RequestHash: hash, Answer: ans}}})
			return err
		}
		if err := once("I-1", "k", "h1", answer(`{"n":1}`, true, nil)); err != nil {
			t.Fatal(err)
		}
		if got, err := s.IdempotentAnswer(ctx, a, "k"); err != nil || got.RequestHash != "h1" || got.Status != 200 || string(got.Response) != `{"n":1}` {
			t.Errorf("kept answer = %+v, %v", got, err)
		}
		if err := once("I-2", "k", "h2", answer(`{"n":2}`, true, nil)); !errors.Is(err, store.ErrRepeated) {
			t.Errorf("the key again: %v, want ErrRepeated", err)
		}
		if n := open(); n != 1 {
			t.Errorf("%d open listings after a repeat, want 1: the repeat must write nothing", n)
		}
		if got, _ := s.IdempotentAnswer(ctx, a, "k"); got.RequestHash != "h1" || string(got.Response) != `{"n":1}` {
			t.Errorf("answer after a repeat = %+v, want the first", got)
		}
		// An answer that fails takes the write back with it, and frees the key.
		if err := once("I-3", "k3", "h1", answer(``, true, errors.New("cannot encode"))); err == nil {
			t.Error("Apply with a failing answer succeeded")
		}
		if _, err := s.IdempotentAnswer(ctx, a, "k3"); !errors.Is(err, store.ErrNotFound) || open() != 1 {
			t.Errorf("after a failed answer: key %v, %d open listings; want no key and 1", err, open())
		}
		// An answer not kept frees the key: a repeat writes again.
		for range 2 {
			if err := once("I-4", "k4", "h1", answer(``, false, nil)); err != nil {
				t.Fatalf("answer not kept: %v", err)
			}
		}
		if _, err := s.IdempotentAnswer(ctx, a, "k4"); !errors.Is(err, store.ErrNotFound) || open() != 2 {
			t.Errorf("after answers not kept: key %v, %d open listings; want no key and 2", err, open())
		}
		// Requests racing with one key: one writes, the others are repeats.
		errs := make(chan error, 4)
		for i := range 4 {
			go func() {
				errs <- once(fmt.Sprintf("R-%d", i), "race", "h1", answer(fmt.Sprintf(`{"n":%d}`, i), true, nil))
			}()
		}
		won := 0
		for range 4 {
			switch err := <-errs; {
			case err == nil:
				won++
			case !errors.Is(err, store.ErrRepeated):
				t.Errorf("racing request: %v", err)
			}
		}
		if won != 1 || open() != 3 {
			t.Errorf("%d racing requests wrote, %d open listings; want 1 and 3", won, open())
		}
	}},
	{"feed runs count rows and a full feed closes the rest", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		s, clock := onClock(t, s)
		a, b := mustAgency(t, s, "a"), mustAgency(t, s, "b")
		for _, id := range []string{"F-1", "F-2", "F-3"} {
			s.PutListing(ctx, a, sample(id))
		}
		s.PutListing(ctx, b, sample("F-3"))
		clock.Add(2 * time.Millisecond) // the run starts after those writes
		run, existing, err := s.StartRun(ctx, a, "upload", "csv", true, "key-1")
		if err != nil || existing || run.State != store.RunReceiving {
			t.Fatalf("StartRun = %+v %v, %v", run, existing, err)
		}
		if again, existing, _ := s.StartRun(ctx, a, "upload", "csv", true, "key-1"); !existing || again.ID != run.ID {
			t.Errorf("StartRun with the same key = %+v %v", again, existing)
		}
		f4 := sample("F-4")
		ids, _ := s.Enqueue(ctx, a, []store.NewItem{{Kind: store.KindFeedRow, Payload: []byte(`{}`), RunID: run.ID, Line: 3}})
		_, err = s.Apply(ctx, []store.Work{{Agency: a, RunID: run.ID, Source: "feed",
			Puts:     []*listing.Listing{sample("F-1")},
			Rejected: []store.Rejection{{Line: 2, ExternalID: "F-2", Field: "title", Reason: "is required"}},
			Seen:     []string{"F-2"}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.EndReceive(ctx, run.ID, 3, ""); err != nil {
			t.Fatal(err)
		}
		if done, err := s.FinishRun(ctx, run.ID); err != nil || done {
			t.Fatalf("FinishRun with a row pending = %v, %v", done, err)
		}
		items, _ := s.Claim(ctx, 10, time.Minute)
		if len(items) != 1 || items[0].ID != ids[0] || items[0].RunID != run.ID || items[0].Line != 3 {
			t.Fatalf("claimed %+v", items)
		}
		if _, err := s.Apply(ctx, []store.Work{{Agency: a, InboxID: items[0].ID, Claim: 1, RunID: run.ID, Puts: []*listing.Listing{f4}}}); err != nil {
			t.Fatal(err)
		}
		if done, err := s.FinishRun(ctx, run.ID); err != nil || !done {
			t.Fatalf("FinishRun = %v, %v", done, err)
		}
		got, err := s.FeedRun(ctx, a, run.ID)
		if err != nil || got.State != store.RunDone || got.Rows != 3 || got.Created != 1 || got.Unchanged != 1 ||
			got.Rejected != 1 || got.Closed != 1 || got.FinishedAt == nil {
			t.Fatalf("run = %+v, %v", got, err)
		}
		for id, want := range map[string]listing.Status{"F-1": listing.StatusOpen, "F-2": listing.StatusOpen,
			"F-3": listing.StatusClosed, "F-4": listing.StatusOpen} {
			if l, _ := s.AgencyListing(ctx, a, id); l.Status != want {
				t.Errorf("%s is %s, want %s", id, l.Status, want)
			}
		}
		if l, _ := s.AgencyListing(ctx, b, "F-3"); l.Status != listing.StatusOpen {
			t.Errorf("a's full feed closed b's listing")
		}
		rs, _ := s.Rejections(ctx, a, store.RejectionFilter{RunID: run.ID})
		if len(rs) != 1 || rs[0].Line != 2 || rs[0].Field != "title" {
			t.Errorf("run rejections = %+v", rs)
		}
		if _, err := s.FeedRun(ctx, b, run.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("b reads a's run: %v", err)
		}
		// An aborted full run closes nothing.
		run2, _, _ := s.StartRun(ctx, a, "upload", "csv", true, "")
		s.EndReceive(ctx, run2.ID, 0, "broken")
		if done, _ := s.FinishRun(ctx, run2.ID); !done {
			t.Error("aborted run not finished")
		}
		if l, _ := s.AgencyListing(ctx, a, "F-1"); l.Status != listing.StatusOpen {
			t.Error("an aborted full feed closed listings")
		}
	}},
	{"times in other zones read back", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := mustAgency(t, s, "a")
		l := sample("Z-1")
		l.PostedAt = time.Date(2026, 11, 20, 9, 0, 0, 0, time.FixedZone("JST", 9*3600))
		if _, err := s.PutListing(ctx, a, l); err != nil {
			t.Fatal(err)
		}
		again := sample("Z-1")
		again.Title = "更新"
		again.PostedAt = time.Time{} // keeps the stored one
		if r, err := s.PutListing(ctx, a, again); err != nil || r.Outcome != store.Updated || !again.PostedAt.Equal(l.PostedAt) {
			t.Errorf("update of a JST listing = %+v, %v; posted %v", r, err, again.PostedAt)
		}
	}},
	{"duplicates across agencies share a group", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b, c := mustAgency(t, s, "a"), mustAgency(t, s, "b"), mustAgency(t, s, "c")
		orig := sample("G-1")
		orig.Description = strings.Repeat("決済APIの設計・開発をお任せします。Goでのマイクロサービス開発、AWS上の基盤運用、コードレビュー。", 3)
		ra, _ := s.PutListing(ctx, a, orig)
		repost := sample("B-9")
		repost.Title = "【フルリモート】決済基盤のバックエンド開発（Go）"
		repost.Description = orig.Description + "面談1回。"
		repost.ApplyURL = "https://b.example/jobs/9"
		repost.Rate.MonthlyMax = 750_000
		rb, err := s.PutListing(ctx, b, repost)
		if err != nil {
			t.Fatal(err)
		}
		other := sample("C-1")
		other.Title = "データ分析基盤の構築"
		other.Description = "BigQueryとdbtでの分析基盤構築、ダッシュボード作成、データ品質の改善をお願いします。"
		other.ApplyURL = "https://c.example/1"
		rc, _ := s.PutListing(ctx, c, other)
		sameURL := sample("C-2") // c's other listing, same apply URL as a's: the same job
		sameURL.Title = "全く別の書き方"
		sameURL.Description = "説明文はまったく違う。"
		rc2, _ := s.PutListing(ctx, c, sameURL)
		la, _ := s.Listing(ctx, ra.ID)
		lb, _ := s.Listing(ctx, rb.ID)
		lc, _ := s.Listing(ctx, rc.ID)
		lc2, _ := s.Listing(ctx, rc2.ID)
		if la.GroupID != ra.ID || lb.GroupID != ra.ID || lc.GroupID != rc.ID || lc2.GroupID != ra.ID {
			t.Fatalf("groups: a %d b %d c %d c2 %d; want %d %d %d %d", la.GroupID, lb.GroupID, lc.GroupID, lc2.GroupID, ra.ID, ra.ID, rc.ID, ra.ID)
		}
		g, err := s.GroupListings(ctx, ra.ID)
		if err != nil || len(g) != 3 || g[0].ID != ra.ID || g[1].ID != rb.ID || g[2].ID != rc2.ID {
			t.Fatalf("GroupListings = %d listings, %v", len(g), err)
		}
		if g, _ := s.GroupListings(ctx, rc.ID); len(g) != 1 || g[0].ID != rc.ID {
			t.Errorf("lone listing's group = %+v", g)
		}
		// The change log carries the group.
		cs, _ := s.Changes(ctx, 0, 100)
		for _, c := range cs {
			if c.Listing.ID == rb.ID && c.Listing.GroupID != ra.ID {
				t.Errorf("change of %d has group %d", rb.ID, c.Listing.GroupID)
			}
		}
		// Closed listings leave the group; a rewrite that no longer matches leaves it.
		s.CloseListing(ctx, b, "B-9")
		if g, _ := s.GroupListings(ctx, ra.ID); len(g) != 2 {
			t.Errorf("group after close has %d listings", len(g))
		}
		sameURL.ApplyURL = "https://c.example/2"
		s.PutListing(ctx, c, sameURL)
		if l, _ := s.Listing(ctx, rc2.ID); l.GroupID != rc2.ID {
			t.Errorf("rewritten listing still in group %d", l.GroupID)
		}
		if g, _ := s.GroupListings(ctx, 999999); len(g) != 0 {
			t.Errorf("unknown group has %d listings", len(g))
		}
	}},
	{"listings past valid_through close", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := mustAgency(t, s, "a")
		now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		jst := time.FixedZone("JST", 9*3600)
		at := func(t time.Time) *time.Time { return &t }
		past, future := at(now.Add(-48*time.Hour)), at(now.Add(24*time.Hour))
		// put is what the listing was stored with, in order; want is
		// whether CloseExpired(now) closes it.
		cases := []struct {
			ext  string
			put  []*time.Time
			want bool
		}{
			{"past", []*time.Time{past}, true},
			{"a second past", []*time.Time{at(now.Add(-time.Second))}, true},
			{"past in JST", []*time.Time{at(time.Date(2026, 12, 1, 8, 59, 0, 0, jst))}, true}, // 23:59 UTC the day before
			{"past once updated", []*time.Time{future, past}, true},
			{"future in JST", []*time.Time{at(time.Date(2026, 12, 1, 9, 30, 0, 0, jst))}, false}, // 00:30 UTC
			{"now", []*time.Time{at(now)}, false},
			{"future", []*time.Time{future}, false},
			{"none", []*time.Time{nil}, false},
			{"future once updated", []*time.Time{past, future}, false},
			{"none once updated", []*time.Time{past, nil}, false},
		}
		for i, c := range cases {
			for j, v := range c.put {
				l := sample(c.ext)
				l.ValidThrough = v
				l.Title = fmt.Sprintf("案件 %d 版 %d", i, j) // each put changes the listing
				if _, err := s.PutListing(ctx, a, l); err != nil {
					t.Fatalf("%s: %v", c.ext, err)
				}
			}
		}
		s.PutListing(ctx, a, func() *listing.Listing { l := sample("closed before"); l.ValidThrough = past; return l }())
		if _, err := s.CloseListing(ctx, a, "closed before"); err != nil {
			t.Fatal(err)
		}
		before, _ := s.LastSeq(ctx)

		if _, err := s.CloseExpired(ctx, now, 0); err == nil {
			t.Error("CloseExpired with limit 0 succeeded")
		}
		want := 0
		for _, c := range cases {
			if c.want {
				want++
			}
		}
		// In batches of 3: full batches, then the rest, then none.
		total := 0
		for _, batch := range []int{3, want - 3, 0} {
			n, err := s.CloseExpired(ctx, now, 3)
			if err != nil || n != batch {
				t.Fatalf("CloseExpired after %d closed = %d, %v; want %d", total, n, err, batch)
			}
			total += n
		}

		changes, err := s.Changes(ctx, before, 100)
		if err != nil {
			t.Fatal(err)
		}
		changed := map[string]bool{}
		for _, ch := range changes {
			if ch.Listing.Status != listing.StatusClosed || ch.Seq <= before {
				t.Errorf("change %d: %s is %s", ch.Seq, ch.Listing.ExternalID, ch.Listing.Status)
			}
			changed[ch.Listing.ExternalID] = true
		}
		open := map[string]bool{}
		if _, err := s.OpenListings(ctx, func(l *listing.Listing) error { open[l.ExternalID] = true; return nil }); err != nil {
			t.Fatal(err)
		}
		for i, c := range cases {
			got, err := s.AgencyListing(ctx, a, c.ext)
			if err != nil {
				t.Fatalf("%s: %v", c.ext, err)
			}
			wantStatus := listing.StatusOpen
			if c.want {
				wantStatus = listing.StatusClosed
			}
			if got.Status != wantStatus || changed[c.ext] != c.want || open[c.ext] == c.want {
				t.Errorf("%s: %s, in the change log %v, open %v; want %s", c.ext, got.Status, changed[c.ext], open[c.ext], wantStatus)
			}
			// The page of a closed listing reads as it was, closed.
			if page, err := s.Listing(ctx, got.ID); err != nil || page.Title != fmt.Sprintf("案件 %d 版 %d", i, len(c.put)-1) ||
				!reflect.DeepEqual(page.ValidThrough, got.ValidThrough) {
				t.Errorf("%s: page %q valid through %v, %v", c.ext, page.Title, page.ValidThrough, err)
			}
		}
		if changed["closed before"] {
			t.Error("a listing closed before was closed again")
		}
	}},
}

func mustAgency(t *testing.T, s *store.Store, slug string) store.Agency {
	t.Helper()
	a, err := s.CreateAgency(context.Background(), slug, slug+" エージェント")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func sample(externalID string) *listing.Listing {
	valid := time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)
	return &listing.Listing{
		ExternalID:  externalID,
		Title:       "【Go/フルリモート】決済基盤のバックエンド開発",
		Description: "決済APIの設計・開発をお任せします。月額60万〜70万円。",
		Role:        listing.RoleBackend,
		Skills:      []string{"go", "postgresql", "aws"},
		Rate: listing.Rate{Unit: listing.PerMonth, Min: 600_000, Max: 700_000,
			MonthlyMin: 600_000, MonthlyMax: 700_000},
		Remote:       listing.RemoteFull,
		DaysPerWeek:  listing.Range{Min: 3, Max: 5},
		Prefecture:   "JP-13",
		Location:     "東京都渋谷区",
		Contract:     listing.ContractQuasiMandate,
		SideJobOK:    false,
		Start:        listing.StartImmediate,
		Status:       listing.StatusOpen,
		PostedAt:     time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC),
		ValidThrough: &valid,
		ApplyURL:     "https://example.com/jobs/1",
	}
}

// TestContractOpenListingStamps walks the open listings by keyset on both
// databases: id order, closed listings left out, updated_at as stored.
func TestContractOpenListingStamps(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			s := storetest.Open(t, backend)
			if got, err := s.OpenListingStamps(ctx, 0, 10); err != nil || len(got) != 0 {
				t.Fatalf("empty store: stamps = %v, %v; want none", got, err)
			}
			a := mustAgency(t, s, "a")
			var open []int64
			for i := range 5 {
				l := sample(fmt.Sprint("S-", i))
				l.Title = fmt.Sprintf("案件 %d の開発", i)
				r, err := s.PutListing(ctx, a, l)
				if err != nil {
					t.Fatal(err)
				}
				if i != 2 {
					open = append(open, r.ID)
				}
			}
			if _, err := s.CloseListing(ctx, a, "S-2"); err != nil {
				t.Fatal(err)
			}
			var got []int64
			after := int64(0)
			for pages := 0; ; pages++ {
				if pages > 10 {
					t.Fatal("keyset walk does not end")
				}
				page, err := s.OpenListingStamps(ctx, after, 2)
				if err != nil {
					t.Fatal(err)
				}
				if len(page) > 2 {
					t.Fatalf("page of %d stamps, limit 2", len(page))
				}
				if len(page) == 0 {
					break
				}
				for _, st := range page {
					l, err := s.Listing(ctx, st.ID)
					if err != nil {
						t.Fatal(err)
					}
					if !st.UpdatedAt.Equal(l.UpdatedAt) || st.UpdatedAt.IsZero() || st.UpdatedAt.Location() != time.UTC {
						t.Errorf("stamp %d updated %v; listing updated %v", st.ID, st.UpdatedAt, l.UpdatedAt)
					}
					got = append(got, st.ID)
				}
				after = page[len(page)-1].ID
			}
			if !reflect.DeepEqual(got, open) {
				t.Errorf("open stamps %v, want %v (id order, closed left out)", got, open)
			}
			if page, err := s.OpenListingStamps(ctx, open[len(open)-1], 10); err != nil || len(page) != 0 {
				t.Errorf("after the last id: %v, %v; want none", page, err)
			}
			if page, err := s.OpenListingStamps(ctx, 0, 0); err != nil || len(page) != 0 {
				t.Errorf("limit 0: %v, %v; want none", page, err)
			}
		})
	}
}
