package problem

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
)

func TestKindOf(t *testing.T) {
	cause := errors.New("dial tcp 127.0.0.1:5432: connection refused")
	tests := []struct {
		name   string
		err    error
		kind   Kind
		status int
		msg    string
	}{
		{"plain error", errors.New("boom"), Internal, 500, "internal error; it has been logged"},
		{"wrapped kind", fmt.Errorf("store: listing 7: %w", NotFound), NotFound, 404, "not found"},
		{"Errorf", Errorf(Invalid, "cursor %q cannot be used", "x"), Invalid, 400, `cursor "x" cannot be used`},
		{"field", Field(Unprocessable, "query.skill", "cobol9", "not a known skill"), Unprocessable, 422, "not a known skill"},
		{"wrap keeps cause out of message", Wrap(Unavailable, cause, "the store is not answering"), Unavailable, 503, "the store is not answering"},
		{"wrap keeps an existing kind", Wrap(Unavailable, fmt.Errorf("x: %w", NotFound), "ignored"), NotFound, 404, "not found"},
		{"client went away", fmt.Errorf("search: %w", context.Canceled), Canceled, 499, "request cancelled"},
		{"deadline", context.DeadlineExceeded, Unavailable, 503, "the service is not answering right now; retry shortly"},
		{"internal message hidden", &Error{Kind: Internal, Message: "secret detail"}, Internal, 500, "internal error; it has been logged"},
		{"too many", TooMany, TooMany, http.StatusTooManyRequests, "too many requests"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := KindOf(tt.err); got != tt.kind {
				t.Errorf("KindOf = %v, want %v", got, tt.kind)
			}
			if got := StatusOf(tt.err); got != tt.status {
				t.Errorf("StatusOf = %d, want %d", got, tt.status)
			}
			if got := Message(tt.err); got != tt.msg {
				t.Errorf("Message = %q, want %q", got, tt.msg)
			}
		})
	}
}

func TestErrorUnwrap(t *testing.T) {
	cause := errors.New("disk full")
	err := fmt.Errorf("import: %w", Wrap(Unavailable, cause, "cannot store"))
	if !errors.Is(err, cause) || !errors.Is(err, Unavailable) {
		t.Fatalf("errors.Is lost the cause or the kind: %v", err)
	}
	if errors.Is(err, NotFound) {
		t.Fatalf("errors.Is(err, NotFound) = true for an Unavailable error")
	}
	if Wrap(Internal, nil, "x") != nil {
		t.Fatal("Wrap(nil) is not nil")
	}
}

func TestEveryKindHasAStatus(t *testing.T) {
	seen := map[int]Kind{}
	for k := Internal; k.valid(); k++ {
		s := k.Status()
		if s < 400 || s > 599 {
			t.Errorf("%v: status %d is not an error status", k, s)
		}
		if other, dup := seen[s]; dup {
			t.Errorf("%v and %v share status %d", k, other, s)
		}
		seen[s] = k
	}
}

type waitErr struct{ s int }

func (e waitErr) Error() string { return "slow down" }
func (e waitErr) Seconds() int  { return e.s }
func (e waitErr) Unwrap() error { return TooMany }

func TestRetryAfter(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want int
	}{
		{Errorf(Unavailable, "store down"), 5},
		{fmt.Errorf("wrapped: %w", waitErr{42}), 42},
		{Errorf(TooMany, "limited"), 1},
		{Errorf(NotFound, "gone"), 0},
		{errors.New("bug"), 0},
	} {
		if got := RetryAfter(tt.err); got != tt.want {
			t.Errorf("RetryAfter(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
	if RetryAfterStatus(503) != 5 || RetryAfterStatus(429) != 1 || RetryAfterStatus(500) != 0 {
		t.Error("RetryAfterStatus: want 5 for 503, 1 for 429, 0 for 500")
	}
}
