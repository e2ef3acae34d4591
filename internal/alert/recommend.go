package alert

import (
	"context"
	"errors"
	"fmt"
	"time"

	"anken/internal/catalog"
	"anken/internal/mail"
	"anken/internal/store"
)

// Recommendation mail (おすすめ案件) goes out at recommendHour in
// Asia/Tokyo: every day for "daily", on Mondays for "weekly".
const (
	recommendHour  = 8
	recommendCount = 10
)

// RecommendTime returns the latest time recommendation mail of the kind
// (daily or weekly) was due at or before now.
func RecommendTime(now time.Time, kind string) time.Time {
	t := DigestTime(now, recommendHour)
	if kind == "weekly" {
		for t.Weekday() != time.Monday {
			t = t.AddDate(0, 0, -1)
		}
	}
	return t
}

// mailRecommendations writes the recommendation mail that is due: the
// listings that best fit each engineer's profile among those posted since
// their last recommendation mail.
func (w *Worker) mailRecommendations(ctx context.Context) error {
	if w.cfg.Catalog == nil {
		return nil
	}
	now := w.cfg.Now()
	var after int64
	for {
		rs, err := w.cfg.Store.RecommendRecipients(ctx, after, 500)
		if err != nil {
			return err
		}
		for _, r := range rs {
			after = r.EngineerID
			due := RecommendTime(now, r.Profile.Recommend)
			if !due.After(maxTime(r.RecommendedAt, r.CreatedAt)) {
				continue
			}
			err := w.recommendOne(ctx, r, now)
			if errors.Is(err, store.ErrConflict) {
				continue // another node did it
			}
			if err != nil {
				return fmt.Errorf("alerts: recommendations for engineer %d: %w", r.EngineerID, err)
			}
		}
		if len(rs) < 500 {
			return nil
		}
	}
}

func (w *Worker) recommendOne(ctx context.Context, r store.Recipient, now time.Time) error {
	since := r.RecommendedAt
	if since.IsZero() {
		since = now.AddDate(0, 0, -7)
	}
	picks, err := w.cfg.Catalog.Recommend(ctx, r.Profile, since, now, recommendCount)
	if err != nil {
		return err
	}
	if len(picks) == 0 { // nothing new that fits: no mail, next time from now
		return w.cfg.Store.CommitRecommendation(ctx, r.EngineerID, now, r.RecommendedAt, nil)
	}
	base := w.cfg.BaseURL
	v := recommendView{Weekly: r.Profile.Recommend == "weekly", ProfileURL: base + "/me/profile", MoreURL: base + "/me/recommendations"}
	for _, p := range picks {
		lv := viewOf(base, &p.Listing)
		v.Listings = append(v.Listings, recommendItem{listingView: lv, Why: catalog.WhyText(p.Why)})
	}
	c, err := mail.Render("recommend", v)
	if err != nil {
		return err
	}
	m := store.Mail{EngineerID: r.EngineerID, Kind: "recommend", To: r.Email, Subject: c.Subject, Text: c.Text, HTML: c.HTML,
		Headers: map[string]string{
			"List-Id":          fmt.Sprintf("anken recommendations <recommend.%s>", host(base)),
			"List-Unsubscribe": "<" + base + "/me/profile>",
		}}
	return w.cfg.Store.CommitRecommendation(ctx, r.EngineerID, now, r.RecommendedAt, &m)
}

type recommendView struct {
	Weekly              bool
	Listings            []recommendItem
	ProfileURL, MoreURL string
}

type recommendItem struct {
	listingView
	Why []string
}
