package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// AlertSearch is a saved search as the alert mailer sees it: with the
// engineer's address.
type AlertSearch struct {
	SavedSearch
	Email string
}

// AlertSearches returns the saved searches changed at or after since,
// whatever their alert, oldest change first: a follower that remembers the
// newest UpdatedAt it saw and asks again from there misses none (it may see
// the last ones twice).
func (s *Store) AlertSearches(ctx context.Context, since time.Time) ([]SavedSearch, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+savedSearchColumns+`
		FROM saved_searches WHERE updated_at >= $1 ORDER BY updated_at, id`, since.UTC())
	if err != nil {
		return nil, fmt.Errorf("store: saved searches changed since %s: %w", since.Format(time.RFC3339), err)
	}
	defer rows.Close()
	var out []SavedSearch
	for rows.Next() {
		ss, err := scanSavedSearch(rows)
		if err != nil {
			return nil, fmt.Errorf("store: saved searches: %w", err)
		}
		out = append(out, ss)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: saved searches: %w", err)
	}
	return out, nil
}

// AlertSearchIDs returns the ids of every saved search, ascending: a
// follower of AlertSearches learns from it which were deleted.
func (s *Store) AlertSearchIDs(ctx context.Context) ([]int64, error) {
	return s.int64s(ctx, "saved search ids", `SELECT id FROM saved_searches ORDER BY id`)
}

// Position returns the change-log position a follower named name has
// durably reached, and whether it has one.
func (s *Store) Position(ctx context.Context, name string) (int64, bool, error) {
	var seq int64
	err := s.db.QueryRowContext(ctx, `SELECT seq FROM positions WHERE name = $1`, name).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("store: position of %s: %w", name, err)
	}
	return seq, true, nil
}

// AlertHit is one saved search a listing matched.
type AlertHit struct{ SearchID, ListingID int64 }

