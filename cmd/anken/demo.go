package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"anken/internal/demo"
	"anken/internal/ingest"
	"anken/internal/listing"
	"anken/internal/store"
)

func demoCmd(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo")
	n := fs.Int("listings", 20_000, "how many listings to generate")
	out := fs.String("out", "-", "file to write JSON Lines to (- for stdout)")
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives the same output")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 0 {
		return fmt.Errorf("demo: --listings must not be negative")
	}
	w := stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	if err := demo.WriteJSONL(bw, *n, demo.Options{Seed: *seed}); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if *out != "-" {
		fmt.Fprintf(stderr, "wrote %d listings to %s\n", *n, *out)
	}
	return nil
}

// seedDemo fills an empty store with n generated listings from the demo
// agencies, through the same ingest path agencies use. A store that already
// has listings is left as it is.
func seedDemo(ctx context.Context, st *store.Store, n int, log *slog.Logger) error {
	counts, err := st.CountListings(ctx)
	if err != nil {
		return err
	}
	if total := counts[listing.StatusOpen] + counts[listing.StatusClosed]; total > 0 {
		log.Info("demo: store already has listings; not generating", slog.Int("listings", total))
		return nil
	}
	start := time.Now()
	agencies := map[string]store.Agency{}
	for _, a := range demo.Agencies() {
		ag, err := st.CreateAgency(ctx, a.Slug, a.Name)
		if errors.Is(err, store.ErrConflict) {
			ag, err = st.AgencyBySlug(ctx, a.Slug)
		}
		if err != nil {
			return fmt.Errorf("demo: agency %s: %w", a.Slug, err)
		}
		agencies[a.Slug] = ag
	}
	const batch = 1000
	pending := map[string][]listing.Raw{}
	stored, rejected := 0, 0
	flush := func(slug string) error {
		res, err := ingest.Put(ctx, st, agencies[slug], pending[slug])
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		for _, r := range res {
			if r.Outcome == ingest.Rejected {
				rejected++
				log.Warn("demo: listing rejected", slog.String("agency", slug),
					slog.String("external_id", r.ExternalID), slog.Any("errors", r.Errors))
			} else {
				stored++
			}
		}
		pending[slug] = pending[slug][:0]
		return nil
	}
	// Anchored at now, so the demo site's listings look fresh.
	for l := range demo.Generate(n, demo.Options{Seed: 1, Now: time.Now()}) {
		if _, ok := agencies[l.Agency]; !ok {
			return fmt.Errorf("demo: listing %s names unknown agency %q", l.ExternalID, l.Agency)
		}
		pending[l.Agency] = append(pending[l.Agency], l.Raw)
		if len(pending[l.Agency]) == batch {
			if err := flush(l.Agency); err != nil {
				return err
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	for slug := range pending {
		if len(pending[slug]) > 0 {
			if err := flush(slug); err != nil {
				return err
			}
		}
	}
	// The generated listings were posted over the last 60 days: anken
	// "first saw" each when it was posted, as on a site that had been
	// running, so 今日の新着 counts a day's worth, not every listing.
	if _, err := st.BackdateFirstSeen(ctx); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	log.Info("demo: listings generated", slog.Int("stored", stored), slog.Int("rejected", rejected),
		slog.Int("agencies", len(agencies)), slog.Duration("took", time.Since(start)))
	return nil
}
