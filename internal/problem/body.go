package problem

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"syscall"
)

// Body gives a failure to read a request's body its kind: the client's
// fault, never the server's. A client that went away before sending all
// it declared (the connection closed or reset mid-body) is Canceled
// (499); a body that arrived malformed (a broken chunked encoding) is
// Invalid (400). Left as they are: nil and io.EOF, errors with a kind, a
// read that timed out (a net.Error, which readers answer 408) and a body
// over its limit (*http.MaxBytesError, 413).
func Body(err error) error {
	if err == nil || err == io.EOF || has(err) {
		return err
	}
	var timeout net.Error
	var tooLarge *http.MaxBytesError
	if errors.As(err, &timeout) && timeout.Timeout() || errors.As(err, &tooLarge) {
		return err
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, context.Canceled) {
		return &Error{Kind: Canceled, Message: "the client went away before sending the whole request body", Err: err}
	}
	return &Error{Kind: Invalid, Message: "the request body could not be read: " + err.Error(), Err: err}
}
