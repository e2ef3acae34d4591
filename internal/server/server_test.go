package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"strings"
	"testing"

	"anken/internal/account"
	"anken/internal/api"
	"anken/internal/catalog"
	"anken/internal/guide"
	"anken/internal/ingest"
	"anken/internal/operate"
	"anken/internal/search"
	"anken/internal/server"
	"anken/internal/server/servertest"
	"anken/internal/store/storetest"
	"anken/internal/traffic"
)

type fakeHealth struct {
	pingErr error
	ready   bool
}

func (f fakeHealth) Ping(context.Context) error { return f.pingErr }
func (f fakeHealth) Ready() bool                { return f.ready }

// panicky is a search index that fails the way a bug would.
type panicky struct{}

func (panicky) Search(context.Context, search.Query) (search.Result, error) { panic("boom") }
func (panicky) Stats(context.Context, search.Query, search.Basis) (search.Stats, error) {
	panic("boom")
}
func (panicky) Position() int64 { return 0 }
func (panicky) Unchanged(q search.Query, since int64) (int64, bool) {
	return 0, false
}

// metricsToken is the /metrics token of the servers tests start.
const metricsToken = "test-metrics-token-0123"

func newServer(t *testing.T, h server.Health, idx catalog.Searcher) *servertest.Server {
	t.Helper()
	return servertest.Start(t, servertest.Options{Health: h, Index: idx, MetricsToken: metricsToken})
}

