// Package servertest starts anken's whole HTTP server for a test, wired as
// serve wires it (server.New with every required dependency), over a
// fresh store of storetest: SQLite, or PostgreSQL with
// ANKEN_TEST_DATABASE_URL. It makes what requests need (an agency with
// its key, an operator's key, an engineer's session), speaks to the API
// (Server.Do) and to the pages as a browser without JavaScript
// (Browser), and reads pages with CSS selectors (Page, All, Text).
package servertest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"anken/internal/account"
	"anken/internal/api"
	"anken/internal/catalog"
	"anken/internal/guide"
	"anken/internal/ingest"
	"anken/internal/listing"
	"anken/internal/operate"
	"anken/internal/safefetch"
	"anken/internal/search"
	"anken/internal/search/follow"
	"anken/internal/server"
	"anken/internal/store"
	"anken/internal/store/storetest"
	"anken/internal/traffic"
)

// BaseURL is the site's address in the links the server writes (pages,
// mail), unless Options.BaseURL says otherwise.
const BaseURL = "https://anken.example"

// Options change the server Start starts; the zero value is a server on
// SQLite and the wall clock, without rate limits.
type Options struct {
	Backend string           // "sqlite" when empty, or "postgres"
	Now     func() time.Time // the store's and the counter's clock; time.Now when nil
	// PagesNow is the pages' clock; Now when nil.
	PagesNow func() time.Time
	BaseURL  string // BaseURL when empty
	// Index is what the API and the pages search; the follower's index
	// (Server.Index) when nil.
	Index catalog.Searcher
	// Health is what /readyz asks; the store's ping and the follower's
	// readiness when nil.
	Health server.Health
	// Limits are the request rate limits; none when nil.
	Limits *api.Limits
	// AccountLimits are the accounts' limits; the production ones
	// (account.Defaults) when zero.
	AccountLimits account.Limits
	Registry      *prometheus.Registry
	MetricsToken  string
	DevMail       bool         // serve the store's outbox at /dev/mail
	Log           *slog.Logger // nothing logged when nil
	FeedFetch     safefetch.Policy
}

// Server is a started server and what it is built of. Writes through the
// API and the operator service catch the index up before they answer;
// writes straight to Store are searchable after CatchUp.
type Server struct {
	URL      string
	Handler  http.Handler
	Store    *store.Store
	Index    *search.Index
	Follower *follow.Follower
	Accounts *account.Service
	Operate  *operate.Service
	Ingest   *ingest.Writer
	Guides   *guide.Library
	Traffic  *traffic.Counter // counts in memory: Flush writes them
	BaseURL  string

	ips atomic.Int64 // the engineers' sign-up addresses
}

// Start starts the server; it stops when the test ends.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	ctx := context.Background()
	if o.Backend == "" {
		o.Backend = "sqlite"
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.BaseURL == "" {
		o.BaseURL = BaseURL
	}
	st := storetest.OpenClock(t, o.Backend, o.Now)
	s := &Server{Store: st, Index: search.NewIndex(), BaseURL: o.BaseURL}
	s.Follower = follow.New(st, s.Index, time.Hour, o.Log)
	if err := s.Follower.Load(ctx); err != nil {
		t.Fatal(err)
	}
	// A write is searchable when it is answered, as a node's own writes
	// are once its follower is woken.
	wrote := func() {
		if _, err := s.Follower.CatchUp(ctx); err != nil {
			t.Error(err)
		}
	}
	var err error
	if s.Guides, err = guide.New(st, o.Log); err != nil {
		t.Fatal(err)
	}
	s.Accounts = account.New(st, account.Options{BaseURL: o.BaseURL, Log: o.Log, Limits: o.AccountLimits,
		Params: account.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}}) // cheap hashes: tests hash often
	s.Operate = operate.New(st, wrote)
	s.Ingest = ingest.NewWriter(st, wrote)
	s.Traffic = traffic.New(st, traffic.Options{Now: o.Now, Log: o.Log})
	var idx catalog.Searcher = s.Index
	if o.Index != nil {
		idx = o.Index
	}
	if o.PagesNow == nil {
		o.PagesNow = o.Now
	}
	health := o.Health
	if health == nil {
		health = ready{st, s.Follower}
	}
	opts := server.Options{
		API: api.Deps{Store: st, Index: idx, Log: o.Log, Wrote: wrote, Accounts: s.Accounts, Guides: s.Guides,
			Operate: s.Operate, Ingest: s.Ingest, FeedFetch: o.FeedFetch},
		Health: health, Log: o.Log, Registry: o.Registry, BaseURL: o.BaseURL, MetricsToken: o.MetricsToken,
		Sitemap: st, Limits: o.Limits, Traffic: s.Traffic, Now: o.PagesNow,
	}
	if o.DevMail {
		opts.DevMail = st
	}
	if s.Handler, err = server.New(opts); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler)
	t.Cleanup(srv.Close)
	t.Cleanup(s.Accounts.Wait) // mail written after an answer, before the store closes
	s.URL = srv.URL
	return s
}

