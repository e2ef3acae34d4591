package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	"anken/internal/feed"
	"anken/internal/safefetch"
	"anken/internal/store"
)

// PollStore is what the poller needs of the system of record.
type PollStore interface {
	FeedStore
	ClaimDueSource(ctx context.Context, lease time.Duration) (store.FeedSource, error)
	PolledSource(ctx context.Context, src store.FeedSource, runID int64, etag string, pollErr error) error
}

// DefaultFeedMaxBytes is the most bytes a fetched feed may have when the
// poller is given no limit.
const DefaultFeedMaxBytes = 512 << 20

// Poller fetches agencies' feed URLs when they are due and takes each like
// an upload (Receive). A source is claimed in the database before it is
// fetched, so with several nodes each poll happens once.
//
// A feed URL is the agency's choice, so fetching it must not reach
// anken's own network: the client refuses non-public addresses when it
// connects (see safefetch) unless the operator allows the host, and what a
// fetch returns never appears in the errors the agency reads.
type Poller struct {
	Store    PollStore
	Fetch    safefetch.Policy // hosts allowed whatever their address, fetch timeout
	MaxBytes int64            // the most bytes one feed may have; DefaultFeedMaxBytes when 0
	Log      *slog.Logger
	Every    time.Duration // how often to look for due sources; 30s when 0
	Wrote    func()

	setup  sync.Once
	client *http.Client
}

func (p *Poller) init() {
	p.setup.Do(func() {
		p.client = safefetch.NewClient(p.Fetch)
		if p.MaxBytes <= 0 {
			p.MaxBytes = DefaultFeedMaxBytes
		}
		if p.Every <= 0 {
			p.Every = 30 * time.Second
		}
		if p.Log == nil {
			p.Log = slog.New(slog.DiscardHandler)
		}
	})
}

// Run polls until ctx is done.
func (p *Poller) Run(ctx context.Context) {
	p.init()
	for {
		for ctx.Err() == nil {
			polled, err := p.PollOnce(ctx)
			if err != nil {
				p.Log.Warn("feed poll: claim", slog.Any("err", err))
			}
			if !polled {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(p.Every):
		}
	}
}

// PollOnce polls one source that is due, if any, and reports whether it
// did. The poll's outcome is recorded on the source (its last run and
// error); the error returned is only a failure to claim a source.
func (p *Poller) PollOnce(ctx context.Context) (bool, error) {
	p.init()
	src, err := p.Store.ClaimDueSource(ctx, 15*time.Minute)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	p.poll(ctx, src)
	return true, nil
}

// pollAction is the audit log's action for a poll of an agency's feed
// source. Its row names the agency (its URL, its listings) as the actor
// and "poll" as the address: anken fetched it, on the agency's schedule.
const pollAction = "poll-agency-feed"

func (p *Poller) poll(ctx context.Context, src store.FeedSource) {
	log := p.Log.With(slog.String("agency", src.Agency.Slug), slog.String("url", src.URL))
	// A poll that makes a run leaves one audit row, written as the run's
	// receiving ends; one that fetches nothing new (304, an error before
	// any row) writes no listing and leaves none.
	e := Sender(src.Agency.Slug, SourceURL)
	e.Action = pollAction
	ctx = store.WithAudit(ctx, e)
	run, etag, err := p.fetch(ctx, src, log)
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

// fetch gets the source's feed and receives it. Its error is what the
// agency reads as the source's last_error: it never holds fetched bytes.
func (p *Poller) fetch(ctx context.Context, src store.FeedSource, log *slog.Logger) (int64, string, error) {
	var opts feed.Options
	if err := json.Unmarshal([]byte(src.Options), &opts); err != nil {
		return 0, src.ETag, fmt.Errorf("feed options: %w", err)
	}
	u, err := url.Parse(src.URL)
	if err != nil {
		return 0, src.ETag, fmt.Errorf("feed URL: %w", err)
	}
	if err := p.Fetch.CheckURL(u); err != nil {
		return 0, src.ETag, fmt.Errorf("GET %s: refused: %w", src.URL, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return 0, src.ETag, fmt.Errorf("feed URL: %w", err)
	}
	req.Header.Set("User-Agent", "anken-feed-poller/1")
	if src.ETag != "" {
		req.Header.Set("If-None-Match", src.ETag)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		log.Warn("feed fetch failed", slog.Any("err", err)) // the full error, for the operator
		return 0, src.ETag, fetchError(src.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified {
		return 0, src.ETag, nil
	}
	if resp.StatusCode != http.StatusOK {
		// The status text is the standard one: the server's own reason
		// phrase is fetched content.
		return 0, src.ETag, fmt.Errorf("GET %s: %d %s", src.URL, resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	if resp.ContentLength > p.MaxBytes {
		return 0, src.ETag, fmt.Errorf("GET %s: %w", src.URL, &FeedTooLargeError{Max: p.MaxBytes})
	}
	body := &limitedBody{r: resp.Body, left: p.MaxBytes, max: p.MaxBytes}
	run, _, err := Receive(ctx, p.Store, FeedRequest{Agency: src.Agency, Format: src.Format, Full: src.Full, Source: SourceURL, Options: opts}, body)
	return run.ID, resp.Header.Get("ETag"), err
}

// fetchError says why a fetch failed in words that hold nothing the
// server sent (a redirect's target, a body) and no address a host name
// resolved to.
func fetchError(rawURL string, err error) error {
	var (
		blocked *safefetch.BlockedError
		dnsErr  *net.DNSError
		sysErr  *os.SyscallError
		netErr  net.Error
	)
	why := "could not fetch the feed"
	switch {
	case errors.As(err, &blocked):
		why = fmt.Sprintf("refused: the host resolves to a non-public address (%s): only public addresses are fetched", blocked.Class)
	case errors.Is(err, safefetch.ErrRedirect):
		var ue *url.Error
		if errors.As(err, &ue) {
			why = ue.Err.Error()
		}
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout():
		why = "timed out"
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		why = "no such host"
	case errors.As(err, &dnsErr):
		why = "the host name could not be looked up"
	case errors.As(err, &sysErr):
		why = "could not connect: " + sysErr.Err.Error()
	}
	return fmt.Errorf("GET %s: %s", rawURL, why)
}

// FeedTooLargeError is a fetched feed longer than the poller's limit: its
// run is aborted.
type FeedTooLargeError struct {
	Max int64
}

func (e *FeedTooLargeError) Error() string {
	return fmt.Sprintf("the feed is larger than %s, the most anken fetches", byteSize(e.Max))
}

// byteSize writes n in MiB when it is a whole number of them, else in bytes.
func byteSize(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// limitedBody reads at most max bytes of a fetched feed; one more is a
// FeedTooLargeError.
type limitedBody struct {
	r         io.Reader
	left, max int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	if int64(n) > b.left {
		n = int(b.left)
		b.left = 0
		return n, &FeedTooLargeError{Max: b.max}
	}
	b.left -= int64(n)
	return n, err
}
