package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"anken/internal/listing"
)

// What an agency's console (/agency) reads and writes beyond what the
// agency API does: its sessions, its listings page by page with their
// state, its feed runs, discarding a held run, and the counts of every
// listing of a role to compare its own with.

// agencySessionPrefix starts the token of an agency's console session.
const agencySessionPrefix = "ags_"

// CreateAgencySession starts a console session of the agency whose live
// key this is, lasting ttl, and returns the agency, the session's token
// (only its SHA-256 is kept) and when it ends; ErrNotFound for a key that
// is not live. The session ends with the key: revoking or rotating it
// ends the session too. Ended sessions are removed on the way. Audited
// (WithAudit): a login, target the agency.
func (s *Store) CreateAgencySession(ctx context.Context, key string, ttl time.Duration) (Agency, string, time.Time, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return Agency{}, "", time.Time{}, fmt.Errorf("store: agency session: %w", err)
	}
	token := agencySessionPrefix + hex.EncodeToString(b[:])
	now := s.now()
	expires := now.Add(ttl)
	var a Agency
	err := s.inTx(ctx, false, func(tx *sql.Tx) error {
		var keyID int64
		err := tx.QueryRowContext(ctx, `
			SELECT k.id, a.id, a.slug, a.name, a.created_at
			FROM api_keys k JOIN agencies a ON a.id = k.agency_id
			WHERE k.hash = $1 AND k.revoked_at IS NULL`, hashKey(key)).
			Scan(&keyID, &a.ID, &a.Slug, &a.Name, &a.CreatedAt)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: agency session: api key: %w", ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: agency session: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM agency_sessions WHERE expires_at < $1`, now); err != nil {
			return fmt.Errorf("store: agency session: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO agency_sessions (hash, agency_id, key_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
			hashKey(token), a.ID, keyID, now, expires); err != nil {
			return fmt.Errorf("store: agency session: %w", err)
		}
		return audit(ctx, tx, "agency "+a.Slug, "")
	})
	if err != nil {
		return Agency{}, "", time.Time{}, err
	}
	return a, token, expires, nil
}

// AgencyBySession returns the agency of a live console session whose key
// is not revoked, or ErrNotFound.
func (s *Store) AgencyBySession(ctx context.Context, token string) (Agency, error) {
	var a Agency
	err := s.db.QueryRowContext(ctx, `
		SELECT a.id, a.slug, a.name, a.created_at
		FROM agency_sessions x JOIN api_keys k ON k.id = x.key_id JOIN agencies a ON a.id = x.agency_id
		WHERE x.hash = $1 AND x.expires_at > $2 AND k.revoked_at IS NULL`,
		hashKey(token), s.now()).Scan(&a.ID, &a.Slug, &a.Name, &a.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Agency{}, fmt.Errorf("store: agency session: %w", ErrNotFound)
	}
	if err != nil {
		return Agency{}, fmt.Errorf("store: agency session: %w", err)
	}
	return a, nil
}

// EndAgencySession ends the console session of the token, if there is
// one. Audited (WithAudit): a logout.
func (s *Store) EndAgencySession(ctx context.Context, token string) error {
	return s.inTx(ctx, false, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM agency_sessions WHERE hash = $1`, hashKey(token)); err != nil {
			return fmt.Errorf("store: end agency session: %w", err)
		}
		return audit(ctx, tx, "", "")
	})
}

// AgencyListings returns a page of the agency's listings, open, closed
// and hidden alike, the last changed first (then by id, newest first):
// limit of them after skipping offset. Each has its Status and
// UpdatedAt (the last change).
func (s *Store) AgencyListings(ctx context.Context, agency Agency, offset, limit int) ([]listing.Listing, error) {
	rows, err := s.db.QueryContext(ctx, selectListing+`WHERE l.agency_id = $1 ORDER BY l.updated_at DESC, l.id DESC LIMIT $2 OFFSET $3`,
		agency.ID, limit, max(offset, 0))
	if err != nil {
		return nil, fmt.Errorf("store: listings of %s: %w", agency.Slug, err)
	}
	defer rows.Close()
	var out []listing.Listing
	for rows.Next() {
		l, err := scanListing(rows)
		if err != nil {
			return nil, fmt.Errorf("store: listings of %s: %w", agency.Slug, err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: listings of %s: %w", agency.Slug, err)
	}
	return out, nil
}

// AgencyListingCounts counts the agency's listings by state (open,
// closed, hidden).
func (s *Store) AgencyListingCounts(ctx context.Context, agency Agency) (map[listing.Status]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT status, COUNT(*) FROM listings WHERE agency_id = $1 GROUP BY status`, agency.ID)
	if err != nil {
		return nil, fmt.Errorf("store: listing counts of %s: %w", agency.Slug, err)
	}
	defer rows.Close()
	out := map[listing.Status]int{}
	for rows.Next() {
		var st listing.Status
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("store: listing counts of %s: %w", agency.Slug, err)
		}
		out[st] = n
	}
	return out, rows.Err()
}

