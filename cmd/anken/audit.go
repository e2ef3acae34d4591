package main

import (
	"context"

	"anken/internal/store"
)

// cliAudit returns ctx for a write made on the command line: the store
// writes its audit row (actor and address "cli", the action) in the
// write's own transaction, with the target and detail the write gives.
func cliAudit(ctx context.Context, action string) context.Context {
	return store.WithAudit(ctx, store.AuditEntry{ActorKind: store.AuditCLI, Actor: "cli", Action: action, IP: "cli"})
}
