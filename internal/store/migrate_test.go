package store

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"anken/internal/listing"
)

// TestMigrateCompactLog migrates a SQLite store holding data written under
// migration 2 (a change-log table, doc with group and update time inside,
// bucket rows without agency) and reads it back through today's code.
func TestMigrateCompactLog(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sub, err := fs.Sub(migrations, "migrations/sqlite")
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, s.db, sub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 2); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	for _, q := range []string{
		`INSERT INTO agencies (id, slug, name, created_at) VALUES (1, 'a', 'A', '2026-11-01 09:00:00')`,
		`INSERT INTO agencies (id, slug, name, created_at) VALUES (2, 'b', 'B', '2026-11-01 09:00:00')`,
		`INSERT INTO listings (id, agency_id, external_id, status, content_hash, doc, seq, posted_at, updated_at, group_id, minhash, feed_run)
		 VALUES (1, 1, 'A-1', 'open', 'h1', '{"external_id":"A-1","title":"Go開発","status":"open","group_id":0,"updated_at":"2026-11-01T09:00:00Z"}', 3, $1, $1, 0, NULL, 0)`,
		`INSERT INTO listings (id, agency_id, external_id, status, content_hash, doc, seq, posted_at, updated_at, group_id, minhash, feed_run)
		 VALUES (2, 2, 'B-1', 'closed', 'h2', '{"external_id":"B-1","title":"Go開発","status":"closed","group_id":1,"updated_at":"2026-11-01T09:00:00Z"}', 4, $1, $1, 1, NULL, 0)`,
		`INSERT INTO listing_changes (seq, listing_id, op, at) VALUES (1, 1, 'put', $1), (2, 2, 'put', $1), (3, 1, 'put', $1), (4, 2, 'close', $1)`,
		`INSERT INTO listing_bands (hash, listing_id) VALUES (77, 1), (77, 2)`,
	} {
		if _, err := s.db.ExecContext(ctx, q, at); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// Up to the last migration with a bucket table, whose rows migration
	// 3 gave their agency.
	if _, err := p.UpTo(ctx, 16); err != nil {
		t.Fatal(err)
	}
	cs, err := s.Changes(ctx, 0, 10)
	if err != nil || len(cs) != 2 || cs[0].Seq != 3 || cs[1].Seq != 4 {
		t.Fatalf("Changes = %+v, %v; want A-1 at 3 and B-1 at 4", cs, err)
	}
	b := cs[1].Listing
	if b.ExternalID != "B-1" || b.Agency != "b" || b.Status != listing.StatusClosed || b.GroupID != 1 || !b.UpdatedAt.Equal(at) {
		t.Errorf("B-1 = %+v", b)
	}
	if seq, err := s.LastSeq(ctx); err != nil || seq != 4 {
		t.Errorf("LastSeq = %d, %v; want 4", seq, err)
	}
	var agencies []int64
	rows, err := s.db.QueryContext(ctx, `SELECT agency_id FROM listing_bands WHERE hash = 77 ORDER BY listing_id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a int64
		rows.Scan(&a)
		agencies = append(agencies, a)
	}
	rows.Close()
	if len(agencies) != 2 || agencies[0] != 1 || agencies[1] != 2 {
		t.Errorf("bucket agencies = %v, want [1 2]", agencies)
	}
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	// The next change continues the log.
	a, err := s.AgencyBySlug(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.CloseListing(ctx, a, "A-1")
	if err != nil || r.Seq != 5 {
		t.Errorf("close after migration = %+v, %v; want seq 5", r, err)
	}
	var fk int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_foreign_key_check`).Scan(&fk); err != nil || fk != 0 {
		t.Errorf("foreign key check: %d violations, %v", fk, err)
	}
}

