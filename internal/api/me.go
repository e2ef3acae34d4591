package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"anken/internal/account"
	"anken/internal/catalog"
	"anken/internal/store"
)

// meBody is the account of the session.
type meBody struct {
	ID         int64     `json:"id"`
	Email      string    `json:"email"`
	VerifiedAt time.Time `json:"verified_at"`
	CreatedAt  time.Time `json:"created_at"`
}

type meOutput struct{ Body meBody }

// ProfileBody is an engineer's experience and wishes (経験・希望条件).
type ProfileBody struct {
	Skills        []string `json:"skills,omitempty" maxItems:"50" doc:"Skill slugs or names (go, Golang, C#); stored as slugs." example:"[\"go\",\"aws\"]"`
	Role          string   `json:"role,omitempty" doc:"職種: backend, frontend, fullstack, infra, sre, data, ml, mobile, pm, qa, security, design, other; empty for none." example:"backend"`
	DesiredRate   int64    `json:"desired_rate,omitempty" doc:"希望単価: monthly yen, 0 to 5,000,000; 0 for no wish. Compared with a listing's monthly pay at its stated workload (rate.monthly_max)." example:"700000"`
	DesiredHourly int64    `json:"desired_hourly,omitempty" doc:"希望時給 for side jobs: yen an hour, 0 to 100,000; 0 for no wish. Compared with a listing's pay per hour (rate.hourly_max)." example:"4000"`
	Remote        string   `json:"remote,omitempty" doc:"Wished work style: full (フルリモート), partial (一部リモート), onsite (常駐); empty for any." example:"full"`
	DaysPerWeek   int      `json:"days_per_week,omitempty" doc:"稼働日数 wished, 1–5; 0 for no wish." example:"3"`
	Prefectures   []string `json:"prefectures,omitempty" maxItems:"47" doc:"ISO 3166-2:JP codes, as listings carry them." example:"[\"JP-13\"]"`
	SideJobOnly   bool     `json:"side_job_only,omitempty" doc:"Only listings that suit someone with a main job (副業OK)."`
	Recommend     string   `json:"recommend,omitempty" doc:"How often to mail recommendations: off (the default), daily or weekly." example:"weekly"`

	Experience map[string]int `json:"experience,omitempty" doc:"経験年数: years of experience by skill, 0 to 50 each (0: not said); keys are skill slugs or names (go, Golang, 要件定義), stored as slugs, at most 50. Recommendations compare them with the years a listing requires (its experience)." example:"{\"go\":3,\"aws\":2}"`
}

func profileBody(p store.Profile) ProfileBody {
	exp := p.Experience
	if exp == nil {
		exp = map[string]int{}
	}
	return ProfileBody{Skills: p.Skills, Role: p.Role, DesiredRate: p.DesiredRate, DesiredHourly: p.DesiredHourly, Remote: p.Remote, DaysPerWeek: p.DaysPerWeek,
		Prefectures: p.Prefectures, SideJobOnly: p.SideJobOnly, Recommend: p.Recommend, Experience: exp}
}

// profileOut always writes every field, so a client reads the whole profile.
type profileOut struct {
	Skills        []string `json:"skills"`
	Role          string   `json:"role"`
	DesiredRate   int64    `json:"desired_rate"`
	DesiredHourly int64    `json:"desired_hourly"`
	Remote        string   `json:"remote"`
	DaysPerWeek   int      `json:"days_per_week"`
	Prefectures   []string `json:"prefectures"`
	SideJobOnly   bool     `json:"side_job_only"`
	Recommend     string   `json:"recommend"`

	Experience map[string]int `json:"experience"`
}

type profileOutput struct{ Body profileOut }

type putProfileInput struct{ Body ProfileBody }

// SavedSearchBody is a saved search as the API shows it.
type SavedSearchBody struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Query     string    `json:"query" doc:"The search's URL query string, canonical: what GET /v1/listings and /search take." example:"q=Go&remote=full"`
	Alert     string    `json:"alert" enum:"instant,daily,off" doc:"New-listing mail (新着案件メール): instant (bundled), daily digest, or off."`
	Hour      int       `json:"hour" doc:"The daily digest's hour in Asia/Tokyo."`
	MailedAt  time.Time `json:"mailed_at,omitzero" doc:"When the last alert mail for it was written."`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Warning   string    `json:"warning,omitempty" doc:"Set when the search is saved or changed and would have matched more than 300 listings in the past week: narrow it, or its mail will be more than anyone reads."`
}

