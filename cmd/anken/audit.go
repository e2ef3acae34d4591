package main

import (
	"context"
	"fmt"

	"anken/internal/store"
)

// auditCLI records a write made on the command line in the audit log:
// actor and address "cli". The write is done by then, so a row that
// cannot be written is an error of its own, saying so.
func auditCLI(ctx context.Context, st *store.Store, action, target, detail string) error {
	_, err := st.Audit(ctx, store.AuditEntry{ActorKind: store.AuditCLI, Actor: "cli", Action: action,
		Target: target, Detail: detail, IP: "cli"})
	if err != nil {
		return fmt.Errorf("%s of %s is done, but the audit log did not take it: %w", action, target, err)
	}
	return nil
}