// unmigrated opens an empty store of the backend without migrating it:
// SQLite in a temporary directory, PostgreSQL in a schema of its own on the
// server ANKEN_TEST_DATABASE_URL names (skipped without it, as storetest
// does, which this package cannot import).
func unmigrated(t *testing.T, backend string) *Store {
	t.Helper()
	ctx := context.Background()
	cfg := Config{DataDir: t.TempDir()}
	if backend == "postgres" {
		base := os.Getenv("ANKEN_TEST_DATABASE_URL")
		if base == "" {
			if os.Getenv("CI") == "true" {
				t.Fatal("ANKEN_TEST_DATABASE_URL is not set: CI must run the PostgreSQL half of the suite")
			}
			t.Skip("PostgreSQL tests skipped: set ANKEN_TEST_DATABASE_URL")
		}
		db, err := sql.Open("pgx", base)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		schema := fmt.Sprintf("test_migrate_%d", time.Now().UnixNano())
		if _, err := db.Exec(`CREATE SCHEMA ` + schema); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if db, err := sql.Open("pgx", base); err == nil {
				db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
				db.Close()
			}
		})
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		cfg = Config{DatabaseURL: u.String()}
	}
	s, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// migrated opens an empty store of the backend, as unmigrated does, and
// migrates it.
func migrated(t *testing.T, backend string) *Store {
	t.Helper()
	s := unmigrated(t, backend)
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestMigrateValidThrough migrates a store holding listings written before
// migration 5 and finds their valid_through, read from the doc, in the new
// column: in UTC whatever zone the doc gave, so that CloseExpired finds
// exactly the expired open ones. The migrations skip version 4, which
// goose takes as it is.
func TestMigrateValidThrough(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			s := unmigrated(t, backend)
			sub, err := fs.Sub(migrations, "migrations/"+s.dialect.String())
			if err != nil {
				t.Fatal(err)
			}
			d := goose.DialectSQLite3
			if s.dialect == postgres {
				d = goose.DialectPostgres
			}
			p, err := goose.NewProvider(d, s.db, sub)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.UpTo(ctx, 3); err != nil {
				t.Fatal(err)
			}
			at := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
			var agency int64
			if err := s.db.QueryRowContext(ctx, `INSERT INTO agencies (slug, name, created_at) VALUES ('a', 'A', $1) RETURNING id`, at).Scan(&agency); err != nil {
				t.Fatal(err)
			}
			utc := func(s string) *time.Time {
				v, err := time.Parse(time.RFC3339Nano, s)
				if err != nil {
					t.Fatal(err)
				}
				v = v.UTC()
				return &v
			}
			listings := []struct {
				ext, status, valid string // valid_through as the doc has it; "" for none
				want               *time.Time
			}{
				{"past", "open", "2026-11-29T00:00:00Z", utc("2026-11-29T00:00:00Z")},
				{"past in JST", "open", "2026-12-01T08:59:00+09:00", utc("2026-11-30T23:59:00Z")},
				{"future in JST", "open", "2026-12-01T09:30:00.25+09:00", utc("2026-12-01T00:30:00.25Z")},
				{"none", "open", "", nil},
				{"closed", "closed", "2026-11-29T00:00:00Z", utc("2026-11-29T00:00:00Z")},
			}
			for i, l := range listings {
				doc := fmt.Sprintf(`{"external_id": %q, "title": "案件", "status": %q}`, l.ext, l.status)
				if l.valid != "" {
					doc = fmt.Sprintf(`{"external_id": %q, "title": "案件", "status": %q, "valid_through": %q}`, l.ext, l.status, l.valid)
				}
				if _, err := s.db.ExecContext(ctx, `INSERT INTO listings (agency_id, external_id, status, content_hash, doc, seq, posted_at, updated_at)
					VALUES ($1, $2, $3, 'h', $4, $5, $6, $6)`, agency, l.ext, l.status, []byte(doc), i+1, at); err != nil {
					t.Fatal(err)
				}
			}
			if n, err := s.Migrate(ctx); err != nil || n < 1 {
				t.Fatalf("Migrate = %d, %v", n, err)
			}
			for _, l := range listings {
				var got sql.NullTime
				if err := s.db.QueryRowContext(ctx, `SELECT valid_through FROM listings WHERE external_id = $1`, l.ext).Scan(&got); err != nil {
					t.Fatalf("%s: %v", l.ext, err)
				}
				if (l.want == nil) != !got.Valid || l.want != nil && !got.Time.Equal(*l.want) {
					t.Errorf("%s: valid_through column = %v (set %v), want %v", l.ext, got.Time, got.Valid, l.want)
				}
				// SQLite compares the text: the backfill must write what the
				// driver writes for a UTC time.Time.
				if s.dialect == sqlite && l.want != nil {
					var text string
					s.db.QueryRowContext(ctx, `SELECT CAST(valid_through AS TEXT) FROM listings WHERE external_id = $1`, l.ext).Scan(&text)
					if text != l.want.String() {
						t.Errorf("%s: valid_through stored as %q, the driver writes %q", l.ext, text, l.want.String())
					}
				}
			}
			now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
			if n, err := s.CloseExpired(ctx, now, 100); err != nil || n != 2 {
				t.Errorf("CloseExpired = %d, %v; want 2 (past, past in JST)", n, err)
			}
			if seq, err := s.LastSeq(ctx); err != nil || seq != int64(len(listings)+2) {
				t.Errorf("LastSeq = %d, %v; want %d", seq, err, len(listings)+2)
			}
		})
	}
}

