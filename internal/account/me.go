package account

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"anken/internal/catalog"
	"anken/internal/listing"
	"anken/internal/problem"
	"anken/internal/skill"
	"anken/internal/store"
	"anken/internal/wording"
)

// Limits of what an engineer keeps.
const (
	MaxSavedSearches = 50
	MaxName          = 100 // characters of a saved search's name
	MaxProfileSkills = 50
	MaxDesiredRate   = catalog.MaxRate
	MaxDesiredHourly = 100_000
	MaxYears         = 50 // of experience in one skill
)

// Recommendation mail frequencies and alert settings.
var (
	Recommends = []string{"off", "daily", "weekly"}
	Alerts     = []string{"instant", "daily", "off"}
)

// notFound is the answer to another engineer's thing as to a missing one.
func notFound(err error, what string, id int64) error {
	if errors.Is(err, store.ErrNotFound) {
		return problem.Errorf(problem.NotFound, "%s %d not found", what, id)
	}
	return unavailable(err)
}

// Profile returns the engineer's profile.
func (s *Service) Profile(ctx context.Context, engineerID int64) (store.Profile, error) {
	p, err := s.store.Profile(ctx, engineerID)
	if errors.Is(err, store.ErrNotFound) {
		return store.Profile{}, errSession
	}
	return p, unavailable(err)
}

// PutProfile checks every field of p, writes skills as canonical slugs
// and returns the profile as stored. A bad field is Unprocessable naming it.
func (s *Service) PutProfile(ctx context.Context, engineerID int64, p store.Profile) (store.Profile, error) {
	p, err := CheckProfile(p)
	if err != nil {
		return store.Profile{}, err
	}
	err = s.store.PutProfile(ctx, engineerID, p)
	if errors.Is(err, store.ErrNotFound) {
		return store.Profile{}, errSession
	}
	return p, unavailable(err)
}

// CheckProfile returns p with skills, and the skills of its experience,
// as canonical slugs (Golang → go), empty lists for none and no years of
// 0, or an Unprocessable problem naming the first bad field.
func CheckProfile(p store.Profile) (store.Profile, error) {
	bad := func(field string, value any, msg string) (store.Profile, error) {
		return store.Profile{}, problem.Field(problem.Unprocessable, field, value, msg)
	}
	if len(p.Skills) > MaxProfileSkills {
		return bad("skills", len(p.Skills), "at most 50 skills")
	}
	slugs := []string{}
	for _, name := range p.Skills {
		sk, ok := skill.Lookup(strings.TrimSpace(name))
		if !ok {
			return bad("skills", name, "not a known skill; use a slug such as go, typescript, kubernetes")
		}
		if !slices.Contains(slugs, sk.Slug) {
			slugs = append(slugs, sk.Slug)
		}
	}
	p.Skills = slugs
	if len(p.Experience) > MaxProfileSkills {
		return bad("experience", len(p.Experience), "at most 50 skills")
	}
	var exp map[string]int
	for _, name := range slices.Sorted(maps.Keys(p.Experience)) {
		years := p.Experience[name]
		sk, ok := skill.Lookup(strings.TrimSpace(name))
		if !ok {
			return bad("experience", name, "not a known skill; use a slug such as go, typescript, kubernetes")
		}
		if years < 0 || years > MaxYears {
			return bad("experience", years, fmt.Sprintf("years of %s must be from 0 to %d (0: not said)", sk.Slug, MaxYears))
		}
		if years == 0 {
			continue
		}
		if exp == nil {
			exp = map[string]int{}
		}
		exp[sk.Slug] = max(exp[sk.Slug], years) // Golang and go: one skill
	}
	p.Experience = exp
	if p.Role != "" && !slices.Contains(listing.Roles, listing.Role(p.Role)) {
		return bad("role", p.Role, "must be one of "+join(listing.Roles))
	}
	if p.DesiredRate < 0 || p.DesiredRate > MaxDesiredRate {
		return bad("desired_rate", p.DesiredRate, "must be monthly yen from 0 to 5,000,000")
	}
	if p.DesiredHourly < 0 || p.DesiredHourly > MaxDesiredHourly {
		return bad("desired_hourly", p.DesiredHourly, "must be yen an hour from 0 to 100,000")
	}
	if p.Remote != "" && !slices.Contains(listing.Remotes, listing.Remote(p.Remote)) {
		return bad("remote", p.Remote, "must be one of "+join(listing.Remotes))
	}
	if p.DaysPerWeek < 0 || p.DaysPerWeek > 5 {
		return bad("days_per_week", p.DaysPerWeek, "must be from 1 to 5 (0: no wish)")
	}
	prefs := []string{}
	for _, code := range p.Prefectures {
		if _, ok := listing.PrefectureByCode(code); !ok {
			return bad("prefectures", code, "must be ISO 3166-2:JP codes such as JP-13")
		}
		if !slices.Contains(prefs, code) {
			prefs = append(prefs, code)
		}
	}
	p.Prefectures = prefs
	if p.Recommend == "" {
		p.Recommend = "off"
	}
	if !slices.Contains(Recommends, p.Recommend) {
		return bad("recommend", p.Recommend, "must be one of off, daily, weekly")
	}
	return p, nil
}

