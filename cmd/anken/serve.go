package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"anken/internal/account"
	"anken/internal/alert"
	"anken/internal/api"
	"anken/internal/catalog"
	"anken/internal/config"
	"anken/internal/guide"
	"anken/internal/ingest"
	"anken/internal/mail"
	"anken/internal/operate"
	"anken/internal/ratelimit"
	"anken/internal/safefetch"
	"anken/internal/search"
	"anken/internal/search/follow"
	"anken/internal/server"
	"anken/internal/store"
	"anken/internal/traffic"
	"anken/internal/web"
)

// devMailStore is what /dev/mail shows: the outbox under --demo when mail
// goes nowhere else (no ANKEN_SMTP_URL), else nil, no such page. A page
// that shows every mail, reset links included, has no place on a server
// that mails people; the page itself answers only loopback clients.
func devMailStore(demo bool, smtpURL string, st web.DevMailStore) web.DevMailStore {
	if !demo || smtpURL != "" {
		return nil
	}
	return st
}

func serve(ctx context.Context, cfg config.Config, args []string, stderr io.Writer) error {
	fs := newFlags("serve")
	addr := fs.String("addr", cfg.Addr, "listen address (ANKEN_ADDR)")
	demoFlag := fs.Bool("demo", false, "fill an empty store with generated listings on first start")
	demoN := fs.Int("demo-listings", cfg.DemoListings, "how many listings --demo generates (ANKEN_DEMO_LISTINGS)")
	dataDir := fs.String("data-dir", cfg.DataDir, "SQLite data directory (ANKEN_DATA_DIR)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg.Addr, cfg.DemoListings, cfg.DataDir = *addr, *demoN, *dataDir
	log := newLogger(cfg, stderr)
	if w := goWarning(runtime.Version()); w != "" {
		log.Warn(w)
	}
	setMemoryLimit(cfg.MemoryLimit, os.Getenv, log)

	// serve makes the store when there is none (openStore would not).
	st, err := openStoreWith(ctx, store.Config{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir})
	if err != nil {
		return err
	}
	defer st.Close()
	log.Info("store ready", slog.String("dialect", st.Dialect()))
	devMail := devMailStore(*demoFlag, cfg.SMTPURL, st)
	if devMail == nil && *demoFlag {
		log.Info("no /dev/mail: mail goes to ANKEN_SMTP_URL")
	}
	if *demoFlag {
		if err := seedDemo(ctx, st, cfg.DemoListings, log); err != nil {
			if ctx.Err() != nil { // a signal while seeding: stop, not fail
				log.Info("stopped while seeding demo listings")
				return nil
			}
			return err
		}
	}

	// Guides and job-type articles: the files in the binary seed the
	// store; an operator's edit there wins over them (internal/guide).
	guides, err := guide.New(st, log)
	if err != nil {
		return err
	}
	if n, err := guides.Seed(ctx); err != nil {
		return err
	} else if n > 0 {
		log.Info("guides seeded from the content files", slog.Int("written", n))
	}

	baseURL := cmp.Or(cfg.BaseURL, "http://"+cfg.Addr)
	idx := search.NewIndex()
	follower := follow.New(st, idx, cfg.IndexPoll, log)
	// The index starts from the snapshot this node wrote, when it is of
	// this store and the store's change log holds it, and is written
	// again after a build, every ANKEN_INDEX_SNAPSHOT_EVERY while it
	// changes, and on stopping (ANKEN_INDEX_SNAPSHOT).
	if path := cfg.IndexSnapshotPath(); path != "" {
		follower.KeepSnapshots(follow.SnapshotOptions{Path: path, Every: cfg.IndexSnapshotEvery, Store: st})
	}
	// One read layer for the API, the pages and the mail.
	cat := &catalog.Catalog{Store: st, Index: idx, FiguresMaxAge: catalog.DefaultFiguresMaxAge}
	// Engineers' accounts, for the API and the pages alike.
	accounts := account.New(st, account.Options{BaseURL: baseURL, Log: log})
	// Listings' impressions, views and apply clicks (/go) are counted in
	// memory and written to the store every traffic.FlushEvery, and once
	// more after the server has drained (its Run below).
	counter := traffic.New(st, traffic.Options{Log: log})
	reg := prometheus.NewRegistry()
	// The queues, the store and the index's lag, read at each scrape.
	reg.MustRegister(&opsCollector{st: st, f: follower, mail: cfg.SMTPURL != ""})
	h, err := server.New(server.Options{
		API: api.Deps{
			Store:    st,
			Index:    idx,
			Catalog:  cat,
			Accounts: accounts,
			Guides:   guides,
			Wrote:    follower.Notify,
			// Operators' actions, for the API and the /ops pages alike.
			Operate: operate.New(st, follower.Notify),
			// The one write path of agencies' listings sent by the API.
			Ingest: ingest.NewWriter(st, follower.Notify),
			// Feed sources naming a non-public address are refused at once.
			FeedFetch: safefetch.Policy{AllowHosts: cfg.FeedAllowHosts, Timeout: cfg.FeedTimeout},
		},
		BaseURL:      baseURL,
		Health:       health{st, follower},
		Log:          log,
		Registry:     reg,
		MetricsToken: cfg.MetricsToken,
		DevMail:      devMail,
		Sitemap:      st,
		Limits: &api.Limits{Agency: limiter(cfg.RateAgency), Write: limiter(cfg.RateWrite), Read: limiter(cfg.RateRead),
			TrustedProxies: cfg.TrustedProxies},
		Traffic: counter,
	})
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	reqs := &inflight{h: h}
	srv := &http.Server{
		Handler:           reqs,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // large batches and feed uploads
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}

	// One lifecycle for everything the process runs. stop ends on a signal
	// (ctx) or on the first failure of any part (the server, the index
	// load); then the HTTP server drains, and only after it the background
	// work (bg) is cancelled, so a request in flight still has its index
	// and workers. serve returns once every part has returned.
	g, stop := errgroup.WithContext(ctx)
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBG()

	g.Go(func() error {
		log.Info("listening", slog.String("addr", ln.Addr().String()),
			slog.String("docs", "http://"+ln.Addr().String()+"/docs"))
		log.Info("open in a browser", browseURLs(ln.Addr(), devMail != nil)...)
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve: %w", err)
		}
		return nil
	})
	// /metrics on an address of its own (ANKEN_METRICS_ADDR), for a
	// scraper on a private network; the main address serves it only with
	// ANKEN_METRICS_TOKEN. The private address also serves Go's profiles
	// under /debug/pprof/, which the public address never does.
	var metrics *http.Server
	if cfg.MetricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen on %s for metrics: %w", cfg.MetricsAddr, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", server.Metrics(reg))
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
		metrics = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
			ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
		g.Go(func() error {
			log.Info("metrics", slog.String("addr", mln.Addr().String()))
			if err := metrics.Serve(mln); !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("serve metrics: %w", err)
			}
			return nil
		})
	}
	g.Go(func() error {
		<-stop.Done()
		shutdown(srv, reqs, cfg.ShutdownTimeout, log)
		accounts.Wait() // reset mails of answers already given
		if metrics != nil {
			metrics.Close()
		}
		stopBG()
		return nil
	})
	// The index loads while the server already answers /healthz; /readyz
	// says "loading" until it is done. A load that fails stops the process:
	// a node that can never be ready must not linger.
	g.Go(func() error {
		if err := follower.Load(bg); err != nil {
			if bg.Err() != nil {
				return nil // stopped while loading
			}
			log.Error("index load failed", slog.Any("err", err))
			return fmt.Errorf("index load: %w", err)
		}
		// The store's duplicate buckets, built now rather than by the
		// first write that groups a listing, which would wait for them.
		g.Go(func() error {
			start := time.Now()
			if err := st.WarmDuplicates(bg); err != nil {
				if bg.Err() == nil {
					log.Warn("duplicate buckets: built at the first write instead", slog.Any("err", err))
				}
				return nil
			}
			log.Info("duplicate buckets ready", slog.Duration("took", time.Since(start)))
			return nil
		})
		follower.Run(bg)
		// Stopping: the server has drained (bg ends after it) and no
		// change is applied any more. The snapshot at the last position
		// makes the next start quick; it gets the shutdown grace again.
		save, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
		defer cancel()
		follower.SaveSnapshot(save) // logged
		return nil
	})
	// Listings whose valid_through has passed close by themselves: checked
	// at start and every minute. Feed runs a stopped process left receiving
	// are aborted before the workers start, then every 5 minutes.
	expirer := &ingest.Expirer{Store: st, Log: log, Wrote: follower.Notify, StaleRuns: max(ingest.StaleRunAge, 2*cfg.FeedTimeout)}
	expirer.AbortStale(bg)
	// Ingestion: inbox workers and the feed poller share the database with
	// every other node; each item is claimed by one of them.
	for i := range cfg.IngestWorkers {
		w := &ingest.Worker{Store: st, Log: log.With(slog.Int("worker", i)), Wrote: follower.Notify, Lease: cfg.IngestLease,
			Now: time.Now} // the store's clock (store.Config.Now is nil)
		g.Go(func() error { w.Run(bg); return nil })
	}
	poller := &ingest.Poller{Store: st, Log: log, Wrote: follower.Notify, MaxBytes: cfg.FeedMaxBytes,
		Fetch: safefetch.Policy{AllowHosts: cfg.FeedAllowHosts, Timeout: cfg.FeedTimeout}}
	g.Go(func() error { poller.Run(bg); return nil })
	g.Go(func() error { expirer.Run(bg); return nil })
	// Market figures: one node a day snapshots them for the trend charts.
	g.Go(func() error { marketDaily(st, idx, follower, log, *demoFlag).Run(bg); return nil })
	// Mail: with ANKEN_SMTP_URL, a sender takes the outbox to the SMTP
	// server (on every node; each mail is claimed by one). Without it no
	// sender runs and mail waits in the outbox (anken mail outbox).
	if cfg.SMTPURL != "" {
		g.Go(func() error {
			sender, err := mail.NewSender(mail.SMTP{URL: cfg.SMTPURL, From: cfg.MailFrom})
			if err != nil {
				return err
			}
			(&mail.Worker{Store: st, Sender: sender, Log: log, Metrics: reg, Now: time.Now}).Run(bg) // the store's clock
			return nil
		})
	} else {
		log.Info("mail: no ANKEN_SMTP_URL; mail stays in the outbox")
	}
	// New-listing mail: one node at a time (a lease in the store) matches
	// the change log against every saved search and writes due alerts to
	// the outbox.
	alerts := alert.New(alert.Config{Store: st, Catalog: cat, Log: log, BaseURL: baseURL, Bundle: cfg.AlertBundle})
	g.Go(func() error { return alerts.Run(bg) })
	g.Go(func() error { pruneAccounts(bg, st, log); return nil })
	// Counts: this node's, added to every other node's in the store. bg
	// ends after the server has drained, so the last flush has every
	// count of every answer given.
	g.Go(func() error { counter.Run(bg); return nil })

	if err := g.Wait(); err != nil {
		log.Error("stopped on failure", slog.Any("err", err))
		return err
	}
	log.Info("stopped")
	return nil
}

