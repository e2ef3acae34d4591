package web

import (
	"errors"
	"net/http"
	"net/url"

	"anken/internal/operate"
	"anken/internal/problem"
	"anken/internal/store"
)

// /ops/agencies/{slug}: one agency's profile (表示名, 紹介文, サイト), which its
// public page /agencies/{slug} shows, edited by an operator through the
// operator service's one rule (operate.CheckAgencyProfile), as the
// operator API and the agency's own key set it.

// opsAgencyView is /ops/agencies/{slug}.
type opsAgencyView struct {
	opsView
	Slug    string
	Profile store.AgencyProfile // the form's values
	Errors  map[string]string   // field → what is wrong, in Japanese
	Public  string              // the agency's public page
}

// profileErrors word a refused field of a profile for the form.
var profileErrors = map[string]string{
	"name":        "表示名は1〜200文字で、改行などの制御文字を含めずに入力してください。",
	"description": "紹介文は2,000文字以内で、改行以外の制御文字（タブなど）を含めずに入力してください。",
	"site_url":    "サイトの URL は http:// か https:// で始まる2,000バイト以内の URL を、空白を含めずに入力してください（ユーザー名やパスワードは含められません）。",
}

func (o *opsSite) opsAgency(w http.ResponseWriter, r *http.Request) (store.Agency, bool) {
	a, err := o.st.Agency(r.Context(), r.PathValue("slug"))
	if errors.Is(err, store.ErrNotFound) {
		o.Error(w, r, problem.Errorf(problem.NotFound, "no agency %q", r.PathValue("slug")))
		return a, false
	}
	if err != nil {
		o.Error(w, r, problem.Wrap(problem.Unavailable, err, "the store is not answering"))
		return a, false
	}
	return a, true
}

func (o *opsSite) agencyPage(w http.ResponseWriter, r *http.Request, op store.Operator) {
	a, ok := o.opsAgency(w, r)
	if !ok {
		return
	}
	p, err := o.st.AgencyProfile(r.Context(), a.Slug)
	if err != nil {
		o.Error(w, r, problem.Wrap(problem.Unavailable, err, "the store is not answering"))
		return
	}
	v := opsAgencyView{opsView: o.view(w, r, "エージェント "+a.Slug, op), Slug: a.Slug, Profile: p, Public: "/agencies/" + url.PathEscape(a.Slug)}
	v.Crumbs = []crumb{{"運用", "/ops"}, {"エージェント", "/ops/agencies"}, {a.Slug, ""}}
	if r.URL.Query().Get("done") == "profile" {
		v.Notice = "プロフィールを保存しました。紹介文とサイトは公開ページにすぐ反映されます。表示名が案件の一覧に反映されるまでは最大1分かかります。"
	}
	o.render(w, r, http.StatusOK, "ops_agency", v)
}

// setProfile saves the profile form and goes back to the agency's page;
// a refused field shows the form again with what was typed (422).
func (o *opsSite) setProfile(w http.ResponseWriter, r *http.Request, op store.Operator) {
	a, ok := o.opsAgency(w, r)
	if !ok {
		return
	}
	in := store.AgencyProfile{Slug: a.Slug, Name: r.PostFormValue("name"), Description: r.PostFormValue("description"), SiteURL: r.PostFormValue("site_url")}
	_, err := o.st.SetAgencyProfile(audited(r, op, "put-agency-profile-operator"), a, in)
	var pe *operate.ProfileError
	if errors.As(err, &pe) {
		v := opsAgencyView{opsView: o.view(w, r, "エージェント "+a.Slug, op), Slug: a.Slug, Profile: in, Public: "/agencies/" + url.PathEscape(a.Slug),
			Errors: map[string]string{pe.Field: profileErrors[pe.Field]}}
		v.Crumbs = []crumb{{"運用", "/ops"}, {"エージェント", "/ops/agencies"}, {a.Slug, ""}}
		v.Alert = "保存できませんでした。" + profileErrors[pe.Field]
		o.render(w, r, http.StatusUnprocessableEntity, "ops_agency", v)
		return
	}
	if err != nil {
		o.Error(w, r, problem.Wrap(problem.Unavailable, err, "the store is not answering"))
		return
	}
	http.Redirect(w, r, "/ops/agencies/"+url.PathEscape(a.Slug)+"?done=profile", http.StatusSeeOther)
}
