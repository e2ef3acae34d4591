package problem

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"syscall"
	"testing"
)

func TestBody(t *testing.T) {
	timeout := &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
	tooLarge := &http.MaxBytesError{Limit: 10}
	for _, c := range []struct {
		err  error
		kind Kind // Internal: left as it is
	}{
		{errors.New("invalid byte in chunk length"), Invalid},
		{errors.New("malformed chunked encoding"), Invalid},
		{io.ErrUnexpectedEOF, Canceled},
		{fmt.Errorf("read: %w", syscall.ECONNRESET), Canceled},
		{net.ErrClosed, Canceled},
		{context.Canceled, Canceled},
		{nil, Internal},
		{io.EOF, Internal},
		{timeout, Internal},
		{tooLarge, Internal},
		{Errorf(Unprocessable, "kept"), Internal},
	} {
		got := Body(c.err)
		if c.kind == Internal {
			if got != c.err {
				t.Errorf("Body(%v) = %v, want it left as it is", c.err, got)
			}
			continue
		}
		if KindOf(got) != c.kind || !errors.Is(got, c.err) || Message(got) == "" {
			t.Errorf("Body(%v) = %v (%v), want kind %v wrapping it", c.err, got, KindOf(got), c.kind)
		}
	}
}
