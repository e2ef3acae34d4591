package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"anken/internal/api"
	"anken/internal/ingest"
	"anken/internal/ratelimit"
	"anken/internal/server/servertest"
)

// limitFixture is a server with small limits on a clock the test moves:
// a burst of 3 in every class, then one every 10 s.
type limitFixture struct {
	h          http.Handler
	reg        *prometheus.Registry
	now        time.Time
	keyA, keyB string
	secretA    string
}

func newLimitFixture(t *testing.T) *limitFixture {
	t.Helper()
	fx := &limitFixture{reg: prometheus.NewRegistry(), now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return fx.now }
	lim := func() *ratelimit.Limiter { return ratelimit.New(3, 10*time.Second).Clock(clock) }
	s := servertest.Start(t, servertest.Options{Health: fakeHealth{ready: true}, Registry: fx.reg,
		Limits: &api.Limits{Agency: lim(), Write: lim(), Read: lim(),
			TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}}})
	fx.h = s.Handler
	a, key := s.Agency(t, "agency-a", "A")
	fx.keyA = key
	_, fx.keyB = s.Agency(t, "agency-b", "B")
	var err error
	if fx.secretA, err = s.Store.NewWebhookSecret(context.Background(), a.ID); err != nil {
		t.Fatal(err)
	}
	return fx
}

// do serves one request from the address from with the headers (name,
// value, …).
func (fx *limitFixture) do(method, path, from, body string, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.RemoteAddr = from + ":40000"
	if strings.Contains(from, ":") {
		r.RemoteAddr = "[" + from + "]:40000"
	}
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	fx.h.ServeHTTP(w, r)
	return w
}

const limitListing = `{"title": "【Go】決済APIの開発", "description": "Goでの決済API開発。", "rate": "月額60万円"}`

// TestRateLimits: each class allows its burst, then answers 429 with
// Retry-After in whole seconds (problem+json under /v1, a page for
// pages), counts the refusal, and allows again once the wait is over;
// each key has its own bucket.
func TestRateLimits(t *testing.T) {
	tests := []struct {
		name    string
		class   string
		req     func(fx *limitFixture, n int) *httptest.ResponseRecorder // the nth request of the burst
		ok      int                                                      // status while under the limit
		ctype   string                                                   // of the 429
		other   func(fx *limitFixture) *httptest.ResponseRecorder        // another key's request, not limited
		otherOK int
	}{
		{"agency writes per key", api.ClassAgency,
			func(fx *limitFixture, n int) *httptest.ResponseRecorder {
				return fx.do("PUT", "/v1/agency/listings/X-1", "192.0.2.1", limitListing, "Authorization", "Bearer "+fx.keyA)
			}, 200, "application/problem+json",
			func(fx *limitFixture) *httptest.ResponseRecorder { // same address, another agency
				return fx.do("PUT", "/v1/agency/listings/X-1", "192.0.2.1", limitListing, "Authorization", "Bearer "+fx.keyB)
			}, 200},
		{"a batch is one request", api.ClassAgency,
			func(fx *limitFixture, n int) *httptest.ResponseRecorder {
				body := `{"listings": [` + strings.Repeat(`{"external_id": "B-1", "title": "【Go】決済APIの開発", "description": "Go。", "rate": "月額60万円"},`, 20)
				return fx.do("POST", "/v1/agency/listings:batch", "192.0.2.1", strings.TrimSuffix(body, ",")+`]}`, "Authorization", "Bearer "+fx.keyA)
			}, 200, "application/problem+json", nil, 0},
		{"signed webhooks count for their agency", api.ClassAgency,
			func(fx *limitFixture, n int) *httptest.ResponseRecorder {
				// From a new address each time: the agency's bucket limits them.
				body := `{"id": "evt-` + string(rune('a'+n)) + `", "type": "listing.close", "external_id": "X-1"}`
				return fx.do("POST", "/v1/webhooks/agency-a", "192.0.2."+string(rune('1'+n)), body,
					ingest.SignatureHeader, ingest.Sign(fx.secretA, time.Now(), []byte(body)))
			}, 202, "application/problem+json", nil, 0},
		{"anonymous writes per address", api.ClassWrite,
			func(fx *limitFixture, n int) *httptest.ResponseRecorder {
				return fx.do("POST", "/v1/webhooks/agency-a", "192.0.2.1", `{}`, ingest.SignatureHeader, "t=1,v1=00")
			}, 401, "application/problem+json",
			func(fx *limitFixture) *httptest.ResponseRecorder {
				return fx.do("POST", "/v1/webhooks/agency-a", "192.0.2.2", `{}`, ingest.SignatureHeader, "t=1,v1=00")
			}, 401},
		{"agency writes with a bad key per address", api.ClassWrite,
			func(fx *limitFixture, n int) *httptest.ResponseRecorder {
				return fx.do("DELETE", "/v1/agency/listings/X-1", "192.0.2.1", "", "Authorization", "Bearer ak_guess")
			}, 401, "application/problem+json",
			func(fx *limitFixture) *httptest.ResponseRecorder { // the agency's own key from that address
				return fx.do("DELETE", "/v1/agency/listings/X-1", "192.0.2.1", "", "Authorization", "Bearer "+fx.keyA)
			}, 404},
		{"searches with facets per address", api.ClassRead,
			func(fx *limitFixture, n int) *httptest.ResponseRecorder {
				return fx.do("GET", "/v1/listings?facets=role", "192.0.2.1", "")
			}, 200, "application/problem+json",
			func(fx *limitFixture) *httptest.ResponseRecorder { // a plain search is not an expensive read
				return fx.do("GET", "/v1/listings?q=go", "192.0.2.1", "")
			}, 200},
		{"statistics per address", api.ClassRead,
			func(fx *limitFixture, n int) *httptest.ResponseRecorder {
				return fx.do("GET", "/v1/stats", "192.0.2.1", "")
			},
			200, "application/problem+json",
			func(fx *limitFixture) *httptest.ResponseRecorder { return fx.do("GET", "/v1/stats", "192.0.2.9", "") }, 200},
		{"the search page per address", api.ClassRead,
			func(fx *limitFixture, n int) *httptest.ResponseRecorder {
				return fx.do("GET", "/search?q=go", "192.0.2.1", "")
			},
			200, "text/html",
			func(fx *limitFixture) *httptest.ResponseRecorder { return fx.do("GET", "/listings/1", "192.0.2.1", "") }, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx := newLimitFixture(t)
			for i := range 3 {
				if w := tt.req(fx, i); w.Code != tt.ok {
					t.Fatalf("request %d of the burst of 3: %d, want %d: %s", i+1, w.Code, tt.ok, w.Body)
				}
			}
			w := tt.req(fx, 3)
			if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "10" || !strings.HasPrefix(w.Header().Get("Content-Type"), tt.ctype) {
				t.Fatalf("the 4th request: %d, Retry-After %q, %s; want 429, 10, %s: %s",
					w.Code, w.Header().Get("Retry-After"), w.Header().Get("Content-Type"), tt.ctype, w.Body)
			}
			if tt.ctype == "application/problem+json" && !strings.Contains(w.Body.String(), "retry in 10 seconds") {
				t.Errorf("429 says %s; want what was limited and how long to wait", w.Body)
			}
			if got := limitedCount(t, fx.reg, tt.class); got != 1 {
				t.Errorf("anken_http_rate_limited_total{class=%q} = %v, want 1", tt.class, got)
			}
			if tt.other != nil {
				if w := tt.other(fx); w.Code != tt.otherOK {
					t.Errorf("another key's request: %d, want %d (its own bucket): %s", w.Code, tt.otherOK, w.Body)
				}
			}
			fx.now = fx.now.Add(9 * time.Second)
			if w := tt.req(fx, 4); w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "1" {
				t.Errorf("9 s later: %d, Retry-After %q; want 429, 1", w.Code, w.Header().Get("Retry-After"))
			}
			fx.now = fx.now.Add(time.Second)
			if w := tt.req(fx, 5); w.Code != tt.ok {
				t.Errorf("after the wait: %d, want %d: %s", w.Code, tt.ok, w.Body)
			}
		})
	}
}

