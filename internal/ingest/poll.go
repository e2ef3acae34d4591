package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"anken/internal/feed"
	"anken/internal/store"
)

// PollStore is what the poller needs of the system of record.
type PollStore interface {
	FeedStore
	ClaimDueSource(ctx context.Context, lease time.Duration) (store.FeedSource, error)
	PolledSource(ctx context.Context, src store.FeedSource, runID int64, etag string, pollErr error) error
}

// Poller fetches agencies' feed URLs when they are due and takes each like
// an upload (Receive). A source is claimed in the database before it is
// fetched, so with several nodes each poll happens once.
type Poller struct {
	Store  PollStore
	Client *http.Client // http.DefaultClient with a 10-minute timeout when nil
	Log    *slog.Logger
	Every  time.Duration // how often to look for due sources; 30s when 0
	Wrote  func()
}

// Run polls until ctx is done.
func (p *Poller) Run(ctx context.Context) {
	if p.Client == nil {
		p.Client = &http.Client{Timeout: 10 * time.Minute}
	}
	if p.Every <= 0 {
		p.Every = 30 * time.Second
	}
	if p.Log == nil {
		p.Log = slog.New(slog.DiscardHandler)
	}
	for {
		for ctx.Err() == nil {
			src, err := p.Store.ClaimDueSource(ctx, 15*time.Minute)
			if errors.Is(err, store.ErrNotFound) {
				break
			}
			if err != nil {
				p.Log.Warn("feed poll: claim", slog.Any("err", err))
				break
			}
			p.poll(ctx, src)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(p.Every):
		}
	}
}

func (p *Poller) poll(ctx context.Context, src store.FeedSource) {
	log := p.Log.With(slog.String("agency", src.Agency.Slug), slog.String("url", src.URL))
	run, etag, err := p.fetch(ctx, src)
	if err != nil {
		log.Warn("feed poll failed", slog.Any("err", err))
	} else if run != 0 {
		log.Info("feed polled", slog.Int64("run", run))
		if p.Wrote != nil {
			p.Wrote()
		}
	}
	if err := p.Store.PolledSource(ctx, src, run, etag, err); err != nil {
		log.Warn("feed poll: record", slog.Any("err", err))
	}
}

func (p *Poller) fetch(ctx context.Context, src store.FeedSource) (int64, string, error) {
	var opts feed.Options
	if err := json.Unmarshal([]byte(src.Options), &opts); err != nil {
		return 0, src.ETag, fmt.Errorf("feed options: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src.URL, nil)
	if err != nil {
		return 0, src.ETag, err
	}
	req.Header.Set("User-Agent", "anken-feed-poller/1")
	if src.ETag != "" {
		req.Header.Set("If-None-Match", src.ETag)
	}
	resp, err := p.Client.Do(req)
	if err != nil {
		return 0, src.ETag, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified {
		return 0, src.ETag, nil
	}
	if resp.StatusCode != http.StatusOK {
		return 0, src.ETag, fmt.Errorf("GET %s: %s", src.URL, resp.Status)
	}
	run, _, err := Receive(ctx, p.Store, FeedRequest{Agency: src.Agency, Format: src.Format, Full: src.Full, Source: "url", Options: opts}, resp.Body)
	return run.ID, resp.Header.Get("ETag"), err
}
