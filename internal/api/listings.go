package api

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"anken/internal/catalog"
	"anken/internal/listing"
	"anken/internal/problem"
)

// SearchInput is GET /v1/listings. Several values of one filter (comma
// separated or repeated) match any of them; skill needs all of them.
type SearchInput struct {
	Q            string   `query:"q" maxLength:"400" doc:"Free text. Japanese terms match as substrings (港, 東京), ASCII words as whole words with synonyms (golang = go, k8s = kubernetes); terms are ANDed. A phrase in quotes (\"react native\", \"東京 駅\", 「リモート 可」; also ＂…＂ and “…”) must occur as written within the title, the skills or the description, white space runs counting as one space, without synonyms, and with whole-word ends (\"java\" does not match javascript); an unclosed quote runs to the end. A term or phrase written with a leading - excludes listings that hold it (-java, -\"full remote\")." example:"リモート Go"`
	Skill        []string `query:"skill" maxItems:"20" doc:"Skill slugs or names (go, kubernetes, C#); a listing must have all of them." example:"go"`
	Role         []string `query:"role" enum:"backend,frontend,fullstack,infra,sre,data,ml,mobile,pm,qa,security,design,other" doc:"職種"`
	Remote       []string `query:"remote" enum:"full,partial,onsite" doc:"Work style: full (フルリモート), partial (一部リモート), onsite (常駐)."`
	Prefecture   []string `query:"prefecture" pattern:"^JP-(0[1-9]|[1-3][0-9]|4[0-7])$" doc:"ISO 3166-2:JP code, e.g. JP-13 for 東京都." example:"JP-13"`
	RateMin      int64    `query:"rate_min" minimum:"0" maximum:"5000000" doc:"Monthly yen at each listing's stated workload: listings that can pay at least this a month (rate.monthly_max ≥ rate_min)." example:"600000"`
	RateMax      int64    `query:"rate_max" minimum:"0" maximum:"5000000" doc:"Monthly yen at each listing's stated workload: listings whose monthly pay starts at or below this (rate.monthly_min ≤ rate_max)."`
	HourlyMin    int64    `query:"hourly_min" minimum:"0" maximum:"625000" doc:"Yen an hour: listings that can pay at least this an hour (rate.hourly_max ≥ hourly_min)." example:"4000"`
	HourlyMax    int64    `query:"hourly_max" minimum:"0" maximum:"625000" doc:"Yen an hour: listings whose hourly pay starts at or below this (rate.hourly_min ≤ hourly_max)."`
	Workload     string   `query:"workload" enum:"full,part" doc:"full: days a week not stated or reaching 4, and hours a month (if stated) reaching 120; part: the rest (side jobs, 週1〜3日)."`
	Agency       []string `query:"agency" maxItems:"50" doc:"Agency slugs: listings of any of them (the same job offered by several agencies is found through each)." example:"techlink"`
	PostedWithin string   `query:"posted_within" enum:"1d,3d,7d,30d" doc:"Listings anken first saw within this many days (first_seen_at): 1d is 今日の新着."`
	DaysMax      int      `query:"days_max" minimum:"0" maximum:"7" doc:"Listings workable in this many days a week or fewer (days_per_week.min ≤ days_max)."`
	Contract     []string `query:"contract" enum:"quasi_mandate,work_contract,outsourcing,dispatch" doc:"Contract type: quasi_mandate (準委任), work_contract (請負), outsourcing (業務委託), dispatch (派遣)."`
	SideJob      string   `query:"side_job" enum:"true,false" doc:"true: only listings that suit someone with a main job (副業OK)."`
	Sort         string   `query:"sort" enum:"relevance,newest,rate" default:"relevance" doc:"relevance (title first, fresher first), newest (posted_at) or rate (monthly_max, highest first)."`
	Facets       []string `query:"facets" enum:"role,skills,remote,prefecture,contract,days,side_job,rate,agency" doc:"Fields to count over all hits. rate counts 5万円 bands of rate.monthly_max keyed by their lower bound; agency counts by agency slug, a job several agencies offer (collapse=true) once for each of them; a later page of a collapsed search may leave agency out (read it from the first page)."`
	Collapse     bool     `query:"collapse" default:"true" doc:"Show the same job offered by several agencies once, with the number of offers and their rate range. false lists every agency's listing."`
	Cursor       string   `query:"cursor" maxLength:"1000" doc:"next_cursor of the previous page. The pages of a search are the answer of its first page, in that order, while listings change: each listing that matched then comes exactly once, at the place it had then, even if it was changed or closed since (its current content is shown), and listings added since are left out until a new search; total and facets are those of the first page. A cursor expires (400) once its first page is older than the history the server keeps (at most 30 minutes) or the server restarted."`
	Limit        int      `query:"limit" minimum:"1" maximum:"100" default:"20" doc:"Hits per page."`
	raw          string
}

// Resolve keeps the raw query string: the fields above document the
// parameters and let huma check them first, but the search is read by the
// catalog's parser, the one the pages, /v1/stats and saved searches share.
func (in *SearchInput) Resolve(ctx huma.Context) []error {
	in.raw = ctx.URL().RawQuery
	return nil
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
		Middlewares: huma.Middlewares{h.keep(&keptPages{})},
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
	p, err := catalog.ParseQuery(in.raw)
	if err != nil {
		return nil, h.fail(ctx, err)
	}
	q, err := p.Query()
	if err != nil {
		return nil, h.fail(ctx, err)
	}
	page, err := h.Catalog.Search(ctx, q)
	if err != nil {
		return nil, h.fail(ctx, err)
	}
	out := &searchOutput{Body: SearchBody{Total: page.Total, Hits: make([]SearchHit, len(page.Hits)), NextCursor: page.NextCursor}}
	for i, hit := range page.Hits {
		out.Body.Hits[i] = SearchHit{Listing: hit.Listing}
		if o := hit.Offers; o != nil {
			out.Body.Hits[i].Offers = &Offers{Count: o.Count, MonthlyMin: o.MonthlyMin, MonthlyMax: o.MonthlyMax}
		}
	}
	if len(page.Facets) > 0 {
		out.Body.Facets = make(map[string]map[string]int, len(page.Facets))
		for f, counts := range page.Facets {
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
	d, err := h.Catalog.Listing(ctx, in.ID)
	if err != nil {
		return nil, h.fail(ctx, err)
	}
	out := &listingPageOutput{Body: ListingBody{Listing: d.Listing}}
	for _, g := range d.Offers {
		out.Body.Offers = append(out.Body.Offers, Offer{ID: g.ID, Agency: g.Agency, Title: g.Title,
			Rate: g.Rate, ApplyURL: g.ApplyURL, UpdatedAt: g.UpdatedAt})
	}
	return out, nil
}

// JoinListParams lets clients send several values of a list parameter
// either comma-separated (role=backend,sre) or repeated
// (role=backend&role=sre): it joins repeated ones before the API reads them.
// A query string that does not parse (a bad percent-escape) is answered
// 400 under /v1 rather than read without the broken parameter; pages see
// it unchanged and answer it themselves.
func JoinListParams(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery != "" {
			q, err := url.ParseQuery(r.URL.RawQuery)
			if err != nil {
				if strings.HasPrefix(r.URL.Path, "/v1/") {
					WriteProblem(w, problem.Field(problem.Invalid, "query", r.URL.RawQuery,
						"the query string is malformed (a bad %-escape?): "+err.Error()))
					return
				}
				next.ServeHTTP(w, r)
				return
			}
			joined := false
			for _, p := range catalog.ListParams {
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
