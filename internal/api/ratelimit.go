package api

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"anken/internal/problem"
	"anken/internal/ratelimit"
)

// Limits are the request rate limits, a token bucket per agency or per
// client address in each class:
//
//   - ClassAgency, per agency: each write made with its key (a batch of up
//     to 1,000 listings or a feed upload is one request) and each webhook
//     delivery whose signature is good.
//   - ClassWrite, per client address: every other write (webhook
//     deliveries before their signature is checked, accounts, forms), and
//     agency writes whose key is missing or not valid.
//   - ClassRead, per client address: the expensive reads (searches with
//     facets or a cursor, /v1/stats, /v1/estimate, the /search and
//     /market pages).
//
// A nil limiter leaves its class unlimited. Limits are per process, as
// the buckets are in memory.
type Limits struct {
	Agency, Write, Read *ratelimit.Limiter
	// TrustedProxies are the addresses whose X-Forwarded-For is believed:
	// a request from one of them is from the last address of that header
	// not itself trusted. Every other request is from its connection's
	// address, whatever it claims.
	TrustedProxies []netip.Prefix
	// Limited, when set, is told the class of every request refused.
	Limited func(class string)
}

// The classes of Limits, as the metric of refused requests labels them.
const (
	ClassAgency = "agency"
	ClassWrite  = "write"
	ClassRead   = "read"
)

type limitsKey struct{}

// limited is what a handler needs to charge a request's agency after it
// is known: the limits and the client's address.
type limited struct {
	l  *Limits
	ip string
}

// Handler limits the requests next serves and answers those over their
// limit through fail: 429, with Retry-After in whole seconds. It resolves
// the client's address first (TrustedProxies), so every handler after it
// sees the client's in RemoteAddr. Agency writes are charged by the
// handler that authenticates them (see chargeAgency), as only it knows
// the agency.
func (l *Limits) Handler(fail func(http.ResponseWriter, *http.Request, error), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := l.ClientIP(r)
		if len(l.TrustedProxies) > 0 {
			if host, _, err := net.SplitHostPort(r.RemoteAddr); err != nil || host != ip {
				r = r.Clone(r.Context())
				r.RemoteAddr = net.JoinHostPort(ip, "0")
			}
		}
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			if expensive(r) {
				if err := l.check(ClassRead, l.Read, ip, "expensive reads (searches with facets or a cursor, statistics, the search and market pages) from this address"); err != nil {
					fail(w, r, err)
					return
				}
			}
		default:
			if !strings.HasPrefix(r.URL.Path, "/v1/agency/") {
				if err := l.check(ClassWrite, l.Write, ip, "writes from this address"); err != nil {
					fail(w, r, err)
					return
				}
			}
			r = r.WithContext(context.WithValue(r.Context(), limitsKey{}, limited{l, ip}))
		}
		next.ServeHTTP(w, r)
	})
}

// check takes one event for key from lim, or returns the 429 to answer.
func (l *Limits) check(class string, lim *ratelimit.Limiter, key, what string) error {
	if lim == nil {
		return nil
	}
	ok, wait := lim.Allow(key)
	if ok {
		return nil
	}
	if l.Limited != nil {
		l.Limited(class)
	}
	ex := &ratelimit.Exceeded{What: what, RetryAfter: wait}
	return &problem.Error{Kind: problem.TooMany, Message: ex.Error(), Err: ex}
}

// expensive tells the reads limited per address: those that count or
// walk much of the index.
func expensive(r *http.Request) bool {
	p := r.URL.Path
	switch {
	case p == "/v1/listings":
		q := r.URL.Query()
		return q.Get("facets") != "" || q.Get("cursor") != ""
	case p == "/v1/stats" || strings.HasPrefix(p, "/v1/stats/") || p == "/v1/estimate":
		return true
	case p == "/search" || p == "/search.atom" || p == "/market":
		return true
	}
	return false
}

// ClientIP is the address r comes from: its connection's, or, when that
// is a trusted proxy, the last address in X-Forwarded-For that is not.
func (l *Limits) ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !l.trusted(peer) {
		return host
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // what comes before a hop that is not an address is anybody's say
		}
		client = a.Unmap()
		if !l.trusted(client) {
			break
		}
	}
	return client.String()
}

func (l *Limits) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range l.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// chargeAgency takes one write from the agency's bucket, for a write
// request authenticated as the agency (its key, or a webhook's
// signature); it returns the 429 to answer when the bucket is empty.
func chargeAgency(ctx context.Context, agency string) error {
	lt, ok := ctx.Value(limitsKey{}).(limited)
	if !ok {
		return nil
	}
	return lt.l.check(ClassAgency, lt.l.Agency, agency, "writes for this agency")
}

// chargeBadKey takes one write from the client address's bucket, for an
// agency write whose key is missing or not valid: such a request is
// anonymous.
func chargeBadKey(ctx context.Context) error {
	lt, ok := ctx.Value(limitsKey{}).(limited)
	if !ok {
		return nil
	}
	return lt.l.check(ClassWrite, lt.l.Write, lt.ip, "writes from this address")
}

// documentLimits adds the 429 answer, with its Retry-After, to every
// operation Limits.Handler may refuse: the writes, and the reads it
// counts as expensive (searches with facets or a cursor, statistics,
// estimates), so the document says what the server does.
func documentLimits(doc *huma.OpenAPI) {
	status := strconv.Itoa(http.StatusTooManyRequests)
	for path, item := range doc.Paths {
		for method, op := range map[string]*huma.Operation{http.MethodGet: item.Get, http.MethodPut: item.Put,
			http.MethodPost: item.Post, http.MethodPatch: item.Patch, http.MethodDelete: item.Delete} {
			if op == nil || op.Responses[status] != nil {
				continue
			}
			if method == http.MethodGet && !expensive(&http.Request{URL: &url.URL{Path: path, RawQuery: "facets=role"}}) {
				continue
			}
			var content map[string]*huma.MediaType
			for _, r := range op.Responses {
				if r.Content["application/problem+json"] != nil {
					content = r.Content
					break
				}
			}
			if op.Responses == nil {
				op.Responses = map[string]*huma.Response{}
			}
			op.Responses[status] = &huma.Response{
				Description: "Too Many Requests: this client's (agency key's, or address's) rate limit is spent; retry after Retry-After seconds. Limits are set by ANKEN_RATE_AGENCY, ANKEN_RATE_WRITE and ANKEN_RATE_READ.",
				Headers: map[string]*huma.Param{"Retry-After": {
					Description: "Whole seconds to wait before retrying.",
					Schema:      &huma.Schema{Type: huma.TypeInteger},
				}},
				Content: content,
			}
		}
	}
}
