package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"anken/internal/catalog"
	"anken/internal/market"
	"anken/internal/search"
)

// The agencies' pages (エージェント): /agencies lists every agency with
// open listings and its figures, /agencies/{slug} shows one with what it
// says of itself (its profile), the same figures, its newest listings, a
// search within them and a link to their market figures. The figures are
// catalog.AgencyFigures: each the answer of a search the page links to.

// agencyTopRoles is how many of an agency's roles its figures name.
const agencyTopRoles = 3

// agencyNewest is how many of its newest listings an agency's page shows.
const agencyNewest = 6

// agencyFigs is an agency's figures, every text worked out.
type agencyFigs struct {
	Slug, Name, URL string
	Open            int
	Roles           []topCount // the most frequent roles, linking the agency's listings of each
	Median          string     // 月額65万円; empty when no full-workload listing states a rate
	MedianBasis     string     // what the median is of: フルタイム相当で単価の記載がある12件
	Remote          string     // 62.5%: フルリモート and 一部リモート among the open listings
	RemoteDetail    string     // フルリモート5件・一部リモート3件
	New30d          int
	SearchURL       string // its listings: /search?agency=slug
	NewURL          string // its listings first seen within 30 days
}

func newAgencyFigs(f catalog.AgencyFigures) agencyFigs {
	p := catalog.AgencyParams(f.Slug)
	v := agencyFigs{Slug: f.Slug, Name: f.Name, URL: "/agencies/" + url.PathEscape(f.Slug), Open: f.Open, New30d: f.New30d,
		SearchURL: searchURL(p, func(*catalog.Params) {}),
		NewURL:    searchURL(p, func(p *catalog.Params) { p.PostedWithin, p.Sort = "30d", "newest" })}
	for _, r := range f.Roles[:min(len(f.Roles), agencyTopRoles)] {
		v.Roles = append(v.Roles, topCount{Name: roleName(r.Role), Count: r.Count, Share: percent(r.Count, f.Open),
			URL: searchURL(p, func(p *catalog.Params) { p.Role = []string{string(r.Role)} })})
	}
	if f.Priced > 0 {
		v.Median = "月額" + market.ManYen(f.MedianMonthly)
		v.MedianBasis = "フルタイム相当で単価の記載がある" + comma(int64(f.Priced)) + "件の中央値"
	}
	v.Remote = percent(f.RemoteFull+f.RemotePartial, f.Open)
	v.RemoteDetail = "フルリモート" + comma(int64(f.RemoteFull)) + "件・一部リモート" + comma(int64(f.RemotePartial)) + "件"
	return v
}

// agenciesView is /agencies.
type agenciesPageView struct {
	base
	Agencies []agencyFigs
}

func (s *Site) agencies(w http.ResponseWriter, r *http.Request) {
	list, err := s.Catalog.AgencyList(r.Context(), s.Now())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v := agenciesPageView{base: s.base(r, "掲載エージェント一覧：案件数・単価・リモートの割合")}
	v.Description = "anken に案件を掲載している IT フリーランス・副業エージェントの一覧。各社の掲載案件数、主な職種、" +
		"月額単価の中央値、リモート案件の割合、30日以内の新着を比べられます。"
	v.Canonical = s.absolute("/agencies")
	v.Crumbs = []crumb{{"トップ", "/"}, {"エージェント一覧", ""}}
	for _, f := range list {
		v.Agencies = append(v.Agencies, newAgencyFigs(f))
	}
	s.render(w, r, http.StatusOK, "agencies", v)
}

// agencyView is /agencies/{slug}.
type agencyView struct {
	base
	Fig       agencyFigs
	Paras     []string // the description, a paragraph a line
	SiteURL   string
	SiteHost  string // what the site link shows: sakura.example
	Newest    []cardView
	MarketURL string
	AllURL    string // every listing of the agency, newest first
}

func (s *Site) agency(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, err := s.Catalog.Agency(ctx, r.PathValue("slug"), s.Now())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	f := newAgencyFigs(a.Figures)
	v := agencyView{base: s.base(r, f.Name+"の案件・単価相場"), Fig: f, SiteURL: a.Profile.SiteURL}
	if u, err := url.Parse(a.Profile.SiteURL); err == nil && a.Profile.SiteURL != "" {
		v.SiteHost = u.Host
	}
	for line := range strings.SplitSeq(a.Profile.Description, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			v.Paras = append(v.Paras, line)
		}
	}
	p := catalog.AgencyParams(f.Slug)
	v.MarketURL = marketURL(p)
	v.AllURL = searchURL(p, func(p *catalog.Params) { p.Sort = "newest" })
	q, err := p.QueryAt(s.Now())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	q.Sort, q.Limit = search.SortNewest, agencyNewest
	page, err := s.Catalog.Search(ctx, q)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v.Newest = cards(page.Hits, v.base)
	v.Description = f.Name + "が掲載しているフリーランス・副業案件は" + strconv.Itoa(f.Open) + "件。主な職種、月額単価の中央値、リモート案件の割合と新着案件。"
	if len(v.Paras) > 0 {
		v.Description = excerpt(v.Paras[0], 80) + " " + v.Description
	}
	v.Canonical = s.absolute(f.URL)
	v.Crumbs = []crumb{{"トップ", "/"}, {"エージェント一覧", "/agencies"}, {f.Name, ""}}
	s.render(w, r, http.StatusOK, "agency", v)
}
