package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"anken/internal/bench"
	"anken/internal/config"
	"anken/internal/store"
)

func benchCmd(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "pages" {
		return benchPages(ctx, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "search" {
		return fmt.Errorf("bench: want bench search [--listings N] [--seed S] [--queries Q] [--postgres URL], or bench pages [--listings N] [--seed S] [--requests R]")
	}
	fs := newFlags("bench search")
	n := fs.Int("listings", 200_000, "how many listings to generate")
	seed := fs.Uint64("seed", 1, "random seed for listings and queries")
	queries := fs.Int("queries", 300, "timed queries per class")
	pgQueries := fs.Int("postgres-queries", 30, "how many of each class's queries PostgreSQL also answers")
	pg := fs.String("postgres", "", "also answer every query with PostgreSQL (pg_trgm + btree) at this URL, in a schema of its own that is dropped afterwards")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the timed queries to this file")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	opts := bench.Options{Listings: *n, Seed: *seed, Queries: *queries, BaselineQueries: *pgQueries, Log: stderr}
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return err
		}
		defer f.Close()
		opts.Profile = f
	}
	baseline := ""
	if *pg != "" {
		b, err := store.OpenTrigramBaseline(ctx, *pg)
		if err != nil {
			return err
		}
		defer b.Close()
		opts.Baseline = bench.Postgres{TrigramBaseline: b}
		baseline = b.Name()
	}
	rep, err := bench.Search(ctx, opts)
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	fmt.Fprintf(stdout, "anken bench search --listings %d --seed %d --queries %d%s\n", *n, *seed, *queries,
		map[bool]string{true: " --postgres …", false: ""}[*pg != ""])
	fmt.Fprintf(stdout, "machine: %s, %d cores, %s/%s, %s\n\n", cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, host)
	rep.Markdown(stdout, baseline)
	for _, m := range rep.Mismatches {
		fmt.Fprintln(stdout, "mismatch:", m)
	}
	if len(rep.Mismatches) > 0 {
		return fmt.Errorf("bench: the baseline disagreed on %d queries", len(rep.Mismatches))
	}
	return nil
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
