package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
)

// TestAuditRefusedByDatabase: beyond the store's API, the database itself
// refuses to change or remove a row of the audit log.
func TestAuditRefusedByDatabase(t *testing.T) {
	ctx := context.Background()
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			cfg := Config{DataDir: t.TempDir()}
			if backend == "postgres" {
				cfg = Config{DatabaseURL: testSchema(t)}
			}
			s, err := Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if _, err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			e, err := s.Audit(ctx, AuditEntry{ActorKind: AuditCLI, Actor: "cli", Action: "create-agency", IP: "cli"})
			if err != nil {
				t.Fatal(err)
			}
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

// testSchema returns the URL of a fresh PostgreSQL schema on the server
// of ANKEN_TEST_DATABASE_URL (storetest's, which this package cannot
// import), or skips.
func testSchema(t *testing.T) string {
	base := os.Getenv("ANKEN_TEST_DATABASE_URL")
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("ANKEN_TEST_DATABASE_URL is not set")
		}
		t.Skip("ANKEN_TEST_DATABASE_URL is not set")
	}
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "test_" + hex.EncodeToString(b[:])
	if _, err := db.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		db.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