func join[T ~string](all []T) string {
	s := make([]string, len(all))
	for i, v := range all {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

// SavedSearchInput is a saved search as a client writes it. In a change
// (UpdateSavedSearch) a nil field is left as it is; in a new one nil is
// the default: a name made from the query, alert instant, hour 8.
type SavedSearchInput struct {
	Name  *string
	Query *string
	Alert *string
	Hour  *int
}

// CanonicalQuery checks a search's URL query string as /v1/listings
// would and returns it in its canonical form (skills as slugs, defaults
// left out, cursor, limit and facets dropped), with a name for it made of
// its conditions. A query with no condition is refused: its alert would
// be every new listing.
func CanonicalQuery(raw, field string) (query, name string, err error) {
	raw = strings.TrimPrefix(strings.TrimSpace(raw), "?")
	p, err := catalog.ParseQuery(raw)
	if err != nil {
		return "", "", relocate(err, field)
	}
	q, err := p.Query()
	if err != nil {
		return "", "", relocate(err, field)
	}
	p.Skill, p.Cursor, p.Limit, p.Facets = q.Skills, "", 0, nil
	query = p.Values().Encode()
	if query == "" || query == "sort=newest" || query == "sort=rate" {
		return "", "", problem.Field(problem.Unprocessable, field, raw, "name at least one condition (q, skill, role, …): a search of every listing cannot be saved")
	}
	return query, searchName(p), nil
}

// relocate names field as the place of the problems of err, keeping what
// the parser said of which parameter. A query string is a value of the
// request here, so a malformed one is Unprocessable, not Invalid.
func relocate(err error, field string) error {
	var pe *problem.Error
	if !errors.As(err, &pe) {
		return err
	}
	out := *pe
	out.Kind, out.Details = problem.Unprocessable, nil
	for _, d := range pe.Details {
		param := strings.TrimPrefix(d.Location, "query.")
		msg := d.Message
		if param != "query" && param != "" {
			msg = param + " " + msg
		}
		out.Details = append(out.Details, problem.Detail{Location: field, Value: d.Value, Message: msg})
		out.Message = field + ": " + msg
	}
	return &out
}

// searchName names a search by its conditions: 「Go」・バックエンド・フルリモート.
func searchName(p catalog.Params) string {
	var parts []string
	if q := strings.TrimSpace(p.Q); q != "" {
		parts = append(parts, "「"+q+"」")
	}
	for _, s := range p.Skill {
		parts = append(parts, wording.Skill(s))
	}
	for _, r := range p.Role {
		parts = append(parts, wording.Role(listing.Role(r)))
	}
	for _, r := range p.Remote {
		parts = append(parts, wording.Remote(listing.Remote(r)))
	}
	for _, c := range p.Prefecture {
		parts = append(parts, wording.Prefecture(c))
	}
	for _, c := range p.Contract {
		parts = append(parts, wording.Contract(listing.Contract(c)))
	}
	if p.RateMin > 0 {
		parts = append(parts, "月額"+wording.Man(p.RateMin)+"円以上")
	}
	if p.RateMax > 0 {
		parts = append(parts, "月額"+wording.Man(p.RateMax)+"円以下")
	}
	if p.DaysMax > 0 {
		parts = append(parts, fmt.Sprintf("週%d日以下", p.DaysMax))
	}
	switch p.SideJob {
	case "true":
		parts = append(parts, "副業OK")
	case "false":
		parts = append(parts, "副業不可")
	}
	return clip(strings.Join(parts, "・"), MaxName)
}

// clip cuts s to n characters, marking the cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func checkName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case !utf8.ValidString(name):
		return "", problem.Field(problem.Unprocessable, "name", nil, "must be valid UTF-8")
	case utf8.RuneCountInString(name) > MaxName:
		return "", problem.Field(problem.Unprocessable, "name", name, "must be at most 100 characters")
	case listing.HasControl(name):
		return "", problem.Field(problem.Unprocessable, "name", name, "must be one line without control characters")
	}
	return name, nil
}

