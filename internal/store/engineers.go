package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Engineer is an engineer's account (a job seeker).
type Engineer struct {
	ID           int64     `json:"id"`
	Email        string    `json:"email"` // folded: trimmed, lower case
	PasswordHash string    `json:"-"`     // argon2id, PHC string form
	VerifiedAt   time.Time `json:"verified_at,omitzero"`
	// Recommend is how often recommendations are mailed: off, daily or weekly.
	Recommend     string    `json:"recommend"`
	RecommendedAt time.Time `json:"recommended_at,omitzero"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Verified reports whether the engineer has confirmed the address.
func (e Engineer) Verified() bool { return !e.VerifiedAt.IsZero() }

// Profile is what an engineer tells about their experience and wishes
// (経験・希望条件). Recommend is kept in its own column; the rest as JSON.
type Profile struct {
	Skills      []string `json:"skills"`       // canonical skill slugs
	Role        string   `json:"role"`         // 職種; "" when not said
	DesiredRate int64    `json:"desired_rate"` // 希望単価, monthly yen; 0 when not said
	// DesiredHourly is the 希望時給 for side jobs, yen an hour; 0 when not said.
	DesiredHourly int64    `json:"desired_hourly,omitempty"`
	Remote        string   `json:"remote"`        // full, partial, onsite; "" when any
	DaysPerWeek   int      `json:"days_per_week"` // 稼働日数 wished, 1–5; 0 when not said
	Prefectures   []string `json:"prefectures"`   // ISO 3166-2:JP
	SideJobOnly   bool     `json:"side_job_only"` // only listings that suit a side job (副業OK)
	Recommend     string   `json:"recommend"`     // off, daily, weekly
	// Experience is the engineer's years of experience (経験年数) by skill
	// slug, 1–50; a skill not in it was not said.
	Experience map[string]int `json:"experience,omitempty"`
}

// Token purposes.
const (
	TokenVerify = "verify" // confirms the address of a new account
	TokenReset  = "reset"  // sets a new password
	TokenDevice = "device" // a browser that has logged in to the account: it is not locked out with the address
)

// Token is a one-time token: only its SHA-256 (Hash, hex) is stored.
type Token struct {
	Hash      string
	Purpose   string
	ExpiresAt time.Time
}

// Session is a login. Only the SHA-256 of its token (Hash, hex) is stored.
type Session struct {
	Hash       string    `json:"-"`
	EngineerID int64     `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// SavedSearch is a search an engineer keeps, with its new-listing mail
// (新着案件メール) setting.
type SavedSearch struct {
	ID         int64  `json:"id"`
	EngineerID int64  `json:"-"`
	Name       string `json:"name"`
	Query      string `json:"query"` // the search's URL query string, canonical
	Alert      string `json:"alert"` // instant, daily, off
	Hour       int    `json:"hour"`  // the daily digest's hour in Asia/Tokyo, 0–23
	// Unsubscribe is the token of the alert mail's one-click unsubscribe link.
	Unsubscribe string    `json:"unsubscribe"`
	MailedAt    time.Time `json:"mailed_at,omitzero"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// SavedSearchPatch holds the fields of a saved search to change; nil
// leaves one as it is.
type SavedSearchPatch struct {
	Name, Query, Alert *string
	Hour               *int
}

// Favorite is a listing an engineer keeps (お気に入り).
type Favorite struct {
	ListingID int64     `json:"listing_id"`
	CreatedAt time.Time `json:"created_at"`
}

// foldEmail is the stored form of an address: trimmed and lower case.
func foldEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

const engineerColumns = `id, email, password_hash, verified_at, recommend, recommended_at, created_at, updated_at`

func scanEngineer(row rowScanner) (Engineer, error) {
	var e Engineer
	var verified, recommended sql.NullTime
	err := row.Scan(&e.ID, &e.Email, &e.PasswordHash, &verified, &e.Recommend, &recommended, &e.CreatedAt, &e.UpdatedAt)
	e.VerifiedAt, e.RecommendedAt = verified.Time, recommended.Time
	return e, err
}

// CreateEngineer adds an unverified account with its verification token
// and the mail that carries it, in one transaction: there is never an
// account whose verification mail was not written. It returns ErrConflict
// when the address has an account.
func (s *Store) CreateEngineer(ctx context.Context, email, passwordHash string, tok Token, m Mail) (Engineer, error) {
	t := s.now()
	e := Engineer{Email: foldEmail(email), PasswordHash: passwordHash, Recommend: "off", CreatedAt: t, UpdatedAt: t}
	err := s.inTx(ctx, false, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO engineers (email, password_hash, created_at, updated_at)
			VALUES ($1, $2, $3, $3) RETURNING id`, e.Email, e.PasswordHash, t).Scan(&e.ID)
		if isUniqueViolation(err) {
			return fmt.Errorf("store: engineer %q: %w", e.Email, ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("store: create engineer: %w", err)
		}
		return issue(ctx, tx, e.ID, tok, m, t)
	})
	if err != nil {
		return Engineer{}, err
	}
	return e, nil
}

