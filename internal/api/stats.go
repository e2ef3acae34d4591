package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"anken/internal/catalog"
	"anken/internal/market"
	"anken/internal/search"
)

// StatsInput is GET /v1/stats: the parameters of GET /v1/listings. Its
// query string is read by the catalog's parser, the one /v1/listings, the
// pages and saved searches share; the fields document it and let huma
// check it first.
type StatsInput struct {
	SearchInput
	Basis string `query:"basis" enum:"monthly,hourly" default:"monthly" doc:"Which pay the figures describe: monthly (rate.monthly_min/max, at each listing's stated workload; 5万円 bands, 10万円 volume zone with its annual equivalent) or hourly (rate.hourly_min/max; 500円 bands, 1,000円 volume zone, no annual)."`
}

// TrendInput is GET /v1/stats/trend.
type TrendInput struct {
	SearchInput
	Days int `query:"days" minimum:"1" maximum:"730" doc:"Days up to today (Asia/Tokyo), today included; 90 when not given."`
}

// EstimateInput is GET /v1/estimate.
type EstimateInput struct {
	Hourly      int64   `query:"hourly" minimum:"1" maximum:"100000" doc:"Hourly rate in yen (時給); with hours_per_day." example:"3000"`
	HourlyMin   int64   `query:"hourly_min" minimum:"1" maximum:"100000" doc:"Low end of an hourly range; with hourly_max."`
	HourlyMax   int64   `query:"hourly_max" minimum:"1" maximum:"100000" doc:"High end of an hourly range; with hourly_min."`
	HoursPerDay float64 `query:"hours_per_day" minimum:"0.1" maximum:"24" doc:"Hours worked a day, at most one decimal (1.5)." example:"2"`
	HoursMin    float64 `query:"hours_min" minimum:"0.1" maximum:"24" doc:"Low end of a range of hours a day; with hours_max."`
	HoursMax    float64 `query:"hours_max" minimum:"0.1" maximum:"24" doc:"High end of a range of hours a day; with hours_min."`
	Days        int     `query:"days" minimum:"1" maximum:"31" doc:"Days worked a month, with an hourly rate; 22 when not given."`
	Monthly     int64   `query:"monthly" minimum:"1" maximum:"5000000" doc:"Monthly yen (月額): answers the annual equivalent, or with days_per_week the hourly rate."`
	Annual      int64   `query:"annual" minimum:"1" maximum:"60000000" doc:"Annual yen (年収): answers the monthly equivalent."`
	DaysPerWeek int     `query:"days_per_week" minimum:"1" maximum:"7" doc:"With monthly: days worked a week (週N日), for the hourly rate at 8 hours a day and 4 weeks a month, as a listing's hourly pay is derived."`
}

type statsOutput struct{ Body market.Stats }

type trendOutput struct{ Body market.Trend }

type estimateOutput struct{ Body market.Estimate }

func (h *handlers) registerStats() {
	h.api.OpenAPI().Tags = append(h.api.OpenAPI().Tags, &huma.Tag{Name: "market",
		Description: "Market figures (相場) of any search, their daily trend, and income estimates. No key needed."})
	huma.Register(h.api, huma.Operation{
		OperationID: "search-stats",
		Method:      http.MethodGet,
		Path:        "/v1/stats",
		Summary:     "Market figures of a search",
		Description: "相場. The figures of exactly the listings GET /v1/listings returns for the same parameters (with its collapse: " +
			"each job once by default): count, priced, rate quartiles by nearest rank, the 5万円 histogram, the volume zone " +
			"(ボリュームゾーン) with its annual equivalent, and breakdowns by role, skill, prefecture and remote. " +
			"sort, facets, cursor and limit are accepted and do not matter.",
		Tags:     []string{"market"},
		Security: []map[string][]string{},
		Errors:   []int{http.StatusBadRequest, http.StatusUnprocessableEntity},
	}, h.stats)
	huma.Register(h.api, huma.Operation{
		OperationID: "search-stats-trend",
		Method:      http.MethodGet,
		Path:        "/v1/stats/trend",
		Summary:     "Daily trend of a search's market figures",
		Description: "One point a day (count, median, volume zone) from the daily snapshots, taken once a day of every open listing, " +
			"each role and each skill. A search of nothing, of one role or of one skill is answered exactly; any other search " +
			"from the closest snapshots (its role, else its first skill, else every listing), named in scope with exact false.",
		Tags:     []string{"market"},
		Security: []map[string][]string{},
		Errors:   []int{http.StatusBadRequest, http.StatusUnprocessableEntity},
	}, h.trend)
	huma.Register(h.api, huma.Operation{
		OperationID: "estimate-income",
		Method:      http.MethodGet,
		Path:        "/v1/estimate",
		Summary:     "Estimate income from a rate",
		Description: "収入の目安. hourly × hours_per_day × days (22 by default) = monthly, also for ranges " +
			"(hourly_min/hourly_max, hours_min/hours_max → monthly_min/monthly_max); monthly → annual (× 12); annual → monthly " +
			"(÷ 12); monthly with days_per_week → the hourly rate at 8 hours a day and 4 weeks a month (as listings' hourly pay). Yen are rounded down; " +
			"formula states the computation and its assumptions. A missing or conflicting parameter is 422 naming it.",
		Tags:     []string{"market"},
		Security: []map[string][]string{},
		Errors:   []int{http.StatusUnprocessableEntity},
	}, h.estimate)
}

// query reads the search the same way /v1/listings and the pages do, and
// the basis of its figures.
func (in *SearchInput) query() (search.Query, search.Basis, error) {
	p, err := catalog.ParseQuery(in.raw)
	if err != nil {
		return search.Query{}, 0, err
	}
	q, err := p.Query()
	return q, p.StatsBasis(), err
}

func (h *handlers) stats(ctx context.Context, in *StatsInput) (*statsOutput, error) {
	q, basis, err := in.query()
	if err != nil {
		return nil, h.fail(ctx, err)
	}
	s, err := h.Catalog.Stats(ctx, q, basis)
	if err != nil {
		return nil, h.fail(ctx, err)
	}
	return &statsOutput{Body: s}, nil
}

func (h *handlers) trend(ctx context.Context, in *TrendInput) (*trendOutput, error) {
	q, _, err := in.query()
	if err != nil {
		return nil, h.fail(ctx, err)
	}
	t, err := h.Catalog.Trend(ctx, q, in.Days)
	if err != nil {
		return nil, h.fail(ctx, err)
	}
	return &trendOutput{Body: t}, nil
}

func (h *handlers) estimate(ctx context.Context, in *EstimateInput) (*estimateOutput, error) {
	e, err := market.EstimateOf(market.EstimateInput{Hourly: in.Hourly, HourlyMin: in.HourlyMin, HourlyMax: in.HourlyMax,
		HoursPerDay: in.HoursPerDay, HoursMin: in.HoursMin, HoursMax: in.HoursMax, Days: in.Days,
		Monthly: in.Monthly, Annual: in.Annual, DaysPerWeek: in.DaysPerWeek})
	if err != nil {
		return nil, h.fail(ctx, err)
	}
	return &estimateOutput{Body: e}, nil
}