func checkAlert(alert string) error {
	if !slices.Contains(Alerts, alert) {
		return problem.Field(problem.Unprocessable, "alert", alert, "must be one of instant, daily, off")
	}
	return nil
}

func checkHour(hour int) error {
	if hour < 0 || hour > 23 {
		return problem.Field(problem.Unprocessable, "hour", hour, "must be an hour from 0 to 23 (Asia/Tokyo)")
	}
	return nil
}

// SavedSearches returns the engineer's saved searches.
func (s *Service) SavedSearches(ctx context.Context, engineerID int64) ([]store.SavedSearch, error) {
	list, err := s.store.SavedSearches(ctx, engineerID)
	return list, unavailable(err)
}

// SavedSearch returns the engineer's saved search; another engineer's is
// NotFound.
func (s *Service) SavedSearch(ctx context.Context, engineerID, id int64) (store.SavedSearch, error) {
	ss, err := s.store.SavedSearch(ctx, engineerID, id)
	if err != nil {
		return store.SavedSearch{}, notFound(err, "saved search", id)
	}
	return ss, nil
}

// CreateSavedSearch saves a search: the query is checked and stored in
// its canonical form, an empty name is made from it, the alert is
// instant and the hour 8 unless given.
func (s *Service) CreateSavedSearch(ctx context.Context, engineerID int64, in SavedSearchInput) (store.SavedSearch, error) {
	if in.Query == nil {
		return store.SavedSearch{}, problem.Field(problem.Unprocessable, "query", nil, "is required: the search's URL query string, such as q=Go&remote=full")
	}
	query, name, err := CanonicalQuery(*in.Query, "query")
	if err != nil {
		return store.SavedSearch{}, err
	}
	ss := store.SavedSearch{EngineerID: engineerID, Name: name, Query: query, Alert: "instant", Hour: 8}
	if in.Name != nil {
		n, err := checkName(*in.Name)
		if err != nil {
			return store.SavedSearch{}, err
		}
		if n != "" {
			ss.Name = n
		}
	}
	if in.Alert != nil {
		if err := checkAlert(*in.Alert); err != nil {
			return store.SavedSearch{}, err
		}
		ss.Alert = *in.Alert
	}
	if in.Hour != nil {
		if err := checkHour(*in.Hour); err != nil {
			return store.SavedSearch{}, err
		}
		ss.Hour = *in.Hour
	}
	ss, err = s.store.CreateSavedSearch(ctx, ss, MaxSavedSearches)
	if errors.Is(err, store.ErrTooMany) {
		return store.SavedSearch{}, problem.Errorf(problem.Conflict, "you have %d saved searches, the most allowed: delete one first", MaxSavedSearches)
	}
	return ss, unavailable(err)
}

