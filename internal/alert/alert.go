// Package alert tells engineers about new listings that fit their saved
// searches (新着案件メール).
//
// It follows the store's change log from a durable position of its own,
// as the search index does, so nothing is missed while a node is down.
// Each new or changed open listing is matched against every saved search
// at once by a percolator (search.Percolator: saved searches indexed by
// their most selective required term or filter, candidates confirmed with
// the same per-listing predicate search uses), and each (saved search,
// listing) found is stored once, ever. The mailer turns what is pending
// into mail in the outbox: an instant alert at most once per bundle
// interval (ANKEN_ALERT_BUNDLE), a daily digest at the engineer's hour in
// Asia/Tokyo. When the mail is built it leaves out listings closed since
// and duplicates (another agency's offer of a job already mailed to that
// search is not news).
//
// Several nodes may run it: a lease in the store lets one of them do the
// work at a time, and the store refuses to settle a hit twice.
package alert

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"anken/internal/catalog"
	"anken/internal/listing"
	"anken/internal/search"
	"anken/internal/store"
)

// follower and lease names in the store.
const (
	followerName = "alerts"
	leaseName    = "alerts"
)

// Config are the alert worker's collaborators and settings.
type Config struct {
	Store *store.Store
	// Catalog ranks listings for recommendation mail; none is sent
	// without it.
	Catalog *catalog.Catalog
	Log     *slog.Logger
	// BaseURL is the site's absolute address, for links in mail.
	BaseURL string
	// Bundle is the least time between two instant alert mails of one
	// saved search; 15 minutes when 0.
	Bundle time.Duration
	// Holder names this node in the lease; a random name when empty.
	Holder string
	// Poll is how often the worker reads the change log and the outbox
	// is filled; one second when 0.
	Poll time.Duration
	// Now is time.Now when nil.
	Now func() time.Time
}

// Worker matches new listings with saved searches and writes alert mail.
type Worker struct {
	cfg  Config
	perc *search.Percolator
	in   map[int64]bool // saved searches in perc
	seen time.Time      // the newest saved-search change applied
	full time.Time      // when deleted saved searches were last looked for
	pos  int64          // change-log position reached; valid while held
	held bool
	rec  time.Time // when recommendation mail was last looked at
}

// New returns a worker.
func New(cfg Config) *Worker {
	cfg.Log = cmp.Or(cfg.Log, slog.New(slog.DiscardHandler))
	cfg.Bundle = cmp.Or(cfg.Bundle, 15*time.Minute)
	cfg.Poll = cmp.Or(cfg.Poll, time.Second)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Holder == "" {
		cfg.Holder = randomHolder()
	}
	cfg.BaseURL = trimSlash(cfg.BaseURL)
	return &Worker{cfg: cfg, perc: search.NewPercolator(), in: map[int64]bool{}}
}

