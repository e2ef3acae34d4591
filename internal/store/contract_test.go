package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
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
		all, err := s.Changes(ctx, 0, 100)
		if err != nil || len(all) != 6 {
			t.Fatalf("Changes = %d, %v; want 6", len(all), err)
		}
		for i := 1; i < len(all); i++ {
			if all[i].Seq <= all[i-1].Seq {
				t.Errorf("seq %d after %d", all[i].Seq, all[i-1].Seq)
			}
		}
		if last := all[5]; last.Listing.ExternalID != "L-1" || last.Listing.Status != listing.StatusClosed {
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
		if err != nil || seq != all[5].Seq || len(open) != 4 {
			t.Errorf("OpenListings = %v at %d, %v; want 4 at %d", open, seq, err, all[5].Seq)
		}
		counts, _ := s.CountListings(ctx)
		if counts[listing.StatusOpen] != 4 || counts[listing.StatusClosed] != 1 {
			t.Errorf("CountListings = %v", counts)
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
					time.Sleep(2 * time.Millisecond)
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
		select {
		case <-followed:
		case <-time.After(20 * time.Second):
			t.Fatalf("follower saw %d of %d listings", len(seen), writers*each)
		}
		if followErr != nil {
			t.Fatal(followErr)
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