// limitedCount reads anken_http_rate_limited_total{class}.
func limitedCount(t *testing.T, reg *prometheus.Registry, class string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "anken_http_rate_limited_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "class" && l.GetValue() == class {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	t.Fatalf("no anken_http_rate_limited_total{class=%q}", class)
	return 0
}

// TestRateLimitsTrustProxiesListed: X-Forwarded-For names the client
// only on a request from a listed proxy; from anywhere else it is
// ignored, so a client cannot pick its own bucket.
func TestRateLimitsTrustProxiesListed(t *testing.T) {
	fx := newLimitFixture(t)
	facets := func(from, xff string) int {
		return fx.do("GET", "/v1/listings?facets=role", from, "", "X-Forwarded-For", xff).Code
	}
	for i := range 3 {
		if c := facets("10.1.2.3", "198.51.100.7"); c != 200 {
			t.Fatalf("request %d through the proxy: %d", i+1, c)
		}
	}
	if c := facets("10.9.9.9", "198.51.100.7"); c != 429 {
		t.Errorf("the same client through another listed proxy: %d, want 429 (one bucket per client)", c)
	}
	if c := facets("10.1.2.3", "198.51.100.8"); c != 200 {
		t.Errorf("another client through the proxy: %d, want 200 (its own bucket)", c)
	}
	// Spoofed hops before the client's are the client's say, not the proxy's.
	if c := facets("10.1.2.3", "203.0.113.1, 198.51.100.7"); c != 429 {
		t.Errorf("the client naming a made-up address first: %d, want 429 (the proxy appended 198.51.100.7)", c)
	}
	// An address not listed is the client, whatever it claims.
	for i := range 3 {
		if c := facets("192.0.2.50", "198.51.100.99"); c != 200 {
			t.Fatalf("request %d from an unlisted address: %d", i+1, c)
		}
	}
	if c := facets("192.0.2.50", "198.51.100.100"); c != 429 {
		t.Errorf("an unlisted address claiming another client: %d, want 429 (X-Forwarded-For ignored)", c)
	}

	l := &api.Limits{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}}
	for _, tt := range []struct{ remote, xff, want string }{
		{"192.0.2.1:5000", "198.51.100.7", "192.0.2.1"},
		{"10.0.0.1:5000", "", "10.0.0.1"},
		{"10.0.0.1:5000", "198.51.100.7", "198.51.100.7"},
		{"10.0.0.1:5000", "198.51.100.7, 10.0.0.2", "198.51.100.7"},
		{"10.0.0.1:5000", "garbage, 198.51.100.7", "198.51.100.7"},
		{"10.0.0.1:5000", "198.51.100.7, garbage", "10.0.0.1"},
		{"[::1]:5000", "2001:db8::1", "2001:db8::1"},
		{"[::ffff:10.0.0.1]:5000", "::ffff:198.51.100.7", "198.51.100.7"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		if got := l.ClientIP(r); got != tt.want {
			t.Errorf("ClientIP(%s, X-Forwarded-For %q) = %s, want %s", tt.remote, tt.xff, got, tt.want)
		}
	}
}