// TestWriteQueriesUseTheirIndexes: queries that run inside write
// transactions on a large catalogue read an index that narrows them, never
// every open listing through listings_status_id: closing expired listings
// (every minute) reads the partial index on valid_through, on both
// databases; a full feed run's counts and closes read the agency's rows,
// on SQLite, whose planner has no statistics to choose by, and the build
// of the duplicate buckets reads their index, not the table. (PostgreSQL's
// planner chooses from statistics, which an empty test table does not
// have.)
func TestWriteQueriesUseTheirIndexes(t *testing.T) {
	now := time.Now().UTC()
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			s := migrated(t, backend)
			type planCase struct {
				name string
				sql  string
				args []any
				want string // in the plan
			}
			cases := []planCase{
				{"expired listings", s.dialect.expiredSQL(), []any{now, 500}, "listings_valid_through"},
			}
			if backend == "sqlite" {
				cases = append(cases, planCase{"the duplicate buckets' build", s.dialect.bucketsScanSQL(), nil, "COVERING INDEX listings_buckets"})
			}
			if backend == "sqlite" {
				cases = append(cases,
					planCase{"an agency's open listings", `SELECT COUNT(*) FROM listings WHERE ` + s.dialect.agencyOpen(), []any{1}, "(agency_id=?)"},
					planCase{"a full run's stale listings", `SELECT id, doc FROM listings ` + s.dialect.staleWhere(), []any{1, 2, now}, "(agency_id=?)"})
			}
			ctx := context.Background()
			conn, err := s.db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			explain := `EXPLAIN QUERY PLAN `
			if backend == "postgres" {
				// Tell the planner sequential scans are dear, as they are
				// on a large table; on an empty one it would scan.
				explain = `EXPLAIN `
				if _, err := conn.ExecContext(ctx, `SET enable_seqscan = off`); err != nil {
					t.Fatal(err)
				}
				defer conn.ExecContext(ctx, `RESET enable_seqscan`)
			}
			for _, c := range cases {
				plan := explainPlan(t, conn, explain+c.sql, c.args...)
				if !strings.Contains(plan, c.want) || strings.Contains(plan, "listings_status_id") {
					t.Errorf("%s: the plan does not read %s:\n%s", c.name, c.want, plan)
				}
			}
		})
	}
}

// explainPlan returns the rows of an EXPLAIN, one line each.
func explainPlan(t *testing.T, conn *sql.Conn, q string, args ...any) string {
	t.Helper()
	rows, err := conn.QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var plan []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, fmt.Sprint(vals...))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "\n")
}
