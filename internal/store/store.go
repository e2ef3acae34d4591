// Package store keeps agencies, their keys and listings, with the ordered
// change log the search index follows. It runs on SQLite (the embedded
// default, one file) or PostgreSQL; the SQL is written once where the two
// dialects agree and the same contract tests cover both.
package store

import (
	"cmp"
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"github.com/pressly/goose/v3"
	sqlitedrv "modernc.org/sqlite" // registers "sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"anken/internal/problem"
)

// Errors callers can test with errors.Is.
var (
	ErrNotFound = fmt.Errorf("store: %w", problem.NotFound)
	ErrConflict = fmt.Errorf("store: already exists: %w", problem.Conflict)
	// ErrRepeated is returned by Apply for Work whose Once key was
	// claimed by an earlier write: its answer is IdempotentAnswer's.
	ErrRepeated = fmt.Errorf("store: idempotency key answered already: %w", problem.Conflict)
)

type dialect int

const (
	sqlite dialect = iota
	postgres
)

func (d dialect) String() string {
	if d == postgres {
		return "postgres"
	}
	return "sqlite"
}

// Store is the system of record. It is safe for concurrent use.
type Store struct {
	db      *sql.DB
	dialect dialect
	clock   func() time.Time
	buckets *bucketIndex // duplicate buckets, built at the first put (buckets.go)
}

// Config says which database to open.
type Config struct {
	// DatabaseURL selects PostgreSQL when it starts with postgres:// or
	// postgresql://. Empty means SQLite in DataDir.
	DatabaseURL string
	// DataDir holds the SQLite file anken.db; "./data" when empty.
	DataDir string
	// CacheMiB is SQLite's page cache per connection; 64 MiB when 0. A
	// bulk import reads listings again (those it replaces, duplicate
	// candidates): a larger cache keeps more of them, see
	// docs/BENCHMARKS.md.
	CacheMiB int
	// Existing opens only a SQLite store that exists: when DataDir has no
	// anken.db, Open answers a *NoStoreError rather than create one. The
	// commands that work on a store set it, so that one run from another
	// directory does not silently start an empty store of its own; serve
	// and migrate, which make a store, do not. PostgreSQL ignores it.
	Existing bool
	// Now is the clock the store stamps rows with (created_at, expires_at,
	// leases, …); time.Now when nil. Tests pass a fake one so that what
	// the store stamps and what the code under test compares agree.
	Now func() time.Time
}

//go:embed migrations
var migrations embed.FS

// Open connects to the database named by cfg. It does not migrate: call
// Migrate (anken serve does at start).
func Open(ctx context.Context, cfg Config) (*Store, error) {
	var s Store
	switch {
	case strings.HasPrefix(cfg.DatabaseURL, "postgres://"), strings.HasPrefix(cfg.DatabaseURL, "postgresql://"):
		db, err := sql.Open("pgx", cfg.DatabaseURL)
		if err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		db.SetMaxOpenConns(20)
		db.SetMaxIdleConns(20)
		db.SetConnMaxIdleTime(5 * time.Minute)
		s = Store{db: db, dialect: postgres}
	case cfg.DatabaseURL == "":
		dir := cfg.DataDir
		if dir == "" {
			dir = "data"
		}
		path := filepath.Join(dir, "anken.db")
		dsn := sqliteDSN(path, cmp.Or(cfg.CacheMiB, 64))
		if cfg.Existing {
			if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
				abs, aerr := filepath.Abs(path)
				if aerr != nil {
					abs = path
				}
				return nil, &NoStoreError{Path: abs}
			}
			dsn += "&mode=rw" // and should it go meanwhile, SQLite does not make it either
		} else if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("store: create data dir: %w", err)
		}
		db, err := sql.Open("sqlite", dsn)
		if err != nil {
			return nil, fmt.Errorf("store: open sqlite: %w", err)
		}
		// One writer at a time is SQLite's model; readers share WAL snapshots.
		db.SetMaxOpenConns(8)
		s = Store{db: db, dialect: sqlite}
	default:
		return nil, fmt.Errorf("store: ANKEN_DATABASE_URL must start with postgres:// (got %q)", redact(cfg.DatabaseURL))
	}
	s.clock, s.buckets = cfg.Now, &bucketIndex{}
	if s.clock == nil {
		s.clock = time.Now
	}
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("store: connect to %s: %w", s.dialect, err)
	}
	return &s, nil
}

// NoStoreError is Open's answer under Config.Existing when there is no
// SQLite store at Path (absolute).
type NoStoreError struct{ Path string }

func (e *NoStoreError) Error() string { return "store: no SQLite store at " + e.Path }

func sqliteDSN(path string, cacheMiB int) string {
	return "file:" + path + "?_txlock=immediate" +
		"&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)" +
		"&_pragma=cache_size(-" + strconv.Itoa(cacheMiB*1024) + ")&_pragma=temp_store(MEMORY)" // a batch stays in memory until commit
}

// redact hides a password in a connection string for error messages.
func redact(url string) string {
	if i := strings.Index(url, "@"); i > 0 {
		if j := strings.Index(url, "://"); j > 0 && j < i {
			return url[:j+3] + "…" + url[i:]
		}
	}
	return url
}

// now is the time rows are stamped with, as the store keeps times: UTC
// to the microsecond, which both databases hold exactly.
func (s *Store) now() time.Time { return s.clock().UTC().Truncate(time.Microsecond) }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Dialect names the database in use: "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.dialect.String() }

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// Migrate applies every migration not yet applied and returns how many ran.
func (s *Store) Migrate(ctx context.Context) (int, error) {
	sub, err := fs.Sub(migrations, "migrations/"+s.dialect.String())
	if err != nil {
		return 0, fmt.Errorf("store: migrations: %w", err)
	}
	d := goose.DialectSQLite3
	if s.dialect == postgres {
		d = goose.DialectPostgres
	}
	p, err := goose.NewProvider(d, s.db, sub)
	if err != nil {
		return 0, fmt.Errorf("store: migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("store: migrate %s: %w", s.dialect, err)
	}
	return len(res), nil
}

// inTx runs fn in a transaction. On PostgreSQL it first takes the advisory
// lock that orders change-log appends when lockLog is set; SQLite takes its
// write lock at BEGIN (_txlock=immediate). The audit row fn writes for ctx
// (see WithAudit) counts as written only once the transaction commits.
func (s *Store) inTx(ctx context.Context, lockLog bool, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	committed := false
	defer func() {
		tx.Rollback()
		auditEnded(ctx, tx, committed)
	}()
	if lockLog && s.dialect == postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, changeLogLock); err != nil {
			return fmt.Errorf("store: lock change log: %w", err)
		}
	}
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	committed = true
	return nil
}

// changeLogLock is the PostgreSQL advisory lock key for change-log appends.
const changeLogLock = 0x616e6b656e // "anken"

// isUniqueViolation reports a unique-constraint error from either driver.
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var liteErr *sqlitedrv.Error
	if errors.As(err, &liteErr) {
		return liteErr.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || liteErr.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}
