package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"anken/internal/api"
	"anken/internal/config"
	"anken/internal/ingest"
	"anken/internal/safefetch"
	"anken/internal/search"
	"anken/internal/server"
	"anken/internal/store"
)

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

	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	log.Info("store ready", slog.String("dialect", st.Dialect()))
	if *demoFlag {
		if err := seedDemo(ctx, st, cfg.DemoListings, log); err != nil {
			return err
		}
	}

	idx := search.NewIndex()
	follower := search.NewFollower(st, idx, cfg.IndexPoll, log)
	// Feed URLs are the agencies' choice: only public addresses, and the
	// hosts the operator allows, are fetched.
	fetch := safefetch.Policy{AllowHosts: cfg.FeedAllowHosts, Timeout: cfg.FeedTimeout}
	h := server.New(server.Options{
		API: api.Deps{
			Store:     st,
			Index:     idx,
			Wrote:     follower.Notify,
			Server:    "http://" + cfg.Addr,
			FeedFetch: fetch,
		},
		Health: health{st, follower},
		Log:    log,
	})

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // large batches and feed uploads
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	// The index loads while the server already answers /healthz; /readyz
	// says "loading" until it is done.
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBG()
	go func() {
		if err := follower.Load(bg); err != nil {
			log.Error("index load failed", slog.Any("err", err))
			return
		}
		follower.Run(bg)
	}()
	// Ingestion: inbox workers and the feed poller share the database with
	// every other node; each item is claimed by one of them.
	var workers sync.WaitGroup
	for i := range cfg.IngestWorkers {
		w := &ingest.Worker{Store: st, Log: log.With(slog.Int("worker", i)), Wrote: follower.Notify, Lease: cfg.IngestLease}
		workers.Go(func() { w.Run(bg) })
	}
	poller := &ingest.Poller{Store: st, Log: log, Wrote: follower.Notify, Fetch: fetch, MaxBytes: cfg.FeedMaxBytes}
	workers.Go(func() { poller.Run(bg) })
	defer workers.Wait()

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	log.Info("listening", slog.String("addr", ln.Addr().String()),
		slog.String("docs", "http://"+ln.Addr().String()+"/docs"))

	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests", slog.Duration("grace", cfg.ShutdownTimeout))
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	stopBG()
	if err := <-serveErr; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

type health struct {
	st *store.Store
	f  *search.Follower
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
	f := search.NewFollower(st, idx, time.Second, slog.New(slog.DiscardHandler))
	if err := f.Load(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "index built: %d open listings, change log at %d, in %s\n",
		idx.Len(), f.Seq(), time.Since(start).Round(time.Millisecond))
	fmt.Fprintln(stdout, "(the index lives in each serve process's memory and is rebuilt at start; this checks that it builds)")
	return nil
}
