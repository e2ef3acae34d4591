package store_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"testing"
	"time"

	"anken/internal/listing"
	"anken/internal/store"
	"anken/internal/store/storetest"
)

// TestAuditedWrites: every audited write, made with an entry
// (WithAudit), leaves exactly one row in its transaction when it commits,
// with the entry's who, what and from where and its own target and
// detail; one that fails leaves none. The cases run in order on one store
// per backend, each on what the earlier ones left.
func TestAuditedWrites(t *testing.T) {
	type fixture struct {
		a        store.Agency
		keyID    int64 // a live key of a
		listing  int64 // a's listing A-1
		operator store.Operator
		run      int64 // a's held full feed run
		token    string
		clock    *storetest.Clock // the store's
	}
	type auditCase struct {
		name  string
		entry store.AuditEntry // Action is the case's name when empty
		write func(ctx context.Context, s *store.Store, fx *fixture) error
		// want is the target and detail of the one row, or nil for a
		// write that must fail and leave none.
		want *[2]string
	}
	row := func(target, detail string) *[2]string { return &[2]string{target, detail} }
	op := store.AuditEntry{ActorKind: store.AuditOperator, Actor: "山田", IP: "192.0.2.9"}
	ag := store.AuditEntry{ActorKind: store.AuditAgency, Actor: "a", IP: "192.0.2.1", Target: "/v1/agency/listings:batch"}
	cli := store.AuditEntry{ActorKind: store.AuditCLI, Actor: "cli", IP: "cli"}
	cases := []auditCase{
		{"create-agency", cli, func(ctx context.Context, s *store.Store, fx *fixture) error {
			_, err := s.CreateAgency(ctx, "b", "B社")
			return err
		}, row("agency b", "B社")},
		{"create-agency (slug taken)", cli, func(ctx context.Context, s *store.Store, fx *fixture) error {
			_, err := s.CreateAgency(ctx, "b", "")
			if !errors.Is(err, store.ErrConflict) {
				return fmt.Errorf("got %v, want ErrConflict", err)
			}
			return err
		}, nil},
		{"create-agency (no actor)", store.AuditEntry{ActorKind: store.AuditCLI, IP: "cli"}, func(ctx context.Context, s *store.Store, fx *fixture) error {
			_, err := s.CreateAgency(ctx, "c", "")
			if _, err := s.AgencyBySlug(context.Background(), "c"); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("agency c was created without its audit row: %v", err)
			}
			return err
		}, nil},
		{"issue-agency-key", op, func(ctx context.Context, s *store.Store, fx *fixture) error {
			_, err := s.CreateKey(ctx, fx.a.ID)
			return err
		}, row("agency a", `key ak_[0-9a-f]{6}`)},
		{"rotate-agency-keys", op, func(ctx context.Context, s *store.Store, fx *fixture) error {
			_, _, err := s.RotateKey(ctx, fx.a.ID)
			if keys, _ := s.AgencyKeys(context.Background(), fx.a.ID); len(keys) > 0 {
				fx.keyID = keys[0].ID
			}
			return err
		}, row("agency a", `key ak_[0-9a-f]{6}; 3 revoked`)},
		{"revoke-agency-key (unknown)", op, func(ctx context.Context, s *store.Store, fx *fixture) error {
			return s.RevokeKey(ctx, fx.a.ID, fx.keyID+100)
		}, nil},
		{"revoke-agency-key", op, func(ctx context.Context, s *store.Store, fx *fixture) error {
			return s.RevokeKey(ctx, fx.a.ID, fx.keyID)
		}, row("agency a", fmt.Sprintf("key %s revoked", `\d+`))},
		{"revoke-agency-keys", op, func(ctx context.Context, s *store.Store, fx *fixture) error {
			_, err := s.RevokeKeys(ctx, fx.a.ID)
			return err
		}, row("agency a", "0 keys revoked")},
		{"issue-webhook-secret", op, func(ctx context.Context, s *store.Store, fx *fixture) error {
			_, err := s.NewWebhookSecret(ctx, fx.a.ID)
			return err
		}, row("agency a", "")},
		{"put-agency-profile", store.AuditEntry{ActorKind: store.AuditAgency, Actor: "a", IP: "192.0.2.1"},
			func(ctx context.Context, s *store.Store, fx *fixture) error {
				_, err := s.SetAgencyProfile(ctx, fx.a.ID, store.AgencyProfile{Name: "A社", Description: "紹介", SiteURL: "https://a.example/"})
				return err
			}, row("agency a", `profile: name \(A社\), description \(2 characters\), site_url \(https://a.example/\)`)},
		{"put-agency-profile (unknown)", op, func(ctx context.Context, s *store.Store, fx *fixture) error {
			_, err := s.SetAgencyProfile(ctx, fx.a.ID+1000, store.AgencyProfile{Name: "X"})
			return err
		}, nil},
		{"batch-agency-listings", ag, func(ctx context.Context, s *store.Store, fx *fixture) error {
			_, err := s.Apply(ctx, []store.Work{{Agency: fx.a, Source: "api", Puts: []*listing.Listing{sample("A-9")}, Sent: 3,
				Rejected: []store.Rejection{{ExternalID: "", Field: "title", Reason: "is required"}, {ExternalID: "", Field: "title", Reason: "is required"}}}})
			return err
		}, row("/v1/agency/listings:batch", `put 3 listings: 1 accepted, 2 rejected`)},
		{"close-agency-listing", store.AuditEntry{ActorKind: store.AuditAgency, Actor: "a", IP: "192.0.2.1"},
			func(ctx context.Context, s *store.Store, fx *fixture) error {
				_, err := s.CloseListing(ctx, fx.a, "A-9")
				return err
			}, row(`listing \d+`, "A-9 of a: closed")},
		{"close-agency-listing (unknown)", ag, func(ctx context.Context, s *store.Store, fx *fixture) error {
			_, err := s.CloseListing(ctx, fx.a, "nope")
			return err
		}, nil},
		{"hide-listing", op, func(ctx context.Context, s *store.Store, fx *fixture) error {
			_, err := s.HideListing(ctx, fx.listing)
			return err
		}, row(`listing \d+`, "A-1 of a: hidden")},
		{"hide-listing (unknown)", op, func(ctx context.Context, s *store.Store, fx *fixture) error {
			_, err := s.HideListing(ctx, fx.listing+1000)
			return err
		}, nil},
		{"restore-listing", op, func(ctx context.Context, s *store.Store, fx *fixture) error {
			_, err := s.RestoreListing(ctx, fx.listing)
			return err
		}, row(`listing \d+`, "A-1 of a: restored")},
		{"post-webhook", ag, func(ctx context.Context, s *store.Store, fx *fixture) error {
			_, _, err := s.EnqueueDelivery(ctx, fx.a, "t=1,v1=aa", store.NewItem{Kind: store.KindWebhook, Payload: []byte(`{}`), IdempotencyKey: "evt_1"}, time.Hour)
			return err
		}, row("/v1/agency/listings:batch", `inbox item \d+ \(duplicate: false\)`)},
		{"post-webhook (replayed)", ag, func(ctx context.Context, s *store.Store, fx *fixture) error {
			_, _, err := s.EnqueueDelivery(ctx, fx.a, "t=1,v1=aa", store.NewItem{Kind: store.KindWebhook, Payload: []byte(`{}`), IdempotencyKey: "evt_1"}, time.Hour)
			return err
		}, nil},
		{"post-webhook (event seen)", ag, func(ctx context.Context, s *store.Store, fx *fixture) error {
			_, _, err := s.EnqueueDelivery(ctx, fx.a, "t=2,v1=bb", store.NewItem{Kind: store.KindWebhook, Payload: []byte(`{}`), IdempotencyKey: "evt_1"}, time.Hour)
			return err
		}, row("/v1/agency/listings:batch", `inbox item \d+ \(duplicate: true\)`)},
		{"replay-inbox", op, func(ctx context.Context, s *store.Store, fx *fixture) error {
			_, err := s.Replay(ctx, "a", nil)
			return err
		}, row("parked items of a", "0 replayed")},
		{"replay-inbox (named)", store.AuditEntry{ActorKind: store.AuditOperator, Actor: "山田", IP: "192.0.2.9", Target: "/v1/operator/inbox/replay"},
			func(ctx context.Context, s *store.Store, fx *fixture) error {
				_, err := s.Replay(ctx, "", []int64{7, 8})
				return err
			}, row(`items \[7 8\]`, "0 replayed")},
		{"put-agency-feed-source", ag, func(ctx context.Context, s *store.Store, fx *fixture) error {
			_, err := s.PutFeedSource(ctx, store.FeedSource{Agency: fx.a, URL: "https://feeds.example/a.jsonl", Format: "jsonl", Every: time.Hour})
			return err
		}, row("agency a", `feed source \d+: https://feeds.example/a.jsonl \(jsonl, every 1h0m0s\)`)},
		{"delete-agency-feed-source", store.AuditEntry{ActorKind: store.AuditAgency, Actor: "a", IP: "192.0.2.1"},
			func(ctx context.Context, s *store.Store, fx *fixture) error {
				srcs, _ := s.FeedSources(context.Background(), fx.a)
				if len(srcs) != 1 {
					return fmt.Errorf("%d feed sources", len(srcs))
				}
				return s.DeleteFeedSource(ctx, fx.a, srcs[0].ID)
			}, row("agency a", `feed source \d+: https://feeds.example/a.jsonl`)},
		{"delete-agency-feed-source (unknown)", ag, func(ctx context.Context, s *store.Store, fx *fixture) error {
			return s.DeleteFeedSource(ctx, fx.a, 12345)
		}, nil},
		{"import-agency-feed", cli, func(ctx context.Context, s *store.Store, fx *fixture) error {
			// A full feed carrying one new listing of a's three open
			// ones: ended, it is held at once, in the audited write.
			fx.clock.Add(2 * time.Millisecond) // the run starts after a's writes
			run, _, err := s.StartRun(ctx, fx.a, "import", "jsonl", true, "")
			if err != nil {
				return err
			}
			fx.run = run.ID
			if _, err := s.Apply(ctx, []store.Work{{Agency: fx.a, RunID: run.ID, Source: "import", Puts: []*listing.Listing{sample("N-1")}}}); err != nil {
				return err
			}
			return s.EndReceive(ctx, run.ID, 1, "")
		}, row(`feed run \d+ of a`, `1 rows: 1 created, 0 updated, 0 unchanged, 0 rejected, 0 closed; held: would close 2 of 2 open listings; confirm to close them`)},
		{"confirm-agency-feed-run", cli, func(ctx context.Context, s *store.Store, fx *fixture) error {
			_, err := s.ConfirmRun(ctx, fx.run)
			return err
		}, row(`feed run \d+ of a`, "2 listings closed")},
		{"confirm-agency-feed-run (not held)", cli, func(ctx context.Context, s *store.Store, fx *fixture) error {
			_, err := s.ConfirmRun(ctx, fx.run)
			return err
		}, nil},
		{"create-operator", cli, func(ctx context.Context, s *store.Store, fx *fixture) error {
			var err error
			fx.operator, _, err = s.CreateOperator(ctx, "佐藤")
			return err
		}, row("operator 佐藤", `key op_[0-9a-f]{6}`)},
		{"create-operator (name taken)", cli, func(ctx context.Context, s *store.Store, fx *fixture) error {
			_, _, err := s.CreateOperator(ctx, "佐藤")
			return err
		}, nil},
		{"put-guide", store.AuditEntry{ActorKind: store.AuditOperator, Actor: "佐藤", IP: "192.0.2.9", Target: "/v1/guides/backend"},
			func(ctx context.Context, s *store.Store, fx *fixture) error {
				_, err := s.EditArticle(ctx, "guide", "backend", "body", fx.operator.ID, "note")
				return err
			}, row("/v1/guides/backend", "revision 1")},
		{"ops-login", store.AuditEntry{ActorKind: store.AuditOperator, Actor: "佐藤", IP: "192.0.2.9", Target: "/ops"},
			func(ctx context.Context, s *store.Store, fx *fixture) error {
				var err error
				fx.token, _, err = s.CreateOperatorSession(ctx, fx.operator.ID, time.Hour)
				return err
			}, row("/ops", "")},
		{"ops-logout", store.AuditEntry{ActorKind: store.AuditOperator, Actor: "佐藤", IP: "192.0.2.9", Target: "/ops"},
			func(ctx context.Context, s *store.Store, fx *fixture) error {
				return s.EndOperatorSession(ctx, fx.token)
			}, row("/ops", "")},
		{"revoke-operator", cli, func(ctx context.Context, s *store.Store, fx *fixture) error {
			return s.RevokeOperator(ctx, "佐藤")
		}, row("operator 佐藤", "")},
		{"revoke-operator (unknown)", cli, func(ctx context.Context, s *store.Store, fx *fixture) error {
			return s.RevokeOperator(ctx, "誰か")
		}, nil},
		{"retry-mail", cli, func(ctx context.Context, s *store.Store, fx *fixture) error {
			_, err := s.RequeueMail(ctx, []int64{12345})
			return err
		}, row(`mails \[12345\]`, "0 pending again")},
		{"two writes, one entry", op, func(ctx context.Context, s *store.Store, fx *fixture) error {
			// One request's entry makes one row: the first write's.
			if _, err := s.HideListing(ctx, fx.listing); err != nil {
				return err
			}
			_, err := s.RestoreListing(ctx, fx.listing)
			return err
		}, row(`listing \d+`, "A-1 of a: hidden")},
	}
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(time.Now())
			s := storetest.OpenClock(t, backend, clock.Now)
			fx := &fixture{a: mustAgency(t, s, "a"), clock: clock}
			for range 2 {
				if _, err := s.CreateKey(ctx, fx.a.ID); err != nil {
					t.Fatal(err)
				}
			}
			put, err := s.PutListing(ctx, fx.a, sample("A-1"))
			if err != nil {
				t.Fatal(err)
			}
			fx.listing = put.ID
			if _, err := s.PutListing(ctx, fx.a, sample("A-2")); err != nil {
				t.Fatal(err)
			}
			if es, err := s.AuditLog(ctx, store.AuditFilter{}); err != nil || len(es) != 0 {
				t.Fatalf("writes without an entry left %d rows (%v)", len(es), err)
			}
			var last int64
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					e := c.entry
					if e.Action == "" {
						e.Action = regexp.MustCompile(` \(.*\)$`).ReplaceAllString(c.name, "")
					}
					err := c.write(store.WithAudit(ctx, e), s, fx)
					if c.want == nil && err == nil {
						t.Error("the write succeeded; want it to fail")
					}
					if c.want != nil && err != nil {
						t.Fatalf("the write failed: %v", err)
					}
					rows := storetest.AuditSince(t, s, &last)
					if c.want == nil {
						if len(rows) != 0 {
							t.Errorf("a failed write left rows: %+v", rows)
						}
						return
					}
					if len(rows) != 1 {
						t.Fatalf("%d rows: %+v; want 1", len(rows), rows)
					}
					r := rows[0]
					if r.ActorKind != e.ActorKind || r.Actor != e.Actor || r.Action != e.Action || r.IP != e.IP || r.At.IsZero() {
						t.Errorf("row %+v; want who, what and from where of %+v", r, e)
					}
					for i, got := range []string{r.Target, r.Detail} {
						if re := regexp.MustCompile("^" + c.want[i] + "$"); !re.MatchString(got) {
							t.Errorf("row's %s = %q; want %s", [2]string{"target", "detail"}[i], got, re)
						}
					}
				})
			}
		})
	}
}