// RenewUnverified gives an account whose address is not yet confirmed a
// new password and a new verification token (the earlier ones stop
// working) with its mail, in one transaction: signing up again with the
// same address before verifying. It returns ErrNotFound when the account
// does not exist or is verified.
func (s *Store) RenewUnverified(ctx context.Context, id int64, passwordHash string, tok Token, m Mail) error {
	t := s.now()
	return s.inTx(ctx, false, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE engineers SET password_hash = $1, updated_at = $2
			WHERE id = $3 AND verified_at IS NULL`, passwordHash, t, id)
		if err != nil {
			return fmt.Errorf("store: renew engineer %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: unverified engineer %d: %w", id, ErrNotFound)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM account_tokens WHERE engineer_id = $1 AND purpose = $2`, id, tok.Purpose); err != nil {
			return fmt.Errorf("store: renew engineer %d: %w", id, err)
		}
		return issue(ctx, tx, id, tok, m, t)
	})
}

// AddToken stores a token for the engineer that no mail carries (a
// device token, given to the browser as a cookie).
func (s *Store) AddToken(ctx context.Context, engineerID int64, tok Token) error {
	if tok.Hash == "" || tok.Purpose == "" {
		return fmt.Errorf("store: token for engineer %d has no hash or purpose", engineerID)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO account_tokens (hash, engineer_id, purpose, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5)`, tok.Hash, engineerID, tok.Purpose, s.now(), tok.ExpiresAt.UTC()); err != nil {
		return fmt.Errorf("store: %s token for engineer %d: %w", tok.Purpose, engineerID, err)
	}
	return nil
}

// IssueToken stores a one-time token for the engineer and the mail that
// carries it, in one transaction.
func (s *Store) IssueToken(ctx context.Context, engineerID int64, tok Token, m Mail) error {
	return s.inTx(ctx, false, func(tx *sql.Tx) error { return issue(ctx, tx, engineerID, tok, m, s.now()) })
}

func issue(ctx context.Context, tx *sql.Tx, engineerID int64, tok Token, m Mail, t time.Time) error {
	if tok.Hash == "" || tok.Purpose == "" {
		return fmt.Errorf("store: token for engineer %d has no hash or purpose", engineerID)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO account_tokens (hash, engineer_id, purpose, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5)`, tok.Hash, engineerID, tok.Purpose, t, tok.ExpiresAt.UTC()); err != nil {
		return fmt.Errorf("store: %s token for engineer %d: %w", tok.Purpose, engineerID, err)
	}
	m.EngineerID = engineerID
	_, err := insertMail(ctx, tx, m, t)
	return err
}

// consume marks the token used and returns its engineer, or ErrNotFound
// if it is unknown, of another purpose, used or expired. The one UPDATE
// makes it single use even when two requests race.
func consume(ctx context.Context, tx *sql.Tx, hash, purpose string, at time.Time) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `UPDATE account_tokens SET used_at = $1
		WHERE hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1
		RETURNING engineer_id`, at, hash, purpose).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("store: %s token: %w", purpose, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("store: %s token: %w", purpose, err)
	}
	return id, nil
}

// ConsumeToken uses a one-time token of the purpose and returns its
// engineer's id; ErrNotFound if the token is unknown, used or expired.
func (s *Store) ConsumeToken(ctx context.Context, hash, purpose string) (int64, error) {
	var id int64
	err := s.inTx(ctx, false, func(tx *sql.Tx) error {
		var err error
		id, err = consume(ctx, tx, hash, purpose, s.now())
		return err
	})
	return id, err
}

// TokenEngineer returns the engineer of a live one-time token of the
// purpose without using it (to check a new password against the address
// before a reset), or ErrNotFound.
func (s *Store) TokenEngineer(ctx context.Context, hash, purpose string) (Engineer, error) {
	e, err := scanEngineer(s.db.QueryRowContext(ctx, `SELECT e.id, e.email, e.password_hash, e.verified_at, e.recommend,
			e.recommended_at, e.created_at, e.updated_at
		FROM account_tokens t JOIN engineers e ON e.id = t.engineer_id
		WHERE t.hash = $1 AND t.purpose = $2 AND t.used_at IS NULL AND t.expires_at > $3`, hash, purpose, s.now()))
	if errors.Is(err, sql.ErrNoRows) {
		return Engineer{}, fmt.Errorf("store: %s token: %w", purpose, ErrNotFound)
	}
	if err != nil {
		return Engineer{}, fmt.Errorf("store: %s token: %w", purpose, err)
	}
	return e, nil
}

