package api

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"anken/internal/store"
)

// AuditStore appends to the audit log; *store.Store is one.
type AuditStore interface {
	Audit(ctx context.Context, e store.AuditEntry) (store.AuditEntry, error)
}

// auditNote is what a request's handlers tell the audit log of it: who,
// when the handler knows better than the key (an operator's name), and
// what the write did. Empty fields take the defaults of auditWrites.
type auditNote struct {
	kind, actor    string
	target, detail string
}

type auditNoteKey struct{}

// noteAudit sets the target and detail of the audit row of ctx's request,
// for a write whose path alone says too little ("1,000 listings: 998
// accepted, 2 rejected"). Empty arguments keep what is there.
func noteAudit(ctx context.Context, target, detail string) {
	n, _ := ctx.Value(auditNoteKey{}).(*auditNote)
	if n == nil {
		return
	}
	if target != "" {
		n.target = target
	}
	if detail != "" {
		n.detail = detail
	}
}

// auditedTags are the tags of the operations whose writes are audited:
// agencies' (listings, feeds, webhooks), operators' and guide edits.
// Engineers' own writes (accounts, saved searches) are not: they are
// personal data, not operations on the catalogue.
var auditedTags = []string{"agency", "operator", "guides"}

// auditWrites records one row in the audit log for every successful
// write (2xx, 3xx) of an audited operation: one per request, so a batch
// of 1,000 listings is one row. It wraps the operations registered after
// it. The actor is the operator or agency of the request's key (the
// handlers' note, else found again from the key), or for a webhook
// delivery the agency whose signature it carried; the action is the
// operation's id; the target its path unless the handler noted one; the
// address the client's (RemoteAddr, which the rate limiter sets from a
// trusted proxy's X-Forwarded-For). A row that cannot be written is
// logged: the write it records is already done.
func (h *handlers) auditWrites(audit AuditStore, ctx huma.Context, next func(huma.Context)) {
	op := ctx.Operation()
	switch ctx.Method() {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		next(ctx)
		return
	}
	if audit == nil || op == nil || !slices.ContainsFunc(op.Tags, func(t string) bool { return slices.Contains(auditedTags, t) }) {
		next(ctx)
		return
	}
	n := &auditNote{}
	next(huma.WithValue(ctx, auditNoteKey{}, n))
	if st := ctx.Status(); st < 200 || st >= 400 {
		return
	}
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx.Context()), 5*time.Second)
	defer cancel()
	if n.actor == "" {
		h.auditActor(bg, ctx, n)
	}
	u := ctx.URL()
	e := store.AuditEntry{ActorKind: n.kind, Actor: n.actor, Action: op.OperationID, Target: n.target, Detail: n.detail, IP: remoteIP(ctx.RemoteAddr())}
	if e.Target == "" {
		e.Target = u.Path
	}
	if _, err := audit.Audit(bg, e); err != nil {
		h.Log.ErrorContext(bg, "audit log: row not written", slog.String("action", e.Action), slog.String("actor", e.Actor),
			slog.String("target", e.Target), slog.Any("err", err))
	}
}

// auditActor finds who made the request: the agency of a webhook path,
// else the holder of the bearer key. A key no longer found (revoked
// meanwhile) is named by its prefix.
func (h *handlers) auditActor(ctx context.Context, hc huma.Context, n *auditNote) {
	if slug := hc.Param("agency"); slug != "" && strings.HasPrefix(hc.URL().Path, "/v1/webhooks/") {
		n.kind, n.actor = store.AuditAgency, slug
		return
	}
	key, _ := strings.CutPrefix(hc.Header("Authorization"), "Bearer ")
	key = strings.TrimSpace(key)
	if strings.HasPrefix(key, store.OperatorKeyPrefix) {
		n.kind = store.AuditOperator
		if h.Operators != nil {
			if o, err := h.Operators.OperatorByKey(ctx, key); err == nil {
				n.actor = o.Name
				return
			}
		}
	} else {
		n.kind = store.AuditAgency
		if a, err := h.Store.AgencyByKey(ctx, key); err == nil {
			n.actor = a.Slug
			return
		}
	}
	n.actor = "key " + key[:min(len(key), 9)] + "…"
}

// thousands writes n with commas: 1,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// remoteIP is the host of a RemoteAddr.
func remoteIP(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}
