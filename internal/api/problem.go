package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"

	"anken/internal/problem"
	"anken/internal/store"
)

// fail turns a failure into the API's answer through the one table of
// problem kinds: the status is the kind's, the detail its client message,
// and a value to blame is named in errors[]. Failures of the server's own
// (5xx) are logged with their cause, which the client never sees.
func (h *handlers) fail(ctx context.Context, err error) error {
	status := h.logged(ctx, err)
	he := huma.NewError(status, problem.Message(err), details(err)...)
	if s := problem.RetryAfter(err); s > 0 {
		return huma.ErrorWithHeaders(he, http.Header{"Retry-After": {strconv.Itoa(s)}})
	}
	return he
}

// refuse is fail for a huma middleware, which writes the answer itself
// rather than returning it: the same status, body and headers.
func (h *handlers) refuse(ctx huma.Context, err error) {
	status := h.logged(ctx.Context(), err)
	if s := problem.RetryAfter(err); s > 0 {
		ctx.SetHeader("Retry-After", strconv.Itoa(s))
	}
	huma.WriteErr(h.api, ctx, status, problem.Message(err), details(err)...)
}

// logged returns err's status, logging the cause of a failure of the
// server's own (5xx), which the client never sees.
func (h *handlers) logged(ctx context.Context, err error) int {
	status := problem.StatusOf(err)
	if status >= 500 {
		h.Log.ErrorContext(ctx, "request failed", slog.Int("status", status), slog.Any("err", err))
	}
	return status
}

// details are the values err blames, as problem+json's errors[].
func details(err error) []error {
	var out []error
	var pe *problem.Error
	if errors.As(err, &pe) {
		for _, d := range pe.Details {
			out = append(out, &huma.ErrorDetail{Location: d.Location, Value: d.Value, Message: d.Message})
		}
	}
	return out
}

// storeError is fail for an error of the store while reading or writing
// what: not found names what, anything else means the store is not
// answering.
func (h *handlers) storeError(ctx context.Context, err error, what string) error {
	if errors.Is(err, store.ErrNotFound) {
		return h.fail(ctx, problem.Errorf(problem.NotFound, "%s not found", what))
	}
	return h.fail(ctx, problem.Wrap(problem.Unavailable, err, "the store is not answering; retry shortly"))
}

// fault returns an error of kind k for the client with the bad values
// named in details.
func fault(k problem.Kind, message string, details ...problem.Detail) error {
	return &problem.Error{Kind: k, Message: message, Details: details}
}

// WriteProblem answers err as RFC 9457 problem+json with the status of its
// kind, for paths outside the API's operations (unknown paths, wrong
// methods, panics) that must answer like them.
func WriteProblem(w http.ResponseWriter, err error) {
	status := problem.StatusOf(err)
	body := huma.ErrorModel{Title: http.StatusText(status), Status: status, Detail: problem.Message(err)}
	var pe *problem.Error
	if errors.As(err, &pe) {
		for _, d := range pe.Details {
			body.Errors = append(body.Errors, &huma.ErrorDetail{Location: d.Location, Value: d.Value, Message: d.Message})
		}
	}
	if s := problem.RetryAfter(err); s > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(s))
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(&body)
}

// maxEchoed is the most of a bad value a problem echoes back.
const maxEchoed = 200

// clipEchoed is a response transformer of the API's config: huma echoes
// the whole request body as the value of a body that does not parse (up to
// the 64 MiB of a batch), so every problem, huma's own included, echoes at
// most maxEchoed bytes of any value. Nothing global is replaced.
func clipEchoed(_ huma.Context, _ string, v any) (any, error) {
	if em, ok := v.(*huma.ErrorModel); ok {
		for _, d := range em.Errors {
			d.Value = clipValue(d.Value)
		}
	}
	return v, nil
}

// clipValue cuts a long string value, on a character boundary, marking
// the cut.
func clipValue(v any) any {
	s, ok := v.(string)
	if !ok || len(s) <= maxEchoed {
		return v
	}
	cut := maxEchoed
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("… (%d bytes in all)", len(s))
}