// VerifyEngineer uses a verification token and marks its account
// verified (once: a later verification keeps the first time).
func (s *Store) VerifyEngineer(ctx context.Context, tokenHash string) (Engineer, error) {
	var e Engineer
	err := s.inTx(ctx, false, func(tx *sql.Tx) error {
		t := s.now()
		id, err := consume(ctx, tx, tokenHash, TokenVerify, t)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE engineers SET verified_at = $1, updated_at = $1
			WHERE id = $2 AND verified_at IS NULL`, t, id); err != nil {
			return fmt.Errorf("store: verify engineer %d: %w", id, err)
		}
		e, err = scanEngineer(tx.QueryRowContext(ctx, `SELECT `+engineerColumns+` FROM engineers WHERE id = $1`, id))
		if err != nil {
			return fmt.Errorf("store: verify engineer %d: %w", id, err)
		}
		return nil
	})
	return e, err
}

// ResetPassword uses a reset token: the account gets the new password
// hash, every session of it ends and its other reset tokens stop working,
// in one transaction. The address is verified by the same act: the reset
// mail reached it.
func (s *Store) ResetPassword(ctx context.Context, tokenHash, passwordHash string) (Engineer, error) {
	var e Engineer
	err := s.inTx(ctx, false, func(tx *sql.Tx) error {
		t := s.now()
		id, err := consume(ctx, tx, tokenHash, TokenReset, t)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE engineers SET password_hash = $1, updated_at = $2,
			verified_at = COALESCE(verified_at, $2) WHERE id = $3`, passwordHash, t, id); err != nil {
			return fmt.Errorf("store: reset password of engineer %d: %w", id, err)
		}
		if _, err := endSessions(ctx, tx, id, ""); err != nil {
			return fmt.Errorf("store: reset password: %w", err)
		}
		e, err = scanEngineer(tx.QueryRowContext(ctx, `SELECT `+engineerColumns+` FROM engineers WHERE id = $1`, id))
		if err != nil {
			return fmt.Errorf("store: reset password of engineer %d: %w", id, err)
		}
		return nil
	})
	return e, err
}

// Engineer returns the engineer with the id, or ErrNotFound.
func (s *Store) Engineer(ctx context.Context, id int64) (Engineer, error) {
	e, err := scanEngineer(s.db.QueryRowContext(ctx, `SELECT `+engineerColumns+` FROM engineers WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Engineer{}, fmt.Errorf("store: engineer %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Engineer{}, fmt.Errorf("store: engineer %d: %w", id, err)
	}
	return e, nil
}

// EngineerByEmail returns the engineer with the address (folded before
// the lookup), or ErrNotFound.
func (s *Store) EngineerByEmail(ctx context.Context, email string) (Engineer, error) {
	e, err := scanEngineer(s.db.QueryRowContext(ctx, `SELECT `+engineerColumns+` FROM engineers WHERE email = $1`, foldEmail(email)))
	if errors.Is(err, sql.ErrNoRows) {
		return Engineer{}, fmt.Errorf("store: engineer by email: %w", ErrNotFound)
	}
	if err != nil {
		return Engineer{}, fmt.Errorf("store: engineer by email: %w", err)
	}
	return e, nil
}

// SetPasswordHash replaces the engineer's password hash, ends every
// session but keep (the hash of the session making the change; "" ends
// them all) and every reset link not yet used, in one transaction.
func (s *Store) SetPasswordHash(ctx context.Context, id int64, passwordHash, keep string) error {
	return s.inTx(ctx, false, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE engineers SET password_hash = $1, updated_at = $2 WHERE id = $3`, passwordHash, s.now(), id)
		if err != nil {
			return fmt.Errorf("store: set password of engineer %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: engineer %d: %w", id, ErrNotFound)
		}
		_, err = endSessions(ctx, tx, id, keep)
		return err
	})
}

// endSessions ends every session of the engineer but keep ("" ends them
// all) and every reset token of theirs not yet used, and returns how
// many sessions ended. A reset link mailed before the engineer changed
// the password, reset it or logged out everywhere must not take the
// account afterwards.
func endSessions(ctx context.Context, tx *sql.Tx, id int64, keep string) (int64, error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE engineer_id = $1 AND hash <> $2`, id, keep)
	if err != nil {
		return 0, fmt.Errorf("store: end sessions of engineer %d: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM account_tokens
		WHERE engineer_id = $1 AND purpose = $2 AND used_at IS NULL`, id, TokenReset); err != nil {
		return 0, fmt.Errorf("store: end reset links of engineer %d: %w", id, err)
	}
	return res.RowsAffected()
}

