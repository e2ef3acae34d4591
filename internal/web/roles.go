package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"anken/internal/catalog"
	"anken/internal/guide"
	"anken/internal/listing"
	"anken/internal/market"
	"anken/internal/problem"
	"anken/internal/search"
	"anken/internal/skill"
)

// The job-type pages (職種ページ): /roles/{role} for every role, with the
// role's article from the guide library, and /skills/{skill} for every
// skill with open listings, with a short intro written from the figures.
// Both show the live figures of the listings a search of the role or the
// skill alone returns (collapsed, as /search by default), the newest of
// them, and the links to search them and to get them by mail. A page costs
// one Stats, one Trend and one Search, whatever the number of listings.

// topicView is what a role's or a skill's page adds to the figures.
type topicView struct {
	Kind     string // role, skill
	Name     string // バックエンドエンジニア, Go
	Lead     string
	Intro    []string        // a skill's generated paragraphs
	Sections []guide.Section // a role's article, without its FAQ
	FAQ      []guide.QA
	Newest   []cardView
	Search   string // /search?role=backend
	Alert    string // where to save the search for new-listing mail
	Market   string // /market?role=backend
	Total    int    // open listings of the topic, every workload
	Today    int    // 今日の新着: first seen in the last 24 hours
	TodayURL string // their search
}

// topicNewest is how many of the newest listings a topic page shows.
const topicNewest = 6

// skillPageMin is how many open listings a skill needs for its page to be
// indexed and listed in the sitemap; below it the page is noindex, and
// with none it is a 404. A variable so that tests can index a handful.
var skillPageMin = 10

func (s *Site) registerTopics(mux *http.ServeMux) {
	if s.Guides == nil {
		s.Guides, _ = guide.New(nil, s.Log) // the embedded files; their tests rule out an error
	}
	mux.HandleFunc("GET /roles/{role}", s.rolePage)
	mux.HandleFunc("GET /skills/{skill}", s.skillPage)
	mux.HandleFunc("GET /market", s.market)
}

func (s *Site) rolePage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	role := listing.Role(r.PathValue("role"))
	if !slices.Contains(listing.Roles, role) {
		s.NotFound(w, r)
		return
	}
	a, err := s.Guides.Article(ctx, role)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	name := a.Title // バックエンドエンジニア; roleName is the shorter バックエンド
	p := catalog.Params{Role: []string{string(role)}, Collapse: true}
	v, st, err := s.topic(ctx, r, p, name, "role", search.BasisMonthly)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v.Title = name + "とは？仕事内容・必要なスキルと案件の単価相場"
	v.Heading = name + "とは"
	v.Description = a.Lead
	v.Canonical = s.absolute("/roles/" + string(role))
	v.Crumbs = []crumb{{"トップ", "/"}, {name, ""}}
	v.Topic.Lead = a.Lead
	for _, sec := range a.Sections {
		if sec.ID != "faq" {
			v.Topic.Sections = append(v.Topic.Sections, sec)
		}
	}
	v.Topic.FAQ = a.FAQ
	v.Fig.Top, v.Fig.TopHead = topSkillsOf(st), "よく求められるスキル"
	s.render(w, r, http.StatusOK, "market", v)
}

func (s *Site) skillPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sk, ok := skill.Lookup(r.PathValue("skill"))
	if !ok {
		s.NotFound(w, r)
		return
	}
	if sk.Slug != r.PathValue("skill") { // golang → go: one address per skill
		http.Redirect(w, r, "/skills/"+url.PathEscape(sk.Slug), http.StatusMovedPermanently)
		return
	}
	p := catalog.Params{Skill: []string{sk.Slug}, Collapse: true}
	v, st, err := s.topic(ctx, r, p, sk.Name, "skill", search.BasisMonthly)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if v.Topic.Total == 0 {
		s.Error(w, r, problem.Errorf(problem.NotFound, "no open listings with skill %q", sk.Slug))
		return
	}
	v.Title = sk.Name + "の案件の単価相場と募集状況"
	v.Heading = sk.Name + "の案件の単価相場"
	v.Description = sk.Name + "を使うフリーランス・副業案件の月額単価の相場、ボリュームゾーン、リモートの割合、案件数の推移と新着案件。"
	v.Canonical = s.absolute("/skills/" + sk.Slug)
	v.NoIndex = v.Topic.Total < skillPageMin
	v.Crumbs = []crumb{{"トップ", "/"}, {sk.Name, ""}}
	v.Topic.Intro = skillIntro(sk.Name, v.Topic.Total, st)
	v.Fig.Top, v.Fig.TopHead = topRolesOf(st), "この技術を使う職種"
	s.render(w, r, http.StatusOK, "market", v)
}

