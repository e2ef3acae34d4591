package store_test

import (
	"context"
	"testing"
	"time"

	"anken/internal/listing"
	"anken/internal/store"
	"anken/internal/store/storetest"
)

// TestIdentityAndLogMarks checks what a node asks the store before it
// loads its index's snapshot: the store's identity (its own, the same on
// every open, another store's differs), where a listing's latest change
// is, and that the changes after a position are every listing written
// since, as it is now, closed ones included.
func TestIdentityAndLogMarks(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			s := storetest.Open(t, backend)
			id, err := s.Identity(ctx)
			if err != nil || len(id) != 32 {
				t.Fatalf("Identity = %q, %v; want 32 hex digits", id, err)
			}
			if again, err := s.Identity(ctx); err != nil || again != id {
				t.Errorf("Identity again = %q, %v; want %q", again, err, id)
			}
			if other, err := storetest.Open(t, backend).Identity(ctx); err != nil || other == id {
				t.Errorf("another store's Identity = %q, %v; want one of its own", other, err)
			}

			a, err := s.CreateAgency(ctx, "a", "A")
			if err != nil {
				t.Fatal(err)
			}
			put := func(ext, title string) store.PutResult {
				t.Helper()
				r, err := s.PutListing(ctx, a, &listing.Listing{ExternalID: ext, Title: title, Status: listing.StatusOpen,
					PostedAt: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)})
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			first := put("A", "最初")
			b := put("B", "二番目")
			changes, err := s.Changes(ctx, 0, 10)
			if err != nil || len(changes) != 2 {
				t.Fatalf("Changes = %d, %v", len(changes), err)
			}
			wantB := store.Mark{ID: b.ID, Seq: b.Seq, At: changes[1].Listing.UpdatedAt}
			if got, err := s.MarkAt(ctx, b.Seq); err != nil || got != wantB {
				t.Errorf("MarkAt(%d) = %+v, %v; want %+v", b.Seq, got, err, wantB)
			}
			if got, err := s.MarkOf(ctx, b.ID); err != nil || got != wantB {
				t.Errorf("MarkOf(%d) = %+v, %v; want %+v", b.ID, got, err, wantB)
			}
			if got, err := s.MarkOf(ctx, first.ID); err != nil || got.Seq != first.Seq {
				t.Errorf("MarkOf(%d) = %+v, %v; want seq %d", first.ID, got, err, first.Seq)
			}
			if got, err := s.MarkOf(ctx, 999); err != nil || got != (store.Mark{}) {
				t.Errorf("MarkOf(absent) = %+v, %v; want none", got, err)
			}
			mark := b.Seq
			closed, err := s.CloseListing(ctx, a, "A")
			if err != nil {
				t.Fatal(err)
			}
			b2 := put("B", "二番目・改")
			c := put("C", "三番目")
			// B changed again: nothing is at its old position, and its
			// latest change is past it.
			if got, err := s.MarkAt(ctx, mark); err != nil || got != (store.Mark{}) {
				t.Errorf("MarkAt(%d) after B changed = %+v, %v; want none", mark, got, err)
			}
			if got, err := s.MarkOf(ctx, b.ID); err != nil || got.Seq != b2.Seq || got.Seq <= mark {
				t.Errorf("MarkOf(B) = %+v, %v; want seq %d", got, err, b2.Seq)
			}
			cs, err := s.Changes(ctx, mark, 100)
			if err != nil {
				t.Fatal(err)
			}
			want := []struct {
				seq    int64
				ext    string
				status listing.Status
				title  string
			}{{closed.Seq, "A", listing.StatusClosed, "最初"}, {b2.Seq, "B", listing.StatusOpen, "二番目・改"}, {c.Seq, "C", listing.StatusOpen, "三番目"}}
			if len(cs) != len(want) {
				t.Fatalf("Changes(after %d) = %d changes, want %d", mark, len(cs), len(want))
			}
			for i, w := range want {
				l := cs[i].Listing
				if cs[i].Seq != w.seq || l.ExternalID != w.ext || l.Status != w.status || l.Title != w.title {
					t.Errorf("change %d = seq %d %s %s %q; want seq %d %s %s %q", i, cs[i].Seq, l.ExternalID, l.Status, l.Title,
						w.seq, w.ext, w.status, w.title)
				}
			}
		})
	}
}
