package api

import (
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"anken/internal/problem"
)

// huma answers any failure to read a request body 500 "cannot read request
// body". The server gives such a failure its kind (problem.Body, through
// the server's one body reader): one of the client's (400 for a malformed
// body, 499 for a client that went away) answers that status, with the
// body named, and is no server error.
func init() {
	next := huma.NewErrorWithContext
	huma.NewErrorWithContext = func(ctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
		if status == http.StatusInternalServerError {
			for _, err := range errs {
				if k := problem.KindOf(err); err != nil && k != problem.Internal && k.Status() < 500 {
					m := problem.Message(err)
					return next(ctx, k.Status(), m, &huma.ErrorDetail{Location: "body", Message: m})
				}
			}
		}
		return next(ctx, status, msg, errs...)
	}
}
