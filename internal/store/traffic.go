package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
)

// TrafficCounts are how often listings were shown on a page
// (impressions), had their page opened (views) and were clicked through
// to apply (clicks).
type TrafficCounts struct {
	Impressions int64
	Views       int64
	Clicks      int64
}

// TrafficRow is one listing's counts of one day (YYYY-MM-DD in
// Asia/Tokyo): what a node adds to the store.
type TrafficRow struct {
	ListingID int64
	Day       string
	TrafficCounts
}

// trafficChunk is how many rows one INSERT of AddTraffic carries (five
// parameters each: far below either database's limit).
const trafficChunk = 200

// AddTraffic adds the rows' counts to those stored, in one transaction:
// a row of a (listing, day) already stored is summed with it, so every
// node adds its own counts. Rows are written in (listing, day) order, so
// that two nodes adding at once on PostgreSQL take their row locks in
// the same order and never deadlock. rows may not name a (listing, day)
// twice.
func (s *Store) AddTraffic(ctx context.Context, rows []TrafficRow) error {
	if len(rows) == 0 {
		return nil
	}
	for _, r := range rows {
		if _, err := time.Parse(time.DateOnly, r.Day); err != nil || r.ListingID <= 0 {
			return fmt.Errorf("store: add traffic: listing %d day %q: the day must be YYYY-MM-DD and the listing an id", r.ListingID, r.Day)
		}
	}
	rows = slices.Clone(rows)
	slices.SortFunc(rows, func(a, b TrafficRow) int {
		return cmp.Or(cmp.Compare(a.ListingID, b.ListingID), strings.Compare(a.Day, b.Day))
	})
	return s.inTx(ctx, false, func(tx *sql.Tx) error {
		for chunk := range slices.Chunk(rows, trafficChunk) {
			var q strings.Builder
			q.WriteString(`INSERT INTO listing_traffic (listing_id, day, impressions, views, clicks) VALUES `)
			args := make([]any, 0, 5*len(chunk))
			for i, r := range chunk {
				if i > 0 {
					q.WriteString(", ")
				}
				n := len(args)
				fmt.Fprintf(&q, "($%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5)
				args = append(args, r.ListingID, r.Day, r.Impressions, r.Views, r.Clicks)
			}
			q.WriteString(` ON CONFLICT (listing_id, day) DO UPDATE SET
				impressions = listing_traffic.impressions + excluded.impressions,
				views = listing_traffic.views + excluded.views,
				clicks = listing_traffic.clicks + excluded.clicks`)
			if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
				return fmt.Errorf("store: add traffic (%d rows): %w", len(chunk), err)
			}
		}
		return nil
	})
}

// DayTraffic is the counts of one day over an agency's listings.
type DayTraffic struct {
	Day string // YYYY-MM-DD in Asia/Tokyo
	TrafficCounts
}

// ListingTraffic is the counts of one listing over days.
type ListingTraffic struct {
	ListingID  int64
	ExternalID string
	TrafficCounts
}

// AgencyTraffic is an agency's counts over days: summed per day (days
// without counts left out), oldest first, and per listing (listings
// without counts left out), by listing id.
type AgencyTraffic struct {
	Days     []DayTraffic
	Listings []ListingTraffic
}

// AgencyTraffic sums the counts of the agency's listings from day from to
// day to (YYYY-MM-DD, both included); of its listing listingID alone when
// that is not 0. Another agency's listing has no counts here.
func (s *Store) AgencyTraffic(ctx context.Context, agency Agency, from, to string, listingID int64) (AgencyTraffic, error) {
	where := ` FROM listing_traffic t JOIN listings l ON l.id = t.listing_id
		WHERE l.agency_id = $1 AND t.day >= $2 AND t.day <= $3`
	args := []any{agency.ID, from, to}
	if listingID != 0 {
		where += ` AND t.listing_id = $4`
		args = append(args, listingID)
	}
	const sums = `CAST(SUM(t.impressions) AS BIGINT), CAST(SUM(t.views) AS BIGINT), CAST(SUM(t.clicks) AS BIGINT)`
	var out AgencyTraffic
	rows, err := s.db.QueryContext(ctx, `SELECT t.day, `+sums+where+
		` GROUP BY t.day ORDER BY t.day`, args...)
	if err != nil {
		return AgencyTraffic{}, fmt.Errorf("store: traffic of %s by day: %w", agency.Slug, err)
	}
	defer rows.Close()
	for rows.Next() {
		var d DayTraffic
		if err := rows.Scan(&d.Day, &d.Impressions, &d.Views, &d.Clicks); err != nil {
			return AgencyTraffic{}, fmt.Errorf("store: traffic of %s by day: %w", agency.Slug, err)
		}
		out.Days = append(out.Days, d)
	}
	if err := rows.Err(); err != nil {
		return AgencyTraffic{}, fmt.Errorf("store: traffic of %s by day: %w", agency.Slug, err)
	}
	rows.Close()
	rows, err = s.db.QueryContext(ctx, `SELECT t.listing_id, l.external_id, `+sums+where+
		` GROUP BY t.listing_id, l.external_id ORDER BY t.listing_id`, args...)
	if err != nil {
		return AgencyTraffic{}, fmt.Errorf("store: traffic of %s by listing: %w", agency.Slug, err)
	}
	defer rows.Close()
	for rows.Next() {
		var l ListingTraffic
		if err := rows.Scan(&l.ListingID, &l.ExternalID, &l.Impressions, &l.Views, &l.Clicks); err != nil {
			return AgencyTraffic{}, fmt.Errorf("store: traffic of %s by listing: %w", agency.Slug, err)
		}
		out.Listings = append(out.Listings, l)
	}
	if err := rows.Err(); err != nil {
		return AgencyTraffic{}, fmt.Errorf("store: traffic of %s by listing: %w", agency.Slug, err)
	}
	return out, nil
}
