package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"anken/internal/guide"
	"anken/internal/listing"
	"anken/internal/problem"
	"anken/internal/store"
)

const operatorKeyScheme = "operatorKey"

// GuideSummary is a guide as the list shows it: everything but its text.
type GuideSummary struct {
	Slug      string        `json:"slug"`
	Title     string        `json:"title"`
	Lead      string        `json:"lead"`
	URL       string        `json:"url" doc:"The guide's page."`
	Search    string        `json:"search" doc:"The category's listings as a /v1/listings query string; side_job=true is added for its side-job listings."`
	Scores    []guide.Score `json:"scores"`
	Total     int           `json:"total" doc:"The sum of the five scores, out of 500."`
	AI        int           `json:"ai" doc:"AI との相性, 0–100."`
	Tiers     []guide.Tier  `json:"tiers"`
	UpdatedAt time.Time     `json:"updated_at,omitzero"`
}

// GuidesBody lists the guides.
type GuidesBody struct {
	Guides   []GuideSummary `json:"guides"`
	WorkDays int            `json:"work_days" doc:"The days a month the monthly estimates assume: monthly = hourly × hours per day × work_days."`
}

// ContentEdit is an operator's new version of a guide or article.
type ContentEdit struct {
	Source string `json:"source" minLength:"1" maxLength:"65536" doc:"The whole file, front matter included, as GET answers it in source. It is checked like the files in the repository: every section, scores 0–100, tiers in order."`
	Note   string `json:"note,omitempty" maxLength:"500" doc:"What changed and why; kept with the revision."`
}

