package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"anken/internal/listing"
	"anken/internal/search"
	"anken/internal/skill"
)

// SearchInput is GET /v1/listings. Several values of one filter (comma
// separated or repeated) match any of them; skill needs all of them.
type SearchInput struct {
	Q          string   `query:"q" maxLength:"400" doc:"Free text. Japanese terms match as substrings (港, 東京), ASCII words as whole words with synonyms (golang = go, k8s = kubernetes); terms are ANDed. A phrase in quotes (\"react native\", \"東京 駅\", 「リモート 可」; also ＂…＂ and “…”) must occur as written within the title, the skills or the description, white space runs counting as one space, without synonyms, and with whole-word ends (\"java\" does not match javascript); an unclosed quote runs to the end. A term or phrase written with a leading - excludes listings that hold it (-java, -\"full remote\")." example:"リモート Go"`
	Skill      []string `query:"skill" maxItems:"20" doc:"Skill slugs or names (go, kubernetes, C#); a listing must have all of them." example:"go"`
	Role       []string `query:"role" enum:"backend,frontend,fullstack,infra,sre,data,ml,mobile,pm,qa,security,design,other" doc:"職種"`
	Remote     []string `query:"remote" enum:"full,partial,onsite" doc:"Work style: full (フルリモート), partial (一部リモート), onsite (常駐)."`
	Prefecture []string `query:"prefecture" pattern:"^JP-(0[1-9]|[1-3][0-9]|4[0-7])$" doc:"ISO 3166-2:JP code, e.g. JP-13 for 東京都." example:"JP-13"`
	RateMin    int64    `query:"rate_min" minimum:"0" maximum:"5000000" doc:"Monthly yen: listings that can pay at least this (rate.monthly_max ≥ rate_min)." example:"600000"`
	RateMax    int64    `query:"rate_max" minimum:"0" maximum:"5000000" doc:"Monthly yen: listings whose rate starts at or below this (rate.monthly_min ≤ rate_max)."`
	DaysMax    int      `query:"days_max" minimum:"0" maximum:"7" doc:"Listings workable in this many days a week or fewer (days_per_week.min ≤ days_max)."`
	Contract   []string `query:"contract" enum:"quasi_mandate,work_contract,outsourcing,dispatch" doc:"Contract type: quasi_mandate (準委任), work_contract (請負), outsourcing (業務委託), dispatch (派遣)."`
	SideJob    string   `query:"side_job" enum:"true,false" doc:"true: only listings that suit someone with a main job (副業OK)."`
	Sort       string   `query:"sort" enum:"relevance,newest,rate" default:"relevance" doc:"relevance (title first, fresher first), newest (posted_at) or rate (monthly_max, highest first)."`
	Facets     []string `query:"facets" enum:"role,skills,remote,prefecture,contract,days,side_job,rate" doc:"Fields to count over all hits. rate counts 5万円 bands of rate.monthly_max keyed by their lower bound."`
	Collapse   bool     `query:"collapse" default:"true" doc:"Show the same job offered by several agencies once, with the number of offers and their rate range. false lists every agency's listing."`
	Cursor     string   `query:"cursor" maxLength:"1000" doc:"next_cursor of the previous page. The pages of a search are the answer of its first page, in that order, while listings change: each listing that matched then comes exactly once, at the place it had then, even if it was changed or closed since (its current content is shown), and listings added since are left out until a new search; total and facets are those of the first page. A cursor expires (400) once its first page is older than the history the server keeps (at most 30 minutes) or the server restarted."`
	Limit      int      `query:"limit" minimum:"1" maximum:"100" default:"20" doc:"Hits per page."`
}

// SearchBody is the search answer.
type SearchBody struct {
	Total      int                       `json:"total" doc:"Hits over all pages."`
	Hits       []SearchHit               `json:"hits" doc:"This page, in sort order."`
	Facets     map[string]map[string]int `json:"facets,omitempty" doc:"For each requested facet, value → number of hits."`
	NextCursor string                    `json:"next_cursor,omitempty" doc:"Pass as cursor for the next page; absent on the last page."`
}