func savedSearchBody(ss store.SavedSearch) SavedSearchBody {
	return SavedSearchBody{ID: ss.ID, Name: ss.Name, Query: ss.Query, Alert: ss.Alert, Hour: ss.Hour,
		MailedAt: ss.MailedAt, CreatedAt: ss.CreatedAt, UpdatedAt: ss.UpdatedAt}
}

type savedSearchOutput struct{ Body SavedSearchBody }

type savedSearchesOutput struct {
	Body struct {
		SavedSearches []SavedSearchBody `json:"saved_searches"`
	}
}

// SavedSearchInput writes a saved search; in PATCH an absent field is
// left as it is.
type SavedSearchInput struct {
	Name  *string `json:"name,omitempty" maxLength:"400" doc:"Up to 100 characters; empty: made from the query (「Go」・フルリモート)."`
	Query *string `json:"query,omitempty" maxLength:"2000" doc:"The search's URL query string, as GET /v1/listings takes it; checked as it would be and stored canonical. Required to create." example:"q=Go&remote=full"`
	Alert *string `json:"alert,omitempty" doc:"instant (the default), daily or off."`
	Hour  *int    `json:"hour,omitempty" doc:"0–23, the daily digest's hour in Asia/Tokyo; 8 by default."`
}

func (in SavedSearchInput) service() account.SavedSearchInput {
	return account.SavedSearchInput{Name: in.Name, Query: in.Query, Alert: in.Alert, Hour: in.Hour}
}

type createSavedSearchInput struct{ Body SavedSearchInput }

type savedSearchIDInput struct {
	ID int64 `path:"id" minimum:"1"`
}

type patchSavedSearchInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body SavedSearchInput
}

type favoritesOutput struct {
	Body struct {
		Favorites []store.Favorite `json:"favorites" doc:"Newest first."`
	}
}

type favoriteInput struct {
	ListingID int64 `path:"listing_id" minimum:"1"`
}

type exportOutput struct{ Body store.Export }

type passwordInput struct {
	Body struct {
		Current  string `json:"current" maxLength:"1024" doc:"Your password now."`
		Password string `json:"password" maxLength:"1024" doc:"The new one, by the rules of sign-up."`
	}
}

func (h *handlers) registerMe() {
	sec := []map[string][]string{{engineerScheme: {}}}
	auth := huma.Middlewares{h.authenticateEngineer}
	tags := []string{"me"}
	op := func(id, method, path, summary, description string, status int, errs ...int) huma.Operation {
		return huma.Operation{
			OperationID: id, Method: method, Path: path, Summary: summary, Description: description,
			Tags: tags, Security: sec, Middlewares: auth, DefaultStatus: status, MaxBodyBytes: 64 << 10,
			Errors: append([]int{http.StatusUnauthorized}, errs...),
		}
	}
	huma.Register(h.api, op("get-me", http.MethodGet, "/v1/me", "Your account", "", 0), h.me)
	huma.Register(h.api, op("delete-me", http.MethodDelete, "/v1/me", "Delete your account",
		"Removes the account and everything personal at once: sessions, profile, saved searches, favourites, mail not yet sent.",
		http.StatusNoContent), h.deleteMe)
	huma.Register(h.api, op("export-me", http.MethodGet, "/v1/me/export", "Download your data",
		"Everything held about you, as JSON.", 0), h.export)
	huma.Register(h.api, op("change-password", http.MethodPut, "/v1/me/password", "Change your password",
		"Needs the current password; every other session ends, and so does every password reset link not yet used.", http.StatusNoContent,
		http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusTooManyRequests), h.changePassword)
	huma.Register(h.api, op("get-profile", http.MethodGet, "/v1/me/profile", "Your profile", "", 0), h.profile)
	huma.Register(h.api, op("put-profile", http.MethodPut, "/v1/me/profile", "Replace your profile",
		"Absent fields are emptied. Each bad field is named (422).", 0,
		http.StatusBadRequest, http.StatusUnprocessableEntity), h.putProfile)
	huma.Register(h.api, op("list-saved-searches", http.MethodGet, "/v1/me/saved-searches", "Your saved searches", "Oldest first.", 0), h.savedSearches)
	huma.Register(h.api, op("create-saved-search", http.MethodPost, "/v1/me/saved-searches", "Save a search",
		"Any search can be saved with its new-listing mail: instant, daily or off.", http.StatusCreated,
		http.StatusBadRequest, http.StatusConflict, http.StatusUnprocessableEntity), h.createSavedSearch)
	huma.Register(h.api, op("get-saved-search", http.MethodGet, "/v1/me/saved-searches/{id}", "One saved search",
		"Another engineer's answers 404, as a missing one does.", 0, http.StatusNotFound, http.StatusUnprocessableEntity), h.savedSearch)
	huma.Register(h.api, op("patch-saved-search", http.MethodPatch, "/v1/me/saved-searches/{id}", "Change a saved search",
		"Rename it, change its query or its mail; absent fields stay.", 0,
		http.StatusBadRequest, http.StatusNotFound, http.StatusUnprocessableEntity), h.patchSavedSearch)
	huma.Register(h.api, op("delete-saved-search", http.MethodDelete, "/v1/me/saved-searches/{id}", "Delete a saved search", "",
		http.StatusNoContent, http.StatusNotFound, http.StatusUnprocessableEntity), h.deleteSavedSearch)
	huma.Register(h.api, op("list-history", http.MethodGet, "/v1/me/history", "Listings you viewed (閲覧履歴)",
		"The last 100 listings whose page you opened while logged in, latest first, each once at its latest view.", 0), h.history)
	huma.Register(h.api, op("clear-history", http.MethodDelete, "/v1/me/history", "Clear your history",
		"Forgets every listing you viewed.", http.StatusNoContent), h.clearHistory)
	huma.Register(h.api, op("list-favorites", http.MethodGet, "/v1/me/favorites", "Your favourites", "", 0), h.favorites)
	huma.Register(h.api, op("put-favorite", http.MethodPut, "/v1/me/favorites/{listing_id}", "Keep a listing as a favourite",
		"Again is not an error. A listing that does not exist answers 404.", http.StatusNoContent,
		http.StatusNotFound, http.StatusUnprocessableEntity), h.putFavorite)
	huma.Register(h.api, op("delete-favorite", http.MethodDelete, "/v1/me/favorites/{listing_id}", "Remove a favourite",
		"A listing not among your favourites answers 404.", http.StatusNoContent,
		http.StatusNotFound, http.StatusUnprocessableEntity), h.deleteFavorite)
}

