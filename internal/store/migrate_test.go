package store

import (
	"context"
	"io/fs"
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
	if _, err := s.Migrate(ctx); err != nil {
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
