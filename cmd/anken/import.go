package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"anken/internal/config"
	"anken/internal/ingest"
	"anken/internal/listing"
	"anken/internal/store"
)

func importCmd(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("import")
	slug := fs.String("agency", "", "agency slug the listings belong to (required)")
	format := fs.String("format", "jsonl", "feed format: jsonl")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *slug == "" || fs.NArg() != 1 {
		return fmt.Errorf("import: want --agency SLUG [--format jsonl] FILE")
	}
	if *format != "jsonl" {
		return fmt.Errorf("import: format %q is not supported yet: use jsonl", *format)
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	st, err := openStore(ctx, cfg)
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
	sum, err := importJSONL(ctx, st, agency, f, stderr)
	fmt.Fprintf(stdout, "rows %d: created %d, updated %d, unchanged %d, rejected %d in %s\n",
		sum.rows, sum.outcomes["created"], sum.outcomes["updated"], sum.outcomes["unchanged"],
		sum.outcomes[ingest.Rejected], sum.took.Round(time.Millisecond))
	return err
}

type importSummary struct {
	rows     int
	outcomes map[string]int
	took     time.Duration
}

// importJSONL streams r in batches: memory stays bounded by one batch
// whatever the file's size. Rejected rows are reported with their line.
func importJSONL(ctx context.Context, st ingest.Store, agency store.Agency, r io.Reader, report io.Writer) (importSummary, error) {
	const batch = 1000
	start := time.Now()
	sum := importSummary{outcomes: map[string]int{}}
	var (
		raws  []listing.Raw
		lines []int
	)
	lastProgress := start
	flush := func() error {
		if len(raws) == 0 {
			return nil
		}
		res, err := ingest.Put(ctx, st, agency, raws)
		if err != nil {
			return err
		}
		for i, r := range res {
			sum.outcomes[r.Outcome]++
			if r.Outcome == ingest.Rejected {
				fmt.Fprintf(report, "line %d: %s: %s\n", lines[i], r.ExternalID, listing.Invalid(r.Errors).Error())
			}
		}
		raws, lines = raws[:0], lines[:0]
		if time.Since(lastProgress) > 2*time.Second {
			lastProgress = time.Now()
			rate := float64(sum.rows) / time.Since(start).Seconds()
			fmt.Fprintf(report, "… %d rows, %.0f rows/s\n", sum.rows, rate)
		}
		return ctx.Err()
	}
	br := bufio.NewReaderSize(r, 1<<20)
	line := 0
	for {
		b, err := readLine(br)
		if len(b) > 0 {
			line++
			sum.rows++
			var raw listing.Raw
			if jerr := json.Unmarshal(b, &raw); jerr != nil {
				sum.outcomes[ingest.Rejected]++
				fmt.Fprintf(report, "line %d: not a JSON listing: %v\n", line, jerr)
			} else {
				raws, lines = append(raws, raw), append(lines, line)
			}
			if len(raws) == batch {
				if ferr := flush(); ferr != nil {
					return sum, ferr
				}
			}
		} else if err == nil {
			line++ // blank line
		}
		if errors.Is(err, errLineTooLong) {
			line++
			sum.rows++
			sum.outcomes[ingest.Rejected]++
			fmt.Fprintf(report, "line %d: longer than %d bytes; skipped\n", line, maxLine)
			continue
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return sum, fmt.Errorf("import: line %d: %w", line+1, err)
		}
	}
	err := flush()
	sum.took = time.Since(start)
	return sum, err
}

var errLineTooLong = errors.New("line too long")

// readLine returns the next line without its newline. A line longer than
// maxLine is consumed and reported as errLineTooLong.
func readLine(br *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(buf)+len(chunk) > maxLine {
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			if err != nil && err != io.EOF {
				return nil, err
			}
			return nil, errLineTooLong
		}
		buf = append(buf, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if n := len(buf); n > 0 && buf[n-1] == '\n' {
			buf = buf[:n-1]
			if n := len(buf); n > 0 && buf[n-1] == '\r' {
				buf = buf[:n-1]
			}
		}
		return buf, err
	}
}