// SearchHit is a listing of a result page.
type SearchHit struct {
	listing.Listing
	Offers *Offers `json:"offers,omitempty" doc:"Present when several agencies offer this job (collapse=true)."`
}

// Offers sums up a job offered by several agencies.
type Offers struct {
	Count      int   `json:"count" doc:"Open listings of this job, one per agency's offer."`
	MonthlyMin int64 `json:"monthly_min,omitempty" doc:"Lowest monthly rate across the offers, in yen."`
	MonthlyMax int64 `json:"monthly_max,omitempty" doc:"Highest monthly rate across the offers, in yen."`
}

type searchOutput struct{ Body SearchBody }

type getInput struct {
	ID int64 `path:"id" minimum:"1" doc:"Listing id."`
}

type listingOutput struct{ Body *listing.Listing }

func (h *handlers) registerSearch() {
	huma.Register(h.api, huma.Operation{
		OperationID: "search-listings",
		Method:      http.MethodGet,
		Path:        "/v1/listings",
		Summary:     "Search open listings",
		Description: "案件検索. Free text, filters, facet counts and cursor pagination over every open listing.",
		Tags:        []string{"listings"},
		Security:    []map[string][]string{},
		Errors:      []int{http.StatusBadRequest, http.StatusUnprocessableEntity},
	}, h.search)
	huma.Register(h.api, huma.Operation{
		OperationID: "get-listing",
		Method:      http.MethodGet,
		Path:        "/v1/listings/{id}",
		Summary:     "Read one listing",
		Tags:        []string{"listings"},
		Security:    []map[string][]string{},
		Errors:      []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}, h.get)
}

func (h *handlers) search(ctx context.Context, in *SearchInput) (*searchOutput, error) {
	q := search.Query{
		Text:        in.Q,
		Prefectures: in.Prefecture,
		RateMin:     in.RateMin,
		RateMax:     in.RateMax,
		DaysMax:     in.DaysMax,
		Sort:        search.Sort(in.Sort),
		Collapse:    in.Collapse,
		Cursor:      in.Cursor,
		Limit:       in.Limit,
	}
	for _, s := range in.Skill {
		slug, err := skillSlug(s)
		if err != nil {
			return nil, huma.Error422UnprocessableEntity("unknown skill", err)
		}
		q.Skills = append(q.Skills, slug)
	}
	for _, v := range in.Role {
		q.Roles = append(q.Roles, listing.Role(v))
	}
	for _, v := range in.Remote {
		q.Remotes = append(q.Remotes, listing.Remote(v))
	}
	for _, v := range in.Contract {
		q.Contracts = append(q.Contracts, listing.Contract(v))
	}
	for _, v := range in.Facets {
		q.Facets = append(q.Facets, search.Facet(v))
	}
	if in.SideJob != "" {
		b := in.SideJob == "true"
		q.SideJob = &b
	}
	if in.RateMin > 0 && in.RateMax > 0 && in.RateMin > in.RateMax {
		return nil, huma.Error422UnprocessableEntity("rate_min is greater than rate_max",
			&huma.ErrorDetail{Location: "query.rate_min", Value: in.RateMin, Message: "must not exceed rate_max"})
	}
	res, err := h.Index.Search(ctx, q)
	if errors.Is(err, search.ErrBadCursor) {
		return nil, huma.Error400BadRequest("cursor cannot be used; start the search again without it",
			&huma.ErrorDetail{Location: "query.cursor", Value: in.Cursor, Message: err.Error()})
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, huma.NewError(499, "request cancelled")
		}
		h.Log.ErrorContext(ctx, "search", slog.Any("err", err))
		return nil, huma.Error500InternalServerError("search failed")
	}
	ids := make([]int64, len(res.Hits))
	for i, hit := range res.Hits {
		ids[i] = hit.ID
	}
	hits, err := h.Store.ListingsByID(ctx, ids)
	if err != nil {
		return nil, h.storeError(ctx, err, "listings")
	}
	out := &searchOutput{Body: SearchBody{Total: res.Total, Hits: make([]SearchHit, 0, len(hits)), NextCursor: res.NextCursor}}
	for i, l := range hits {
		hit := SearchHit{Listing: l}
		// hits keep the page's order; a listing gone from the store since
		// the search is left out, so match by id.
		for _, r := range res.Hits[i:] {
			if r.ID == l.ID {
				if r.Offers > 1 {
					hit.Offers = &Offers{Count: r.Offers, MonthlyMin: r.RateMin, MonthlyMax: r.RateMax}
				}
				break
			}
		}
		out.Body.Hits = append(out.Body.Hits, hit)
	}
	if len(res.Facets) > 0 {
		out.Body.Facets = make(map[string]map[string]int, len(res.Facets))
		for f, counts := range res.Facets {
			out.Body.Facets[string(f)] = counts
		}
	}
	return out, nil
}