type ready struct {
	st *store.Store
	f  *follow.Follower
}

func (r ready) Ping(ctx context.Context) error { return r.st.Ping(ctx) }
func (r ready) Ready() bool                    { return r.f.Ready() }

// CatchUp brings the index up to the store's writes made around the API.
func (s *Server) CatchUp(t testing.TB) {
	t.Helper()
	if _, err := s.Follower.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// Agency creates an agency and returns it with an API key of its own.
func (s *Server) Agency(t testing.TB, slug, name string) (store.Agency, string) {
	t.Helper()
	ctx := context.Background()
	a, err := s.Store.CreateAgency(ctx, slug, name)
	if err != nil {
		t.Fatal(err)
	}
	key, err := s.Store.CreateKey(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a, key
}

// Put sends the agency's listings, each one JSON object as an agency
// sends it (listing.Raw), through the one write path, and returns their
// ids by external id; a rejected one fails the test. The index has them
// when Put returns.
func (s *Server) Put(t testing.TB, a store.Agency, raws ...string) map[string]int64 {
	t.Helper()
	rs := make([]listing.Raw, len(raws))
	for i, raw := range raws {
		if err := json.Unmarshal([]byte(raw), &rs[i]); err != nil {
			t.Fatalf("listing %s: %v", raw, err)
		}
	}
	res, err := ingest.Put(context.Background(), s.Store, a, rs)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, r := range res {
		if r.Outcome == ingest.Rejected {
			t.Fatalf("listing %s rejected: %+v", r.ExternalID, r.Errors)
		}
		ids[r.ExternalID] = r.ID
	}
	s.CatchUp(t)
	return ids
}

// Operator creates an operator and returns its key.
func (s *Server) Operator(t testing.TB, name string) string {
	t.Helper()
	_, key, err := s.Store.CreateOperator(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// Engineer signs addr up with password, confirms the address by its mail
// and returns the session token the confirmation opens: the Bearer token
// of the API and the pages' session cookie (SessionCookie).
func (s *Server) Engineer(t testing.TB, addr, password string) string {
	t.Helper()
	ctx := context.Background()
	ip := fmt.Sprintf("198.51.100.%d", s.ips.Add(1)%250) // sign-ups by address are limited
	if err := s.Accounts.SignUp(ctx, ip, addr, password); err != nil {
		t.Fatalf("sign up %s: %v", addr, err)
	}
	link, err := url.Parse(s.MailLink(t, "verify", addr))
	if err != nil {
		t.Fatal(err)
	}
	_, ses, err := s.Accounts.Verify(ctx, "", link.Query().Get("token"))
	if err != nil {
		t.Fatalf("verify %s: %v", addr, err)
	}
	return ses.Token
}

// SessionCookie is the name of the engineers' session cookie.
const SessionCookie = "anken_session"

var linkRE = regexp.MustCompile(`https?://[^/\s]+(/[a-z/]+\?token=[A-Za-z0-9_%-]+)`)

// MailLink returns the path and query of the link in the newest mail of
// kind ("verify", "reset", …) to addr.
func (s *Server) MailLink(t testing.TB, kind, addr string) string {
	t.Helper()
	s.Accounts.Wait() // a reset mail is written after the answer
	mails, err := s.Store.Mails(context.Background(), "", 200)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mails {
		if m.Kind == kind && m.To == addr {
			if l := linkRE.FindStringSubmatch(m.Text); l != nil {
				return l[1]
			}
			t.Fatalf("%s mail to %s has no link:\n%s", kind, addr, m.Text)
		}
	}
	t.Fatalf("no %s mail to %s in the outbox", kind, addr)
	return ""
}

// Response is an answer of the API.
type Response struct {
	Status int
	Header http.Header
	Raw    string
	Body   map[string]any // the JSON object of Raw; nil when it is not one
}

// Do sends a request to the API with key as its Bearer token (none when
// empty), body (as JSON unless a header says otherwise) and the headers
// given as name, value, …; an empty value removes that header.
func (s *Server) Do(t testing.TB, method, path, key, body string, header ...string) Response {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] == "" {
			req.Header.Del(header[i])
		} else {
			req.Header.Set(header[i], header[i+1])
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := Response{Status: resp.StatusCode, Header: resp.Header, Raw: string(b)}
	json.Unmarshal(b, &r.Body)
	return r
}
