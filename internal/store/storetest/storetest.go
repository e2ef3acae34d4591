// Package storetest opens fresh stores for tests: SQLite in a temporary
// directory, or PostgreSQL in a schema of its own on the server named by
// ANKEN_TEST_DATABASE_URL.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"anken/internal/store"
)

// EnvURL names the variable holding the test PostgreSQL URL.
const EnvURL = "ANKEN_TEST_DATABASE_URL"

// Open returns a migrated, empty store of the backend ("sqlite" or
// "postgres") that is removed when the test ends. Without ANKEN_TEST_DATABASE_URL
// a PostgreSQL test is skipped, or fails when CI=true.
func Open(t testing.TB, backend string) *store.Store {
	t.Helper()
	return OpenClock(t, backend, nil)
}

// OpenClock is Open with the clock the store stamps rows with: a test
// whose code under test runs on a fake clock passes the same one, so that
// what the store stamps (created_at, expires_at, leases) and what the code
// compares it with agree. nil is the wall clock.
func OpenClock(t testing.TB, backend string, now func() time.Time) *store.Store {
	t.Helper()
	ctx := context.Background()
	cfg := store.Config{Now: now}
	switch backend {
	case "sqlite":
		cfg.DataDir = t.TempDir()
	case "postgres":
		cfg.DatabaseURL = schemaURL(t)
	default:
		t.Fatalf("storetest: unknown backend %q", backend)
	}
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

// Clock is a fake clock for a test: it stands still until the test moves
// it, so that a lease lapses, a run is stale or two stamps differ exactly
// when the test says, whatever the machine's speed. Pass its Now to
// OpenClock and to the workers under test. It is safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a fake clock that reads start.
func NewClock(start time.Time) *Clock { return &Clock{t: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock on by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// schemaURL creates a schema for the test and returns a URL that uses it.
func schemaURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must run the PostgreSQL half of the suite", EnvURL)
		}
		t.Skipf("PostgreSQL tests skipped: set %s (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", EnvURL)
	}
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var b [6]byte
	rand.Read(b[:])
	schema := "test_" + hex.EncodeToString(b[:])
	if _, err := db.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("storetest: create schema on %s: %v", EnvURL, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("storetest: %s: %v", EnvURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// URL returns the address of a fresh, empty PostgreSQL schema of its own
// for a test that starts processes on it; it is dropped when the test
// ends. Without ANKEN_TEST_DATABASE_URL the test is skipped, or fails when
// CI=true.
func URL(t testing.TB) string { return schemaURL(t) }

// AuditSince returns the rows of s's audit log written after the row
// *last, newest first, and moves *last to the newest row: what one step of
// a test wrote.
func AuditSince(t testing.TB, s *store.Store, last *int64) []store.AuditEntry {
	t.Helper()
	es, err := s.AuditLog(context.Background(), store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var rows []store.AuditEntry
	for _, e := range es {
		if e.ID > *last {
			rows = append(rows, e)
		}
	}
	if len(es) > 0 {
		*last = max(*last, es[0].ID)
	}
	return rows
}
