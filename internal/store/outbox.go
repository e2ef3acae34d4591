package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
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
	NextAt    time.Time
	LastError string
	CreatedAt time.Time
	SentAt    time.Time // zero until sent
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
		id, err = insertMail(ctx, tx, m, time.Now().UTC().Truncate(time.Microsecond))
		return err
	})
	return id, err
}
