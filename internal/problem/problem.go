// Package problem names the few kinds of failure a request can meet and
// holds the one table from kind to HTTP status. The JSON API renders a
// failure as RFC 9457 problem+json and the pages as a Japanese HTML page;
// both ask this package for the status, so they cannot disagree.
//
// A function that knows what went wrong says so with a kind:
//
//	return problem.Errorf(problem.NotFound, "listing %d", id)
//	return fmt.Errorf("store: listing %d: %w", id, problem.NotFound)
//
// and a handler asks KindOf(err) and Status(kind). An error without a kind
// is Internal: a bug or a failure nobody classified, answered 500 and
// logged, never shown in detail.
package problem

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// Kind is a class of failure. A Kind is itself an error, so it can be
// wrapped with %w and found with errors.Is or KindOf.
type Kind int

// The kinds.
const (
	Internal      Kind = iota // a bug or an unclassified failure: 500
	Invalid                   // the request is malformed or a value is out of range: 400
	Unprocessable             // well-formed, but a value is not acceptable: 422
	Unauthorized              // no or bad credentials: 401
	Forbidden                 // credentials, but not for this: 403
	NotFound                  // no such thing (or not yours to see): 404
	NotAllowed                // the path exists, not with this method: 405
	Conflict                  // clashes with the current state: 409
	TooMany                   // rate limited: 429
	Canceled                  // the client went away: 499
	Unavailable               // a dependency is down or the node is not ready: 503
)

var kinds = [...]struct {
	name   string
	status int
	retry  int // Retry-After in seconds, for kinds worth retrying as they are
}{
	Internal:      {"internal", http.StatusInternalServerError, 0},
	Invalid:       {"invalid", http.StatusBadRequest, 0},
	Unprocessable: {"unprocessable", http.StatusUnprocessableEntity, 0},
	Unauthorized:  {"unauthorized", http.StatusUnauthorized, 0},
	Forbidden:     {"forbidden", http.StatusForbidden, 0},
	NotFound:      {"not found", http.StatusNotFound, 0},
	NotAllowed:    {"method not allowed", http.StatusMethodNotAllowed, 0},
	Conflict:      {"conflict", http.StatusConflict, 0},
	TooMany:       {"too many requests", http.StatusTooManyRequests, 1},
	Canceled:      {"canceled", 499, 0},
	Unavailable:   {"unavailable", http.StatusServiceUnavailable, 5},
}

func (k Kind) valid() bool { return k >= 0 && int(k) < len(kinds) }

// Error returns the kind's name.
func (k Kind) Error() string {
	if !k.valid() {
		return fmt.Sprintf("kind %d", int(k))
	}
	return kinds[k].name
}

// Status is the HTTP status of the kind: the one table.
func (k Kind) Status() int {
	if !k.valid() {
		return http.StatusInternalServerError
	}
	return kinds[k].status
}

// RetryAfter is the Retry-After of an answer to err in whole seconds: the
// wait an error in its chain names (a rate limit's *ratelimit.Exceeded
// knows when its bucket has a token again), else the kind's own (5 s for
// Unavailable, 1 s for TooMany), else 0: not worth retrying as it is.
func RetryAfter(err error) int {
	var w interface{ Seconds() int }
	if errors.As(err, &w) && w.Seconds() > 0 {
		return w.Seconds()
	}
	return KindOf(err).retryAfter()
}

// RetryAfterStatus is the Retry-After of an answer with this status when
// no error is at hand: the table's for the kind of that status, or 0.
func RetryAfterStatus(status int) int {
	for k := range kinds {
		if kinds[k].status == status {
			return kinds[k].retry
		}
	}
	return 0
}

func (k Kind) retryAfter() int {
	if !k.valid() {
		return 0
	}
	return kinds[k].retry
}

// Error is a failure of a known kind with a message fit to show the client
// (in English, for the API; pages show their own text per kind) and,
// where values are to blame, which.
type Error struct {
	Kind    Kind
	Message string   // for the client: what was wrong and what to do
	Details []Detail // the values to blame, if any
	Err     error    // the cause, for logs; not shown to the client
}

// Detail names one bad value of a request.
type Detail struct {
	Location string // where it was: "query.rate_min", "body.url", "header.Idempotency-Key"
	Value    any    // the value, echoed back (nil to leave it out)
	Message  string // what is wrong with it
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = e.Kind.Error()
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the kind and the cause, so errors.Is finds both.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// Errorf returns an Error of kind k whose client message is the formatted
// text. A %w verb keeps its operand as the cause.
func Errorf(k Kind, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	return &Error{Kind: k, Message: err.Error(), Err: errors.Unwrap(err)}
}

// Field returns an error of kind k naming the value at location.
func Field(k Kind, location string, value any, message string) error {
	return &Error{Kind: k, Message: message, Details: []Detail{{Location: location, Value: value, Message: message}}}
}

// Wrap gives err the kind k unless it has a kind already or is a context
// error (which KindOf classifies); message is what the client sees. A nil
// err stays nil.
func Wrap(k Kind, err error, message string) error {
	if err == nil {
		return nil
	}
	if has(err) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &Error{Kind: k, Message: message, Err: err}
}

// KindOf returns the kind of err: the first Kind in its chain, Canceled
// for a context cancelled by the client, Unavailable for a deadline that
// ran out, Internal otherwise.
func KindOf(err error) Kind {
	var k Kind
	switch {
	case err == nil:
		return Internal
	case errors.As(err, &k) && k.valid():
		return k
	case errors.Is(err, context.Canceled):
		return Canceled
	case errors.Is(err, context.DeadlineExceeded):
		return Unavailable
	}
	return Internal
}

// StatusOf is KindOf(err).Status().
func StatusOf(err error) int { return KindOf(err).Status() }

// Message returns what the client may be told about err: the message of
// its Error, or a generic sentence for the kind. Causes stay in the logs.
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Message != "" && e.Kind != Internal {
		return e.Message
	}
	switch k := KindOf(err); k {
	case Internal:
		return "internal error; it has been logged"
	case Unavailable:
		return "the service is not answering right now; retry shortly"
	case Canceled:
		return "request cancelled"
	case NotFound:
		return "not found"
	default:
		return k.Error()
	}
}

func has(err error) bool {
	var k Kind
	return errors.As(err, &k)
}
