package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"anken/internal/listing"
)

// TestAuditRefusedByDatabase: beyond the store's API, the database itself
// refuses to change or remove a row of the audit log.
func TestAuditRefusedByDatabase(t *testing.T) {
	ctx := context.Background()
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			s := migrated(t, backend)
			if _, err := s.CreateAgency(WithAudit(ctx, AuditEntry{ActorKind: AuditCLI, Actor: "cli", Action: "create-agency", IP: "cli"}), "a", ""); err != nil {
				t.Fatal(err)
			}
			es, err := s.AuditLog(ctx, AuditFilter{})
			if err != nil || len(es) != 1 {
				t.Fatalf("AuditLog = %+v, %v; want the agency's row", es, err)
			}
			e := es[0]
			for _, q := range []string{
				`UPDATE audit_log SET actor = 'someone else' WHERE id = $1`,
				`DELETE FROM audit_log WHERE id = $1`,
			} {
				if _, err := s.db.ExecContext(ctx, q, e.ID); err == nil {
					t.Errorf("%s: succeeded; want the database to refuse it", q)
				}
			}
			got, err := s.AuditLog(ctx, AuditFilter{})
			if err != nil || len(got) != 1 || got[0].Actor != "cli" {
				t.Errorf("AuditLog = %+v, %v; want the row as written", got, err)
			}
		})
	}
}

// TestAuditRowFailsTheWrite: an audited write whose audit row the
// database refuses (a trigger here) is rolled back with it: the write
// fails and leaves nothing. Without the trigger the same write commits
// with exactly one row.
func TestAuditRowFailsTheWrite(t *testing.T) {
	ctx := context.Background()
	refuse := map[string][2][]string{ // backend: statements that install and remove the refusal
		"sqlite": {
			{`CREATE TRIGGER audit_refused BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'audit row refused'); END`},
			{`DROP TRIGGER audit_refused`},
		},
		"postgres": {
			{`CREATE FUNCTION audit_refused() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit row refused'; END $$`,
				`CREATE TRIGGER audit_refused BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_refused()`},
			{`DROP TRIGGER audit_refused ON audit_log`, `DROP FUNCTION audit_refused()`},
		},
	}
	type fixture struct {
		a      Agency
		listed int64 // a listing of a
		op     int64 // an operator
	}
	cases := []struct {
		name  string
		write func(ctx context.Context, s *Store, fx fixture) error
		count string // a query counting what the write leaves: 0 before it, more after
	}{
		{"create agency", func(ctx context.Context, s *Store, fx fixture) error {
			_, err := s.CreateAgency(ctx, "b", "")
			return err
		}, `SELECT COUNT(*) FROM agencies WHERE slug = 'b'`},
		{"issue a key", func(ctx context.Context, s *Store, fx fixture) error {
			_, err := s.CreateKey(ctx, fx.a.ID)
			return err
		}, `SELECT COUNT(*) FROM api_keys`},
		{"new webhook secret", func(ctx context.Context, s *Store, fx fixture) error {
			_, err := s.NewWebhookSecret(ctx, fx.a.ID)
			return err
		}, `SELECT COUNT(*) FROM agencies WHERE webhook_secret <> ''`},
		{"put listings", func(ctx context.Context, s *Store, fx fixture) error {
			_, err := s.Apply(ctx, []Work{{Agency: fx.a, Source: "api", Puts: []*listing.Listing{testListing("N-1")}, Sent: 1}})
			return err
		}, `SELECT COUNT(*) FROM listings WHERE external_id = 'N-1'`},
		{"hide a listing", func(ctx context.Context, s *Store, fx fixture) error {
			_, err := s.HideListing(ctx, fx.listed)
			return err
		}, `SELECT COUNT(*) FROM listings WHERE status = 'hidden'`},
		{"webhook delivery", func(ctx context.Context, s *Store, fx fixture) error {
			_, _, err := s.EnqueueDelivery(ctx, fx.a, "t=1,v1=ab", NewItem{Kind: KindWebhook, Payload: []byte(`{}`), IdempotencyKey: "evt_1"}, time.Hour)
			return err
		}, `SELECT COUNT(*) FROM inbox`},
		{"end a feed run", func(ctx context.Context, s *Store, fx fixture) error {
			run, _, err := s.StartRun(context.Background(), fx.a, "import", "jsonl", false, "")
			if err != nil {
				return err
			}
			return s.EndReceive(ctx, run.ID, 0, "")
		}, `SELECT COUNT(*) FROM feed_runs WHERE state <> 'receiving'`},
		{"create operator", func(ctx context.Context, s *Store, fx fixture) error {
			_, _, err := s.CreateOperator(ctx, "山田")
			return err
		}, `SELECT COUNT(*) FROM operators`},
		{"edit an article", func(ctx context.Context, s *Store, fx fixture) error {
			_, err := s.EditArticle(ctx, "guide", "backend", "body", fx.op, "")
			return err
		}, `SELECT COUNT(*) FROM article_revisions`},
	}
	for backend, sql := range refuse {
		t.Run(backend, func(t *testing.T) {
			s := migrated(t, backend)
			var err error
			var fx fixture
			if fx.a, err = s.CreateAgency(ctx, "a", ""); err != nil {
				t.Fatal(err)
			}
			put, err := s.PutListing(ctx, fx.a, testListing("A-1"))
			if err != nil {
				t.Fatal(err)
			}
			fx.listed = put.ID
			op, _, err := s.CreateOperator(ctx, "編集部")
			if err != nil {
				t.Fatal(err)
			}
			fx.op = op.ID
			count := func(q string) int {
				t.Helper()
				var n int
				if err := s.db.QueryRowContext(ctx, q).Scan(&n); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				return n
			}
			exec := func(qs []string) {
				t.Helper()
				for _, q := range qs {
					if _, err := s.db.ExecContext(ctx, q); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
				}
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					e := AuditEntry{ActorKind: AuditOperator, Actor: "山田", Action: "test-" + strings.ReplaceAll(c.name, " ", "-"), IP: "192.0.2.1"}
					before, rows := count(c.count), count(`SELECT COUNT(*) FROM audit_log`)
					exec(sql[0])
					err := c.write(WithAudit(ctx, e), s, fx)
					exec(sql[1])
					if err == nil || !strings.Contains(err.Error(), "audit row refused") {
						t.Errorf("with the audit row refused: err = %v; want the refusal", err)
					}
					if got := count(c.count); got != before {
						t.Errorf("with the audit row refused: %s = %d, was %d: the write was kept", c.count, got, before)
					}
					if got := count(`SELECT COUNT(*) FROM audit_log`); got != rows {
						t.Errorf("with the audit row refused: %d audit rows, was %d", got, rows)
					}
					if err := c.write(WithAudit(ctx, e), s, fx); err != nil {
						t.Fatalf("without the refusal: %v", err)
					}
					if got := count(c.count); got <= before {
						t.Errorf("without the refusal: %s = %d, was %d: nothing written", c.count, got, before)
					}
					if got := count(`SELECT COUNT(*) FROM audit_log WHERE action = '` + e.Action + `'`); got != 1 {
						t.Errorf("without the refusal: %d rows of %s; want 1", got, e.Action)
					}
				})
			}
		})
	}
}

func testListing(externalID string) *listing.Listing {
	return &listing.Listing{ExternalID: externalID, Title: "Goの案件", Description: "Go", Status: listing.StatusOpen,
		PostedAt: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)}
}