// browseURLs are where to go once serve listens on addr, as log
// attributes: the pages, the API's docs and, when it is served, the mail
// outbox's page. A wildcard address is browsed on loopback.
func browseURLs(addr net.Addr, devMail bool) []any {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	base := "http://" + net.JoinHostPort(host, port)
	urls := []any{slog.String("pages", base+"/"), slog.String("docs", base+"/docs")}
	if devMail {
		urls = append(urls, slog.String("dev_mail", base+"/dev/mail"))
	}
	return urls
}

// shutdown stops accepting connections and gives requests in flight grace
// to finish. Then it closes the connections left, so that a long upload
// cannot hold the process, and waits a little for their handlers to record
// how they ended (an upload cut off leaves its feed run aborted).
func shutdown(srv *http.Server, reqs *inflight, grace time.Duration, log *slog.Logger) {
	log.Info("shutting down: finishing in-flight requests", slog.Duration("grace", grace))
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(ctx); err == nil {
		return
	}
	log.Warn("shutdown grace over: closing remaining connections", slog.Int64("requests", reqs.n.Load()))
	if err := srv.Close(); err != nil {
		log.Warn("close connections", slog.Any("err", err))
	}
	wait, cancel := context.WithTimeout(context.Background(), handlerWait)
	defer cancel()
	if !reqs.wait(wait) {
		log.Warn("requests still running after their connections closed; stopping without them",
			slog.Int64("requests", reqs.n.Load()))
	}
}

