package traffic

import (
	"cmp"
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"time"

	"anken/internal/listing"
	"anken/internal/problem"
	"anken/internal/store"
)

// DefaultDays is how many days a report covers when from is not given:
// the 30 days up to to.
const DefaultDays = 30

// MaxDays is the most days one report covers.
const MaxDays = 366

// Reader is what Reports reads: store.Store.
type Reader interface {
	AgencyListing(ctx context.Context, agency store.Agency, externalID string) (listing.Listing, error)
	AgencyTraffic(ctx context.Context, agency store.Agency, from, to string, listingID int64) (store.AgencyTraffic, error)
}

// Reports reads agencies' counts, for the agency API and its console.
// Safe for concurrent use.
type Reports struct {
	Store Reader
	Now   func() time.Time // what today is; time.Now when nil
}

// Query asks for an agency's counts: days From to To (YYYY-MM-DD in
// Asia/Tokyo, both included; To defaults to today, From to DefaultDays
// days up to To), of its listing with external id Listing alone when set.
type Query struct {
	From, To string
	Listing  string
}

// Counts are how often listings were shown, opened and clicked through
// to apply, and the click-through rate.
type Counts struct {
	Impressions int64
	Views       int64
	Clicks      int64
	// CTR is Clicks ÷ Impressions, rounded to 4 decimal places; 0 with
	// no impressions. It can exceed 1: a click from a page without the
	// listing's card (its own page reached from mail or a bookmark) has
	// no impression.
	CTR float64
}

// DayCounts are the counts of one day over the listings asked for.
type DayCounts struct {
	Day string // YYYY-MM-DD in Asia/Tokyo
	Counts
}

// ListingCounts are one listing's counts over the days asked for.
type ListingCounts struct {
	ListingID  int64
	ExternalID string
	Counts
}

// Report is an agency's counts over days.
type Report struct {
	From, To string // the days covered, both included
	Listing  string // the external id asked for; empty for every listing
	Total    Counts
	// Days has every day From to To, oldest first, zeros included.
	Days []DayCounts
	// Listings has each listing with any count in the days, most clicked
	// first (then most shown, then by id).
	Listings []ListingCounts
}

// Agency reads the counts of the agency's listings. A day that is not
// YYYY-MM-DD, from after to, or more than MaxDays are Unprocessable; a
// listing the agency does not have (another agency's included) is
// NotFound.
func (r *Reports) Agency(ctx context.Context, a store.Agency, q Query) (Report, error) {
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	from, to, err := days(q.From, q.To, now())
	if err != nil {
		return Report{}, err
	}
	var id int64
	if q.Listing != "" {
		l, err := r.Store.AgencyListing(ctx, a, q.Listing)
		if errors.Is(err, store.ErrNotFound) {
			return Report{}, problem.Field(problem.NotFound, "query.listing", q.Listing, "you have no listing with this external_id")
		}
		if err != nil {
			return Report{}, storeError(err)
		}
		id = l.ID
	}
	f, t := from.Format(time.DateOnly), to.Format(time.DateOnly)
	got, err := r.Store.AgencyTraffic(ctx, a, f, t, id)
	if err != nil {
		return Report{}, storeError(err)
	}
	rep := Report{From: f, To: t, Listing: q.Listing}
	byDay := make(map[string]store.TrafficCounts, len(got.Days))
	var total store.TrafficCounts
	for _, d := range got.Days {
		byDay[d.Day] = d.TrafficCounts
		total = add(total, d.TrafficCounts)
	}
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		day := d.Format(time.DateOnly)
		rep.Days = append(rep.Days, DayCounts{Day: day, Counts: counts(byDay[day])})
	}
	rep.Total = counts(total)
	rep.Listings = make([]ListingCounts, len(got.Listings))
	for i, l := range got.Listings {
		rep.Listings[i] = ListingCounts{ListingID: l.ListingID, ExternalID: l.ExternalID, Counts: counts(l.TrafficCounts)}
	}
	slices.SortFunc(rep.Listings, func(a, b ListingCounts) int {
		return cmp.Or(cmp.Compare(b.Clicks, a.Clicks), cmp.Compare(b.Impressions, a.Impressions), cmp.Compare(a.ListingID, b.ListingID))
	})
	return rep, nil
}

// days reads from and to (JST days), with their defaults.
func days(from, to string, now time.Time) (time.Time, time.Time, error) {
	parse := func(name, v string) (time.Time, error) {
		d, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(v), jst)
		if err != nil {
			return time.Time{}, problem.Field(problem.Unprocessable, "query."+name, v, "must be a day as YYYY-MM-DD (Asia/Tokyo)")
		}
		return d, nil
	}
	t := now.In(jst)
	end := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, jst)
	var err error
	if to != "" {
		if end, err = parse("to", to); err != nil {
			return time.Time{}, time.Time{}, err
		}
	}
	start := end.AddDate(0, 0, 1-DefaultDays)
	if from != "" {
		if start, err = parse("from", from); err != nil {
			return time.Time{}, time.Time{}, err
		}
	}
	if start.After(end) {
		return time.Time{}, time.Time{}, problem.Field(problem.Unprocessable, "query.from", from, "must not be after to ("+end.Format(time.DateOnly)+")")
	}
	if n := int(end.Sub(start).Hours()/24) + 1; n > MaxDays {
		return time.Time{}, time.Time{}, problem.Field(problem.Unprocessable, "query.from", start.Format(time.DateOnly),
			"from and to may be at most 366 days apart, both included")
	}
	return start, end, nil
}

func add(a, b store.TrafficCounts) store.TrafficCounts {
	return store.TrafficCounts{Impressions: a.Impressions + b.Impressions, Views: a.Views + b.Views, Clicks: a.Clicks + b.Clicks}
}

func counts(c store.TrafficCounts) Counts {
	out := Counts{Impressions: c.Impressions, Views: c.Views, Clicks: c.Clicks}
	if c.Impressions > 0 {
		out.CTR = math.Round(float64(c.Clicks)/float64(c.Impressions)*1e4) / 1e4
	}
	return out
}

// storeError gives a store failure its kind: the store is not answering.
func storeError(err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	return problem.Wrap(problem.Unavailable, err, "the store is not answering; retry shortly")
}