// topic reads the figures and newest listings of a page's search p (a
// role, a skill, an area, a feature): one Stats, one Trend, one Search
// and one count of 今日の新着 (Catalog.NewSince). Monthly figures are of full-workload
// listings; hourly ones (the part-time features) of every workload. They
// are the same for every visitor, and kept as catalog.Figures keeps them:
// while writes keep coming they may be a few seconds old, and the page
// says when they were computed.
func (s *Site) topic(ctx context.Context, r *http.Request, p catalog.Params, name, kind string, basis search.Basis) (marketView, market.Stats, error) {
	now := s.Now()
	q, err := p.QueryAt(now)
	if err != nil {
		return marketView{}, market.Stats{}, problem.Wrap(problem.Internal, err, "the page's search is not valid")
	}
	all := searchURL(p, func(*catalog.Params) {})
	key := "topic\x00" + kind + "\x00" + name + "\x00" + all + "\x00" + strconv.Itoa(int(basis))
	d, fig, err := catalog.Figures(ctx, s.Catalog, key, now, func(ctx context.Context) (topicFigures, error) {
		return s.topicFigures(ctx, q, name+"の案件", all, basis, now)
	})
	v := marketView{base: s.base(r, name), Fig: d.fig}
	if err != nil {
		return v, d.st, err
	}
	v.Fig.AsOf = fig.AsOf
	v.Topic = &topicView{Kind: kind, Name: name, Newest: cards(d.hits, v.base), Search: all,
		Market: marketURL(p), Alert: all + "#save-search", Total: d.total, Today: d.today}
	v.Topic.TodayURL = searchURL(p, func(p *catalog.Params) { p.PostedWithin, p.Sort = "1d", "newest" })
	v.Fig.MarketURL = v.Topic.Market
	return v, d.st, nil
}

// topicFigures are what a topic page shows of its search, the same for
// every visitor.
type topicFigures struct {
	fig   figuresView
	st    market.Stats
	hits  []catalog.Hit // the newest
	total int
	today int
}

func (s *Site) topicFigures(ctx context.Context, q search.Query, subject, all string, basis search.Basis, now time.Time) (topicFigures, error) {
	var d topicFigures
	fq := q
	if basis == search.BasisMonthly {
		// The monthly figures are of full-workload listings: a part-time
		// listing's month is not what the job pays for a month's work.
		fq.Workload = listing.WorkloadFull
	}
	var err error
	if d.fig, d.st, err = s.figures(ctx, fq, subject, all, basis); err != nil {
		return d, err
	}
	q.Sort, q.Limit = search.SortNewest, topicNewest
	page, err := s.Catalog.Search(ctx, q)
	if err != nil {
		return d, err
	}
	d.hits, d.total = page.Hits, page.Total
	d.today, err = s.Catalog.NewSince(ctx, q, now)
	return d, err
}

// skillIntro is a skill page's opening, written from its figures.
func skillIntro(name string, total int, st market.Stats) []string {
	out := []string{"掲載中のフリーランス・副業案件のうち、" + name + "を使う案件は" + comma(int64(total)) + "件あります。"}
	if roles := topRolesOf(st); len(roles) > 0 {
		s := "もっとも多い職種は" + roles[0].Name + "（" + comma(int64(roles[0].Count)) + "件）"
		if len(roles) > 1 {
			s += "、次いで" + roles[1].Name + "（" + comma(int64(roles[1].Count)) + "件）"
		}
		out = append(out, s+"です。")
	}
	// The volume zone is the page's headline, said once above: the
	// intro gives the median beside it.
	if st.Rate != nil {
		out = append(out, "フルタイム相当（週4日以上）の案件のうち単価の記載がある"+comma(int64(st.Priced))+"件の中央値は月額"+market.ManYen(st.Rate.Median)+"です。")
	}
	return out
}