// ListingBody is one listing with every agency's offer of the same job.
type ListingBody struct {
	listing.Listing
	Offers []Offer `json:"offers,omitempty" doc:"Every open listing of the same job, one per agency, this one included; absent when only one agency offers it."`
}

// Offer is one agency's listing of a job offered by several.
type Offer struct {
	ID        int64        `json:"id"`
	Agency    string       `json:"agency"`
	Title     string       `json:"title"`
	Rate      listing.Rate `json:"rate"`
	ApplyURL  string       `json:"apply_url,omitempty"`
	UpdatedAt time.Time    `json:"updated_at"`
}

type listingPageOutput struct{ Body ListingBody }

func (h *handlers) get(ctx context.Context, in *getInput) (*listingPageOutput, error) {
	// Closed listings are not in the index but keep their page.
	l, err := h.Store.Listing(ctx, in.ID)
	if err != nil {
		return nil, h.storeError(ctx, err, "listing")
	}
	out := &listingPageOutput{Body: ListingBody{Listing: l}}
	if l.GroupID != 0 {
		group, err := h.Store.GroupListings(ctx, l.GroupID)
		if err != nil {
			return nil, h.storeError(ctx, err, "listing")
		}
		if len(group) > 1 {
			for _, g := range group {
				out.Body.Offers = append(out.Body.Offers, Offer{ID: g.ID, Agency: g.Agency, Title: g.Title,
					Rate: g.Rate, ApplyURL: g.ApplyURL, UpdatedAt: g.UpdatedAt})
			}
		}
	}
	return out, nil
}

// skillSlug maps what a user typed (Go, golang, C#) to a taxonomy slug.
func skillSlug(s string) (string, error) {
	s = strings.TrimSpace(s)
	if sk, ok := skill.Lookup(s); ok {
		return sk.Slug, nil
	}
	return "", &huma.ErrorDetail{Location: "query.skill", Value: s,
		Message: "not a known skill; use a slug such as go, typescript, kubernetes"}
}

// listParams are the search parameters that take several values.
var listParams = []string{"skill", "role", "remote", "prefecture", "contract", "facets"}

// JoinListParams lets clients send several values of a list parameter
// either comma-separated (role=backend,sre) or repeated
// (role=backend&role=sre): it joins repeated ones before the API reads them.
func JoinListParams(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery != "" {
			q := r.URL.Query()
			joined := false
			for _, p := range listParams {
				if vs := q[p]; len(vs) > 1 {
					q.Set(p, strings.Join(vs, ","))
					joined = true
				}
			}
			if joined {
				// In place, not on a clone: the access log reads the
				// route the mux records on this request.
				r.URL.RawQuery = q.Encode()
			}
		}
		next.ServeHTTP(w, r)
	})
}
