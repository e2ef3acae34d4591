package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"anken/internal/operate"
	"anken/internal/problem"
	"anken/internal/store"
)

// AgencyProfile is what an agency's public page (/agencies/{slug}) says
// of it besides its figures.
type AgencyProfile struct {
	Slug        string     `json:"slug" doc:"The agency's slug; its page is /agencies/{slug}."`
	Name        string     `json:"name" doc:"Display name (表示名), shown on cards, listing pages and the agency's page."`
	Description string     `json:"description" doc:"What the agency says of itself, line breaks as \\n; empty until set."`
	SiteURL     string     `json:"site_url" doc:"The agency's site (http or https), linked from its page with rel=\"nofollow noopener\"; empty until set."`
	UpdatedAt   *time.Time `json:"updated_at,omitempty" doc:"When the profile was last set, by the agency or an operator; absent until then."`
}

// AgencyProfileBody is a profile as it is written: it replaces the
// name, description and site at once.
type AgencyProfileBody struct {
	Name        string `json:"name" minLength:"1" maxLength:"200" doc:"Display name: 1–200 characters without control characters (white space around it is trimmed)." example:"さくらテック"`
	Description string `json:"description,omitempty" doc:"Up to 2,000 characters. Line breaks are kept (CR LF and CR are stored as \\n); any other control character (tab, NUL, …) is refused. Absent or empty clears it." example:"Go と TypeScript の案件を中心に、フルリモート・週3日からの案件を紹介しています。"`
	SiteURL     string `json:"site_url,omitempty" maxLength:"2000" doc:"An absolute http or https URL of up to 2,000 bytes, without user name or password. Absent or empty clears it." example:"https://sakura-tech.example/"`
}

type (
	agencyProfileOutput     struct{ Body AgencyProfile }
	putAgencyProfileInput   struct{ Body AgencyProfileBody }
	putOperatorProfileInput struct {
		Slug string `path:"slug" pattern:"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$" doc:"The agency's slug."`
		Body AgencyProfileBody
	}
)

// registerAgencyProfile adds the agency's reading and setting of its own
// profile, with its key.
func (h *handlers) registerAgencyProfile(sec []map[string][]string, auth huma.Middlewares) {
	huma.Register(h.api, huma.Operation{
		OperationID: "get-agency-profile",
		Method:      http.MethodGet,
		Path:        "/v1/agency/profile",
		Summary:     "Read your agency's profile",
		Description: "Your display name, description and site as your page /agencies/{slug} shows them.",
		Tags:        []string{"agency"},
		Security:    sec,
		Middlewares: auth,
		Errors:      []int{http.StatusUnauthorized},
	}, h.getAgencyProfile)
	huma.Register(h.api, huma.Operation{
		OperationID: "put-agency-profile",
		Method:      http.MethodPut,
		Path:        "/v1/agency/profile",
		Summary:     "Set your agency's profile",
		Description: "Replaces your display name, description and site at once (a field left out is cleared). " +
			"A field that breaks its rule is 422, naming it, and changes nothing. " +
			"Your page and cards show the new name within a minute.",
		Tags:         []string{"agency"},
		Security:     sec,
		Middlewares:  auth,
		Errors:       []int{http.StatusUnauthorized, http.StatusUnprocessableEntity},
		MaxBodyBytes: 64 << 10,
	}, h.putAgencyProfile)
}

func (h *handlers) getAgencyProfile(ctx context.Context, _ *struct{}) (*agencyProfileOutput, error) {
	a := agencyFrom(ctx)
	p, err := h.Operate.AgencyProfile(ctx, a.Slug)
	if err != nil {
		return nil, h.storeError(ctx, err, "agency "+a.Slug)
	}
	return &agencyProfileOutput{Body: agencyProfileOf(p)}, nil
}

func (h *handlers) putAgencyProfile(ctx context.Context, in *putAgencyProfileInput) (*agencyProfileOutput, error) {
	return h.setAgencyProfile(ctx, agencyFrom(ctx), in.Body)
}

// putOperatorProfile sets any agency's profile, for an operator.
func (o *operatorOps) putOperatorProfile(ctx context.Context, in *putOperatorProfileInput) (*agencyProfileOutput, error) {
	a, err := o.agency(ctx, in.Slug)
	if err != nil {
		return nil, err
	}
	return o.setAgencyProfile(ctx, a, in.Body)
}

// operatorProfileOperation is the operator's PUT /v1/operator/agencies/{slug}.
var operatorProfileOperation = huma.Operation{
	OperationID: "put-agency-profile-operator", Method: http.MethodPut, Path: "/v1/operator/agencies/{slug}",
	Summary: "Set an agency's profile",
	Description: "What the agency itself sets with PUT /v1/agency/profile, for any agency: its display name, description and site, " +
		"replaced at once. A field that breaks its rule is 422, naming it, and changes nothing.",
	Errors:       []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	MaxBodyBytes: 64 << 10,
}

func (h *handlers) setAgencyProfile(ctx context.Context, a store.Agency, b AgencyProfileBody) (*agencyProfileOutput, error) {
	p, err := h.Operate.SetAgencyProfile(ctx, a, store.AgencyProfile{Name: b.Name, Description: b.Description, SiteURL: b.SiteURL})
	var pe *operate.ProfileError
	if errors.As(err, &pe) {
		return nil, h.fail(ctx, problem.Field(problem.Unprocessable, "body."+pe.Field, pe.Value, pe.Reason))
	}
	if err != nil {
		return nil, h.storeError(ctx, err, "agency "+a.Slug)
	}
	return &agencyProfileOutput{Body: agencyProfileOf(p)}, nil
}

func agencyProfileOf(p store.AgencyProfile) AgencyProfile {
	out := AgencyProfile{Slug: p.Slug, Name: p.Name, Description: p.Description, SiteURL: p.SiteURL}
	if !p.UpdatedAt.IsZero() {
		at := p.UpdatedAt.UTC()
		out.UpdatedAt = &at
	}
	return out
}
