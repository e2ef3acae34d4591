package api

import (
	"slices"

	"github.com/danielgtaylor/huma/v2"
)

// noStore marks the answers no cache may keep: those of every operation
// that takes credentials (an engineer's session, an agency's or an
// operator's key), which answer personal data, keys and secrets, and of
// every account operation (they answer tokens, or what an address's owner
// did). Errors carry it too: the header is set before the operation runs.
// Register puts it before every operation.
func noStore(ctx huma.Context, next func(huma.Context)) {
	if private(ctx.Operation()) {
		ctx.SetHeader("Cache-Control", "no-store")
	}
	next(ctx)
}

// private reports whether op's answers must not be kept by caches.
func private(op *huma.Operation) bool {
	if op == nil {
		return false
	}
	for _, req := range op.Security {
		if len(req) > 0 {
			return true
		}
	}
	return slices.Contains(op.Tags, "accounts") || slices.Contains(op.Tags, "me")
}
