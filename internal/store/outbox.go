package store

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Mail is one message in the outbox. It is written in the transaction
// that decides it (an account's verification, a saved search's alert) and
// sent later by a sender that claims it.
type Mail struct {
	ID         int64
	EngineerID int64  // 0 for mail that belongs to no account
	Kind       string // verify, reset, alert, digest, recommend, …
	To         string
	Subject    string
	Text, HTML string
	// Headers are extra header fields (List-Id, List-Unsubscribe, …).
	Headers   map[string]string
	MessageID string // fixed when written: a mail sent again after a crash carries the same one
	State     MailState
	Attempts  int
	NextAt    time.Time // when a pending mail is due
	// ClaimedUntil is when the claim of a sending mail lapses.
	ClaimedUntil time.Time
	LastError    string
	CreatedAt    time.Time
	SentAt       time.Time // zero until sent
}

// MailState is where a mail is in the outbox.
type MailState string

const (
	MailPending MailState = "pending" // waiting for a sender (or for its next attempt)
	MailSending MailState = "sending" // claimed by a sender until claimed_until
	MailSent    MailState = "sent"
	MailParked  MailState = "parked" // refused for good; LastError says why
)

// insertMail writes m to the outbox within tx and returns its id. The
// Message-ID is made here unless m has one.
func insertMail(ctx context.Context, tx *sql.Tx, m Mail, now time.Time) (int64, error) {
	if m.MessageID == "" {
		id, err := newMessageID()
		if err != nil {
			return 0, err
		}
		m.MessageID = id
	}
	headers, err := json.Marshal(m.Headers)
	if err != nil || m.Headers == nil {
		headers = []byte("{}")
	}
	var engineer any
	if m.EngineerID != 0 {
		engineer = m.EngineerID
	}
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO outbox (engineer_id, kind, recipient, subject, text_body, html_body,
		headers, message_id, state, next_attempt_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
		engineer, m.Kind, m.To, m.Subject, m.Text, m.HTML, string(headers), m.MessageID, MailPending, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: write %s mail to outbox: %w", m.Kind, err)
	}
	return id, nil
}

