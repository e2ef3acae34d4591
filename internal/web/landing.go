package web

import (
	"net/http"
	"net/url"
	"strings"

	"anken/internal/catalog"
	"anken/internal/listing"
	"anken/internal/problem"
	"anken/internal/search"
)

// Ways in (入口): /areas/{prefecture} (a romaji slug: tokyo) for the
// listings of one prefecture, and /features/{feature} for four themes
// engineers search by: フルリモート, 週3日以下, 副業OK, 月額80万円以上. Each is
// the job-type page's view (market.html, through topic) over its search:
// live figures, 今日の新着, the newest listings, the search and its
// new-listing mail. Full-time themes state monthly figures over
// full-workload listings; the part-time ones (週3日以下, 副業OK) hourly
// figures over every listing, as the side-job guides do.

// feature is a theme's page.
type feature struct {
	Slug  string // full-remote
	Name  string // フルリモート
	Title string
	Lead  string
	Intro string // the first paragraph, before the figures' own
	Basis search.Basis
	Edit  func(*catalog.Params) // the theme's conditions
}

// features are the themes, in the order the top page links them.
var features = []feature{
	{Slug: "full-remote", Name: "フルリモート", Basis: search.BasisMonthly,
		Title: "フルリモートのフリーランス・副業案件と単価相場",
		Lead:  "出社せず、自宅など好きな場所から働けるフルリモートの案件です。住んでいる地域を問わず応募できます。",
		Intro: "フルリモートの案件は、打ち合わせも含めてすべてオンラインで進みます。地方在住の方や、移動の時間を作業に充てたい方に向いています。",
		Edit:  func(p *catalog.Params) { p.Remote = []string{string(listing.RemoteFull)} }},
	{Slug: "weekly-3", Name: "週3日以下", Basis: search.BasisHourly,
		Title: "週3日以下で働けるフリーランス・副業案件と時給相場",
		Lead:  "週1〜3日の稼働で参画できる案件です。ほかの仕事や学業と両立したい方、副業から始めたい方に向いています。",
		Intro: "週3日以下の案件は、稼働日数の下限が週3日以下の案件です（週2〜5日なども含みます）。稼働の量が案件ごとに違うため、単価は時給で比べています。",
		Edit:  func(p *catalog.Params) { p.DaysMax = 3 }},
	{Slug: "side-job", Name: "副業OK", Basis: search.BasisHourly,
		Title: "副業OKのフリーランス案件と時給相場",
		Lead:  "会社員のまま参画できる、副業OKの案件です。本業と両立できる稼働の案件を探せます。",
		Intro: "副業OKの案件は、エージェントが本業と両立できると明記している案件です。稼働の量が案件ごとに違うため、単価は時給で比べています。",
		Edit:  func(p *catalog.Params) { p.SideJob = "true" }},
	{Slug: "high-rate", Name: "月額80万円以上", Basis: search.BasisMonthly,
		Title: "月額80万円以上の高単価フリーランス案件と単価相場",
		Lead:  "月額80万円以上を払える高単価の案件です。上流工程やリーダーの経験、専門性の高いスキルを求める案件が中心です。",
		Intro: "月額80万円以上の案件は、単価の上限が月額80万円以上の案件です（「70万〜90万円」なども含みます）。",
		Edit:  func(p *catalog.Params) { p.RateMin = 800_000 }},
}

// areaPageMin is how many open listings a prefecture needs for its page
// to be indexed and listed in the sitemap; below it the page is noindex,
// and with none it is a 404, as a skill's. A variable so that tests can
// index a handful.
var areaPageMin = 10

func (s *Site) registerLanding(mux *http.ServeMux) {
	mux.HandleFunc("GET /areas/{prefecture}", s.areaPage)
	mux.HandleFunc("GET /features/{feature}", s.featurePage)
}

// areaParams is the search of a prefecture's listings.
func areaParams(code string) catalog.Params {
	return catalog.Params{Prefecture: []string{code}, Collapse: true}
}

func (s *Site) areaPage(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("prefecture")
	pr, ok := listing.PrefectureBySlug(strings.ToLower(slug))
	if !ok {
		s.NotFound(w, r)
		return
	}
	if pr.Slug != slug { // Tokyo → tokyo: one address per prefecture
		http.Redirect(w, r, "/areas/"+url.PathEscape(pr.Slug), http.StatusMovedPermanently)
		return
	}
	v, st, err := s.topic(r.Context(), r, areaParams(pr.Code), pr.Name, "area", search.BasisMonthly)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if v.Topic.Total == 0 {
		s.Error(w, r, problem.Errorf(problem.NotFound, "no open listings in %s", pr.Code))
		return
	}
	v.Title = pr.Name + "のフリーランス・副業案件と単価相場"
	v.Heading = pr.Name + "のフリーランス案件"
	v.Description = pr.Name + "で働くフリーランス・副業案件の件数、月額単価の相場、リモートの割合、今日の新着と新着案件。"
	v.Canonical = s.absolute("/areas/" + pr.Slug)
	v.NoIndex = v.Topic.Total < areaPageMin
	v.Crumbs = []crumb{{"トップ", "/"}, {pr.Name, ""}}
	v.Topic.Lead = "勤務地が" + pr.Name + "のフリーランス・副業案件です。通える範囲の常駐・一部リモートの案件を探せます。"
	v.Topic.Intro = []string{"掲載中のフリーランス・副業案件のうち、勤務地が" + pr.Name + "の案件は" + comma(int64(v.Topic.Total)) + "件あります。"}
	v.Fig.Top, v.Fig.TopHead = topRolesOf(st), "多い職種"
	s.render(w, r, http.StatusOK, "market", v)
}

func (s *Site) featurePage(w http.ResponseWriter, r *http.Request) {
	var f *feature
	for i := range features {
		if features[i].Slug == r.PathValue("feature") {
			f = &features[i]
		}
	}
	if f == nil {
		s.NotFound(w, r)
		return
	}
	p := catalog.Params{Collapse: true}
	f.Edit(&p)
	v, st, err := s.topic(r.Context(), r, p, f.Name, "feature", f.Basis)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v.Title = f.Title
	v.Heading = f.Name + "の案件"
	v.Description = f.Lead
	v.Canonical = s.absolute("/features/" + f.Slug)
	v.Crumbs = []crumb{{"トップ", "/"}, {f.Name + "の案件", ""}}
	v.Topic.Lead = f.Lead
	v.Topic.Intro = []string{f.Intro, "いま募集中の" + f.Name + "の案件は" + comma(int64(v.Topic.Total)) + "件です。"}
	v.Fig.Top, v.Fig.TopHead = topRolesOf(st), "多い職種"
	s.render(w, r, http.StatusOK, "market", v)
}