// RehashPassword replaces the engineer's password hash with one of newer
// parameters if it is still old: sessions are untouched.
func (s *Store) RehashPassword(ctx context.Context, id int64, old, passwordHash string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE engineers SET password_hash = $1 WHERE id = $2 AND password_hash = $3`, passwordHash, id, old)
	if err != nil {
		return fmt.Errorf("store: rehash password of engineer %d: %w", id, err)
	}
	return nil
}

// CreateSession stores a session of the engineer under the hash of its
// token.
func (s *Store) CreateSession(ctx context.Context, engineerID int64, hash string, expires time.Time) (Session, error) {
	ses := Session{Hash: hash, EngineerID: engineerID, CreatedAt: s.now(), ExpiresAt: expires.UTC().Truncate(time.Microsecond)}
	_, err := s.db.ExecContext(ctx, `INSERT INTO sessions (hash, engineer_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		ses.Hash, ses.EngineerID, ses.CreatedAt, ses.ExpiresAt)
	if err != nil {
		return Session{}, fmt.Errorf("store: create session for engineer %d: %w", engineerID, err)
	}
	return ses, nil
}

// SessionEngineer returns the session with the hash and its engineer, or
// ErrNotFound if there is none or it has expired.
func (s *Store) SessionEngineer(ctx context.Context, hash string) (Session, Engineer, error) {
	ses := Session{Hash: hash}
	var verified, recommended sql.NullTime
	var e Engineer
	err := s.db.QueryRowContext(ctx, `SELECT s.created_at, s.expires_at,
			e.id, e.email, e.password_hash, e.verified_at, e.recommend, e.recommended_at, e.created_at, e.updated_at
		FROM sessions s JOIN engineers e ON e.id = s.engineer_id
		WHERE s.hash = $1 AND s.expires_at > $2`, hash, s.now()).
		Scan(&ses.CreatedAt, &ses.ExpiresAt,
			&e.ID, &e.Email, &e.PasswordHash, &verified, &e.Recommend, &recommended, &e.CreatedAt, &e.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, Engineer{}, fmt.Errorf("store: session: %w", ErrNotFound)
	}
	if err != nil {
		return Session{}, Engineer{}, fmt.Errorf("store: session: %w", err)
	}
	e.VerifiedAt, e.RecommendedAt = verified.Time, recommended.Time
	ses.EngineerID = e.ID
	return ses, e, nil
}

// DeleteSession ends the session with the hash; ending one that does not
// exist is not an error.
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE hash = $1`, hash); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteSessions ends every session of the engineer but keep (a session
// hash; "" ends them all) and every reset link not yet used, in one
// transaction (logging out everywhere), and returns how many sessions
// ended.
func (s *Store) DeleteSessions(ctx context.Context, engineerID int64, keep string) (int64, error) {
	var n int64
	err := s.inTx(ctx, false, func(tx *sql.Tx) error {
		var err error
		n, err = endSessions(ctx, tx, engineerID, keep)
		return err
	})
	return n, err
}

// PruneAccounts removes expired sessions and one-time tokens that expired
// or were used more than a day before now, and returns how many rows went.
func (s *Store) PruneAccounts(ctx context.Context, at time.Time) (int64, error) {
	at = at.UTC()
	var n int64
	for _, q := range []struct {
		sql string
		arg time.Time
	}{
		{`DELETE FROM sessions WHERE expires_at <= $1`, at},
		{`DELETE FROM account_tokens WHERE expires_at <= $1 OR used_at <= $1`, at.Add(-24 * time.Hour)},
	} {
		res, err := s.db.ExecContext(ctx, q.sql, q.arg)
		if err != nil {
			return n, fmt.Errorf("store: prune accounts: %w", err)
		}
		k, _ := res.RowsAffected()
		n += k
	}
	return n, nil
}

// Profile returns the engineer's profile; an engineer who never wrote one
// has an empty one.
func (s *Store) Profile(ctx context.Context, engineerID int64) (Profile, error) {
	var doc string
	var p Profile
	err := s.db.QueryRowContext(ctx, `SELECT profile, recommend FROM engineers WHERE id = $1`, engineerID).Scan(&doc, &p.Recommend)
	if errors.Is(err, sql.ErrNoRows) {
		return Profile{}, fmt.Errorf("store: profile of engineer %d: %w", engineerID, ErrNotFound)
	}
	if err != nil {
		return Profile{}, fmt.Errorf("store: profile of engineer %d: %w", engineerID, err)
	}
	recommend := p.Recommend
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return Profile{}, fmt.Errorf("store: profile of engineer %d: %w", engineerID, err)
	}
	p.Recommend = recommend
	if p.Skills == nil {
		p.Skills = []string{}
	}
	if p.Prefectures == nil {
		p.Prefectures = []string{}
	}
	return p, nil
}

// PutProfile replaces the engineer's profile. Values are stored as given:
// checking them is the caller's.
func (s *Store) PutProfile(ctx context.Context, engineerID int64, p Profile) error {
	recommend := p.Recommend
	if recommend == "" {
		recommend = "off"
	}
	p.Recommend = ""
	doc, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("store: profile of engineer %d: %w", engineerID, err)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE engineers SET profile = $1, recommend = $2, updated_at = $3 WHERE id = $4`,
		string(doc), recommend, s.now(), engineerID)
	if err != nil {
		return fmt.Errorf("store: put profile of engineer %d: %w", engineerID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: engineer %d: %w", engineerID, ErrNotFound)
	}
	return nil
}