func (h *handlers) me(ctx context.Context, _ *struct{}) (*meOutput, error) {
	a := accountFrom(ctx)
	return &meOutput{Body: meBody{ID: a.ID, Email: a.Email, VerifiedAt: a.VerifiedAt, CreatedAt: a.CreatedAt}}, nil
}

func (h *handlers) deleteMe(ctx context.Context, _ *struct{}) (*struct{}, error) {
	if err := h.Accounts.Delete(ctx, accountFrom(ctx).ID); err != nil {
		return nil, h.accountFail(ctx, err)
	}
	return nil, nil
}

func (h *handlers) export(ctx context.Context, _ *struct{}) (*exportOutput, error) {
	x, err := h.Accounts.Export(ctx, accountFrom(ctx).ID)
	if err != nil {
		return nil, h.accountFail(ctx, err)
	}
	return &exportOutput{Body: x}, nil
}

func (h *handlers) changePassword(ctx context.Context, in *passwordInput) (*struct{}, error) {
	if err := h.Accounts.ChangePassword(ctx, accountFrom(ctx), in.Body.Current, in.Body.Password); err != nil {
		return nil, h.accountFail(ctx, err)
	}
	return nil, nil
}

func (h *handlers) profile(ctx context.Context, _ *struct{}) (*profileOutput, error) {
	p, err := h.Accounts.Profile(ctx, accountFrom(ctx).ID)
	if err != nil {
		return nil, h.accountFail(ctx, err)
	}
	return &profileOutput{Body: profileOut(profileBody(p))}, nil
}

func (h *handlers) putProfile(ctx context.Context, in *putProfileInput) (*profileOutput, error) {
	b := in.Body
	p, err := h.Accounts.PutProfile(ctx, accountFrom(ctx).ID, store.Profile{Skills: b.Skills, Role: b.Role,
		DesiredRate: b.DesiredRate, DesiredHourly: b.DesiredHourly, Remote: b.Remote, DaysPerWeek: b.DaysPerWeek, Prefectures: b.Prefectures,
		SideJobOnly: b.SideJobOnly, Recommend: b.Recommend, Experience: b.Experience})
	if err != nil {
		return nil, h.accountFail(ctx, err)
	}
	return &profileOutput{Body: profileOut(profileBody(p))}, nil
}

