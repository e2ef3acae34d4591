package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
)

type nonceKey struct{}

// Nonce returns the request's CSP nonce: the one value a <script> or
// <style> element of a page may carry to be allowed. Empty outside Secure.
func Nonce(ctx context.Context) string {
	n, _ := ctx.Value(nonceKey{}).(string)
	return n
}

// Secure sets the security headers of every response, pages, API and
// /docs alike: a Content-Security-Policy that allows scripts and styles
// only from this origin or with the request's nonce (never inline code or
// event-handler attributes), no framing, no MIME sniffing and a referrer
// that does not leak search URLs to other sites. Cross-origin form posts
// are refused with 403 by the standard library's CrossOriginProtection
// (requests without browser fetch metadata, such as agencies' API
// clients and webhooks, pass); deny answers them.
func Secure(next, deny http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(deny)
	guarded := cop.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [18]byte
		rand.Read(b[:])
		nonce := base64.StdEncoding.EncodeToString(b[:])
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self' 'nonce-"+nonce+"'; style-src 'self' 'nonce-"+nonce+"'; "+
			"img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		guarded.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), nonceKey{}, nonce)))
	})
}
