package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"time"

	"anken/internal/config"
	"anken/internal/feed"
	"anken/internal/ingest"
	"anken/internal/store"
)

func importCmd(ctx context.Context, cfg config.Config, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("import")
	slug := fs.String("agency", "", "agency slug the listings belong to (required)")
	format := fs.String("format", feed.JSONL, "feed format: "+strings.Join(feed.Formats, ", "))
	full := fs.Bool("full", false, "the file is the agency's whole feed: close its listings the file does not contain")
	charset := fs.String("charset", "", "CSV/XML encoding: utf-8 or shift_jis (detected when empty)")
	var columns columnFlag
	fs.Var(&columns, "column", "CSV header mapping HEADER=FIELD, e.g. 案件コード=external_id (repeatable)")
	quiet := fs.Bool("quiet", false, "no progress lines")
	batch := fs.Int("batch", 0, "rows per transaction (default 10000)")
	cacheMiB := fs.Int("cache-mib", 64, "SQLite page cache in MiB: a larger one keeps more of what a large import reads again (listings it replaces, duplicate candidates) in memory")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the import to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cacheMiB < 1 {
		return fmt.Errorf("import: --cache-mib must be at least 1 (got %d)", *cacheMiB)
	}
	if *slug == "" || fs.NArg() != 1 {
		return fmt.Errorf("import: want --agency SLUG [--format %s] [--full] FILE (- for stdin)", strings.Join(feed.Formats, "|"))
	}
	// The file's size, when it has one, gives the progress lines a share
	// and a time left; stdin or a pipe has none (size 0).
	var (
		in   io.Reader
		size int64
	)
	if fs.Arg(0) == "-" {
		in = stdin
		if f, ok := stdin.(*os.File); ok {
			size = regularSize(f)
		}
	} else {
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		defer f.Close()
		in, size = f, regularSize(f)
	}
	st, err := openStoreWith(ctx, store.Config{DatabaseURL: cfg.DatabaseURL, DataDir: cfg.DataDir, CacheMiB: *cacheMiB, Existing: true})
	if err != nil {
		return err
	}
	defer st.Close()
	agency, err := st.AgencyBySlug(ctx, *slug)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("import: no agency %q: create it with `anken agency create %s`", *slug, *slug)
	}
	if err != nil {
		return err
	}
	cr := &countingReader{r: in}
	lastProgress := time.Now()
	opts := ingest.ImportOptions{
		Batch:   *batch,
		Counter: func() (int64, bool) { return cr.n.Load(), true },
		Reject: func(r ingest.RowReport) {
			where := fmt.Sprintf("line %d", r.Line)
			if r.ExternalID != "" {
				where += ": " + r.ExternalID
			}
			fmt.Fprintf(stderr, "%s: %s\n", where, r.Reason)
		},
		Progress: func(p ingest.Progress) {
			if *quiet || time.Since(lastProgress) < 2*time.Second {
				return
			}
			lastProgress = time.Now()
			fmt.Fprintln(stderr, progressLine(p, size))
		},
	}
	req := ingest.FeedRequest{Agency: agency, Format: *format, Full: *full,
		Options: feed.Options{Charset: *charset, Columns: columns}}
	if *profile != "" {
		pf, err := os.Create(*profile)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return fmt.Errorf("import: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	// One audit row for the run, written as it ends with its counts and
	// state (target the run).
	run, err := ingest.Import(cliAudit(ctx, "import-agency-feed"), st, req, cr, opts)
	took := time.Since(start)
	if run.ID != 0 {
		if r, rerr := st.FeedRun(context.WithoutCancel(ctx), agency, run.ID); rerr == nil {
			run = r // the counts as committed, also after an interruption
		}
		rate := float64(run.Created+run.Updated+run.Unchanged+run.Rejected) / took.Seconds()
		fmt.Fprintf(stdout, "rows %d: created %d, updated %d, unchanged %d, rejected %d, closed %d in %s (%.0f rows/s; feed run %d)\n",
			run.Rows, run.Created, run.Updated, run.Unchanged, run.Rejected, run.Closed, took.Round(time.Millisecond), rate, run.ID)
	}
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	switch run.State {
	case store.RunFailed:
		return fmt.Errorf("import: full feed run %d failed: %s", run.ID, run.Error)
	case store.RunHeld:
		return fmt.Errorf("import: full feed run %d is held: %s with `anken feed confirm %d`", run.ID, run.Error, run.ID)
	}
	return nil
}

// regularSize is the size of f when it is a regular file, else 0 (a pipe,
// a terminal or a socket has no length to go by).
func regularSize(f *os.File) int64 {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return 0
	}
	return fi.Size()
}

// progressLine says how far an import is: rows and rate, then, for a file
// of known size (size > 0), the share read and the time left; for one of
// unknown length (stdin, a pipe), or one grown past its size, the bytes
// read.
func progressLine(p ingest.Progress, size int64) string {
	rate := 0.0
	if p.Elapsed > 0 {
		rate = float64(p.Rows) / p.Elapsed.Seconds()
	}
	line := fmt.Sprintf("… %d rows, %.0f rows/s", p.Rows, rate)
	switch {
	case size > 0 && p.Bytes > 0 && p.Bytes <= size:
		done := float64(p.Bytes) / float64(size)
		eta := time.Duration(float64(p.Elapsed) * (1 - done) / done)
		line += fmt.Sprintf(", %.0f%% of the file, about %s left", 100*done, eta.Round(time.Second))
	case p.Bytes > 0:
		line += ", " + byteSize(p.Bytes) + " read"
	}
	return line
}

// byteSize writes n bytes in binary units: 512 B, 1.5 KiB, 42.0 MiB.
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}

type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// columnFlag collects HEADER=FIELD mappings.
type columnFlag map[string]string

func (c *columnFlag) String() string { return fmt.Sprint(map[string]string(*c)) }

func (c *columnFlag) Set(v string) error {
	h, f, ok := strings.Cut(v, "=")
	if !ok || h == "" || f == "" {
		return fmt.Errorf("want HEADER=FIELD, got %q", v)
	}
	if *c == nil {
		*c = columnFlag{}
	}
	(*c)[h] = f
	return nil
}
