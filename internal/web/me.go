package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"anken/internal/account"
	"anken/internal/catalog"
	"anken/internal/listing"
	"anken/internal/problem"
	"anken/internal/skill"
	"anken/internal/store"
)

// meRoute is a page or form action of マイページ: each needs a login,
// and each acts only on the logged-in engineer's own things.
type meRoute struct {
	Pattern string
	Handler meHandler
}

// meRoutes are every /me path. The authorization test walks them all.
var meRoutes = []meRoute{
	{"GET /me", (*Site).mePage},
	{"GET /me/profile", (*Site).profilePage},
	{"POST /me/profile", (*Site).saveProfile},
	{"GET /me/searches", (*Site).searchesPage},
	{"POST /me/searches", (*Site).createSearch},
	{"POST /me/searches/{id}", (*Site).updateSearch},
	{"POST /me/searches/{id}/delete", (*Site).deleteSearch},
	{"GET /me/favorites", (*Site).favoritesPage},
	{"GET /me/history", (*Site).historyPage},
	{"POST /me/history/delete", (*Site).clearHistory},
	{"POST /me/favorites/{id}", (*Site).addFavorite},
	{"POST /me/favorites/{id}/delete", (*Site).removeFavorite},
	{"GET /me/recommendations", (*Site).recommendationsPage},
	{"GET /me/settings", (*Site).settingsPage},
	{"POST /me/password", (*Site).changePassword},
	{"GET /me/export", (*Site).export},
	{"GET /me/delete", (*Site).deletePage},
	{"POST /me/delete", (*Site).deleteAccount},
}

// meBase is the base of a マイページ page.
func (s *Site) meBase(r *http.Request, title string) base {
	b := s.base(r, title)
	b.NoIndex = true
	b.Crumbs = []crumb{{"トップ", "/"}, {"マイページ", "/me"}, {title, ""}}
	return b
}

type meView struct {
	base
	Email    string
	Searches int
	Favs     int
	Profiled bool // skills or a role entered
}

