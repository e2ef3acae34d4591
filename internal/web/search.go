package web

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"anken/internal/catalog"
	"anken/internal/listing"
	"anken/internal/search"
)

// searchView is the search page: the filter panel with counts, the
// sorts, a page of result cards and the next page's link.
type searchView struct {
	base
	Params   catalog.Params
	Total    int
	Hits     []cardView
	Groups   []filterGroup
	Sorts    []option
	Applied  []applied // the active conditions, each with a link that drops it
	Next     string    // URL of the next page; empty on the last
	Paged    bool      // this is not the first page
	Relax    []relax   // for an empty result: the conditions to drop, with the hits each gives back
	FeedURL  string
	ClearURL string
	RolePage *crumb // with one role filtered: its job-type page
}

// filterGroup is one fieldset of the filter panel.
type filterGroup struct {
	Param  string // the query parameter
	Legend string
	Radio  bool   // one value (days_max, rate_min); else several (checkboxes)
	Type   string // the inputs' type: radio or checkbox
	Open   bool   // shown unfolded
	Opts   []option
	// NoCounts: the options show no counts (no facet counts them).
	NoCounts bool
}

// option is one checkbox, radio button or sort with its count.
type option struct {
	Value, Label string
	Count        int
	Checked      bool
	URL          string // the search with this option toggled, for links
	ID           string // the input's id
	CountText    string // the count as shown (12,345); empty for none
}

// applied is an active condition with the URL of the search without it.
type applied struct{ Label, URL string }

// relax suggests dropping a condition of a search that found nothing.
type relax struct {
	Label string
	URL   string
	Total int
}

// allFacets are the counts the filter panel shows.
var allFacets = []search.Facet{search.FacetRole, search.FacetSkills, search.FacetRemote, search.FacetPrefecture,
	search.FacetContract, search.FacetDays, search.FacetSideJob, search.FacetRate}

// rateSteps are the rate_min choices: monthly yen.
var rateSteps = []int64{400_000, 500_000, 600_000, 700_000, 800_000, 900_000, 1_000_000, 1_200_000}