func get(t *testing.T, url string, header ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestEndpoints(t *testing.T) {
	idx := search.NewIndex()
	tests := []struct {
		name   string
		health fakeHealth
		path   string
		status int
		ctype  string
		body   string // must contain
	}{
		{"alive", fakeHealth{}, "/healthz", 200, "application/json", `"ok"`},
		{"ready", fakeHealth{ready: true}, "/readyz", 200, "application/json", `"index":"ok"`},
		{"index loading", fakeHealth{}, "/readyz", 503, "application/json", `"index":"loading"`},
		{"store down", fakeHealth{ready: true, pingErr: errors.New("down")}, "/readyz", 503, "application/json", `"store":"unreachable"`},
		{"openapi", fakeHealth{}, "/openapi.json", 200, "application/", `"openapi":"3.1.0"`},
		{"docs page", fakeHealth{}, "/docs", 200, "text/html", "/v1/listings"},
		{"unknown API path", fakeHealth{}, "/v1/nothing", 404, "application/problem+json", "/v1/nothing"},
		{"unknown page", fakeHealth{}, "/v2/nothing", 404, "text/html", "ページが見つかりません"},
		{"malformed escape", fakeHealth{}, "/v1/listings?q=%zz&remote=full", 400, "application/problem+json", "malformed"},
		{"malformed escape on a page", fakeHealth{}, "/search?q=%zz", 400, "text/html", "リクエストを読み取れませんでした"},
		{"bad value on a page", fakeHealth{}, "/search?remote=moon", 422, "text/html", "query.remote"},
		{"missing listing page", fakeHealth{}, "/listings/999999", 404, "text/html", "ページが見つかりません"},
		{"top page", fakeHealth{}, "/", 200, "text/html", "件の案件を掲載中"},
		{"repeated list params", fakeHealth{}, "/v1/listings?facets=role&facets=remote", 200, "application/json", `"remote":{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, tt.health, idx)
			resp, body := get(t, srv.URL+tt.path)
			if resp.StatusCode != tt.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), tt.ctype) ||
				!strings.Contains(body, tt.body) {
				t.Errorf("GET %s = %d %q %.200s; want %d %s containing %s", tt.path, resp.StatusCode,
					resp.Header.Get("Content-Type"), body, tt.status, tt.ctype, tt.body)
			}
		})
	}
}

func TestRequestIDAndMetrics(t *testing.T) {
	srv := newServer(t, fakeHealth{ready: true}, search.NewIndex())
	resp, _ := get(t, srv.URL+"/healthz", "X-Request-Id", "abc-123")
	if got := resp.Header.Get("X-Request-Id"); got != "abc-123" {
		t.Errorf("sane client id not echoed: %q", got)
	}
	resp, _ = get(t, srv.URL+"/healthz", "X-Request-Id", "bad id\twith <junk>")
	if got := resp.Header.Get("X-Request-Id"); got == "" || strings.ContainsAny(got, " <\t") {
		t.Errorf("junk id not replaced: %q", got)
	}
	get(t, srv.URL+"/v1/listings?q=go")
	for _, auth := range []string{"", "Bearer wrong-token-0123456789", "Basic " + metricsToken} {
		resp, _ := get(t, srv.URL+"/metrics", "Authorization", auth)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("/metrics with Authorization %q = %d, want 401", auth, resp.StatusCode)
		}
	}
	_, metrics := get(t, srv.URL+"/metrics", "Authorization", "Bearer "+metricsToken)
	for _, want := range []string{
		`anken_http_requests_total{code="200",method="GET",route="GET /healthz"}`,
		`anken_http_requests_total{code="200",method="GET",route="GET /v1/listings"}`,
		"go_goroutines",
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestPanicBecomesProblem(t *testing.T) {
	srv := newServer(t, fakeHealth{ready: true}, panicky{})
	resp, body := get(t, srv.URL+"/v1/listings")
	if resp.StatusCode != 500 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") ||
		strings.Contains(body, "boom") {
		t.Errorf("panic answered %d %q %s; want a 500 problem that hides the panic", resp.StatusCode,
			resp.Header.Get("Content-Type"), body)
	}
}

// TestFailuresThroughOneTable checks that what no handler serves is
// answered like the rest: 405 with Allow for a known path, problem+json
// for the API, a page for pages.
func TestFailuresThroughOneTable(t *testing.T) {
	srv := newServer(t, fakeHealth{ready: true}, search.NewIndex())
	tests := []struct {
		method, path, accept string
		status               int
		ctype, allow         string
	}{
		{"POST", "/v1/listings", "", 405, "application/problem+json", "GET, HEAD"},
		{"DELETE", "/search", "", 405, "text/html", "GET, HEAD"},
		{"GET", "/v1/agency/listings/x", "", 401, "application/problem+json", ""},
		{"PATCH", "/v1/agency/listings/x", "", 405, "application/problem+json", "GET, HEAD, PUT, DELETE"},
		{"GET", "/nowhere", "application/json", 404, "application/problem+json", ""},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, srv.URL+tt.path, nil)
		if tt.accept != "" {
			req.Header.Set("Accept", tt.accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), tt.ctype) || resp.Header.Get("Allow") != tt.allow {
			t.Errorf("%s %s = %d %q Allow %q; want %d %s Allow %q", tt.method, tt.path, resp.StatusCode,
				resp.Header.Get("Content-Type"), resp.Header.Get("Allow"), tt.status, tt.ctype, tt.allow)
		}
	}
}

// TestSecurityHeaders checks the headers every response carries, and that
// a cross-site form post is refused.
func TestSecurityHeaders(t *testing.T) {
	srv := newServer(t, fakeHealth{ready: true}, search.NewIndex())
	for _, path := range []string{"/", "/search?q=go", "/docs", "/v1/listings", "/nowhere", "/static/style.css"} {
		resp, _ := get(t, srv.URL+path)
		csp := resp.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self' 'nonce-", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP allows unsafe-inline: %q", path, csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Referrer-Policy") == "" {
			t.Errorf("%s: nosniff %q, Referrer-Policy %q", path, resp.Header.Get("X-Content-Type-Options"), resp.Header.Get("Referrer-Policy"))
		}
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/agency/listings:batch", strings.NewReader("{}"))
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST = %d, want 403", resp.StatusCode)
	}
}

// TestMetricsNotPublicByDefault checks that without a token the main
// handler does not serve /metrics at all.
func TestMetricsNotPublicByDefault(t *testing.T) {
	srv := servertest.Start(t, servertest.Options{Health: fakeHealth{ready: true}})
	resp, body := get(t, srv.URL+"/metrics")
	if resp.StatusCode != http.StatusNotFound || strings.Contains(body, "go_goroutines") {
		t.Errorf("/metrics without a token = %d %.100s, want 404", resp.StatusCode, body)
	}
}

// TestProbesLogAtDebug: health probes and metrics scrapes, which machines
// send every few seconds, are logged at debug; people's requests, and a
// probe's server failure, at info and error as before.
func TestProbesLogAtDebug(t *testing.T) {
	logs := &servertest.Buffer{}
	srv := servertest.Start(t, servertest.Options{Health: fakeHealth{},
		Log: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), MetricsToken: metricsToken})
	get(t, srv.URL+"/healthz")
	get(t, srv.URL+"/readyz") // 503: the index is loading
	get(t, srv.URL+"/metrics", "Authorization", "Bearer "+metricsToken)
	get(t, srv.URL+"/v1/listings?q=go")
	get(t, srv.URL+"/")
	want := map[string]string{"/healthz": "DEBUG", "/readyz": "DEBUG", "/metrics": "DEBUG", "/v1/listings": "INFO", "/": "INFO"}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec struct{ Level, Msg, Path string }
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec.Msg == "request" {
			got[rec.Path] = rec.Level
		}
	}
	if !maps.Equal(got, want) {
		t.Errorf("access log levels by path = %v, want %v", got, want)
	}
}

// TestDocsByAudience: /docs starts with a table of contents linking every
// operation of the OpenAPI document, and presents the operations by
// audience, the search first (GET /v1/listings is the first operation),
// then engineers, agencies and operators; each operation once.
func TestDocsByAudience(t *testing.T) {
	srv := newServer(t, fakeHealth{ready: true}, search.NewIndex())
	_, page := get(t, srv.URL+"/docs")
	_, raw := get(t, srv.URL+"/openapi.json")
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
		} `json:"paths"`
	}
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatal(err)
	}
	toc, body, ok := strings.Cut(page, "</nav>")
	if !ok || !strings.Contains(toc, `<nav class="toc"`) {
		t.Fatalf("no table of contents:\n%.2000s", page)
	}
	n := 0
	for path, item := range doc.Paths {
		for method, op := range item {
			n++
			if !strings.Contains(toc, `href="#`+op.OperationID+`"`) {
				t.Errorf("the table of contents lacks %s %s (#%s)", strings.ToUpper(method), path, op.OperationID)
			}
			if c := strings.Count(body, `<div class="op" id="`+op.OperationID+`"`); c != 1 {
				t.Errorf("%s %s (#%s) is on the page %d times, want once", strings.ToUpper(method), path, op.OperationID, c)
			}
		}
	}
	if got := strings.Count(body, `<div class="op" id="`); got != n {
		t.Errorf("%d operations on the page, %d in the document", got, n)
	}
	last := -1
	for _, id := range []string{"search", "engineers", "agencies", "operators", "schemas"} {
		i := strings.Index(body, `<h2 id="`+id+`">`)
		if i < 0 || i < last {
			t.Errorf("section %q at %d, after the one before at %d: want search, engineers, agencies, operators, schemas in order", id, i, last)
		}
		last = i
	}
	if first := strings.Index(body, `<div class="op" id="`); first < 0 || !strings.HasPrefix(body[first:], `<div class="op" id="search-listings"`) {
		t.Errorf("the first operation is not GET /v1/listings: %.200s", body[max(first, 0):])
	}
}

// TestRequiredDeps: New refuses to start without a required dependency
// and names it.
func TestRequiredDeps(t *testing.T) {
	st := storetest.Open(t, "sqlite")
	log := slog.New(slog.DiscardHandler)
	guides, err := guide.New(st, log)
	if err != nil {
		t.Fatal(err)
	}
	full := func() server.Options {
		return server.Options{
			API: api.Deps{Store: st, Index: search.NewIndex(), Accounts: account.New(st, account.Options{}), Guides: guides,
				Operate: operate.New(st, nil), Ingest: ingest.NewWriter(st, nil)},
			Health: fakeHealth{}, Sitemap: st, Traffic: traffic.New(st, traffic.Options{}), Log: log,
		}
	}
	if _, err := server.New(full()); err != nil {
		t.Fatalf("every dependency set: %v", err)
	}
	for name, drop := range map[string]func(*server.Options){
		"API.Store":    func(o *server.Options) { o.API.Store = nil },
		"API.Index":    func(o *server.Options) { o.API.Index = nil },
		"API.Accounts": func(o *server.Options) { o.API.Accounts = nil },
		"API.Guides":   func(o *server.Options) { o.API.Guides = nil },
		"API.Operate":  func(o *server.Options) { o.API.Operate = nil },
		"API.Ingest":   func(o *server.Options) { o.API.Ingest = nil },
		"Health":       func(o *server.Options) { o.Health = nil },
		"Sitemap":      func(o *server.Options) { o.Sitemap = nil },
		"Traffic":      func(o *server.Options) { o.Traffic = nil },
	} {
		o := full()
		drop(&o)
		if _, err := server.New(o); err == nil || !strings.Contains(err.Error(), "Options."+name+" is required") {
			t.Errorf("without %s: %v, want an error naming it", name, err)
		}
	}
}