func (s *Site) mePage(w http.ResponseWriter, r *http.Request, a account.Account) {
	ctx := r.Context()
	v := meView{base: s.meBase(r, "マイページ"), Email: a.Email}
	v.Crumbs = v.Crumbs[:1:1]
	v.Crumbs = append(v.Crumbs, crumb{"マイページ", ""})
	list, err := s.Accounts.SavedSearches(ctx, a.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	p, err := s.Accounts.Profile(ctx, a.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v.Searches, v.Favs, v.Profiled = len(list), len(v.Viewer.favs), len(p.Skills) > 0 || p.Role != ""
	s.render(w, r, http.StatusOK, "me", v)
}

// commonSkills are the skills the profile offers as checkboxes; others
// are typed.
var commonSkills = func() []string {
	var out []string
	for _, slug := range []string{"go", "java", "python", "php", "ruby", "typescript", "javascript", "react", "vue", "nextjs",
		"node", "swift", "kotlin", "flutter", "csharp", "aws", "gcp", "azure", "kubernetes", "docker", "terraform", "mysql", "postgresql", "figma"} {
		if _, ok := skill.BySlug(slug); ok {
			out = append(out, slug)
		}
	}
	return out
}()

// profileView is the form of 経験・希望条件.
type profileView struct {
	base
	Errors      map[string]string
	Alert       string
	Saved       bool
	Skills      []option // the common skills, checked when held
	OtherSkills string   // the rest, typed, comma-separated
	Roles       []option
	Rate        string // 万円, as typed
	Hourly      string // 円, as typed
	Years       []yearsRow
	Remotes     []option
	Days        []option
	Prefs       []option
	SideJobOnly bool
	Recommends  []option
}

// yearsRow is the field of the years of experience in one skill.
type yearsRow struct {
	ID, Name, Label, Value string
}

// yearsRows are the years fields of the skills of p, filled with its
// years or, when typed is not nil, with what was typed.
func yearsRows(p store.Profile, typed url.Values) []yearsRow {
	var rows []yearsRow
	for i, sk := range p.Skills {
		row := yearsRow{ID: "yr-" + strconv.Itoa(i), Name: yearsField(sk), Label: skillName(sk)}
		if typed != nil {
			row.Value = typed.Get(row.Name)
		} else if n := p.Experience[sk]; n > 0 {
			row.Value = strconv.Itoa(n)
		}
		rows = append(rows, row)
	}
	return rows
}

// yearsField is the form field of the years of experience in a skill.
func yearsField(slug string) string { return "years_" + slug }

// profileTyped is what was typed in the form when it comes back with an
// error: shown as typed, not as stored.
type profileTyped struct {
	other, rate, hourly string
	years               url.Values // the form, for its years_ fields; nil: show the profile's
}

// newProfileView fills the form with p, or with what was typed.
func (s *Site) newProfileView(r *http.Request, p store.Profile, typed profileTyped) profileView {
	other, rate := typed.other, typed.rate
	v := profileView{base: s.meBase(r, "経験・希望条件"), OtherSkills: other, Rate: rate, Hourly: typed.hourly, SideJobOnly: p.SideJobOnly}
	var rest []string
	for _, sk := range p.Skills {
		if !slices.Contains(commonSkills, sk) {
			rest = append(rest, skillName(sk))
		}
	}
	if other == "" {
		v.OtherSkills = strings.Join(rest, ", ")
	}
	for i, sk := range commonSkills {
		v.Skills = append(v.Skills, option{Value: sk, Label: skillName(sk), Checked: slices.Contains(p.Skills, sk), ID: "sk-" + strconv.Itoa(i)})
	}
	v.Roles = append(v.Roles, option{Value: "", Label: "選択しない", Checked: p.Role == ""})
	for _, role := range listing.Roles {
		v.Roles = append(v.Roles, option{Value: string(role), Label: roleName(role), Checked: p.Role == string(role)})
	}
	if rate == "" && p.DesiredRate > 0 {
		v.Rate = strconv.FormatInt(p.DesiredRate/10000, 10)
	}
	if typed.hourly == "" && p.DesiredHourly > 0 {
		v.Hourly = strconv.FormatInt(p.DesiredHourly, 10)
	}
	v.Years = yearsRows(p, typed.years)
	v.Remotes = append(v.Remotes, option{Value: "", Label: "こだわらない", Checked: p.Remote == "", ID: "rm-any"})
	for _, rm := range listing.Remotes {
		v.Remotes = append(v.Remotes, option{Value: string(rm), Label: remoteName(rm), Checked: p.Remote == string(rm), ID: "rm-" + string(rm)})
	}
	v.Days = append(v.Days, option{Value: "0", Label: "指定しない", Checked: p.DaysPerWeek == 0})
	for d := 1; d <= 5; d++ {
		v.Days = append(v.Days, option{Value: strconv.Itoa(d), Label: "週" + strconv.Itoa(d) + "日", Checked: p.DaysPerWeek == d})
	}
	for _, pr := range listing.Prefectures {
		v.Prefs = append(v.Prefs, option{Value: pr.Code, Label: prefectureName(pr.Code), Checked: slices.Contains(p.Prefectures, pr.Code), ID: "pf-" + pr.Code})
	}
	for _, rc := range []struct{ value, label string }{{"off", "受け取らない"}, {"daily", "毎日"}, {"weekly", "毎週（月曜日）"}} {
		v.Recommends = append(v.Recommends, option{Value: rc.value, Label: rc.label, Checked: p.Recommend == rc.value || p.Recommend == "" && rc.value == "off", ID: "rc-" + rc.value})
	}
	return v
}

func (s *Site) profilePage(w http.ResponseWriter, r *http.Request, a account.Account) {
	p, err := s.Accounts.Profile(r.Context(), a.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v := s.newProfileView(r, p, profileTyped{})
	v.Saved = r.URL.Query().Get("saved") == "1"
	s.render(w, r, http.StatusOK, "me_profile", v)
}

// splitSkills splits typed skills at commas (、，, too) and line breaks.
func splitSkills(text string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == '、' || r == '，' || r == '\n' || r == '\r' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func (s *Site) saveProfile(w http.ResponseWriter, r *http.Request, a account.Account) {
	if err := r.ParseForm(); err != nil {
		s.Error(w, r, problem.Errorf(problem.Invalid, "form: %v", err))
		return
	}
	f := r.PostForm
	typed := profileTyped{other: f.Get("skills_other"), rate: strings.TrimSpace(f.Get("desired_rate")),
		hourly: strings.TrimSpace(f.Get("desired_hourly")), years: f}
	other, rate := typed.other, typed.rate
	p := store.Profile{Skills: append(slices.Clone(f["skill"]), splitSkills(other)...), Role: f.Get("role"), Remote: f.Get("remote"),
		Prefectures: f["prefecture"], SideJobOnly: f.Get("side_job_only") != "", Recommend: f.Get("recommend")}
	var err error
	if d := f.Get("days_per_week"); d != "" {
		if p.DaysPerWeek, err = strconv.Atoi(d); err != nil {
			err = problem.Field(problem.Unprocessable, "days_per_week", d, "not a number")
		}
	}
	if rate = strings.TrimSuffix(strings.TrimSuffix(rate, "万円"), "万"); rate != "" && err == nil {
		man, perr := strconv.ParseInt(toHalfWidth(rate), 10, 64)
		if perr != nil || man < 0 || man > account.MaxDesiredRate/10000 {
			err = problem.Field(problem.Unprocessable, "desired_rate", rate, "not a number of 万円")
		}
		p.DesiredRate = man * 10000
	}
	if err == nil {
		p.DesiredHourly, err = formYen(typed.hourly, "desired_hourly")
	}
	if err == nil {
		p.Experience, err = formYears(f, p.Skills)
	}
	if err == nil {
		_, err = s.Accounts.PutProfile(r.Context(), a.ID, p)
	}
	if err != nil {
		status, errs, alert, ok := formError(err)
		if !ok {
			s.Error(w, r, err)
			return
		}
		// Show what was entered, the unknown skill among the typed ones,
		// and the years fields the form had: those of the stored skills.
		stored, serr := s.Accounts.Profile(r.Context(), a.ID)
		if serr != nil {
			s.Error(w, r, serr)
			return
		}
		shown := p
		shown.Skills = nil
		for _, name := range f["skill"] {
			if slices.Contains(commonSkills, name) {
				shown.Skills = append(shown.Skills, name)
			}
		}
		v := s.newProfileView(r, shown, typed)
		if other == "" {
			v.OtherSkills = ""
		}
		v.Years = yearsRows(stored, f)
		v.Errors, v.Alert = errs, alert
		s.render(w, r, status, "me_profile", v)
		return
	}
	http.Redirect(w, r, "/me/profile?saved=1", http.StatusSeeOther)
}

// formYen reads a whole number of yen typed in a form (4000, 4,000円,
// ４０００); empty is 0.
func formYen(typed, field string) (int64, error) {
	t := strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(toHalfWidth(typed), ",", ""), "，", ""))
	t = strings.TrimSpace(strings.TrimSuffix(t, "円"))
	if t == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		return 0, problem.Field(problem.Unprocessable, field, typed, "not a number of yen")
	}
	return n, nil
}

// formYears reads the years of experience typed for each skill
// (years_<slug>: 3, 3年, ３); empty fields are not said. Years of a skill
// the form no longer holds (unchecked or removed) are dropped with it.
func formYears(f url.Values, skills []string) (map[string]int, error) {
	held := map[string]bool{}
	for _, name := range skills {
		if sk, ok := skill.Lookup(strings.TrimSpace(name)); ok {
			held[sk.Slug] = true
		}
	}
	var out map[string]int
	for name, vals := range f {
		slug, ok := strings.CutPrefix(name, "years_")
		if !ok || len(vals) == 0 {
			continue
		}
		typed := strings.TrimSpace(vals[0])
		t := strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(toHalfWidth(typed), "以上"), "年"))
		if t == "" || !held[slug] {
			continue
		}
		n, err := strconv.Atoi(t)
		if err != nil {
			return nil, problem.Field(problem.Unprocessable, "experience", typed, "not a number of years")
		}
		if out == nil {
			out = map[string]int{}
		}
		out[slug] = n
	}
	return out, nil
}

