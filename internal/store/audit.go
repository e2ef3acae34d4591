package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// AuditEntry is one row of the audit log: who did what to what, when, and
// from where. Rows are appended and never changed; the store has no way
// to update or delete one, and the database refuses it (00009).
type AuditEntry struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	ActorKind string    `json:"actor_kind"` // AuditOperator, AuditAgency or AuditCLI
	Actor     string    `json:"actor"`      // the operator's name, the agency's slug, or "cli"
	Action    string    `json:"action"`     // e.g. batch-agency-listings, hide-listing
	Target    string    `json:"target"`     // a path, an agency, a listing
	Detail    string    `json:"detail"`     // a short summary: "1,000 listings: 998 accepted, 2 rejected"
	IP        string    `json:"ip"`         // the client's address; "cli" for the command line
}

// Kinds of actor in the audit log.
const (
	AuditOperator = "operator"
	AuditAgency   = "agency"
	AuditCLI      = "cli"
)

// Audit appends e to the audit log and returns it with its id and time
// (now when e.At is zero). Texts are clipped to a bounded length.
func (s *Store) Audit(ctx context.Context, e AuditEntry) (AuditEntry, error) {
	if e.ActorKind == "" || e.Actor == "" || e.Action == "" {
		return AuditEntry{}, fmt.Errorf("store: audit: actor kind, actor and action are required (got %q, %q, %q)", e.ActorKind, e.Actor, e.Action)
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	e.ActorKind, e.Actor, e.Action = clip(e.ActorKind, 20), clip(e.Actor, 200), clip(e.Action, 100)
	e.Target, e.Detail, e.IP = clip(e.Target, 500), clip(e.Detail, 1000), clip(e.IP, 100)
	err := s.db.QueryRowContext(ctx, `INSERT INTO audit_log (at, actor_kind, actor, action, target, detail, ip)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		e.At, e.ActorKind, e.Actor, e.Action, e.Target, e.Detail, e.IP).Scan(&e.ID)
	if err != nil {
		return AuditEntry{}, fmt.Errorf("store: audit %s by %s: %w", e.Action, e.Actor, err)
	}
	return e, nil
}

// AuditFilter selects rows of the audit log.
type AuditFilter struct {
	Actor  string // only this actor's rows (an operator's name, an agency's slug, "cli")
	Action string // only this action's; a trailing * matches any action starting with the rest
	Before int64  // only rows with an id below this (the cursor); 0 for the newest
	Limit  int    // at most this many (100 when 0)
}

// AuditLog returns rows of the audit log, newest first.
func (s *Store) AuditLog(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	q := `SELECT id, at, actor_kind, actor, action, target, detail, ip FROM audit_log WHERE 1 = 1`
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Actor != "" {
		q += ` AND actor = ` + arg(f.Actor)
	}
	if prefix, ok := strings.CutSuffix(f.Action, "*"); ok {
		if prefix != "" {
			q += ` AND substr(action, 1, ` + arg(len(prefix)) + `) = ` + arg(prefix)
		}
	} else if f.Action != "" {
		q += ` AND action = ` + arg(f.Action)
	}
	if f.Before > 0 {
		q += ` AND id < ` + arg(f.Before)
	}
	q += ` ORDER BY id DESC LIMIT ` + arg(f.Limit)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: audit log: %w", err)
	}
	defer rows.Close()
	out := []AuditEntry{}
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.ID, &e.At, &e.ActorKind, &e.Actor, &e.Action, &e.Target, &e.Detail, &e.IP); err != nil {
			return nil, fmt.Errorf("store: audit log: %w", err)
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: audit log: %w", err)
	}
	return out, nil
}
