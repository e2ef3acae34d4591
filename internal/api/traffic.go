package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"anken/internal/traffic"
)

type agencyStatsInput struct {
	From    string `query:"from" format:"date" doc:"First day, YYYY-MM-DD in Asia/Tokyo (JST); 29 days before to when absent (30 days in all)."`
	To      string `query:"to" format:"date" doc:"Last day, YYYY-MM-DD in Asia/Tokyo (JST), included; today when absent. At most 366 days from from to to, both included."`
	Listing string `query:"listing" maxLength:"200" doc:"Only this listing of yours: its external_id. Another agency's listing is 404, as one that does not exist."`
}

// TrafficCounts are how often listings were shown, opened and clicked
// through to apply.
type TrafficCounts struct {
	Impressions int64   `json:"impressions" doc:"Times a card of the listing was on a search, list or landing page, once per visitor a day."`
	Views       int64   `json:"views" doc:"Times its page was opened, once per visitor a day."`
	Clicks      int64   `json:"clicks" doc:"Times its apply link (/go/{listing_id}/{agency}) took a visitor to your apply URL, once per visitor a day."`
	CTR         float64 `json:"ctr" doc:"clicks ÷ impressions, rounded to 4 decimal places; 0 without impressions. It can exceed 1: a click from mail or from the listing's page reached directly follows no impression."`
}

// AgencyStatsDay is one day's counts over the listings asked for.
type AgencyStatsDay struct {
	Day string `json:"day" format:"date" doc:"YYYY-MM-DD in Asia/Tokyo."`
	TrafficCounts
}

// AgencyStatsListing is one listing's counts over the days asked for.
type AgencyStatsListing struct {
	ListingID  int64  `json:"listing_id" doc:"anken's id of the listing (/v1/listings/{id}, /listings/{id})."`
	ExternalID string `json:"external_id" doc:"Your id of the listing."`
	TrafficCounts
}

// AgencyStats are an agency's counts over days.
type AgencyStats struct {
	From    string           `json:"from" format:"date" doc:"First day covered."`
	To      string           `json:"to" format:"date" doc:"Last day covered."`
	Listing string           `json:"listing,omitempty" doc:"The external_id asked for; absent for all your listings."`
	Total   TrafficCounts    `json:"total" doc:"The sums over the days."`
	Days    []AgencyStatsDay `json:"days" nullable:"false" doc:"Every day from from to to, oldest first, days without counts included (zeros)."`
	// Listings has only listings with a count in the days.
	Listings []AgencyStatsListing `json:"listings" nullable:"false" doc:"Each listing with any count in the days: most clicked first, then most shown, then by listing_id."`
}

type agencyStatsOutput struct{ Body AgencyStats }

func (h *handlers) registerAgencyStats(sec []map[string][]string, auth huma.Middlewares) {
	huma.Register(h.api, huma.Operation{
		OperationID: "get-agency-stats",
		Method:      http.MethodGet,
		Path:        "/v1/agency/stats",
		Summary:     "How often your listings were shown, opened and clicked through to apply",
		Description: "Counts per day (Asia/Tokyo) and per listing: impressions (a card of the listing on a search, " +
			"list or landing page), views (its page opened) and clicks (its apply link followed to your apply URL), " +
			"with the click-through rate. Each visitor counts once a day per listing and kind; clients whose " +
			"User-Agent calls itself a bot are not counted. Counts reach the store every few seconds. " +
			"Nothing about visitors is kept: no address, cookie or account.",
		Tags:        []string{"agency"},
		Security:    sec,
		Middlewares: auth,
		Errors:      []int{http.StatusUnauthorized, http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *agencyStatsInput) (*agencyStatsOutput, error) {
		rep, err := h.Traffic.Agency(ctx, agencyFrom(ctx), traffic.Query{From: in.From, To: in.To, Listing: in.Listing})
		if err != nil {
			return nil, h.fail(ctx, err)
		}
		out := &agencyStatsOutput{Body: AgencyStats{From: rep.From, To: rep.To, Listing: rep.Listing, Total: trafficCounts(rep.Total),
			Days: make([]AgencyStatsDay, len(rep.Days)), Listings: make([]AgencyStatsListing, len(rep.Listings))}}
		for i, d := range rep.Days {
			out.Body.Days[i] = AgencyStatsDay{Day: d.Day, TrafficCounts: trafficCounts(d.Counts)}
		}
		for i, l := range rep.Listings {
			out.Body.Listings[i] = AgencyStatsListing{ListingID: l.ListingID, ExternalID: l.ExternalID, TrafficCounts: trafficCounts(l.Counts)}
		}
		return out, nil
	})
}

func trafficCounts(c traffic.Counts) TrafficCounts {
	return TrafficCounts{Impressions: c.Impressions, Views: c.Views, Clicks: c.Clicks, CTR: c.CTR}
}