const savedSearchColumns = `id, engineer_id, name, query, alert, hour, unsubscribe, mailed_at, created_at, updated_at`

func scanSavedSearch(row rowScanner) (SavedSearch, error) {
	var ss SavedSearch
	var mailed sql.NullTime
	err := row.Scan(&ss.ID, &ss.EngineerID, &ss.Name, &ss.Query, &ss.Alert, &ss.Hour, &ss.Unsubscribe, &mailed, &ss.CreatedAt, &ss.UpdatedAt)
	ss.MailedAt = mailed.Time
	return ss, err
}

// SavedSearches returns the engineer's saved searches, oldest first.
func (s *Store) SavedSearches(ctx context.Context, engineerID int64) ([]SavedSearch, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+savedSearchColumns+` FROM saved_searches WHERE engineer_id = $1 ORDER BY id`, engineerID)
	if err != nil {
		return nil, fmt.Errorf("store: saved searches of engineer %d: %w", engineerID, err)
	}
	defer rows.Close()
	out := []SavedSearch{}
	for rows.Next() {
		ss, err := scanSavedSearch(rows)
		if err != nil {
			return nil, fmt.Errorf("store: saved searches of engineer %d: %w", engineerID, err)
		}
		out = append(out, ss)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: saved searches of engineer %d: %w", engineerID, err)
	}
	return out, nil
}

// SavedSearch returns the engineer's saved search with the id. Another
// engineer's is ErrNotFound, as a missing one is.
func (s *Store) SavedSearch(ctx context.Context, engineerID, id int64) (SavedSearch, error) {
	ss, err := scanSavedSearch(s.db.QueryRowContext(ctx,
		`SELECT `+savedSearchColumns+` FROM saved_searches WHERE id = $1 AND engineer_id = $2`, id, engineerID))
	if errors.Is(err, sql.ErrNoRows) {
		return SavedSearch{}, fmt.Errorf("store: saved search %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return SavedSearch{}, fmt.Errorf("store: saved search %d: %w", id, err)
	}
	return ss, nil
}

// ErrTooMany is returned by CreateSavedSearch when the engineer already
// has the most saved searches allowed.
var ErrTooMany = errors.New("store: too many")

// CreateSavedSearch stores a saved search of ss.EngineerID with a new
// random unsubscribe token, unless the engineer already has max of them
// (ErrTooMany). Values are stored as given: checking them is the caller's.
func (s *Store) CreateSavedSearch(ctx context.Context, ss SavedSearch, max int) (SavedSearch, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return SavedSearch{}, fmt.Errorf("store: unsubscribe token: %w", err)
	}
	t := s.now()
	ss.Unsubscribe, ss.CreatedAt, ss.UpdatedAt, ss.MailedAt = hex.EncodeToString(b[:]), t, t, time.Time{}
	err := s.inTx(ctx, false, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM saved_searches WHERE engineer_id = $1`, ss.EngineerID).Scan(&n); err != nil {
			return fmt.Errorf("store: count saved searches of engineer %d: %w", ss.EngineerID, err)
		}
		if n >= max {
			return fmt.Errorf("store: engineer %d has %d saved searches: %w", ss.EngineerID, n, ErrTooMany)
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO saved_searches (engineer_id, name, query, alert, hour, unsubscribe, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
			ss.EngineerID, ss.Name, ss.Query, ss.Alert, ss.Hour, ss.Unsubscribe, t).Scan(&ss.ID)
		if err != nil {
			return fmt.Errorf("store: create saved search for engineer %d: %w", ss.EngineerID, err)
		}
		return nil
	})
	if err != nil {
		return SavedSearch{}, err
	}
	return ss, nil
}

// UpdateSavedSearch changes the fields of the engineer's saved search
// that p sets and returns it as stored; another engineer's is ErrNotFound.
func (s *Store) UpdateSavedSearch(ctx context.Context, engineerID, id int64, p SavedSearchPatch) (SavedSearch, error) {
	var ss SavedSearch
	err := s.inTx(ctx, false, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE saved_searches SET
				name = COALESCE($1, name), query = COALESCE($2, query), alert = COALESCE($3, alert),
				hour = COALESCE($4, hour), updated_at = $5
			WHERE id = $6 AND engineer_id = $7`,
			nullable(p.Name), nullable(p.Query), nullable(p.Alert), nullable(p.Hour), s.now(), id, engineerID)
		if err != nil {
			return fmt.Errorf("store: update saved search %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: saved search %d: %w", id, ErrNotFound)
		}
		ss, err = scanSavedSearch(tx.QueryRowContext(ctx, `SELECT `+savedSearchColumns+` FROM saved_searches WHERE id = $1`, id))
		if err != nil {
			return fmt.Errorf("store: saved search %d: %w", id, err)
		}
		return nil
	})
	return ss, err
}

