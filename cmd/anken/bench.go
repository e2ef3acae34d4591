package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"anken/internal/bench"
	"anken/internal/config"
)

func benchCmd(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "pages" {
		return benchPages(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "load" {
		return benchLoad(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "user" {
		return benchUser(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "search" {
		return fmt.Errorf("bench: want bench search [--listings N] [--seed S] [--queries Q] [--postgres URL] [--groonga], or bench pages [--listings N] [--seed S] [--requests R], or bench user [--listings N] [--posted spread|absent|instant|minute|past] [--one-agency] [--reposts P] [--dir DIR] [--postgres URL] [--groonga], or bench load --url URL [--duration D] [--workers N] [--rate R] [--agency-key KEY] [--soak]")
	}
	fs := newFlags("bench search")
	n := fs.Int("listings", 200_000, "how many listings to generate")
	seed := fs.Uint64("seed", 1, "random seed for listings and queries")
	queries := fs.Int("queries", 300, "timed queries per class")
	pgQueries := fs.Int("postgres-queries", 30, "how many of each class's queries PostgreSQL (and with it Groonga) also answers")
	pg := fs.String("postgres", "", "also answer every query with PostgreSQL (pg_trgm + btree) at this URL, in a schema of its own that is dropped afterwards")
	groonga := fs.Bool("groonga", false, groongaUsage)
	groongaBin := fs.String("groonga-bin", "", "the groonga binary (implies --groonga; default: groonga on PATH)")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the timed queries to this file")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	opts := bench.Options{Listings: *n, Seed: *seed, Queries: *queries, Log: stderr}
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return err
		}
		defer f.Close()
		opts.Profile = f
	}
	if *pg != "" {
		b, err := bench.OpenTrigramBaseline(ctx, *pg)
		if err != nil {
			return err
		}
		defer b.Close()
		opts.Baselines = append(opts.Baselines, bench.Postgres{TrigramBaseline: b})
		opts.BaselineQueries = *pgQueries
	}
	*groonga = *groonga || *groongaBin != ""
	if *groonga {
		bs, stop, err := startGroonga(ctx, *groongaBin, stdout)
		if err != nil {
			return err
		}
		defer stop()
		opts.Baselines = append(opts.Baselines, bs...)
	}
	rep, err := bench.Search(ctx, opts)
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	fmt.Fprintf(stdout, "anken bench search --listings %d --seed %d --queries %d%s%s\n", *n, *seed, *queries,
		map[bool]string{true: " --postgres …", false: ""}[*pg != ""], map[bool]string{true: " --groonga", false: ""}[*groonga])
	fmt.Fprintf(stdout, "machine: %s, %d cores, %s/%s, %s, %s\n\n", cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, host,
		time.Now().Format(time.DateOnly))
	rep.Markdown(stdout)
	for _, m := range rep.Mismatches {
		fmt.Fprintln(stdout, "mismatch:", m)
	}
	if len(rep.Mismatches) > 0 {
		return fmt.Errorf("bench: the baseline disagreed on %d queries", len(rep.Mismatches))
	}
	return nil
}

const groongaUsage = "also answer the queries with Groonga (Debian: apt-get install groonga-bin) run as its own HTTP server " +
	"over a database in a temporary directory, removed afterwards, with its result cache on and off; without groonga installed, " +
	"a line says so and the run goes on without it"

// startGroonga starts the Groonga baselines (cache on, then off) and
// returns them with the function that stops the server. Without a groonga
// binary it says so on w and returns none.
func startGroonga(ctx context.Context, bin string, w io.Writer) ([]bench.Baseline, func(), error) {
	path, err := bench.GroongaBinary(bin)
	if errors.Is(err, bench.ErrNoGroonga) {
		fmt.Fprintln(w, "groonga is not installed (apt-get install groonga-bin, or --groonga-bin PATH): no Groonga columns.")
		return nil, func() {}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	g, err := bench.StartGroonga(ctx, path)
	if err != nil {
		return nil, nil, err
	}
	return []bench.Baseline{g, g.Uncached()}, func() { g.Close() }, nil
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
		}
	}
	return "unknown CPU"
}

// benchPages times the search page over HTTP: anken bench pages.
func benchPages(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench pages")
	n := fs.Int("listings", 200_000, "how many listings to generate")
	seed := fs.Uint64("seed", 1, "random seed for listings and requests")
	requests := fs.Int("requests", 300, "timed requests per class")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the timed requests to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o := bench.PageOptions{Listings: *n, Seed: *seed, Requests: *requests, Log: stderr}
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return err
		}
		defer f.Close()
		o.Profile = f
	}
	rep, err := bench.Pages(ctx, o)
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	fmt.Fprintf(stdout, "anken bench pages --listings %d --seed %d --requests %d\n", *n, *seed, *requests)
	fmt.Fprintf(stdout, "machine: %s, %d cores, %s/%s, %s\n\n", cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, host)
	rep.Markdown(stdout)
	return nil
}

// benchLoad drives a running anken with a realistic mix: anken bench load.
func benchLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench load")
	base := fs.String("url", "http://127.0.0.1:8080", "the anken to load")
	duration := fs.Duration("duration", time.Minute, "how long to run (--soak: 10m unless given)")
	workers := fs.Int("workers", 16, "concurrent clients")
	rate := fs.Float64("rate", 0, "target requests a second over all workers; 0: as fast as they go")
	key := fs.String("agency-key", "", "an agency's API key (anken agency create): 5% of requests PUT listings with it; without it they search")
	soak := fs.Bool("soak", false, "a long run (10m) sampling the server's RSS every --sample to show memory is flat")
	pid := fs.Int("pid", 0, "the server's process id: RSS from /proc/PID/status")
	metricsURL := fs.String("metrics-url", "", "else RSS from process_resident_memory_bytes at this /metrics URL")
	metricsToken := fs.String("metrics-token", "", "bearer token for --metrics-url (ANKEN_METRICS_TOKEN)")
	sample := fs.Duration("sample", 30*time.Second, "how often to sample RSS")
	seed := fs.Uint64("seed", 1, "random seed for queries and writes")
	if err := fs.Parse(args); err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if *soak && !given["duration"] {
		*duration = 10 * time.Minute
	}
	rep, err := bench.Load(ctx, bench.LoadOptions{BaseURL: *base, AgencyKey: *key, Workers: *workers, Rate: *rate,
		Duration: *duration, Seed: *seed, PID: *pid, MetricsURL: *metricsURL, MetricsToken: *metricsToken,
		Sample: *sample, Log: stderr})
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	fmt.Fprintf(stdout, "anken bench load --url %s --duration %s --workers %d --rate %g%s%s\n", *base, *duration, *workers, *rate,
		map[bool]string{true: " --agency-key …", false: ""}[*key != ""], map[bool]string{true: " --soak", false: ""}[*soak])
	fmt.Fprintf(stdout, "machine: %s, %d cores, %s/%s, %s, %s\n\n", cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, host,
		time.Now().Format(time.DateOnly))
	rep.Markdown(stdout)
	return nil
}