// newMessageID returns the local part of a Message-ID: random, so two
// nodes never make the same one. The sender adds the domain.
func newMessageID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("store: message id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// EnqueueMail writes one mail to the outbox on its own and returns its id.
func (s *Store) EnqueueMail(ctx context.Context, m Mail) (int64, error) {
	var id int64
	err := s.inTx(ctx, false, func(tx *sql.Tx) error {
		var err error
		id, err = insertMail(ctx, tx, m, s.now())
		return err
	})
	return id, err
}

// The sender's side of the outbox. A sender claims due mail with a lease:
// the claim moves it to sending, raises attempts and sets claimed_until,
// so a sender that dies leaves its mail to be claimed again once the lease
// lapses. Attempts is the claim's token: only the latest claim may mark a
// mail sent, give it back or park it. On PostgreSQL the claim skips rows
// other nodes hold (FOR UPDATE SKIP LOCKED); SQLite has one writer.

// mailColumns are the columns scanMail reads, in its order.
const mailColumns = `id, COALESCE(engineer_id, 0), kind, recipient, subject, text_body, html_body, headers, message_id,
	state, attempts, next_attempt_at, claimed_until, last_error, created_at, sent_at`

type rowScanner interface{ Scan(dest ...any) error }

func scanMail(r rowScanner) (Mail, error) {
	var (
		m              Mail
		headers, state string
		claimed, sent  sql.NullTime
	)
	if err := r.Scan(&m.ID, &m.EngineerID, &m.Kind, &m.To, &m.Subject, &m.Text, &m.HTML, &headers, &m.MessageID,
		&state, &m.Attempts, &m.NextAt, &claimed, &m.LastError, &m.CreatedAt, &sent); err != nil {
		return Mail{}, err
	}
	m.State = MailState(state)
	if claimed.Valid {
		m.ClaimedUntil = claimed.Time
	}
	if sent.Valid {
		m.SentAt = sent.Time
	}
	if err := json.Unmarshal([]byte(headers), &m.Headers); err != nil {
		return Mail{}, fmt.Errorf("headers of mail %d: %w", m.ID, err)
	}
	return m, nil
}

func (s *Store) queryMail(ctx context.Context, what, q string, args ...any) ([]Mail, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var out []Mail
	for rows.Next() {
		m, err := scanMail(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// ClaimMail takes up to limit mails that are due, oldest due first: those
// pending whose next attempt has come, and those whose sender's claim
// lapsed. Each is sending until now+lease, with attempts raised by one; no
// other claim takes it before then.
func (s *Store) ClaimMail(ctx context.Context, limit int, lease time.Duration) ([]Mail, error) {
	now := s.now()
	lock := ""
	if s.dialect == postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var out []Mail
	err := s.inTx(ctx, false, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `
			UPDATE outbox SET state = 'sending', attempts = attempts + 1, claimed_until = $1
			WHERE id IN (SELECT id FROM outbox
				WHERE (state = 'pending' AND next_attempt_at <= $2) OR (state = 'sending' AND claimed_until <= $2)
				ORDER BY next_attempt_at, id LIMIT $3`+lock+`)
			RETURNING `+mailColumns, now.Add(lease), now, limit)
		if err != nil {
			return fmt.Errorf("store: claim mail: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanMail(rows)
			if err != nil {
				return fmt.Errorf("store: claim mail: %w", err)
			}
			out = append(out, m)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: claim mail: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Mail) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// ErrClaimLost is returned when a mail's claim was taken over by a later
// one (its lease lapsed) or the mail left the outbox: the caller no
// longer decides what becomes of it.
var ErrClaimLost = errors.New("store: mail claim lapsed or taken by another sender")

// settleMail applies an update that ends the claim m holds.
func (s *Store) settleMail(ctx context.Context, what string, m Mail, set string, args ...any) error {
	args = append(args, m.ID, m.Attempts)
	n := len(args)
	r, err := s.db.ExecContext(ctx, `UPDATE outbox SET `+set+`, claimed_until = NULL
		WHERE id = $`+strconv.Itoa(n-1)+` AND state = 'sending' AND attempts = $`+strconv.Itoa(n), args...)
	if err != nil {
		return fmt.Errorf("store: %s mail %d: %w", what, m.ID, err)
	}
	if k, _ := r.RowsAffected(); k == 0 {
		return fmt.Errorf("%s mail %d (attempt %d): %w", what, m.ID, m.Attempts, ErrClaimLost)
	}
	return nil
}

// MarkMailSent records that the SMTP server accepted the claimed mail.
func (s *Store) MarkMailSent(ctx context.Context, m Mail) error {
	return s.settleMail(ctx, "mark sent", m, `state = 'sent', sent_at = $1, last_error = ''`,
		s.now())
}

// RetryMail gives the claimed mail back, pending until at, with the error
// that stopped it.
func (s *Store) RetryMail(ctx context.Context, m Mail, cause error, at time.Time) error {
	return s.settleMail(ctx, "retry", m, `state = 'pending', next_attempt_at = $1, last_error = $2`,
		at.UTC().Truncate(time.Microsecond), clip(cause.Error(), maxReason))
}

// ParkMail sets the claimed mail aside for good with the error that
// refused it; RequeueMail makes it pending again.
func (s *Store) ParkMail(ctx context.Context, m Mail, cause error) error {
	return s.settleMail(ctx, "park", m, `state = 'parked', last_error = $1`, clip(cause.Error(), maxReason))
}

// RequeueMail makes the parked mails with the ids pending again, due now
// and with fresh attempts, and returns how many it changed. Mail in any
// other state is left as it is. Audited (WithAudit): target the mails,
// detail how many are pending again.
func (s *Store) RequeueMail(ctx context.Context, ids []int64) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	args := []any{s.now()}
	ph := make([]string, len(ids))
	for i, id := range ids {
		args = append(args, id)
		ph[i] = "$" + strconv.Itoa(len(args))
	}
	var n int64
	err := s.inTx(ctx, false, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = $1
			WHERE state = 'parked' AND id IN (`+strings.Join(ph, ", ")+`)`, args...)
		if err != nil {
			return fmt.Errorf("store: requeue mail: %w", err)
		}
		n, _ = r.RowsAffected()
		return audit(ctx, tx, fmt.Sprintf("mails %v", ids), fmt.Sprintf("%d pending again", n))
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// Mails lists the outbox newest first, at most limit, only mail in state
// when it is not empty.
func (s *Store) Mails(ctx context.Context, state MailState, limit int) ([]Mail, error) {
	return s.queryMail(ctx, "list outbox", `SELECT `+mailColumns+` FROM outbox
		WHERE ($1 = '' OR state = $1) ORDER BY id DESC LIMIT $2`, string(state), limit)
}

// MailByID returns one mail of the outbox, or ErrNotFound.
func (s *Store) MailByID(ctx context.Context, id int64) (Mail, error) {
	m, err := scanMail(s.db.QueryRowContext(ctx, `SELECT `+mailColumns+` FROM outbox WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Mail{}, fmt.Errorf("mail %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Mail{}, fmt.Errorf("store: mail %d: %w", id, err)
	}
	return m, nil
}

// MailCount returns how many mails are in state; it reads the index on
// state, not the whole outbox.
func (s *Store) MailCount(ctx context.Context, state MailState) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE state = $1`, string(state)).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count %s mail: %w", state, err)
	}
	return n, nil
}

// MailCounts returns how many mails are in each state.
func (s *Store) MailCounts(ctx context.Context) (map[MailState]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT state, COUNT(*) FROM outbox GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("store: outbox counts: %w", err)
	}
	defer rows.Close()
	out := map[MailState]int{}
	for rows.Next() {
		var (
			st string
			n  int
		)
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("store: outbox counts: %w", err)
		}
		out[MailState(st)] = n
	}
	return out, rows.Err()
}
