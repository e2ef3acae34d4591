package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// AuditEntry is one row of the audit log: who did what to what, when, and
// from where. Rows are appended and never changed; the store has no way
// to update or delete one, and the database refuses it (00009).
//
// A row is written by the write it records, in the same transaction: the
// caller names who and what with WithAudit, and the store's audited
// writes (listed in docs/OPERATIONS.md) add what only the write knows,
// the detail of its result, before they commit. A write that fails or
// rolls back leaves no row; one that commits leaves exactly one.
type AuditEntry struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	ActorKind string    `json:"actor_kind"` // AuditOperator, AuditAgency or AuditCLI
	Actor     string    `json:"actor"`      // the operator's name, the agency's slug, or "cli"
	Action    string    `json:"action"`     // e.g. batch-agency-listings, hide-listing
	Target    string    `json:"target"`     // a path, an agency, a listing
	Detail    string    `json:"detail"`     // a short summary: "1,000 listings: 998 accepted, 2 rejected"
	IP        string    `json:"ip"`         // the client's address; "cli" for the command line, "poll" for a feed poll
}

// Kinds of actor in the audit log.
const (
	AuditOperator = "operator"
	AuditAgency   = "agency"
	AuditCLI      = "cli"
)

type auditKey struct{}

// pendingAudit is the audit entry a context carries to the write that
// records it, and which transaction holds its row.
type pendingAudit struct {
	e    AuditEntry
	mu   sync.Mutex
	tx   *sql.Tx // the transaction that wrote the row, until it ends
	done bool    // a committed transaction holds the row
}

// WithAudit returns a copy of ctx whose audited write records e in the
// audit log, in the write's own transaction. The first audited write made
// with the context writes the row and later ones none, so a request that
// writes once leaves one row. Kind, actor and action are required: a
// write carrying an entry without them fails. The write names its target
// when it knows one (an agency, a listing, a feed run), else e's stands
// (a request's path), and adds its result to the detail ("put 3
// listings: 2 accepted, 1 rejected"). A write spanning several
// transactions (a feed run) writes the row in the one that ends it.
func WithAudit(ctx context.Context, e AuditEntry) context.Context {
	return context.WithValue(ctx, auditKey{}, &pendingAudit{e: e})
}

// AuditOf returns the entry ctx carries for its write, if any: a caller
// changes a field with WithAudit(ctx, changed) before the write.
func AuditOf(ctx context.Context) (AuditEntry, bool) {
	p, _ := ctx.Value(auditKey{}).(*pendingAudit)
	if p == nil {
		return AuditEntry{}, false
	}
	return p.e, true
}

// audit writes the audit row of ctx, if it carries an entry whose row is
// not written yet, in tx: the transaction of the write it records, which
// calls it once its result is known. target is what the write touched
// ("" to keep the entry's); result, what it did, is added to the entry's
// detail. inTx notes the row written when tx commits.
func audit(ctx context.Context, tx *sql.Tx, target, result string) error {
	p, _ := ctx.Value(auditKey{}).(*pendingAudit)
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done || p.tx != nil {
		return nil
	}
	e := p.e
	if e.ActorKind == "" || e.Actor == "" || e.Action == "" {
		return fmt.Errorf("store: audit: actor kind, actor and action are required (got %q, %q, %q)", e.ActorKind, e.Actor, e.Action)
	}
	if target != "" {
		e.Target = target
	}
	if result != "" {
		if e.Detail != "" {
			e.Detail += "; "
		}
		e.Detail += result
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	e.At = e.At.UTC().Truncate(time.Microsecond)
	e.ActorKind, e.Actor, e.Action = clip(e.ActorKind, 20), clip(e.Actor, 200), clip(e.Action, 100)
	e.Target, e.Detail, e.IP = clip(e.Target, 500), clip(e.Detail, 1000), clip(e.IP, 100)
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at, actor_kind, actor, action, target, detail, ip)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, e.At, e.ActorKind, e.Actor, e.Action, e.Target, e.Detail, e.IP); err != nil {
		return fmt.Errorf("store: audit %s by %s: %w", e.Action, e.Actor, err)
	}
	p.tx = tx
	return nil
}

// auditEnded notes the end of tx for the entry of ctx: its row is written
// when tx committed, and still to write when it rolled back.
func auditEnded(ctx context.Context, tx *sql.Tx, committed bool) {
	p, _ := ctx.Value(auditKey{}).(*pendingAudit)
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tx == tx {
		p.tx, p.done = nil, committed
	}
}

// thousands writes n with commas, as audit details do: 1,000.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
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