// nullable is v's value, or NULL (nil) for a nil pointer.
func nullable[T any](v *T) any {
	if v == nil {
		return nil
	}
	return *v
}

// DeleteSavedSearch removes the engineer's saved search (and its alert
// hits); another engineer's is ErrNotFound.
func (s *Store) DeleteSavedSearch(ctx context.Context, engineerID, id int64) error {
	return s.inTx(ctx, false, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM alert_hits WHERE saved_search_id IN
			(SELECT id FROM saved_searches WHERE id = $1 AND engineer_id = $2)`, id, engineerID); err != nil {
			return fmt.Errorf("store: delete saved search %d: %w", id, err)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM saved_searches WHERE id = $1 AND engineer_id = $2`, id, engineerID)
		if err != nil {
			return fmt.Errorf("store: delete saved search %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: saved search %d: %w", id, ErrNotFound)
		}
		return nil
	})
}

// SavedSearchByUnsubscribe returns the saved search whose alert mail
// carries the unsubscribe token, or ErrNotFound.
func (s *Store) SavedSearchByUnsubscribe(ctx context.Context, token string) (SavedSearch, error) {
	ss, err := scanSavedSearch(s.db.QueryRowContext(ctx,
		`SELECT `+savedSearchColumns+` FROM saved_searches WHERE unsubscribe = $1`, token))
	if errors.Is(err, sql.ErrNoRows) || token == "" {
		return SavedSearch{}, fmt.Errorf("store: saved search by unsubscribe token: %w", ErrNotFound)
	}
	if err != nil {
		return SavedSearch{}, fmt.Errorf("store: saved search by unsubscribe token: %w", err)
	}
	return ss, nil
}

// Unsubscribe turns off the alert mail of the saved search with the
// unsubscribe token (RFC 8058 one-click: no login) and returns it; doing
// it again is not an error. An unknown token is ErrNotFound.
func (s *Store) Unsubscribe(ctx context.Context, token string) (SavedSearch, error) {
	var ss SavedSearch
	err := s.inTx(ctx, false, func(tx *sql.Tx) error {
		var err error
		ss, err = scanSavedSearch(tx.QueryRowContext(ctx, `UPDATE saved_searches SET
				alert = 'off', updated_at = CASE WHEN alert = 'off' THEN updated_at ELSE $1 END
			WHERE unsubscribe = $2 RETURNING `+savedSearchColumns, s.now(), token))
		if errors.Is(err, sql.ErrNoRows) || token == "" {
			return fmt.Errorf("store: unsubscribe: %w", ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: unsubscribe: %w", err)
		}
		return nil
	})
	return ss, err
}

// PutFavorite keeps the listing among the engineer's favourites; keeping
// it again is not an error. A listing that does not exist is ErrNotFound.
func (s *Store) PutFavorite(ctx context.Context, engineerID, listingID int64) error {
	return s.inTx(ctx, false, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM listings WHERE id = $1`, listingID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: listing %d: %w", listingID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: favourite listing %d: %w", listingID, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO favorites (engineer_id, listing_id, created_at) VALUES ($1, $2, $3)
			ON CONFLICT (engineer_id, listing_id) DO NOTHING`, engineerID, listingID, s.now()); err != nil {
			return fmt.Errorf("store: favourite listing %d: %w", listingID, err)
		}
		return nil
	})
}