// searchesView lists the saved searches, each with its settings form.
type searchesView struct {
	base
	Notice string
	Alert  string
	Items  []savedItem
	Max    int
}

type savedItem struct {
	store.SavedSearch
	URL    string // the search
	Alerts []option
	Hours  []option
	Errors map[string]string
}

// alertNames are the new-listing mail settings in Japanese.
var alertNames = []struct{ Value, Label string }{
	{"instant", "新着があればすぐ（まとめて送信）"},
	{"daily", "1日1回まとめて"},
	{"off", "受け取らない"},
}

func newSavedItem(ss store.SavedSearch) savedItem {
	it := savedItem{SavedSearch: ss, URL: "/search?" + ss.Query}
	for _, a := range alertNames {
		it.Alerts = append(it.Alerts, option{Value: a.Value, Label: a.Label, Checked: ss.Alert == a.Value})
	}
	for h := 0; h < 24; h++ {
		it.Hours = append(it.Hours, option{Value: strconv.Itoa(h), Label: strconv.Itoa(h) + "時", Checked: ss.Hour == h})
	}
	return it
}

var searchNotices = map[string]string{
	"saved":   "検索条件を保存しました。条件に合う新着案件が出たらメールでお知らせします。",
	"updated": "変更を保存しました。",
	"deleted": "保存した検索条件を削除しました。",
}

