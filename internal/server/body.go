package server

import (
	"io"
	"net/http"

	"anken/internal/problem"
)

// readBodies is the one place request bodies enter: a failure to read one
// (a broken chunked encoding, a client that went away mid-body) reaches
// whoever reads it, huma or a handler, as the client's (problem.Body:
// 400, or 499 for a client gone), so it is answered and logged as such
// and never as a server error.
func readBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = clientBody{r.Body}
		}
		next.ServeHTTP(w, r)
	})
}

// clientBody is a request body whose read errors have their kind.
type clientBody struct{ io.ReadCloser }

func (b clientBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	return n, problem.Body(err)
}
