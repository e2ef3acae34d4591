package server

import (
	"io"
	"net/http"

	"anken/internal/problem"
)

// readBodies is the one place request bodies enter. A failure to read one
// (a broken chunked encoding, a client that went away mid-body) reaches
// whoever reads it as the client's (problem.Body: Invalid, or Canceled
// for a client gone); and when the reader answers it as a server error
// anyway (huma answers every body it cannot read 500 "cannot read request
// body"), the answer is replaced by the failure's own through f: 400 or
// 499, logged at info like any answer, never counted as a server error.
func readBodies(f failer, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		body := &clientBody{ReadCloser: r.Body}
		r.Body = body
		next.ServeHTTP(&bodyWriter{ResponseWriter: w, body: body, fail: func(err error) { f.fail(w, r, err) }}, r)
	})
}

// clientBody is a request body whose read errors have their kind; it
// keeps the first.
type clientBody struct {
	io.ReadCloser
	err error
}

func (b *clientBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	err = problem.Body(err)
	if b.err == nil && err != nil && problem.KindOf(err) != problem.Internal && problem.StatusOf(err) < 500 {
		b.err = err
	}
	return n, err
}

// bodyWriter answers a 5xx given after the body failed the client's way
// with that failure instead, and drops what the handler writes after.
type bodyWriter struct {
	http.ResponseWriter
	body     *clientBody
	fail     func(error)
	replaced bool
}

func (w *bodyWriter) WriteHeader(code int) {
	if code >= 500 && w.body.err != nil && !w.replaced {
		w.replaced = true
		w.fail(w.body.err)
		return
	}
	if !w.replaced {
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *bodyWriter) Write(b []byte) (int, error) {
	if w.replaced {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

func (w *bodyWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