// benchUser does what a user does: anken bench user. It generates a feed,
// loads it with `anken import`, starts `anken serve` on the store and times
// searches over HTTP.
func benchUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench user")
	n := fs.Int("listings", 200_000, "how many listings the feed has")
	seed := fs.Uint64("seed", 1, "random seed for the feed and the queries")
	posted := fs.String("posted", bench.PostedSpread, "posted_at in the feed: "+strings.Join(bench.PostedModes, ", ")+
		" (spread: the last 60 days; absent: none, the store takes the import's time; instant: all one time; minute: all within one minute; past: spread ten years ago)")
	oneAgency := fs.Bool("one-agency", false, "one agency sends the whole feed (else the demo's agencies, one import each)")
	reposts := fs.Float64("reposts", 0, "share of planted reposts (0: the generator's 8%, negative: none)")
	queries := fs.Int("queries", 200, "timed requests per class (a tenth of it for the deep page)")
	dir := fs.String("dir", "", "work directory for the feed, the store and serve.log, kept afterwards; a store loaded there by an earlier run with the same feed flags is reused (default: a temporary directory, removed)")
	pg := fs.String("postgres", "", "also answer the queries with PostgreSQL (pg_trgm + btree) at this URL, in a schema of its own dropped afterwards")
	pgQueries := fs.Int("postgres-queries", 30, "how many of each class's queries PostgreSQL (and with it Groonga) answers")
	groonga := fs.Bool("groonga", false, groongaUsage)
	groongaBin := fs.String("groonga-bin", "", "the groonga binary (implies --groonga; default: groonga on PATH)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	bin, err := os.Executable()
	if err != nil {
		return fmt.Errorf("bench user: %w", err)
	}
	o := bench.UserOptions{Listings: *n, Seed: *seed, Posted: *posted, OneAgency: *oneAgency, Reposts: *reposts,
		Queries: *queries, Binary: bin, Dir: *dir, Log: stderr}
	if o.Dir == "" {
		tmp, err := os.MkdirTemp("", "anken-bench-user-")
		if err != nil {
			return fmt.Errorf("bench user: %w", err)
		}
		defer os.RemoveAll(tmp)
		o.Dir = tmp
	}
	if *pg != "" {
		b, err := bench.OpenTrigramBaseline(ctx, *pg)
		if err != nil {
			return err
		}
		defer b.Close()
		o.Baselines = append(o.Baselines, bench.Postgres{TrigramBaseline: b})
		o.BaselineQueries = *pgQueries
	}
	*groonga = *groonga || *groongaBin != ""
	if *groonga {
		bs, stop, err := startGroonga(ctx, *groongaBin, stdout)
		if err != nil {
			return err
		}
		defer stop()
		o.Baselines = append(o.Baselines, bs...)
	}
	rep, err := bench.User(ctx, o)
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	fmt.Fprintf(stdout, "anken bench user --listings %d --seed %d --posted %s%s --reposts %g --queries %d%s%s\n", *n, *seed, *posted,
		map[bool]string{true: " --one-agency", false: ""}[*oneAgency], *reposts, *queries,
		map[bool]string{true: " --postgres …", false: ""}[*pg != ""], map[bool]string{true: " --groonga", false: ""}[*groonga])
	fmt.Fprintf(stdout, "machine: %s, %d cores, %s/%s, %s, %s\n\n", cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, host,
		time.Now().Format(time.DateOnly))
	rep.Markdown(stdout)
	return nil
}
