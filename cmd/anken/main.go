// Command anken serves the listing search API and pages, runs the background
// work, and offers the operator's commands: migrate, demo, import, normalize,
// agency, operator, inbox, mail, reindex.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"anken/internal/config"
	"anken/internal/ingest"
	"anken/internal/server"
	"anken/internal/store"
)

const usage = `anken: a Japanese IT freelance and side-job listing aggregator.

Usage:
  anken serve [--addr 127.0.0.1:8080] [--demo]   API, pages and workers
  anken migrate                                   apply database migrations
  anken demo --listings N --out FILE [--seed S]   write generated listings as JSON Lines
  anken import --agency SLUG [--format jsonl|csv|jobposting|indeed-xml] [--full] FILE|-
                                                  bulk import an agency's feed file (- reads stdin)
  anken normalize                                 raw listings (JSON Lines) on stdin → normalized on stdout
  anken agency create SLUG [--name NAME]          add an agency and print its API key once
  anken agency key SLUG                           print a new API key for an agency
  anken agency list                               list agencies
  anken agency webhook-secret SLUG                issue the agency's webhook signing secret
  anken operator create NAME                      add an operator and print the key that edits guides, once
  anken operator list | revoke NAME               list operators; revoke one's key
  anken inbox parked [--agency SLUG]              list inbox items parked after failing
  anken inbox replay [--agency SLUG] [ID…]        make parked items pending again
  anken mail outbox [--state STATE] [--limit N]   list the mail outbox, newest first
  anken mail retry ID…                            make parked mail pending again
  anken feed confirm RUN_ID                       close what a held full feed run would close
  anken reindex                                   build the search index from the store and report
  anken bench search [--listings N] [--seed S] [--postgres URL]
                                                  time the search index (and PostgreSQL) on generated listings
  anken bench pages [--listings N] [--requests R] time the search page over HTTP on generated listings
  anken bench user [--listings N] [--posted MODE] [--postgres URL]
                                                  generate a feed, anken import it, start anken serve,
                                                  time searches over HTTP as users meet them
  anken bench load --url URL [--duration D] [--workers N] [--soak]
                                                  drive a running anken with a realistic mix of requests

Configuration is read from ANKEN_* environment variables (see .env.example);
flags override them. The SQLite store is ANKEN_DATA_DIR/anken.db (./data by
default, relative to the working directory); --data-dir DIR before any
command sets it: anken --data-dir /srv/anken/data agency list. Only serve and
migrate create a store that does not exist.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "anken:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return err
	}
	// --data-dir before the command sets ANKEN_DATA_DIR for any command:
	// anken --data-dir /srv/anken/data agency list.
	if strings.HasPrefix(args[0], "-data-dir") || strings.HasPrefix(args[0], "--data-dir") {
		fs := flag.NewFlagSet("anken", flag.ContinueOnError)
		dataDir := fs.String("data-dir", cfg.DataDir, "SQLite data directory (ANKEN_DATA_DIR)")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if cfg.DataDir, args = *dataDir, fs.Args(); len(args) == 0 {
			fmt.Fprint(stderr, usage)
			return fmt.Errorf("--data-dir: want a command after it")
		}
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, cfg, args, stderr)
	case "migrate":
		return migrate(ctx, cfg, args, stdout)
	case "demo":
		return demoCmd(args, stdout, stderr)
	case "import":
		return importCmd(ctx, cfg, args, stdin, stdout, stderr)
	case "normalize":
		return normalizeCmd(args, stdin, stdout, stderr)
	case "agency":
		if len(args) > 0 && args[0] == "webhook-secret" {
			return webhookSecretCmd(ctx, cfg, args[1:], stdout)
		}
		return agencyCmd(ctx, cfg, args, stdout)
	case "inbox":
		return inboxCmd(ctx, cfg, args, stdout)
	case "operator":
		return operatorCmd(ctx, cfg, args, stdout)
	case "mail":
		return mailCmd(ctx, cfg, args, stdout)
	case "feed":
		return feedCmd(ctx, cfg, args, stdout)
	case "reindex":
		return reindex(ctx, cfg, args, stdout)
	case "bench":
		return benchCmd(ctx, cfg, args, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

// newLogger returns the process logger: JSON (or text) on stderr, with the
// request id of the context on every record.
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	var h slog.Handler = slog.NewJSONHandler(w, opts)
	if cfg.LogFormat == "text" {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(server.LogHandler{Handler: h})
}

// openStore opens and migrates the configured store for a command that
// works on a store: it must exist. A command run from another directory
// than serve's would otherwise start an empty store of its own in ./data
// and report nothing, or write where serve never reads.
func openStore(ctx context.Context, cfg config.Config) (*store.Store, error) {
	return openStoreWith(ctx, store.Config{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir, Existing: true})
}

// openStoreWith opens and migrates the store sc names. A SQLite store
// that sc.Existing wants and is not there is an error saying where it was
// looked for and how to point elsewhere.
func openStoreWith(ctx context.Context, sc store.Config) (*store.Store, error) {
	s, err := store.Open(ctx, sc)
	var missing *store.NoStoreError
	if errors.As(err, &missing) {
		dir := fmt.Sprintf("data directory %q", cmp.Or(sc.DataDir, "data"))
		if wd, err := os.Getwd(); err == nil && !filepath.IsAbs(cmp.Or(sc.DataDir, "data")) {
			dir += ", relative to the working directory " + wd
		}
		return nil, fmt.Errorf("no store at %s (%s); this command does not create one.\n"+
			"Point it at the store anken serve uses with ANKEN_DATA_DIR=DIR, or with --data-dir DIR before the command (anken --data-dir DIR agency list).\n"+
			"anken migrate or anken serve makes a new store", missing.Path, dir)
	}
	if err != nil {
		return nil, err
	}
	if _, err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if _, err := ingest.RederivePay(ctx, s); err != nil {
		s.Close()
		return nil, err
	}
	if _, err := ingest.RederiveExperience(ctx, s); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("anken "+name, flag.ContinueOnError)
	return fs
}

func migrate(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	fs := newFlags("migrate")
	dataDir := fs.String("data-dir", cfg.DataDir, "SQLite data directory (ANKEN_DATA_DIR)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg.DataDir = *dataDir
	s, err := store.Open(ctx, store.Config{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir})
	if err != nil {
		return err
	}
	defer s.Close()
	n, err := s.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d migrations applied\n", s.Dialect(), n)
	re, err := ingest.RederivePay(ctx, s)
	if err != nil {
		return err
	}
	if re > 0 {
		fmt.Fprintf(stdout, "%d listings' pay derived again at their stated workload\n", re)
	}
	if re, err = ingest.RederiveExperience(ctx, s); err != nil {
		return err
	}
	if re > 0 {
		fmt.Fprintf(stdout, "%d listings' required years of experience read from their text\n", re)
	}
	return nil
}
