// Package server assembles anken's HTTP server: the JSON API, health and
// metrics endpoints, and the middleware every request passes through
// (request id, access log, metrics, panic recovery).
package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"anken/internal/api"
)

// Health reports what /readyz checks.
type Health interface {
	Ping(ctx context.Context) error // the store answers
	Ready() bool                    // the search index is loaded
}

// Options configure New.
type Options struct {
	API      api.Deps
	Health   Health
	Log      *slog.Logger
	Registry *prometheus.Registry // metrics; a new one when nil
}

// New returns the handler for every path anken serves.
func New(o Options) http.Handler {
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
	}
	reg := o.Registry
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := newMetrics(reg)

	mux := http.NewServeMux()
	o.API.Log = o.Log
	doc := api.Register(mux, o.API)
	mux.Handle("GET /docs", docsHandler(doc.OpenAPI()))
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
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" && r.Method == http.MethodGet {
			http.Redirect(w, r, "/docs", http.StatusFound)
			return
		}
		writeProblem(w, http.StatusNotFound, "no such path: "+r.URL.Path+"; the API is under /v1, described at /openapi.json")
	})
	return requestID(accessLog(o.Log, m, recoverPanics(o.Log, api.JoinListParams(mux))))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// writeProblem answers with an RFC 9457 problem outside huma's operations.
func writeProblem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{
		"title":  http.StatusText(status),
		"status": status,
		"detail": detail,
	})
}