// RecordAlertHits stores hits as pending and moves the follower name to
// seq, in one transaction: after a crash the follower starts again from
// the last seq whose hits are stored. A (saved search, listing) pair is
// stored once ever; a hit for a saved search deleted meanwhile is left out.
func (s *Store) RecordAlertHits(ctx context.Context, name string, seq int64, hits []AlertHit) error {
	now := s.now()
	return s.inTx(ctx, false, func(tx *sql.Tx) error {
		const chunk = 400 // rows a statement; 2 parameters each, within SQLite's limit
		for i := 0; i < len(hits); i += chunk {
			part := hits[i:min(i+chunk, len(hits))]
			var b strings.Builder
			args := make([]any, 0, 2*len(part)+1)
			args = append(args, now)
			b.WriteString(`INSERT INTO alert_hits (saved_search_id, listing_id, state, created_at)
				SELECT v.s, v.l, 'pending', $1 FROM (`)
			for j, h := range part {
				if j > 0 {
					b.WriteString(" UNION ALL ")
				}
				n := len(args)
				fmt.Fprintf(&b, "SELECT CAST($%d AS BIGINT) AS s, CAST($%d AS BIGINT) AS l", n+1, n+2)
				args = append(args, h.SearchID, h.ListingID)
			}
			b.WriteString(`) v WHERE EXISTS (SELECT 1 FROM saved_searches ss WHERE ss.id = v.s)
				AND EXISTS (SELECT 1 FROM listings li WHERE li.id = v.l)
				ON CONFLICT DO NOTHING`)
			if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
				return fmt.Errorf("store: record alert hits: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO positions (name, seq) VALUES ($1, $2)
			ON CONFLICT (name) DO UPDATE SET seq = excluded.seq`, name, seq); err != nil {
			return fmt.Errorf("store: move %s to %d: %w", name, seq, err)
		}
		return nil
	})
}

// TakeLease claims the lease name for holder until now+ttl, or renews it
// when holder has it. It reports false when another holder's claim has
// not lapsed. Nodes use it to do a singleton job one at a time.
func (s *Store) TakeLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	now := s.now()
	var got string
	err := s.db.QueryRowContext(ctx, `INSERT INTO leases (name, holder, until) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
		WHERE leases.holder = excluded.holder OR leases.until < $4
		RETURNING holder`, name, holder, now.Add(ttl), now).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: take lease %s: %w", name, err)
	}
	return got == holder, nil
}

// ReleaseLease gives up holder's claim on name, if it has it.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM leases WHERE name = $1 AND holder = $2`, name, holder); err != nil {
		return fmt.Errorf("store: release lease %s: %w", name, err)
	}
	return nil
}

// PendingAlerts returns the saved searches with pending hits whose
// engineer has verified their address, with the address, in id order
// after the id given, at most limit.
func (s *Store) PendingAlerts(ctx context.Context, after int64, limit int) ([]AlertSearch, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+savedSearchColumns+`, email FROM (
			SELECT ss.*, e.email FROM saved_searches ss JOIN engineers e ON e.id = ss.engineer_id
			WHERE ss.id > $1 AND e.verified_at IS NOT NULL
				AND ss.id IN (SELECT saved_search_id FROM alert_hits WHERE state = 'pending')
			ORDER BY ss.id LIMIT $2) due ORDER BY id`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: pending alerts: %w", err)
	}
	defer rows.Close()
	var out []AlertSearch
	for rows.Next() {
		var a AlertSearch
		var mailed sql.NullTime
		ss := &a.SavedSearch
		if err := rows.Scan(&ss.ID, &ss.EngineerID, &ss.Name, &ss.Query, &ss.Alert, &ss.Hour, &ss.Unsubscribe, &mailed,
			&ss.CreatedAt, &ss.UpdatedAt, &a.Email); err != nil {
			return nil, fmt.Errorf("store: pending alerts: %w", err)
		}
		ss.MailedAt = mailed.Time
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: pending alerts: %w", err)
	}
	return out, nil
}

// PendingHits returns the listings of a saved search's pending hits, in
// the order they were found.
func (s *Store) PendingHits(ctx context.Context, searchID int64) ([]int64, error) {
	return s.int64s(ctx, "pending alert hits", `SELECT listing_id FROM alert_hits WHERE saved_search_id = $1 AND state = 'pending'
		ORDER BY created_at, listing_id`, searchID)
}

// MailedGroups returns which of the duplicate groups given (a listing's
// group, or its own id when it has none) already had a listing mailed to
// the saved search.
func (s *Store) MailedGroups(ctx context.Context, searchID int64, groups []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(groups) == 0 {
		return out, nil
	}
	ids, err := s.int64s(ctx, "groups mailed", `SELECT DISTINCT CASE WHEN l.group_id = 0 THEN l.id ELSE l.group_id END
		FROM alert_hits h JOIN listings l ON l.id = h.listing_id
		WHERE h.saved_search_id = $1 AND h.state = 'mailed'
			AND (l.group_id IN (`+idList(groups)+`) OR l.id IN (`+idList(groups)+`))`, searchID)
	if err != nil {
		return nil, err
	}
	for _, g := range ids {
		out[g] = true
	}
	return out, nil
}

// CommitAlert settles a saved search's pending hits in one transaction:
// the mail (when m is not nil) goes to the outbox, the hits it carries
// become mailed, the dropped ones dropped, and the search's mailed_at is
// set to at. It fails with ErrConflict, writing nothing, when a hit is no longer
// pending: another node settled it first.
func (s *Store) CommitAlert(ctx context.Context, searchID int64, at time.Time, m *Mail, mailed, dropped []int64) error {
	now := at.UTC().Truncate(time.Microsecond)
	return s.inTx(ctx, false, func(tx *sql.Tx) error {
		var mailID any
		if m != nil {
			id, err := insertMail(ctx, tx, *m, now)
			if err != nil {
				return err
			}
			mailID = id
			if _, err := tx.ExecContext(ctx, `UPDATE saved_searches SET mailed_at = $1 WHERE id = $2`, now, searchID); err != nil {
				return fmt.Errorf("store: alert of saved search %d: %w", searchID, err)
			}
		}
		for _, set := range []struct {
			state string
			ids   []int64
			mail  any
		}{{"mailed", mailed, mailID}, {"dropped", dropped, nil}} {
			if len(set.ids) == 0 {
				continue
			}
			res, err := tx.ExecContext(ctx, `UPDATE alert_hits SET state = $1, mail_id = $2
				WHERE saved_search_id = $3 AND state = 'pending' AND listing_id IN (`+idList(set.ids)+`)`,
				set.state, set.mail, searchID)
			if err != nil {
				return fmt.Errorf("store: alert hits of saved search %d: %w", searchID, err)
			}
			if n, err := res.RowsAffected(); err != nil || n != int64(len(set.ids)) {
				return fmt.Errorf("store: alert hits of saved search %d settled elsewhere: %w", searchID, ErrConflict)
			}
		}
		return nil
	})
}

// int64s runs a query of one integer column and returns its values.
func (s *Store) int64s(ctx context.Context, what, query string, args ...any) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// idList writes integers as a comma-separated SQL list: ids are numbers,
// so one statement shape serves any count on both dialects.
func idList(ids []int64) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}

// Recipient is a verified engineer who asked for recommendation mail.
type Recipient struct {
	EngineerID    int64
	Email         string
	Profile       Profile
	RecommendedAt time.Time // zero before the first
	CreatedAt     time.Time
}

// RecommendRecipients returns verified engineers whose recommend is
// daily or weekly, in id order after the id given, at most limit.
func (s *Store) RecommendRecipients(ctx context.Context, after int64, limit int) ([]Recipient, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, email, profile, recommend, recommended_at, created_at FROM engineers
		WHERE id > $1 AND recommend <> 'off' AND verified_at IS NOT NULL ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: recommendation recipients: %w", err)
	}
	defer rows.Close()
	var out []Recipient
	for rows.Next() {
		var r Recipient
		var doc string
		var at sql.NullTime
		if err := rows.Scan(&r.EngineerID, &r.Email, &doc, &r.Profile.Recommend, &at, &r.CreatedAt); err != nil {
			return nil, fmt.Errorf("store: recommendation recipients: %w", err)
		}
		recommend := r.Profile.Recommend
		if err := json.Unmarshal([]byte(doc), &r.Profile); err != nil {
			return nil, fmt.Errorf("store: profile of engineer %d: %w", r.EngineerID, err)
		}
		r.Profile.Recommend = recommend
		r.RecommendedAt = at.Time
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: recommendation recipients: %w", err)
	}
	return out, nil
}

// CommitRecommendation records that the engineer's recommendations were
// settled at (was is the RecommendedAt read before), with the mail when
// m is not nil, in one transaction. It fails with ErrConflict, writing
// nothing, when another node settled them since.
func (s *Store) CommitRecommendation(ctx context.Context, engineerID int64, at, was time.Time, m *Mail) error {
	now := at.UTC().Truncate(time.Microsecond)
	var prev any
	if !was.IsZero() {
		prev = was.UTC()
	}
	return s.inTx(ctx, false, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE engineers SET recommended_at = $1
			WHERE id = $2 AND recommended_at IS NOT DISTINCT FROM $3`, now, engineerID, prev)
		if err != nil {
			return fmt.Errorf("store: recommendations of engineer %d: %w", engineerID, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("store: recommendations of engineer %d settled elsewhere: %w", engineerID, ErrConflict)
		}
		if m != nil {
			if _, err := insertMail(ctx, tx, *m, now); err != nil {
				return err
			}
		}
		return nil
	})
}