// FeedRuns returns the agency's last limit feed runs, newest first.
func (s *Store) FeedRuns(ctx context.Context, agency Agency, limit int) ([]FeedRun, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT r.id, a.slug, r.source, r.format, r.full_feed, r.state, r.rows_read,
		r.created, r.updated, r.unchanged, r.rejected, r.closed, r.error, r.started_at, r.finished_at
		FROM feed_runs r JOIN agencies a ON a.id = r.agency_id WHERE r.agency_id = $1 ORDER BY r.id DESC LIMIT $2`, agency.ID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: feed runs of %s: %w", agency.Slug, err)
	}
	defer rows.Close()
	var out []FeedRun
	for rows.Next() {
		var r FeedRun
		if err := rows.Scan(&r.ID, &r.Agency, &r.Source, &r.Format, &r.Full, &r.State, &r.Rows, &r.Created, &r.Updated,
			&r.Unchanged, &r.Rejected, &r.Closed, &r.Error, &r.StartedAt, &r.FinishedAt); err != nil {
			return nil, fmt.Errorf("store: feed runs of %s: %w", agency.Slug, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// DiscardedRun is the Error of a held run that was discarded.
const DiscardedRun = "discarded: the held full feed closed nothing"

// DiscardRun ends a held full run without closing anything: it becomes
// failed, as a full run that closed nothing is, with Error DiscardedRun.
// What its rows stored stays. ErrNotFound for an unknown run, ErrNotHeld
// for one that is not held. Audited (WithAudit): target the run.
func (s *Store) DiscardRun(ctx context.Context, runID int64) (FeedRun, error) {
	var agency Agency
	err := s.write(ctx, func(w *writer) error {
		r, err := w.lockRun(ctx, runID)
		if err != nil {
			return err
		}
		agency = r.Agency
		if r.State != RunHeld {
			return fmt.Errorf("store: feed run %d is %s: %w", runID, r.State, ErrNotHeld)
		}
		if _, err := w.tx.ExecContext(ctx, `UPDATE feed_runs SET state = $1, error = $2, finished_at = $3 WHERE id = $4`,
			RunFailed, DiscardedRun, w.now, runID); err != nil {
			return fmt.Errorf("store: discard feed run %d: %w", runID, err)
		}
		return audit(ctx, w.tx, r.auditTarget(), "discarded; nothing closed")
	})
	if err != nil {
		return FeedRun{}, err
	}
	return s.FeedRun(ctx, agency, runID)
}

// RoleTraffic sums the counts of every listing of each role (of every
// agency; open, closed and hidden alike) from day from to day to
// (YYYY-MM-DD, both included): role → counts. Roles without counts are
// left out, and so are listings that state no role.
func (s *Store) RoleTraffic(ctx context.Context, from, to string) (map[listing.Role]TrafficCounts, error) {
	role := `json_extract(l.doc, '$.role')`
	if s.dialect == postgres {
		role = `l.doc->>'role'`
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+role+`, CAST(SUM(t.impressions) AS BIGINT), CAST(SUM(t.views) AS BIGINT), CAST(SUM(t.clicks) AS BIGINT)
		FROM listing_traffic t JOIN listings l ON l.id = t.listing_id
		WHERE t.day >= $1 AND t.day <= $2 GROUP BY `+role, from, to)
	if err != nil {
		return nil, fmt.Errorf("store: traffic by role: %w", err)
	}
	defer rows.Close()
	out := map[listing.Role]TrafficCounts{}
	for rows.Next() {
		var r sql.NullString
		var c TrafficCounts
		if err := rows.Scan(&r, &c.Impressions, &c.Views, &c.Clicks); err != nil {
			return nil, fmt.Errorf("store: traffic by role: %w", err)
		}
		if r.String != "" {
			out[listing.Role(r.String)] = c
		}
	}
	return out, rows.Err()
}