// UpdateSavedSearch changes the fields of in that are set; an empty name
// is made from the query again. Another engineer's is NotFound.
func (s *Service) UpdateSavedSearch(ctx context.Context, engineerID, id int64, in SavedSearchInput) (store.SavedSearch, error) {
	var p store.SavedSearchPatch
	var derived string
	if in.Query != nil {
		query, name, err := CanonicalQuery(*in.Query, "query")
		if err != nil {
			return store.SavedSearch{}, err
		}
		p.Query, derived = &query, name
	}
	if in.Name != nil {
		n, err := checkName(*in.Name)
		if err != nil {
			return store.SavedSearch{}, err
		}
		if n == "" {
			if derived == "" {
				cur, err := s.SavedSearch(ctx, engineerID, id)
				if err != nil {
					return store.SavedSearch{}, err
				}
				_, derived, _ = CanonicalQuery(cur.Query, "query")
			}
			n = derived
		}
		p.Name = &n
	}
	if in.Alert != nil {
		if err := checkAlert(*in.Alert); err != nil {
			return store.SavedSearch{}, err
		}
		p.Alert = in.Alert
	}
	if in.Hour != nil {
		if err := checkHour(*in.Hour); err != nil {
			return store.SavedSearch{}, err
		}
		p.Hour = in.Hour
	}
	ss, err := s.store.UpdateSavedSearch(ctx, engineerID, id, p)
	if err != nil {
		return store.SavedSearch{}, notFound(err, "saved search", id)
	}
	return ss, nil
}

// DeleteSavedSearch removes the engineer's saved search; another
// engineer's is NotFound.
func (s *Service) DeleteSavedSearch(ctx context.Context, engineerID, id int64) error {
	if err := s.store.DeleteSavedSearch(ctx, engineerID, id); err != nil {
		return notFound(err, "saved search", id)
	}
	return nil
}

// Unsubscribe turns off the alert mail of the saved search whose mail
// carried token (one click, no login), and returns it.
func (s *Service) Unsubscribe(ctx context.Context, token string) (store.SavedSearch, error) {
	ss, err := s.store.Unsubscribe(ctx, token)
	if errors.Is(err, store.ErrNotFound) {
		return store.SavedSearch{}, problem.Errorf(problem.NotFound, "no saved search has this unsubscribe link; it may have been deleted")
	}
	return ss, unavailable(err)
}

// Unsubscribing returns the saved search whose alert mail carried token,
// changing nothing: the page that asks before it stops the mail.
func (s *Service) Unsubscribing(ctx context.Context, token string) (store.SavedSearch, error) {
	ss, err := s.store.SavedSearchByUnsubscribe(ctx, token)
	if errors.Is(err, store.ErrNotFound) {
		return store.SavedSearch{}, problem.Errorf(problem.NotFound, "no saved search has this unsubscribe link; it may have been deleted")
	}
	return ss, unavailable(err)
}

// Favorites returns the engineer's favourites, newest first.
func (s *Service) Favorites(ctx context.Context, engineerID int64) ([]store.Favorite, error) {
	favs, err := s.store.Favorites(ctx, engineerID)
	return favs, unavailable(err)
}

// PutFavorite keeps a listing among the engineer's favourites; again is
// not an error. A listing that does not exist is NotFound.
func (s *Service) PutFavorite(ctx context.Context, engineerID, listingID int64) error {
	if err := s.store.PutFavorite(ctx, engineerID, listingID); err != nil {
		return notFound(err, "listing", listingID)
	}
	return nil
}

// DeleteFavorite removes a listing from the engineer's favourites; one
// that is not among them is NotFound.
func (s *Service) DeleteFavorite(ctx context.Context, engineerID, listingID int64) error {
	if err := s.store.DeleteFavorite(ctx, engineerID, listingID); err != nil {
		return notFound(err, "favourite", listingID)
	}
	return nil
}

// Viewed records that the engineer opened the listing (閲覧履歴): the
// store keeps the last store.HistoryMax, the latest view of each.
func (s *Service) Viewed(ctx context.Context, engineerID, listingID int64) error {
	if err := s.store.PutViewed(ctx, engineerID, listingID); err != nil {
		return problem.Wrap(problem.Unavailable, err, "the history could not be written")
	}
	return nil
}

// History returns the listings the engineer opened, latest first.
func (s *Service) History(ctx context.Context, engineerID int64) ([]store.Viewed, error) {
	h, err := s.store.History(ctx, engineerID)
	if err != nil {
		return nil, problem.Wrap(problem.Unavailable, err, "the history could not be read; retry shortly")
	}
	return h, nil
}

// ClearHistory forgets every listing the engineer opened.
func (s *Service) ClearHistory(ctx context.Context, engineerID int64) error {
	if err := s.store.ClearHistory(ctx, engineerID); err != nil {
		return problem.Wrap(problem.Unavailable, err, "the history could not be cleared; retry shortly")
	}
	return nil
}