func (s *Site) searchesPage(w http.ResponseWriter, r *http.Request, a account.Account) {
	s.renderSearches(w, r, a, http.StatusOK, 0, nil, "")
}

// renderSearches shows the list; failed is the id whose form had errs.
func (s *Site) renderSearches(w http.ResponseWriter, r *http.Request, a account.Account, status int, failed int64, errs map[string]string, alert string) {
	list, err := s.Accounts.SavedSearches(r.Context(), a.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v := searchesView{base: s.meBase(r, "保存した検索条件"), Notice: searchNotices[r.URL.Query().Get("done")], Alert: alert, Max: account.MaxSavedSearches}
	for _, ss := range list {
		it := newSavedItem(ss)
		if ss.ID == failed {
			it.Errors = errs
		}
		v.Items = append(v.Items, it)
	}
	s.render(w, r, status, "me_searches", v)
}

// createSearch saves the search whose query the search page's button
// posts ("この条件で新着メールを受け取る").
func (s *Site) createSearch(w http.ResponseWriter, r *http.Request, a account.Account) {
	query := r.PostFormValue("query")
	_, err := s.Accounts.CreateSavedSearch(r.Context(), a.ID, account.SavedSearchInput{Query: &query})
	if err != nil {
		status, errs, alert, ok := formError(err)
		if !ok {
			s.Error(w, r, err)
			return
		}
		if m := errs["query"]; m != "" {
			alert = m
		}
		s.renderSearches(w, r, a, status, 0, nil, alert)
		return
	}
	http.Redirect(w, r, "/me/searches?done=saved", http.StatusSeeOther)
}

// pathID is the {id} of the path; a malformed one is the 404 a missing
// one is.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, problem.Errorf(problem.NotFound, "no %q", r.PathValue("id"))
	}
	return id, nil
}