// Revision is one kept version of a guide or article.
type Revision struct {
	Revision  int       `json:"revision"`
	Operator  string    `json:"operator,omitempty" doc:"Who wrote it; absent for the content file shipped with anken."`
	Note      string    `json:"note,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	Source    string    `json:"source" doc:"The full text of this version."`
}

// RevisionsBody lists the versions of a guide or article, newest first.
type RevisionsBody struct {
	Revisions []Revision `json:"revisions"`
}

type guideSlugInput struct {
	Slug string `path:"slug" pattern:"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$" doc:"The category: backend, frontend, infra, data, mobile, design, writing, qa, …" example:"backend"`
}

type putGuideInput struct {
	Slug string `path:"slug" pattern:"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$" doc:"The category: an existing one to edit it, a new one to add it." example:"backend"`
	Body ContentEdit
}

type roleInput struct {
	Role string `path:"role" enum:"backend,frontend,fullstack,infra,sre,data,ml,mobile,pm,qa,security,design,other" doc:"職種"`
}

type putArticleInput struct {
	Role string `path:"role" enum:"backend,frontend,fullstack,infra,sre,data,ml,mobile,pm,qa,security,design,other" doc:"職種"`
	Body ContentEdit
}

type guidesOutput struct{ Body GuidesBody }
type guideOutput struct{ Body guide.Guide }
type articleOutput struct{ Body guide.Article }
type revisionsOutput struct{ Body RevisionsBody }

type operatorKey struct{}

func (h *handlers) registerGuides() {
	doc := h.api.OpenAPI()
	doc.Tags = append(doc.Tags,
		&huma.Tag{Name: "guides", Description: "Side-job guides (副業ガイド) per category and job-type articles (職種記事) per role, to read: no key needed. Operators edit them with their key (under operator), and every edit is kept."})
	doc.Components.SecuritySchemes[operatorKeyScheme] = &huma.SecurityScheme{
		Type:         "http",
		Scheme:       "bearer",
		BearerFormat: "op_…",
		Description:  "The key `anken operator create NAME` printed once for an operator. An agency's key is refused (403).",
	}
	public := []map[string][]string{}
	sec := []map[string][]string{{operatorKeyScheme: {}}}
	auth := huma.Middlewares{h.authenticateOperator}
	authErrors := []int{http.StatusUnauthorized, http.StatusForbidden}
	huma.Register(h.api, huma.Operation{
		OperationID: "list-guides",
		Method:      http.MethodGet,
		Path:        "/v1/guides",
		Summary:     "List the side-job guides",
		Description: "Every category's guide with its five scores (0–100), their total, the AI-affinity score and the income tiers with their monthly estimates (hourly × hours per day × 22 days).",
		Tags:        []string{"guides"},
		Security:    public,
	}, h.listGuides)
	huma.Register(h.api, huma.Operation{
		OperationID: "get-guide",
		Method:      http.MethodGet,
		Path:        "/v1/guides/{slug}",
		Summary:     "Read a side-job guide",
		Description: "Every section (Markdown), the FAQ, scores, total, tiers with monthly estimates, and source: the whole file, which PUT takes back.",
		Tags:        []string{"guides"},
		Security:    public,
		Errors:      []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}, h.getGuide)
	huma.Register(h.api, huma.Operation{
		OperationID: "put-guide",
		Method:      http.MethodPut,
		Path:        "/v1/guides/{slug}",
		Summary:     "Edit a side-job guide (operators)",
		Description: "Replaces the guide with source, checked like the files in the repository; a new slug adds a category. " +
			"The edit is kept as a revision (who, when, the full text) and wins over the file shipped with anken from then on.",
		Tags:         []string{"operator"},
		Security:     sec,
		Middlewares:  auth,
		Errors:       append(authErrors, http.StatusBadRequest, http.StatusUnprocessableEntity),
		MaxBodyBytes: 256 << 10,
	}, h.putGuide)
	huma.Register(h.api, huma.Operation{
		OperationID: "list-guide-revisions",
		Method:      http.MethodGet,
		Path:        "/v1/guides/{slug}/revisions",
		Summary:     "List a guide's revisions (operators)",
		Tags:        []string{"operator"},
		Security:    sec,
		Middlewares: auth,
		Errors:      append(authErrors, http.StatusUnprocessableEntity),
	}, h.guideRevisions)
	huma.Register(h.api, huma.Operation{
		OperationID: "get-role-article",
		Method:      http.MethodGet,
		Path:        "/v1/roles/{role}/article",
		Summary:     "Read a job-type article",
		Description: "The article of the role's job-type page (職種ページ): every section (Markdown), the FAQ and source, the whole file, which PUT takes back.",
		Tags:        []string{"guides"},
		Security:    public,
		Errors:      []int{http.StatusUnprocessableEntity},
	}, h.getArticle)
	huma.Register(h.api, huma.Operation{
		OperationID: "put-role-article",
		Method:      http.MethodPut,
		Path:        "/v1/roles/{role}/article",
		Summary:     "Edit a job-type article (operators)",
		Description: "Replaces the article with source, checked like the files in the repository. " +
			"The edit is kept as a revision (who, when, the full text) and wins over the file shipped with anken from then on.",
		Tags:         []string{"operator"},
		Security:     sec,
		Middlewares:  auth,
		Errors:       append(authErrors, http.StatusBadRequest, http.StatusUnprocessableEntity),
		MaxBodyBytes: 256 << 10,
	}, h.putArticle)
	huma.Register(h.api, huma.Operation{
		OperationID: "list-role-article-revisions",
		Method:      http.MethodGet,
		Path:        "/v1/roles/{role}/article/revisions",
		Summary:     "List a job-type article's revisions (operators)",
		Tags:        []string{"operator"},
		Security:    sec,
		Middlewares: auth,
		Errors:      append(authErrors, http.StatusUnprocessableEntity),
	}, h.articleRevisions)
}

// authenticateOperator lets through requests bearing a live operator
// key, who is then named in the request's audit row. No key, or a key
// nobody holds, is 401; an agency's key is 403: it is known, but not for
// this.
func (h *handlers) authenticateOperator(ctx huma.Context, next func(huma.Context)) {
	key, ok := strings.CutPrefix(ctx.Header("Authorization"), "Bearer ")
	key = strings.TrimSpace(key)
	if !ok || key == "" {
		ctx.SetHeader("WWW-Authenticate", `Bearer realm="anken"`)
		h.refuse(ctx, problem.Errorf(problem.Unauthorized,
			"missing operator key: send it as \"Authorization: Bearer op_…\""))
		return
	}
	var err error
	if strings.HasPrefix(key, store.OperatorKeyPrefix) {
		var op store.Operator
		if op, err = h.Operate.ByKey(ctx.Context(), key); err == nil {
			ctx = huma.WithValue(ctx, operatorKey{}, op)
			next(huma.WithContext(ctx, auditAs(ctx.Context(), store.AuditOperator, op.Name)))
			return
		}
	} else if _, err = h.Store.AgencyByKey(ctx.Context(), key); err == nil {
		h.refuse(ctx, problem.Errorf(problem.Forbidden, "an agency's key is not an operator's: use an operator key (op_…)"))
		return
	}
	if errors.Is(err, store.ErrNotFound) {
		ctx.SetHeader("WWW-Authenticate", `Bearer realm="anken", error="invalid_token"`)
		h.refuse(ctx, problem.Errorf(problem.Unauthorized, "operator key is not valid or has been revoked"))
		return
	}
	h.refuse(ctx, problem.Wrap(problem.Unavailable, err, "cannot check the key right now; retry shortly"))
}

func operatorFrom(ctx context.Context) store.Operator {
	op, _ := ctx.Value(operatorKey{}).(store.Operator)
	return op
}

func (h *handlers) listGuides(ctx context.Context, _ *struct{}) (*guidesOutput, error) {
	gs, err := h.Guides.Guides(ctx)
	if err != nil {
		return nil, h.fail(ctx, err)
	}
	out := &guidesOutput{Body: GuidesBody{Guides: make([]GuideSummary, len(gs)), WorkDays: guide.WorkDays}}
	for i, g := range gs {
		out.Body.Guides[i] = GuideSummary{Slug: g.Slug, Title: g.Title, Lead: g.Lead, URL: "/guides/" + g.Slug, Search: g.Search,
			Scores: g.Scores, Total: g.Total, AI: g.AI, Tiers: g.Tiers, UpdatedAt: g.UpdatedAt}
	}
	return out, nil
}

func (h *handlers) getGuide(ctx context.Context, in *guideSlugInput) (*guideOutput, error) {
	g, err := h.Guides.Guide(ctx, in.Slug)
	if err != nil {
		return nil, h.fail(ctx, err)
	}
	return &guideOutput{Body: g}, nil
}

func (h *handlers) putGuide(ctx context.Context, in *putGuideInput) (*guideOutput, error) {
	g, err := h.Guides.PutGuide(ctx, in.Slug, in.Body.Source, operatorFrom(ctx), in.Body.Note)
	if err != nil {
		return nil, h.fail(ctx, err)
	}
	return &guideOutput{Body: g}, nil
}

func (h *handlers) guideRevisions(ctx context.Context, in *guideSlugInput) (*revisionsOutput, error) {
	return h.revisions(ctx, guide.KindGuide, in.Slug)
}

func (h *handlers) getArticle(ctx context.Context, in *roleInput) (*articleOutput, error) {
	a, err := h.Guides.Article(ctx, listing.Role(in.Role))
	if err != nil {
		return nil, h.fail(ctx, err)
	}
	return &articleOutput{Body: a}, nil
}

func (h *handlers) putArticle(ctx context.Context, in *putArticleInput) (*articleOutput, error) {
	a, err := h.Guides.PutArticle(ctx, listing.Role(in.Role), in.Body.Source, operatorFrom(ctx), in.Body.Note)
	if err != nil {
		return nil, h.fail(ctx, err)
	}
	return &articleOutput{Body: a}, nil
}

func (h *handlers) articleRevisions(ctx context.Context, in *roleInput) (*revisionsOutput, error) {
	return h.revisions(ctx, guide.KindRole, in.Role)
}

func (h *handlers) revisions(ctx context.Context, kind guide.Kind, slug string) (*revisionsOutput, error) {
	revs, err := h.Guides.Revisions(ctx, kind, slug)
	if err != nil {
		return nil, h.fail(ctx, err)
	}
	out := &revisionsOutput{Body: RevisionsBody{Revisions: make([]Revision, len(revs))}}
	for i, r := range revs {
		out.Body.Revisions[i] = Revision{Revision: r.Revision, Operator: r.Operator, Note: r.Note, CreatedAt: r.CreatedAt, Source: r.Body}
	}
	return out, nil
}
