// Package server assembles anken's HTTP server: the JSON API, health and
// metrics endpoints, and the middleware every request passes through
// (request id, access log, metrics, panic recovery).
package server

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"anken/internal/api"
	"anken/internal/catalog"
	"anken/internal/problem"
	"anken/internal/traffic"
	"anken/internal/web"
)

// Health reports what /readyz checks.
type Health interface {
	Ping(ctx context.Context) error // the store answers
	Ready() bool                    // the search index is loaded
}

// Options configure New. API's Store, Index, Accounts, Guides, Operate
// and Ingest, Health, Sitemap and Traffic are required: New refuses to
// start without one, naming it. The others may be left zero.
type Options struct {
	API      api.Deps
	Health   Health
	Log      *slog.Logger
	Registry *prometheus.Registry // metrics; a new one when nil
	// BaseURL is the site's absolute address for canonical links, feeds
	// and sitemaps; "http://127.0.0.1:8080" when empty.
	BaseURL string
	// MetricsToken, when set, serves /metrics on this handler to requests
	// bearing it; without it /metrics is not served here (see Metrics for
	// a handler of its own on another address).
	MetricsToken string
	// DevMail, when set, serves the mail outbox at /dev/mail (serve --demo).
	DevMail web.DevMailStore
	// Sitemap lists the open listings /sitemap.xml names.
	Sitemap web.SitemapStore
	// Limits are the request rate limits; none when nil. Refused requests
	// are counted in anken_http_rate_limited_total by class.
	Limits *api.Limits
	// Traffic counts the pages' impressions, views and apply clicks
	// (/go).
	Traffic *traffic.Counter
	// Now is the pages' clock; time.Now when nil.
	Now func() time.Time
}

// missing names the first required dependency o lacks, or is "".
func (o Options) missing() string {
	for _, d := range []struct {
		name string
		set  bool
	}{
		{"API.Store", o.API.Store != nil},
		{"API.Index", o.API.Index != nil},
		{"API.Accounts", o.API.Accounts != nil},
		{"API.Guides", o.API.Guides != nil},
		{"API.Operate", o.API.Operate != nil},
		{"API.Ingest", o.API.Ingest != nil},
		{"Health", o.Health != nil},
		{"Sitemap", o.Sitemap != nil},
		{"Traffic", o.Traffic != nil},
	} {
		if !d.set {
			return d.name
		}
	}
	return ""
}

// New returns the handler for every path anken serves: the JSON API under
// /v1, the pages, /docs, health and metrics. Every response passes the
// same middleware (request id, access log, metrics, panic recovery,
// security headers), and every failure, an unknown path or a wrong method
// included, is answered through the one table of problem kinds: as
// problem+json for the API and machine paths, as a Japanese page for
// pages.
func New(o Options) (http.Handler, error) {
	if m := o.missing(); m != "" {
		return nil, fmt.Errorf("server: Options.%s is required", m)
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.BaseURL == "" {
		o.BaseURL = "http://127.0.0.1:8080"
	}
	reg := o.Registry
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := newMetrics(reg)

	mux := http.NewServeMux()
	o.API.Log = o.Log
	if o.API.Catalog == nil {
		o.API.Catalog = &catalog.Catalog{Store: o.API.Store, Index: o.API.Index}
	}
	if o.API.Server == "" {
		o.API.Server = o.BaseURL
	}
	doc := api.Register(mux, o.API)
	docs, err := docsHandler(doc.OpenAPI())
	if err != nil {
		return nil, err
	}
	site, err := web.New(web.Deps{Catalog: o.API.Catalog, Log: o.Log, BaseURL: o.BaseURL, Now: o.Now, Sitemap: o.Sitemap, DevMail: o.DevMail,
		Accounts: o.API.Accounts, Guides: o.API.Guides, Operate: o.API.Operate, Traffic: o.Traffic})
	if err != nil {
		return nil, err
	}
	site.Register(mux)
	mux.Handle("GET /docs", docs)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		checks := map[string]string{"store": "ok", "index": "ok"}
		status := http.StatusOK
		if err := o.Health.Ping(ctx); err != nil {
			checks["store"] = "unreachable"
			status = http.StatusServiceUnavailable
		}
		if !o.Health.Ready() {
			checks["index"] = "loading"
			status = http.StatusServiceUnavailable
		}
		writeJSON(w, status, checks)
	})
	if o.MetricsToken != "" {
		mux.Handle("GET /metrics", bearer(o.MetricsToken, Metrics(reg)))
	}

	f := failer{site: site}
	var serve http.Handler = mux
	if o.Limits != nil {
		limited := prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "anken_http_rate_limited_total", Help: "Requests refused with 429 by a rate limit, by class (agency, write, read).",
		}, []string{"class"})
		reg.MustRegister(limited)
		for _, c := range []string{api.ClassAgency, api.ClassWrite, api.ClassRead} {
			limited.WithLabelValues(c)
		}
		l := *o.Limits
		l.Limited = func(class string) { limited.WithLabelValues(class).Inc() }
		serve = l.Handler(f.fail, mux)
	}
	routes := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pattern := mux.Handler(r)
		if pattern == "" {
			f.miss(mux, w, r)
			return
		}
		setRoute(r, pattern)
		serve.ServeHTTP(w, r)
	})
	deny := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.fail(w, r, problem.Errorf(problem.Forbidden, "cross-origin %s refused: post forms from this site", r.Method))
	})
	return requestID(accessLog(o.Log, m, recoverPanics(o.Log, f, readBodies(f, web.Secure(api.JoinListParams(routes), deny))))), nil
}

// Metrics serves the registry's metrics in Prometheus's format.
func Metrics(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

// bearer lets through requests whose Authorization is "Bearer token".
func bearer(token string, next http.Handler) http.Handler {
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="anken metrics"`)
			api.WriteProblem(w, problem.Errorf(problem.Unauthorized, "metrics need the token: Authorization: Bearer <ANKEN_METRICS_TOKEN>"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// failer answers failures outside the handlers that render their own.
type failer struct{ site *web.Site }

// machinePaths answer problem+json; every other path is a page, unless
// the client asks for JSON and not HTML.
var machinePaths = []string{"/v1/", "/openapi", "/healthz", "/readyz", "/metrics"}

func (f failer) fail(w http.ResponseWriter, r *http.Request, err error) {
	if wantsProblem(r) {
		api.WriteProblem(w, err)
		return
	}
	f.site.Error(w, r, err)
}

func wantsProblem(r *http.Request) bool {
	for _, p := range machinePaths {
		if strings.HasPrefix(r.URL.Path, p) {
			return true
		}
	}
	accept := r.Header.Get("Accept")
	return strings.Contains(accept, "json") && !strings.Contains(accept, "text/html")
}

// miss answers a request no pattern matched: 405 with Allow when the path
// exists under other methods, else 404.
func (f failer) miss(mux *http.ServeMux, w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if m == r.Method {
			continue
		}
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := mux.Handler(probe); pattern != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		f.fail(w, r, problem.Errorf(problem.NotAllowed, "%s is not allowed on %s; use %s", r.Method, r.URL.Path, strings.Join(allow, ", ")))
		return
	}
	msg := "no such path: " + r.URL.Path
	if strings.HasPrefix(r.URL.Path, "/v1/") {
		msg += "; the API is described at /openapi.json"
	}
	f.fail(w, r, problem.Errorf(problem.NotFound, "%s", msg))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
