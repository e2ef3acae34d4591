package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"anken/internal/catalog"
	"anken/internal/listing"
)

// Recommendation is a listing picked for the engineer, with why.
type Recommendation struct {
	Listing listing.Listing `json:"listing"`
	Score   int             `json:"score" doc:"How well the listing fits the profile: higher is better. Skills matched weigh most (30 each, up to three), then a rate at or above the wish (25), the role (20), meeting the years of experience it requires (20), the work style (15), the days (10) and being posted in the last three days (10); 30 less when it requires more years of experience than the profile gives (it is still shown)."`
	Reasons Reasons         `json:"reasons"`
	Why     []string        `json:"why" doc:"The reasons in Japanese, as the pages and the mail show them." example:"[\"Goのスキルが一致\",\"Go経験3年以上の条件を満たしています\",\"希望単価以上\"]"`
}

// Reasons says how a listing fits the profile.
type Reasons struct {
	Skills []string `json:"skills" doc:"The profile's skills the listing asks for (slugs)."`
	Role   bool     `json:"role" doc:"The listing's role is the profile's."`
	Rate   bool     `json:"rate" doc:"It pays at least the desired monthly rate."`
	Remote bool     `json:"remote" doc:"Its work style is the one wished for (or more remote)."`
	Days   bool     `json:"days" doc:"It can be done in the days a week wished for."`
	New    bool     `json:"new" doc:"Posted within the last three days."`

	Experience      bool `json:"experience" doc:"It requires years of experience (経験年数) and the profile meets them: in a skill by its years in that skill, in general by its most years. Requirements the profile gives no years for are not compared."`
	ExperienceShort bool `json:"experience_short" doc:"It requires more years of experience than the profile gives; it ranks lower."`
}

type recommendationsInput struct {
	Limit int `query:"limit" minimum:"1" maximum:"100" default:"20" doc:"How many to return."`
}

type recommendationsOutput struct {
	Body struct {
		Hits []Recommendation `json:"hits" doc:"Best first; empty when the profile names neither skills nor a role."`
	}
}

func (h *handlers) registerRecommendations() {
	huma.Register(h.api, huma.Operation{
		OperationID: "list-recommendations", Method: http.MethodGet, Path: "/v1/me/recommendations",
		Summary:     "Listings recommended for you",
		Description: "Open listings ranked by how they fit your profile (経験・希望条件), each job once, with the reasons. Candidates are the newest listings asking for each of your skills and those of your role; side-job only and prefectures (for work that is not fully remote) are requirements.",
		Tags:        []string{"me"}, Security: []map[string][]string{{engineerScheme: {}}},
		Middlewares: huma.Middlewares{h.authenticateEngineer},
		Errors:      []int{http.StatusUnauthorized, http.StatusUnprocessableEntity},
	}, h.recommendations)
}

func (h *handlers) recommendations(ctx context.Context, in *recommendationsInput) (*recommendationsOutput, error) {
	a := accountFrom(ctx)
	p, err := h.Accounts.Profile(ctx, a.ID)
	if err != nil {
		return nil, h.accountFail(ctx, err)
	}
	picks, err := h.Catalog.Recommend(ctx, p, time.Time{}, time.Now(), in.Limit)
	if err != nil {
		return nil, h.fail(ctx, err)
	}
	out := &recommendationsOutput{}
	out.Body.Hits = make([]Recommendation, len(picks))
	for i, pk := range picks {
		w := pk.Why
		out.Body.Hits[i] = Recommendation{Listing: pk.Listing, Score: pk.Score, Why: catalog.WhyText(w),
			Reasons: Reasons{Skills: orEmpty(w.Skills), Role: w.Role, Rate: w.Rate, Remote: w.Remote, Days: w.Days, New: w.New,
				Experience: len(w.Experience) > 0, ExperienceShort: w.ExperienceShort}}
	}
	return out, nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