func (h *handlers) savedSearches(ctx context.Context, _ *struct{}) (*savedSearchesOutput, error) {
	list, err := h.Accounts.SavedSearches(ctx, accountFrom(ctx).ID)
	if err != nil {
		return nil, h.accountFail(ctx, err)
	}
	out := &savedSearchesOutput{}
	out.Body.SavedSearches = make([]SavedSearchBody, len(list))
	for i, ss := range list {
		out.Body.SavedSearches[i] = savedSearchBody(ss)
	}
	return out, nil
}

func (h *handlers) createSavedSearch(ctx context.Context, in *createSavedSearchInput) (*savedSearchOutput, error) {
	ss, err := h.Accounts.CreateSavedSearch(ctx, accountFrom(ctx).ID, in.Body.service())
	if err != nil {
		return nil, h.accountFail(ctx, err)
	}
	return h.withWarning(ctx, ss), nil
}

func (h *handlers) savedSearch(ctx context.Context, in *savedSearchIDInput) (*savedSearchOutput, error) {
	ss, err := h.Accounts.SavedSearch(ctx, accountFrom(ctx).ID, in.ID)
	if err != nil {
		return nil, h.accountFail(ctx, err)
	}
	return &savedSearchOutput{Body: savedSearchBody(ss)}, nil
}

func (h *handlers) patchSavedSearch(ctx context.Context, in *patchSavedSearchInput) (*savedSearchOutput, error) {
	ss, err := h.Accounts.UpdateSavedSearch(ctx, accountFrom(ctx).ID, in.ID, in.Body.service())
	if err != nil {
		return nil, h.accountFail(ctx, err)
	}
	return h.withWarning(ctx, ss), nil
}

func (h *handlers) deleteSavedSearch(ctx context.Context, in *savedSearchIDInput) (*struct{}, error) {
	if err := h.Accounts.DeleteSavedSearch(ctx, accountFrom(ctx).ID, in.ID); err != nil {
		return nil, h.accountFail(ctx, err)
	}
	return nil, nil
}

type historyOutput struct {
	Body struct {
		History []store.Viewed `json:"history" doc:"Latest first; at most 100."`
	}
}

func (h *handlers) history(ctx context.Context, _ *struct{}) (*historyOutput, error) {
	views, err := h.Accounts.History(ctx, accountFrom(ctx).ID)
	if err != nil {
		return nil, h.accountFail(ctx, err)
	}
	out := &historyOutput{}
	out.Body.History = views
	return out, nil
}

func (h *handlers) clearHistory(ctx context.Context, _ *struct{}) (*struct{}, error) {
	if err := h.Accounts.ClearHistory(ctx, accountFrom(ctx).ID); err != nil {
		return nil, h.accountFail(ctx, err)
	}
	return nil, nil
}

func (h *handlers) favorites(ctx context.Context, _ *struct{}) (*favoritesOutput, error) {
	favs, err := h.Accounts.Favorites(ctx, accountFrom(ctx).ID)
	if err != nil {
		return nil, h.accountFail(ctx, err)
	}
	out := &favoritesOutput{}
	out.Body.Favorites = favs
	return out, nil
}

func (h *handlers) putFavorite(ctx context.Context, in *favoriteInput) (*struct{}, error) {
	if err := h.Accounts.PutFavorite(ctx, accountFrom(ctx).ID, in.ListingID); err != nil {
		return nil, h.accountFail(ctx, err)
	}
	return nil, nil
}

func (h *handlers) deleteFavorite(ctx context.Context, in *favoriteInput) (*struct{}, error) {
	if err := h.Accounts.DeleteFavorite(ctx, accountFrom(ctx).ID, in.ListingID); err != nil {
		return nil, h.accountFail(ctx, err)
	}
	return nil, nil
}

// withWarning answers a saved search just written, with a warning when it
// would have matched more than a few hundred listings in the past week.
// Counting is best effort: a failure leaves the warning out.
func (h *handlers) withWarning(ctx context.Context, ss store.SavedSearch) *savedSearchOutput {
	out := &savedSearchOutput{Body: savedSearchBody(ss)}
	p, err := catalog.ParseQuery(ss.Query)
	if err != nil {
		return out
	}
	q, err := p.Query()
	if err != nil {
		return out
	}
	if _, broad, err := h.Catalog.WeeklyVolume(ctx, q, time.Now()); err == nil && broad {
		out.Body.Warning = fmt.Sprintf("この条件には過去1週間で%d件を超える案件が該当します。キーワードや条件を加えて絞り込むと、メールが読みやすくなります。", catalog.BroadWeekly)
	}
	return out
}
