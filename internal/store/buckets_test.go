package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"anken/internal/listing"
	"anken/internal/store"
	"anken/internal/store/storetest"
)

// TestTwoStoresGroupAlike writes through two Stores of one database, as
// two nodes do: each holds its own bucket index, and each groups by what
// the other wrote since — new listings joining a group, and a listing
// whose text and apply URL changed no longer found by its old buckets.
func TestTwoStoresGroupAlike(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			n1, n2 := twoNodes(t, backend)
			a, b, c, d := mustAgency(t, n1, "a"), mustAgency(t, n1, "b"), mustAgency(t, n1, "c"), mustAgency(t, n1, "d")
			group := func(s *store.Store, id int64) int64 {
				t.Helper()
				l, err := s.Listing(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				return l.GroupID
			}
			put := func(s *store.Store, ag store.Agency, l *listing.Listing) int64 {
				t.Helper()
				r, err := s.PutListing(ctx, ag, l)
				if err != nil {
					t.Fatal(err)
				}
				return r.ID
			}
			// Node 2 reads its buckets before node 1 writes.
			lone := sample("D-1")
			lone.Title, lone.Description, lone.ApplyURL = "データ分析基盤の構築", "BigQueryとdbtでの分析基盤構築をお願いします。", "https://d.example/1"
			put(n2, d, lone)

			payments := strings.Repeat("決済APIの設計・開発をお任せします。Goでのマイクロサービス開発、AWS上の基盤運用、コードレビュー。", 3)
			orig := sample("A-1")
			orig.Description, orig.ApplyURL = payments, "https://a.example/jobs/1"
			ra := put(n1, a, orig)
			repost := sample("B-1")
			repost.Description, repost.ApplyURL = payments+"面談1回。", "https://b.example/jobs/1"
			if rb := put(n2, b, repost); group(n2, rb) != ra {
				t.Fatalf("node 2's repost of node 1's listing is in group %d, want %d", group(n2, rb), ra)
			}
			// Node 1 rewrites its listing: other text, other apply URL.
			moved := sample("A-1")
			moved.Title = "モバイルアプリ開発（Flutter）"
			moved.Description = strings.Repeat("Flutterでのモバイルアプリ開発と、ストア申請、UIの改善をお願いします。", 3)
			moved.ApplyURL = "https://a.example/jobs/2"
			put(n1, a, moved)
			// Its old apply URL finds it no more; its new text does.
			oldURL := sample("C-1")
			oldURL.Title, oldURL.Description, oldURL.ApplyURL = "全く別の書き方", "説明文はまったく違う。", "https://a.example/jobs/1"
			if rc := put(n2, c, oldURL); group(n2, rc) != rc {
				t.Errorf("a listing with node 1's old apply URL joined group %d, want its own (%d)", group(n2, rc), rc)
			}
			sameText := sample("C-2")
			sameText.Title, sameText.Description, sameText.ApplyURL = moved.Title, moved.Description+"即日可。", "https://c.example/2"
			if rc2 := put(n2, c, sameText); group(n2, rc2) != ra {
				t.Errorf("a repost of node 1's rewritten listing is in group %d, want %d", group(n2, rc2), ra)
			}
			// And node 1 sees node 2's writes.
			again := sample("B-2")
			again.Title, again.Description, again.ApplyURL = "別件", "別の説明。", "https://d.example/1"
			if rb2 := put(n1, b, again); group(n1, rb2) != group(n1, 1) {
				t.Errorf("node 1's listing with node 2's apply URL is in group %d, want %d", group(n1, rb2), group(n1, 1))
			}
		})
	}
}