// Run does the work until ctx ends: while this node holds the lease it
// matches the change log and writes due mail every Poll.
func (w *Worker) Run(ctx context.Context) error {
	t := time.NewTicker(w.cfg.Poll)
	defer t.Stop()
	defer func() {
		if w.held { // let another node take over at once
			_ = w.cfg.Store.ReleaseLease(context.WithoutCancel(ctx), leaseName, w.cfg.Holder)
		}
	}()
	for {
		if err := w.Step(ctx); err != nil && ctx.Err() == nil {
			w.cfg.Log.WarnContext(ctx, "alerts: step failed; trying again", slog.Any("err", err))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Step does one round: take or renew the lease, bring the saved searches
// up to date, match the changes since the last round and write the mail
// that is due. Without the lease it does nothing.
func (w *Worker) Step(ctx context.Context) error {
	ok, err := w.cfg.Store.TakeLease(ctx, leaseName, w.cfg.Holder, 10*time.Second+3*w.cfg.Poll)
	if err != nil {
		return err
	}
	if !ok {
		w.held = false // another node works; read its position when taking over
		return nil
	}
	if !w.held {
		if err := w.loadPosition(ctx); err != nil {
			return err
		}
		w.held = true
	}
	if err := w.syncSearches(ctx); err != nil {
		return err
	}
	if err := w.match(ctx); err != nil {
		return err
	}
	if err := w.mailDue(ctx); err != nil {
		return err
	}
	if now := w.cfg.Now(); now.Sub(w.rec) >= time.Minute {
		w.rec = now
		return w.mailRecommendations(ctx)
	}
	return nil
}

// loadPosition reads where matching left off. A first start begins at the
// end of the log: listings that were there before alerts existed are not
// news.
func (w *Worker) loadPosition(ctx context.Context) error {
	pos, ok, err := w.cfg.Store.Position(ctx, followerName)
	if err != nil {
		return err
	}
	if !ok {
		if pos, err = w.cfg.Store.LastSeq(ctx); err != nil {
			return err
		}
		if err := w.cfg.Store.RecordAlertHits(ctx, followerName, pos, nil); err != nil {
			return err
		}
	}
	w.pos = pos
	return nil
}

// skew is how far back saved-search changes are read again, in case one
// was written by a node whose clock is behind.
const skew = time.Minute

// syncSearches applies saved searches changed since the last round, and
// once a minute removes the deleted ones.
func (w *Worker) syncSearches(ctx context.Context) error {
	since := w.seen
	if !since.IsZero() {
		since = since.Add(-skew)
	}
	changed, err := w.cfg.Store.AlertSearches(ctx, since)
	if err != nil {
		return err
	}
	for _, s := range changed {
		w.seen = maxTime(w.seen, s.UpdatedAt)
		q, err := alertQuery(s)
		if err != nil {
			w.cfg.Log.WarnContext(ctx, "alerts: saved search cannot be matched", slog.Int64("saved_search", s.ID), slog.Any("err", err))
		}
		if s.Alert == "off" || err != nil {
			w.perc.Remove(s.ID)
			delete(w.in, s.ID)
			continue
		}
		w.perc.Add(s.ID, q)
		w.in[s.ID] = true
	}
	if now := w.cfg.Now(); now.Sub(w.full) >= time.Minute {
		ids, err := w.cfg.Store.AlertSearchIDs(ctx)
		if err != nil {
			return err
		}
		exist := make(map[int64]bool, len(ids))
		for _, id := range ids {
			exist[id] = true
		}
		for id := range w.in {
			if !exist[id] {
				w.perc.Remove(id)
				delete(w.in, id)
			}
		}
		w.full = now
	}
	return nil
}

// alertQuery is the search a saved search stands for.
func alertQuery(s store.SavedSearch) (search.Query, error) {
	p, err := catalog.ParseQuery(s.Query)
	if err != nil {
		return search.Query{}, err
	}
	return p.Query()
}

// matchBatch is how many changes one transaction settles.
const matchBatch = 1000

// match runs the changes since the position through the percolator and
// stores what they matched, moving the position in the same transaction.
func (w *Worker) match(ctx context.Context) error {
	for range 100 { // at most 100,000 changes a round, then mail goes out
		changes, err := w.cfg.Store.Changes(ctx, w.pos, matchBatch)
		if err != nil {
			return err
		}
		if len(changes) == 0 {
			return nil
		}
		var hits []store.AlertHit
		for i := range changes {
			l := &changes[i].Listing
			if l.Status != listing.StatusOpen {
				continue
			}
			for _, id := range w.perc.Match(l) {
				hits = append(hits, store.AlertHit{SearchID: id, ListingID: l.ID})
			}
		}
		last := changes[len(changes)-1].Seq
		if err := w.cfg.Store.RecordAlertHits(ctx, followerName, last, hits); err != nil {
			return err
		}
		w.pos = last
		if len(changes) < matchBatch {
			return nil
		}
	}
	return nil
}

// mailDue writes the alert mail that is due, one saved search at a time.
func (w *Worker) mailDue(ctx context.Context) error {
	now := w.cfg.Now()
	var after int64
	for {
		due, err := w.cfg.Store.PendingAlerts(ctx, after, 500)
		if err != nil {
			return err
		}
		for _, s := range due {
			after = s.ID
			if !w.isDue(s, now) {
				continue
			}
			err := w.mailOne(ctx, s)
			if errors.Is(err, store.ErrConflict) {
				continue // another node settled it
			}
			if err != nil {
				return fmt.Errorf("alerts: saved search %d: %w", s.ID, err)
			}
		}
		if len(due) < 500 {
			return nil
		}
	}
}

// isDue reports whether the saved search's pending hits go out now: an
// instant alert once the bundle interval since its last mail has passed,
// a daily digest once its hour (Asia/Tokyo) has come since its last mail
// (or since it was saved). A search whose alert is off settles at once:
// what was pending is dropped.
func (w *Worker) isDue(s store.AlertSearch, now time.Time) bool {
	switch s.Alert {
	case "instant":
		return s.MailedAt.IsZero() || now.Sub(s.MailedAt) >= w.cfg.Bundle
	case "daily":
		return DigestTime(now, s.Hour).After(maxTime(s.MailedAt, s.CreatedAt))
	default:
		return true
	}
}

// jst is Asia/Tokyo, which has had no daylight saving time since 1951.
var jst = time.FixedZone("Asia/Tokyo", 9*60*60)

// DigestTime returns the latest digest time at or before now: hour:00 in
// Asia/Tokyo today, or yesterday when that is still to come.
func DigestTime(now time.Time, hour int) time.Time {
	t := now.In(jst)
	d := time.Date(t.Year(), t.Month(), t.Day(), hour, 0, 0, 0, jst)
	if d.After(t) {
		d = d.AddDate(0, 0, -1)
	}
	return d
}

// mailOne settles one saved search's pending hits: the open ones not yet
// told go into one mail, the rest are dropped.
func (w *Worker) mailOne(ctx context.Context, s store.AlertSearch) error {
	ids, err := w.cfg.Store.PendingHits(ctx, s.ID)
	if err != nil || len(ids) == 0 {
		return err
	}
	if s.Alert == "off" {
		return w.cfg.Store.CommitAlert(ctx, s.ID, w.cfg.Now(), nil, nil, ids)
	}
	ls, err := w.cfg.Store.ListingsByID(ctx, ids)
	if err != nil {
		return err
	}
	byID := make(map[int64]*listing.Listing, len(ls))
	groups := make([]int64, 0, len(ls))
	for i := range ls {
		byID[ls[i].ID] = &ls[i]
		groups = append(groups, groupOf(&ls[i]))
	}
	told, err := w.cfg.Store.MailedGroups(ctx, s.ID, groups)
	if err != nil {
		return err
	}
	var mailed, dropped []int64
	var fresh []*listing.Listing
	for _, id := range ids {
		l := byID[id]
		switch {
		case l == nil, l.Status != listing.StatusOpen, told[groupOf(l)]:
			dropped = append(dropped, id)
		default:
			told[groupOf(l)] = true // one offer of a job per mail
			mailed = append(mailed, id)
			fresh = append(fresh, l)
		}
	}
	if len(fresh) == 0 {
		return w.cfg.Store.CommitAlert(ctx, s.ID, w.cfg.Now(), nil, nil, dropped)
	}
	m, err := w.compose(s, fresh)
	if err != nil {
		return err
	}
	return w.cfg.Store.CommitAlert(ctx, s.ID, w.cfg.Now(), &m, mailed, dropped)
}

// groupOf is the duplicate group a listing belongs to: its group, or
// itself when it has none.
func groupOf(l *listing.Listing) int64 {
	if l.GroupID != 0 {
		return l.GroupID
	}
	return l.ID
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func trimSlash(s string) string {
	for len(s) > 0 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}

// host is the host name of the base URL, for List-Id.
func host(base string) string {
	u, err := url.Parse(base)
	if err != nil || u.Hostname() == "" {
		return "anken.localhost"
	}
	return u.Hostname()
}