// handlerWait is how long shutdown waits, after closing connections, for
// their handlers to return.
const handlerWait = 15 * time.Second

// inflight counts the requests whose handler is running: http.Server.Close
// closes their connections but does not wait for the handlers.
type inflight struct {
	h http.Handler
	n atomic.Int64
}

func (f *inflight) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.n.Add(1)
	defer f.n.Add(-1)
	f.h.ServeHTTP(w, r)
}

// wait waits until no handler runs, or ctx ends; it reports whether none runs.
func (f *inflight) wait(ctx context.Context) bool {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for f.n.Load() > 0 {
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
	}
	return true
}

type health struct {
	st *store.Store
	f  *follow.Follower
}

func (h health) Ping(ctx context.Context) error { return h.st.Ping(ctx) }
func (h health) Ready() bool                    { return h.f.Ready() }

func reindex(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	fs := newFlags("reindex")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	idx := search.NewIndex()
	start := time.Now()
	f := follow.New(st, idx, time.Second, slog.New(slog.DiscardHandler))
	if err := f.Load(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "index built: %d open listings, change log at %d, in %s\n",
		idx.Len(), f.Seq(), time.Since(start).Round(time.Millisecond))
	fmt.Fprintln(stdout, "(the index lives in each serve process's memory, loaded at start from the node's snapshot when it fits the store, else built like this; this checks that it builds)")
	return nil
}

// pruneAccounts removes expired sessions and spent one-time tokens every
// hour until ctx ends. Any node may do it: deleting twice is harmless.
func pruneAccounts(ctx context.Context, st *store.Store, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := st.PruneAccounts(ctx, time.Now()); err != nil && ctx.Err() == nil {
			log.Warn("accounts: prune failed", slog.Any("err", err))
		} else if n > 0 {
			log.Info("accounts: pruned expired sessions and tokens", slog.Int64("rows", n))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// limiter is a rate limit's buckets; nil (no limit) for the zero Rate.
func limiter(r config.Rate) *ratelimit.Limiter {
	if r.Burst == 0 {
		return nil
	}
	return ratelimit.New(r.Burst, r.Every)
}