func (s *Site) search(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := catalog.ParseQuery(r.URL.RawQuery)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if p.Limit == 0 {
		p.Limit = search.DefaultLimit
	}
	q, err := p.QueryAt(s.Now())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	p.Skill = q.Skills // slugs, whatever spelling was asked (golang is go)
	q.Facets = allFacets
	page, err := s.Catalog.Search(ctx, q)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	agencies := s.agencyNames(ctx)
	v := searchView{base: s.base(r, searchTitle(p, page.Total, agencies)), Params: p, Total: page.Total, Paged: p.Cursor != ""}
	v.Hits = cards(page.Hits, v.base)
	v.Q = p.Q
	v.Description = "IT フリーランス・副業案件の検索結果。" + strconv.Itoa(page.Total) + "件。職種・スキル・リモート・稼働日数・単価で絞り込めます。"
	canon := p.Values()
	v.Canonical = s.absolute("/search")
	if enc := canon.Encode(); enc != "" {
		v.Canonical += "?" + enc
	}
	v.NoIndex = p.Cursor != "" || p.Q != ""
	v.FeedURL = "/search.atom"
	if enc := canon.Encode(); enc != "" {
		v.FeedURL += "?" + enc
	}
	v.ClearURL = "/search"
	if page.NextCursor != "" {
		next := p.Values()
		next.Set("cursor", page.NextCursor)
		if p.Limit != search.DefaultLimit {
			next.Set("limit", strconv.Itoa(p.Limit))
		}
		v.Next = "/search?" + next.Encode()
	}
	v.Crumbs = []crumb{{"トップ", "/"}, {"案件検索", ""}}

	facets, err := s.disjunctive(ctx, p, page.Facets)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v.Groups = s.filterGroups(p, facets)
	for _, so := range sortNames {
		o := option{Value: so.Value, Label: so.Name, Checked: so.Value == cmp.Or(p.Sort, "relevance")}
		o.URL = searchURL(p, func(p *catalog.Params) { p.Sort = so.Value })
		v.Sorts = append(v.Sorts, o)
	}
	v.Applied = appliedConditions(p, agencies)
	if len(p.Role) == 1 && slices.Contains(listing.Roles, listing.Role(p.Role[0])) {
		v.RolePage = &crumb{roleName(listing.Role(p.Role[0])), "/roles/" + p.Role[0]}
	}
	if page.Total == 0 && len(v.Applied) > 0 {
		v.Relax, err = s.relaxations(ctx, p)
		if err != nil {
			s.Error(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "search", v)
}

func searchTitle(p catalog.Params, total int, agencies map[string]string) string {
	if c := conditionText(p, agencies); c != "" {
		return c + "の案件（" + comma(int64(total)) + "件）"
	}
	return "案件検索（" + comma(int64(total)) + "件）"
}

// conditionText names a search's conditions in Japanese: 「Go」・フルリモート.
func conditionText(p catalog.Params, agencies map[string]string) string {
	var labels []string
	for _, a := range appliedConditions(p, agencies) {
		labels = append(labels, a.Label)
	}
	return strings.Join(labels, "・")
}

// searchURL is the /search URL of p changed by edit, from the first page.
func searchURL(p catalog.Params, edit func(*catalog.Params)) string {
	p.Skill, p.Role, p.Remote = slices.Clone(p.Skill), slices.Clone(p.Role), slices.Clone(p.Remote)
	p.Prefecture, p.Contract, p.Agency = slices.Clone(p.Prefecture), slices.Clone(p.Contract), slices.Clone(p.Agency)
	edit(&p)
	p.Cursor = ""
	enc := p.Values().Encode()
	if enc == "" {
		return "/search"
	}
	return "/search?" + enc
}

// disjunctive returns the facet counts the panel shows. Values of one
// filter are ORed, so a group with a value checked counts what each other
// value would add: its counts come from the search without that group's
// own filter (one count-only search per active group). Skills are ANDed
// and keep the page's counts.
func (s *Site) disjunctive(ctx context.Context, p catalog.Params, counts map[search.Facet]map[string]int) (map[search.Facet]map[string]int, error) {
	out := make(map[search.Facet]map[string]int, len(counts))
	for f, c := range counts {
		out[f] = c
	}
	type group struct {
		facet  search.Facet
		active bool
		drop   func(*catalog.Params)
	}
	groups := []group{
		{search.FacetRole, len(p.Role) > 0, func(p *catalog.Params) { p.Role = nil }},
		{search.FacetRemote, len(p.Remote) > 0, func(p *catalog.Params) { p.Remote = nil }},
		{search.FacetPrefecture, len(p.Prefecture) > 0, func(p *catalog.Params) { p.Prefecture = nil }},
		{search.FacetContract, len(p.Contract) > 0, func(p *catalog.Params) { p.Contract = nil }},
		{search.FacetDays, p.DaysMax > 0, func(p *catalog.Params) { p.DaysMax = 0 }},
		{search.FacetSideJob, p.SideJob != "", func(p *catalog.Params) { p.SideJob = "" }},
		{search.FacetRate, p.RateMin > 0, func(p *catalog.Params) { p.RateMin = 0 }},
	}
	for _, g := range groups {
		if !g.active {
			continue
		}
		alt := p
		alt.Cursor = ""
		g.drop(&alt)
		q, err := alt.QueryAt(s.Now())
		if err != nil {
			return nil, err
		}
		q.Facets = []search.Facet{g.facet}
		c, err := s.Catalog.Count(ctx, q)
		if err != nil {
			return nil, err
		}
		out[g.facet] = c.Facets[g.facet]
	}
	return out, nil
}

// filterGroups builds the filter panel from the counts.
func (s *Site) filterGroups(p catalog.Params, facets map[search.Facet]map[string]int) []filterGroup {
	var gs []filterGroup
	multi := func(param, legend string, values []string, name func(string) string, counts map[string]int, checked []string, keepZero bool) {
		g := filterGroup{Param: param, Legend: legend, Open: len(checked) > 0}
		for _, val := range values {
			n := counts[val]
			on := slices.Contains(checked, val)
			if n == 0 && !on && !keepZero {
				continue
			}
			g.Opts = append(g.Opts, option{Value: val, Label: name(val), Count: n, Checked: on})
		}
		if len(g.Opts) > 0 {
			gs = append(gs, g)
		}
	}
	var roles, remotes, contracts []string
	for _, r := range listing.Roles {
		roles = append(roles, string(r))
	}
	for _, r := range listing.Remotes {
		remotes = append(remotes, string(r))
	}
	for _, c := range listing.Contracts {
		contracts = append(contracts, string(c))
	}
	multi("remote", "働き方", remotes, func(v string) string { return remoteName(listing.Remote(v)) }, facets[search.FacetRemote], p.Remote, true)
	multi("role", "職種", roles, func(v string) string { return roleName(listing.Role(v)) }, facets[search.FacetRole], p.Role, false)

	// Skills: the most frequent among the hits, plus those already chosen.
	skills := slices.Collect(mapKeys(facets[search.FacetSkills]))
	for _, sk := range p.Skill {
		if !slices.Contains(skills, sk) {
			skills = append(skills, sk)
		}
	}
	sc := facets[search.FacetSkills]
	slices.SortFunc(skills, func(a, b string) int { return cmp.Or(cmp.Compare(sc[b], sc[a]), cmp.Compare(a, b)) })
	multi("skill", "スキル", skills, skillName, sc, p.Skill, true)

	// Days a week: days_max=k keeps listings workable in k days or fewer,
	// so its count is the sum of the facet's values up to k.
	days := filterGroup{Param: "days_max", Legend: "稼働日数", Radio: true, Open: p.DaysMax > 0}
	days.Opts = append(days.Opts, option{Value: "", Label: "指定なし", Checked: p.DaysMax == 0})
	sum := 0
	for d := 1; d <= 5; d++ {
		sum += facets[search.FacetDays][strconv.Itoa(d)]
		days.Opts = append(days.Opts, option{Value: strconv.Itoa(d), Label: "週" + strconv.Itoa(d) + "日以下", Count: sum, Checked: p.DaysMax == d})
	}
	gs = append(gs, days)

	// Rate: rate_min=x keeps listings that can pay x or more: the sum of
	// the 5万円 bands from x up.
	rate := filterGroup{Param: "rate_min", Legend: "月額単価", Radio: true, Open: p.RateMin > 0}
	rate.Opts = append(rate.Opts, option{Value: "", Label: "指定なし", Checked: p.RateMin == 0})
	for _, step := range rateSteps {
		n := 0
		for band, c := range facets[search.FacetRate] {
			if b, err := strconv.ParseInt(band, 10, 64); err == nil && b >= step {
				n += c
			}
		}
		rate.Opts = append(rate.Opts, option{Value: strconv.FormatInt(step, 10), Label: man(step) + "円以上", Count: n, Checked: p.RateMin == step})
	}
	gs = append(gs, rate)

	// Hourly pay, workload and freshness: filters without facet counts.
	radio := func(param, legend, current string, opts [][2]string) {
		g := filterGroup{Param: param, Legend: legend, Radio: true, Open: current != "", NoCounts: true}
		g.Opts = append(g.Opts, option{Value: "", Label: "指定なし", Checked: current == ""})
		for _, o := range opts {
			g.Opts = append(g.Opts, option{Value: o[0], Label: o[1], Checked: current == o[0]})
		}
		gs = append(gs, g)
	}
	hourly := ""
	if p.HourlyMin > 0 {
		hourly = strconv.FormatInt(p.HourlyMin, 10)
	}
	var hourlyOpts [][2]string
	for _, h := range hourlySteps {
		hourlyOpts = append(hourlyOpts, [2]string{strconv.FormatInt(h, 10), "時給" + comma(h) + "円以上"})
	}
	radio("hourly_min", "時給", hourly, hourlyOpts)
	radio("workload", "稼働の量", p.Workload, [][2]string{
		{string(listing.WorkloadFull), "フルタイム相当（週4日以上）"},
		{string(listing.WorkloadPart), "週3日以下・短時間"},
	})
	radio("posted_within", "新着", p.PostedWithin, [][2]string{
		{"1d", "24時間以内"}, {"3d", "3日以内"}, {"7d", "7日以内"}, {"30d", "30日以内"},
	})

	side := filterGroup{Param: "side_job", Legend: "副業", Open: p.SideJob != ""}
	side.Opts = []option{{Value: "true", Label: "副業OK の案件だけ", Count: facets[search.FacetSideJob]["true"], Checked: p.SideJob == "true"}}
	gs = append(gs, side)

	multi("contract", "契約形態", contracts, func(v string) string { return contractName(listing.Contract(v)) }, facets[search.FacetContract], p.Contract, false)

	// Prefectures: those with listings, most first, plus those chosen.
	var prefs []string
	pc := facets[search.FacetPrefecture]
	for _, pr := range listing.Prefectures {
		if pc[pr.Code] > 0 || slices.Contains(p.Prefecture, pr.Code) {
			prefs = append(prefs, pr.Code)
		}
	}
	slices.SortStableFunc(prefs, func(a, b string) int { return cmp.Compare(pc[b], pc[a]) })
	multi("prefecture", "勤務地", prefs, prefectureName, pc, p.Prefecture, true)
	for gi := range gs {
		g := &gs[gi]
		g.Type = "checkbox"
		if g.Radio {
			g.Type = "radio"
		}
		for i := range g.Opts {
			o := &g.Opts[i]
			o.ID = "f-" + g.Param + "-" + strconv.Itoa(i)
			if o.Value != "" && !g.NoCounts {
				o.CountText = comma(int64(o.Count))
			}
		}
	}
	return gs
}

// hourlySteps are the hourly_min choices of the filter panel.
var hourlySteps = []int64{2000, 3000, 4000, 5000, 6000, 8000}

// freshnessLabel words a posted_within value: 24時間以内, 7日以内.
func freshnessLabel(v string) string {
	switch v {
	case "1d":
		return "24時間以内"
	case "3d", "7d", "30d":
		return strings.TrimSuffix(v, "d") + "日以内"
	}
	return ""
}

func mapKeys(m map[string]int) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// appliedConditions lists the search's active conditions, each with the
// URL of the search without it.
func appliedConditions(p catalog.Params, agencies map[string]string) []applied {
	var out []applied
	add := func(label string, edit func(*catalog.Params)) {
		out = append(out, applied{label, searchURL(p, edit)})
	}
	if p.Q != "" {
		add("「"+p.Q+"」", func(p *catalog.Params) { p.Q = "" })
	}
	list := func(vals []string, name func(string) string, field func(*catalog.Params) *[]string) {
		for _, val := range vals {
			add(name(val), func(p *catalog.Params) {
				f := field(p)
				*f = slices.DeleteFunc(*f, func(s string) bool { return s == val })
			})
		}
	}
	list(p.Skill, skillName, func(p *catalog.Params) *[]string { return &p.Skill })
	list(p.Role, func(v string) string { return roleName(listing.Role(v)) }, func(p *catalog.Params) *[]string { return &p.Role })
	list(p.Remote, func(v string) string { return remoteName(listing.Remote(v)) }, func(p *catalog.Params) *[]string { return &p.Remote })
	if p.DaysMax > 0 {
		add("週"+strconv.Itoa(p.DaysMax)+"日以下", func(p *catalog.Params) { p.DaysMax = 0 })
	}
	if p.RateMin > 0 {
		add("月額"+man(p.RateMin)+"円以上", func(p *catalog.Params) { p.RateMin = 0 })
	}
	if p.RateMax > 0 {
		add("月額"+man(p.RateMax)+"円以下から", func(p *catalog.Params) { p.RateMax = 0 })
	}
	if p.HourlyMin > 0 {
		add("時給"+comma(p.HourlyMin)+"円以上", func(p *catalog.Params) { p.HourlyMin = 0 })
	}
	if p.HourlyMax > 0 {
		add("時給"+comma(p.HourlyMax)+"円以下から", func(p *catalog.Params) { p.HourlyMax = 0 })
	}
	switch listing.Workload(p.Workload) {
	case listing.WorkloadFull:
		add("フルタイム相当", func(p *catalog.Params) { p.Workload = "" })
	case listing.WorkloadPart:
		add("週3日以下・短時間", func(p *catalog.Params) { p.Workload = "" })
	}
	if w := freshnessLabel(p.PostedWithin); w != "" {
		add(w+"の新着", func(p *catalog.Params) { p.PostedWithin = "" })
	}
	list(p.Agency, func(v string) string { return agencyName(agencies, v) }, func(p *catalog.Params) *[]string { return &p.Agency })
	if p.SideJob == "true" {
		add("副業OK", func(p *catalog.Params) { p.SideJob = "" })
	} else if p.SideJob == "false" {
		add("副業不可", func(p *catalog.Params) { p.SideJob = "" })
	}
	list(p.Contract, func(v string) string { return contractName(listing.Contract(v)) }, func(p *catalog.Params) *[]string { return &p.Contract })
	list(p.Prefecture, prefectureName, func(p *catalog.Params) *[]string { return &p.Prefecture })
	return out
}

// relaxations counts, for a search that found nothing, what dropping each
// of its conditions would find, most hits first.
func (s *Site) relaxations(ctx context.Context, p catalog.Params) ([]relax, error) {
	var out []relax
	for _, a := range appliedConditions(p, s.agencyNames(ctx)) {
		u, err := url.Parse(a.URL)
		if err != nil {
			continue
		}
		alt, err := catalog.ParseParams(u.Query())
		if err != nil {
			continue
		}
		q, err := alt.QueryAt(s.Now())
		if err != nil {
			continue
		}
		c, err := s.Catalog.Count(ctx, q)
		if err != nil {
			return nil, err
		}
		if c.Total > 0 {
			out = append(out, relax{Label: a.Label, URL: a.URL, Total: c.Total})
		}
	}
	slices.SortStableFunc(out, func(a, b relax) int { return cmp.Compare(b.Total, a.Total) })
	return out[:min(len(out), 4)], nil
}