func (s *Site) updateSearch(w http.ResponseWriter, r *http.Request, a account.Account) {
	id, err := pathID(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	name, alert := r.PostFormValue("name"), r.PostFormValue("alert")
	in := account.SavedSearchInput{Name: &name, Alert: &alert}
	if h := r.PostFormValue("hour"); h != "" {
		hour, err := strconv.Atoi(h)
		if err != nil {
			hour = -1 // refused by the check, named
		}
		in.Hour = &hour
	}
	if _, err := s.Accounts.UpdateSavedSearch(r.Context(), a.ID, id, in); err != nil {
		status, errs, msg, ok := formError(err)
		if !ok || status == http.StatusNotFound {
			s.Error(w, r, err)
			return
		}
		s.renderSearches(w, r, a, status, id, errs, msg)
		return
	}
	http.Redirect(w, r, "/me/searches?done=updated", http.StatusSeeOther)
}

func (s *Site) deleteSearch(w http.ResponseWriter, r *http.Request, a account.Account) {
	id, err := pathID(r)
	if err == nil {
		err = s.Accounts.DeleteSavedSearch(r.Context(), a.ID, id)
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, "/me/searches?done=deleted", http.StatusSeeOther)
}

// maxFavoriteCards is how many favourites the page shows.
const maxFavoriteCards = 200

type favoritesView struct {
	base
	Cards []cardView
}

func (s *Site) favoritesPage(w http.ResponseWriter, r *http.Request, a account.Account) {
	ctx := r.Context()
	favs, err := s.Accounts.Favorites(ctx, a.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v := favoritesView{base: s.meBase(r, "お気に入り")}
	var hits []catalog.Hit
	for _, f := range favs[:min(len(favs), maxFavoriteCards)] {
		d, err := s.Catalog.Listing(ctx, f.ListingID)
		if problem.KindOf(err) == problem.NotFound {
			continue
		}
		if err != nil {
			s.Error(w, r, err)
			return
		}
		hits = append(hits, catalog.Hit{Listing: d.Listing})
	}
	v.Cards = cards(hits, v.base)
	s.render(w, r, http.StatusOK, "me_favorites", v)
}

// historyPage is 閲覧履歴: the listings the engineer opened, latest first.
func (s *Site) historyPage(w http.ResponseWriter, r *http.Request, a account.Account) {
	ctx := r.Context()
	views, err := s.Accounts.History(ctx, a.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v := favoritesView{base: s.meBase(r, "閲覧履歴")}
	var hits []catalog.Hit
	for _, h := range views {
		d, err := s.Catalog.Listing(ctx, h.ListingID)
		if problem.KindOf(err) == problem.NotFound {
			continue // hidden since
		}
		if err != nil {
			s.Error(w, r, err)
			return
		}
		hits = append(hits, catalog.Hit{Listing: d.Listing})
	}
	v.Cards = cards(hits, v.base)
	s.render(w, r, http.StatusOK, "me_history", v)
}

func (s *Site) clearHistory(w http.ResponseWriter, r *http.Request, a account.Account) {
	if err := s.Accounts.ClearHistory(r.Context(), a.ID); err != nil {
		s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, "/me/history", http.StatusSeeOther)
}

// back is where a favourite button returns: the page it was on, if on
// this site.
func back(r *http.Request, def string) string { return localPath(r.PostFormValue("back"), def) }

func (s *Site) addFavorite(w http.ResponseWriter, r *http.Request, a account.Account) {
	id, err := pathID(r)
	if err == nil {
		err = s.Accounts.PutFavorite(r.Context(), a.ID, id)
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, back(r, "/me/favorites"), http.StatusSeeOther)
}

func (s *Site) removeFavorite(w http.ResponseWriter, r *http.Request, a account.Account) {
	id, err := pathID(r)
	if err == nil {
		err = s.Accounts.DeleteFavorite(r.Context(), a.ID, id)
	}
	if err != nil {
		s.Error(w, r, err)
		return
	}
	http.Redirect(w, r, back(r, "/me/favorites"), http.StatusSeeOther)
}

// recommendCards is how many recommendations the page shows.
const recommendCards = 20

type recommendationsView struct {
	base
	Profiled bool
	Picks    []pickView
}

type pickView struct {
	Card cardView
	Why  []string
}

func (s *Site) recommendationsPage(w http.ResponseWriter, r *http.Request, a account.Account) {
	ctx := r.Context()
	p, err := s.Accounts.Profile(ctx, a.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v := recommendationsView{base: s.meBase(r, "おすすめ案件"), Profiled: len(p.Skills) > 0 || p.Role != ""}
	if v.Profiled {
		picks, err := s.Catalog.Recommend(ctx, p, time.Time{}, s.Now(), recommendCards)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		hits := make([]catalog.Hit, len(picks))
		for i, pk := range picks {
			hits[i] = pk.Hit
		}
		for i, c := range cards(hits, v.base) {
			v.Picks = append(v.Picks, pickView{Card: c, Why: catalog.WhyText(picks[i].Why)})
		}
	}
	s.render(w, r, http.StatusOK, "me_recommendations", v)
}

type settingsView struct {
	base
	Email   string
	Errors  map[string]string
	Alert   string
	Changed bool
}

func (s *Site) settingsPage(w http.ResponseWriter, r *http.Request, a account.Account) {
	v := settingsView{base: s.meBase(r, "メール・パスワード設定"), Email: a.Email, Changed: r.URL.Query().Get("done") == "password"}
	s.render(w, r, http.StatusOK, "me_settings", v)
}

func (s *Site) changePassword(w http.ResponseWriter, r *http.Request, a account.Account) {
	err := s.Accounts.ChangePassword(r.Context(), a, r.PostFormValue("current"), r.PostFormValue("password"))
	if err != nil {
		status, errs, alert, ok := formError(err)
		if !ok {
			s.Error(w, r, err)
			return
		}
		if status == http.StatusTooManyRequests {
			alert = strings.Replace(alert, "短時間に何度も試された", "パスワードの入力を何度も間違えた", 1)
		}
		v := settingsView{base: s.meBase(r, "メール・パスワード設定"), Email: a.Email, Errors: errs, Alert: alert}
		s.render(w, r, status, "me_settings", v)
		return
	}
	http.Redirect(w, r, "/me/settings?done=password", http.StatusSeeOther)
}

// export downloads everything held about the engineer as JSON.
func (s *Site) export(w http.ResponseWriter, r *http.Request, a account.Account) {
	x, err := s.Accounts.Export(r.Context(), a.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	b, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		s.Error(w, r, fmt.Errorf("web: export: %w", err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="anken-export-`+s.Now().Format("20060102")+`.json"`)
	w.Write(append(b, '\n'))
}

type deleteView struct {
	base
	Email  string
	Errors map[string]string
	Alert  string
}

func (s *Site) deletePage(w http.ResponseWriter, r *http.Request, a account.Account) {
	s.render(w, r, http.StatusOK, "me_delete", deleteView{base: s.meBase(r, "退会（アカウントの削除）"), Email: a.Email})
}

// deleteAccount removes the account and everything personal once the
// engineer has typed their address, then logs out.
func (s *Site) deleteAccount(w http.ResponseWriter, r *http.Request, a account.Account) {
	if !strings.EqualFold(strings.TrimSpace(r.PostFormValue("confirm")), a.Email) {
		v := deleteView{base: s.meBase(r, "退会（アカウントの削除）"), Email: a.Email,
			Errors: map[string]string{"confirm": "登録しているメールアドレスを正確に入力してください。"},
			Alert:  "確認の入力が一致しないため、削除していません。"}
		s.render(w, r, http.StatusUnprocessableEntity, "me_delete", v)
		return
	}
	if err := s.Accounts.Delete(r.Context(), a.ID); err != nil {
		s.Error(w, r, err)
		return
	}
	s.clearSession(w, r)
	v := noticeView{base: s.accountBase(w, r, "アカウントを削除しました"), Heading: "アカウントを削除しました",
		Message: "登録情報、経験・希望条件、保存した検索条件、お気に入り、送信前のメールをすべて削除しました。ご利用ありがとうございました。",
		Links:   []crumb{{"トップページへ", "/"}, {"案件をさがす", "/search"}}}
	v.Viewer = nil
	s.render(w, r, http.StatusOK, "notice", v)
}