// TestReimportRewritesNothing imports a feed (rows without posted_at)
// twice as partial runs: the second run finds every row unchanged, and the
// change log, the listings' versions and the groups stay as they were.
// With a full run of the agency still to settle, an unchanged row a later
// run carries is marked, so that the full run does not close it.
func TestReimportRewritesNothing(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(time.Now())
			s := storetest.OpenClock(t, backend, clock.Now)
			a, b := mustAgency(t, s, "a"), mustAgency(t, s, "b")
			rows := func(ag string, n int) []*listing.Listing {
				var ls []*listing.Listing
				for i := range n {
					l := sample(fmt.Sprintf("%s-%d", ag, i))
					l.PostedAt = time.Time{}
					l.Description = fmt.Sprintf("案件%dの説明。%s", i%3, strings.Repeat("Goでの決済API開発、AWS運用。", 4))
					l.ApplyURL = fmt.Sprintf("https://%s.example/%d", ag, i)
					ls = append(ls, l)
				}
				return ls
			}
			importRun := func(ag store.Agency, full bool, ls []*listing.Listing) []store.PutResult {
				t.Helper()
				run, _, err := s.StartRun(ctx, ag, "import", "jsonl", full, "")
				if err != nil {
					t.Fatal(err)
				}
				res, err := s.Apply(ctx, []store.Work{{Agency: ag, RunID: run.ID, Source: "import", Puts: ls}})
				if err != nil {
					t.Fatal(err)
				}
				if err := s.EndReceive(ctx, run.ID, len(ls), ""); err != nil {
					t.Fatal(err)
				}
				if _, err := s.FinishRun(ctx, run.ID); err != nil {
					t.Fatal(err)
				}
				return res[0].Puts
			}
			importRun(a, false, rows("a", 20))
			importRun(b, false, rows("b", 20))
			seq, _ := s.LastSeq(ctx)
			before, _ := s.Changes(ctx, 0, 100)
			clock.Add(time.Hour)
			for _, ag := range []store.Agency{a, b} {
				for _, r := range importRun(ag, false, rows(ag.Slug, 20)) {
					if r.Outcome != store.Unchanged || r.Seq != 0 {
						t.Fatalf("re-import of %s: %+v, want unchanged", ag.Slug, r)
					}
				}
			}
			if again, _ := s.LastSeq(ctx); again != seq {
				t.Errorf("change log at %d after the re-import, was %d", again, seq)
			}
			after, _ := s.Changes(ctx, 0, 100)
			if len(after) != len(before) {
				t.Fatalf("%d changes after the re-import, %d before", len(after), len(before))
			}
			for i := range before {
				x, y := before[i].Listing, after[i].Listing
				if !x.UpdatedAt.Equal(y.UpdatedAt) || !x.PostedAt.Equal(y.PostedAt) || x.GroupID != y.GroupID {
					t.Errorf("listing %d rewritten: updated %v → %v, posted %v → %v, group %d → %d",
						x.ID, x.UpdatedAt, y.UpdatedAt, x.PostedAt, y.PostedAt, x.GroupID, y.GroupID)
				}
			}

			// A full run that carries a-0…a-9 ends after a partial run,
			// started while it was receiving, carried a-10…a-19 unchanged:
			// it closes none of them.
			clock.Add(time.Hour)
			full, _, err := s.StartRun(ctx, a, "upload", "jsonl", true, "")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Apply(ctx, []store.Work{{Agency: a, RunID: full.ID, Source: "feed", Puts: rows("a", 10)}}); err != nil {
				t.Fatal(err)
			}
			importRun(a, false, rows("a", 20)[10:])
			if err := s.EndReceive(ctx, full.ID, 10, ""); err != nil { // settles it
				t.Fatal(err)
			}
			r, err := s.FeedRun(ctx, a, full.ID)
			if err != nil || r.Closed != 0 {
				t.Errorf("full run = %+v, %v; want nothing closed", r, err)
			}
		})
	}
}

// TestBucketsAfterRollback: a write transaction that rolls back gives its
// change-log numbers back, and the next writer, on another node, takes
// them again; the node whose transaction rolled back still catches up
// with what that writer did. (Its catch-up had read its own uncommitted
// close, numbered like the other node's later write.)
func TestBucketsAfterRollback(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			n1, n2 := twoNodes(t, backend)
			a, b, c := mustAgency(t, n1, "a"), mustAgency(t, n1, "b"), mustAgency(t, n1, "c")
			put := func(s *store.Store, ag store.Agency, ext, title, url string) int64 {
				t.Helper()
				l := sample(ext)
				l.Title, l.Description, l.ApplyURL = title, title+"の説明。", url
				r, err := s.PutListing(ctx, ag, l)
				if err != nil {
					t.Fatal(err)
				}
				return r.ID
			}
			put(n1, a, "A-1", "決済基盤の開発", "https://a.example/1")
			z := put(n1, c, "C-1", "データ分析基盤の構築", "https://c.example/1")
			put(n2, a, "A-2", "モバイルアプリ開発", "https://a.example/2")
			// Node 1: a close, then a put, then a failure: all rolled back.
			y := sample("B-1")
			y.ApplyURL = "https://b.example/1"
			_, err := n1.Apply(ctx, []store.Work{
				{Agency: a, Closes: []string{"A-1"}},
				{Agency: b, Puts: []*listing.Listing{y}, Once: &store.Once{Key: "k", Answer: func(store.WorkResult) (store.Idempotent, bool, error) {
					return store.Idempotent{}, false, fmt.Errorf("the answer could not be made")
				}}},
			})
			if err == nil {
				t.Fatal("Apply with a failing answer succeeded")
			}
			// Node 2 moves C-1 to a new apply URL, with the number node 1
			// gave back.
			put(n2, c, "C-1", "データ分析基盤の構築", "https://shared.example/job")
			// Node 1 knows it there.
			w := put(n1, b, "B-2", "全く別の案件", "https://shared.example/job")
			l, err := n1.Listing(ctx, w)
			if err != nil || l.GroupID != z {
				t.Errorf("a listing with C-1's new apply URL is in group %d (%v), want %d", l.GroupID, err, z)
			}
		})
	}
}

// twoNodes opens two Stores on one migrated database, as two nodes would.
func twoNodes(t *testing.T, backend string) (*store.Store, *store.Store) {
	t.Helper()
	ctx := context.Background()
	cfg := store.Config{}
	if backend == "sqlite" {
		cfg.DataDir = t.TempDir()
	} else {
		cfg.DatabaseURL = storetest.URL(t)
	}
	open := func() *store.Store {
		s, err := store.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		return s
	}
	return open(), open()
}