// DeleteFavorite removes the listing from the engineer's favourites;
// ErrNotFound if it was not among them.
func (s *Store) DeleteFavorite(ctx context.Context, engineerID, listingID int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM favorites WHERE engineer_id = $1 AND listing_id = $2`, engineerID, listingID)
	if err != nil {
		return fmt.Errorf("store: delete favourite %d: %w", listingID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: favourite %d: %w", listingID, ErrNotFound)
	}
	return nil
}

// Favorites returns the engineer's favourites, newest first.
func (s *Store) Favorites(ctx context.Context, engineerID int64) ([]Favorite, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT listing_id, created_at FROM favorites
		WHERE engineer_id = $1 ORDER BY created_at DESC, listing_id DESC`, engineerID)
	if err != nil {
		return nil, fmt.Errorf("store: favourites of engineer %d: %w", engineerID, err)
	}
	defer rows.Close()
	out := []Favorite{}
	for rows.Next() {
		var f Favorite
		if err := rows.Scan(&f.ListingID, &f.CreatedAt); err != nil {
			return nil, fmt.Errorf("store: favourites of engineer %d: %w", engineerID, err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: favourites of engineer %d: %w", engineerID, err)
	}
	return out, nil
}

// Export is everything held about an engineer (GET /v1/me/export). Token
// and session hashes are left out: they are keys, not data about anyone.
type Export struct {
	Account       Engineer         `json:"account"`
	Profile       Profile          `json:"profile"`
	SavedSearches []SavedSearch    `json:"saved_searches"`
	Favorites     []Favorite       `json:"favorites"`
	History       []Viewed         `json:"history"` // 閲覧履歴, oldest first
	AlertHits     []ExportAlertHit `json:"alert_hits"`
	Sessions      []Session        `json:"sessions"`
	Tokens        []ExportToken    `json:"tokens"`
	Mail          []ExportMail     `json:"mail"`
}

// ExportAlertHit is a listing found for one of the engineer's saved searches.
type ExportAlertHit struct {
	SavedSearchID int64     `json:"saved_search_id"`
	ListingID     int64     `json:"listing_id"`
	State         string    `json:"state"`
	CreatedAt     time.Time `json:"created_at"`
}

// ExportToken is a one-time token issued to the engineer, without its hash.
type ExportToken struct {
	Purpose   string    `json:"purpose"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	UsedAt    time.Time `json:"used_at,omitzero"`
}

// ExportMail is a mail written to the engineer, sent or not.
type ExportMail struct {
	Kind      string    `json:"kind"`
	To        string    `json:"to"`
	Subject   string    `json:"subject"`
	Text      string    `json:"text"`
	State     string    `json:"state"`
	CreatedAt time.Time `json:"created_at"`
	SentAt    time.Time `json:"sent_at,omitzero"`
}

// Export reads everything held about the engineer in one transaction, so
// the parts agree with one another.
func (s *Store) Export(ctx context.Context, engineerID int64) (Export, error) {
	x := Export{SavedSearches: []SavedSearch{}, Favorites: []Favorite{}, History: []Viewed{}, AlertHits: []ExportAlertHit{},
		Sessions: []Session{}, Tokens: []ExportToken{}, Mail: []ExportMail{}}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: s.dialect == postgres})
	if err != nil {
		return Export{}, fmt.Errorf("store: export engineer %d: %w", engineerID, err)
	}
	defer tx.Rollback()
	fail := func(what string, err error) (Export, error) {
		return Export{}, fmt.Errorf("store: export engineer %d: %s: %w", engineerID, what, err)
	}
	x.Account, err = scanEngineer(tx.QueryRowContext(ctx, `SELECT `+engineerColumns+` FROM engineers WHERE id = $1`, engineerID))
	if errors.Is(err, sql.ErrNoRows) {
		return Export{}, fmt.Errorf("store: engineer %d: %w", engineerID, ErrNotFound)
	}
	if err != nil {
		return fail("account", err)
	}
	var doc string
	if err := tx.QueryRowContext(ctx, `SELECT profile FROM engineers WHERE id = $1`, engineerID).Scan(&doc); err != nil {
		return fail("profile", err)
	}
	if err := json.Unmarshal([]byte(doc), &x.Profile); err != nil {
		return fail("profile", err)
	}
	x.Profile.Recommend = x.Account.Recommend
	if x.Profile.Skills == nil {
		x.Profile.Skills = []string{}
	}
	if x.Profile.Prefectures == nil {
		x.Profile.Prefectures = []string{}
	}
	each := func(what, query string, scan func(rowScanner) error) error {
		rows, err := tx.QueryContext(ctx, query, engineerID)
		if err != nil {
			return fmt.Errorf("store: export engineer %d: %s: %w", engineerID, what, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return fmt.Errorf("store: export engineer %d: %s: %w", engineerID, what, err)
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: export engineer %d: %s: %w", engineerID, what, err)
		}
		return nil
	}
	err = errors.Join(
		each("saved searches", `SELECT `+savedSearchColumns+` FROM saved_searches WHERE engineer_id = $1 ORDER BY id`,
			func(r rowScanner) error {
				ss, err := scanSavedSearch(r)
				x.SavedSearches = append(x.SavedSearches, ss)
				return err
			}),
		each("favourites", `SELECT listing_id, created_at FROM favorites WHERE engineer_id = $1 ORDER BY created_at, listing_id`,
			func(r rowScanner) error {
				var f Favorite
				err := r.Scan(&f.ListingID, &f.CreatedAt)
				x.Favorites = append(x.Favorites, f)
				return err
			}),
		each("history", `SELECT listing_id, viewed_at FROM viewed_listings WHERE engineer_id = $1 ORDER BY viewed_at, listing_id`,
			func(r rowScanner) error {
				var v Viewed
				err := r.Scan(&v.ListingID, &v.ViewedAt)
				x.History = append(x.History, v)
				return err
			}),
		each("alert hits", `SELECT h.saved_search_id, h.listing_id, h.state, h.created_at FROM alert_hits h
			JOIN saved_searches ss ON ss.id = h.saved_search_id WHERE ss.engineer_id = $1 ORDER BY h.created_at, h.listing_id`,
			func(r rowScanner) error {
				var h ExportAlertHit
				err := r.Scan(&h.SavedSearchID, &h.ListingID, &h.State, &h.CreatedAt)
				x.AlertHits = append(x.AlertHits, h)
				return err
			}),
		each("sessions", `SELECT created_at, expires_at FROM sessions WHERE engineer_id = $1 ORDER BY created_at`,
			func(r rowScanner) error {
				var ses Session
				err := r.Scan(&ses.CreatedAt, &ses.ExpiresAt)
				x.Sessions = append(x.Sessions, ses)
				return err
			}),
		each("tokens", `SELECT purpose, created_at, expires_at, used_at FROM account_tokens WHERE engineer_id = $1 ORDER BY created_at`,
			func(r rowScanner) error {
				var t ExportToken
				var used sql.NullTime
				err := r.Scan(&t.Purpose, &t.CreatedAt, &t.ExpiresAt, &used)
				t.UsedAt = used.Time
				x.Tokens = append(x.Tokens, t)
				return err
			}),
		each("mail", `SELECT kind, recipient, subject, text_body, state, created_at, sent_at FROM outbox WHERE engineer_id = $1 ORDER BY id`,
			func(r rowScanner) error {
				var m ExportMail
				var sent sql.NullTime
				err := r.Scan(&m.Kind, &m.To, &m.Subject, &m.Text, &m.State, &m.CreatedAt, &sent)
				m.SentAt = sent.Time
				x.Mail = append(x.Mail, m)
				return err
			}),
	)
	if err != nil {
		return Export{}, err
	}
	return x, nil
}

// DeleteEngineer removes the engineer and everything personal at once, in
// one transaction: sessions, tokens, profile, saved searches with their
// alert hits, favourites, 閲覧履歴 and every mail to them, sent or not (a mail a
// sender holds is gone when it comes back to mark it).
func (s *Store) DeleteEngineer(ctx context.Context, id int64) error {
	return s.inTx(ctx, false, func(tx *sql.Tx) error {
		// ON DELETE CASCADE would do; saying it keeps the list in one place
		// and does not depend on SQLite's foreign_keys pragma.
		for _, q := range []string{
			`DELETE FROM alert_hits WHERE saved_search_id IN (SELECT id FROM saved_searches WHERE engineer_id = $1)`,
			`DELETE FROM saved_searches WHERE engineer_id = $1`,
			`DELETE FROM favorites WHERE engineer_id = $1`,
			`DELETE FROM viewed_listings WHERE engineer_id = $1`,
			`DELETE FROM sessions WHERE engineer_id = $1`,
			`DELETE FROM account_tokens WHERE engineer_id = $1`,
			`DELETE FROM outbox WHERE engineer_id = $1`,
		} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return fmt.Errorf("store: delete engineer %d: %w", id, err)
			}
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM engineers WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("store: delete engineer %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("store: engineer %d: %w", id, ErrNotFound)
		}
		return nil
	})
}
