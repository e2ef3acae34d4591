package api

import (
	"context"
	"net"
	"net/http"
	"slices"

	"github.com/danielgtaylor/huma/v2"

	"anken/internal/store"
)

// auditedTags are the tags of the operations whose writes are audited:
// agencies' (listings, feeds, webhooks), operators' and guide edits.
// Engineers' own writes (accounts, saved searches) are not: they are
// personal data, not operations on the catalogue.
var auditedTags = []string{"agency", "operator", "guides"}

// auditWrites gives every write (not GET, HEAD or OPTIONS) of an audited
// operation the audit entry its store write records in its own
// transaction (store.WithAudit): one row per request that writes, so a
// batch of 1,000 listings is one row, and none for a request refused
// before its write or whose write fails. It wraps the operations
// registered after it. The action is the operation's id, the target its
// path (the store names a better one where it has it: the agency, the
// listing, the feed run), the address the client's (RemoteAddr, which the
// rate limiter sets from a trusted proxy's X-Forwarded-For). Who it is
// is named once known, by auditAs: the authenticated agency or operator,
// or for a webhook delivery the agency whose signature it carried. A
// write reaching the store without one fails.
func auditWrites(ctx huma.Context, next func(huma.Context)) {
	op := ctx.Operation()
	switch ctx.Method() {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		next(ctx)
		return
	}
	if op == nil || !slices.ContainsFunc(op.Tags, func(t string) bool { return slices.Contains(auditedTags, t) }) {
		next(ctx)
		return
	}
	e := store.AuditEntry{Action: op.OperationID, Target: ctx.URL().Path, IP: remoteIP(ctx.RemoteAddr())}
	next(huma.WithContext(ctx, store.WithAudit(ctx.Context(), e)))
}

// auditAs names who makes the request in its audit entry, if it has one
// (an audited write).
func auditAs(ctx context.Context, kind, actor string) context.Context {
	e, ok := store.AuditOf(ctx)
	if !ok {
		return ctx
	}
	e.ActorKind, e.Actor = kind, actor
	return store.WithAudit(ctx, e)
}

// remoteIP is the host of a RemoteAddr.
func remoteIP(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}
