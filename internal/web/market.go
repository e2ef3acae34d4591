package web

import (
	"cmp"
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"anken/internal/catalog"
	"anken/internal/listing"
	"anken/internal/market"
	"anken/internal/search"
)

// The market pages: /market?<search parameters> shows the figures of any
// search (market.Stats, the same as /v1/stats) with its filters in a GET
// form; /roles/{role} and /skills/{skill} (roles.go) show a job type's
// article next to the same figures. One template, market.html, draws
// them all.

// marketView is a market page: the figures, and either a topic (a role's
// or a skill's page) or the filter form of /market.
type marketView struct {
	base
	Heading string
	Fig     figuresView
	Topic   *topicView // /roles and /skills
	Form    *marketForm
}

// figuresView is the live figures of a search, every text worked out.
type figuresView struct {
	Subject   string // バックエンドエンジニア, Go, この条件
	Count     int
	Priced    int
	Zone      string    // the volume zone sentence, the one place the page states it; empty when nothing is priced
	Rates     []rateRow // quartiles and the rest; empty when nothing is priced
	Hist      template.HTML
	Remote    template.HTML
	RemoteFul string // フルリモートは42.5%
	Trend     template.HTML
	TrendNote string // whose snapshots the trend is, when not exactly this search; demo points
	Top       []topCount
	TopHead   string // 多いスキル, 多い職種
	SearchURL string
	MarketURL string
	// FullOnly says the figures are of full-workload listings only (the
	// job-type, skill and market pages' monthly figures), as 数字の出し方
	// states.
	FullOnly bool
	// Hourly says the figures are of pay per hour (the part-time ways in:
	// 週3日以下, 副業OK), every workload counted; they have no trend (the
	// daily snapshots are monthly).
	Hourly bool
	// AsOf is when the figures were computed, when they may be kept for
	// every visitor (catalog.Figures); zero: now.
	AsOf time.Time
}

// rateRow is one line of the rate table.
type rateRow struct{ Name, Value string }

// topCount is one of the most frequent skills or roles, with where it
// leads.
type topCount struct {
	Name, URL, Share string
	Count            int
}

// topN is how many skills or roles the figures list.
const topN = 10

// figures reads the market figures of q and its trend: one Stats call, one
// Trend call. subject names the listings in the charts' titles. Hourly
// figures (basis) have no trend: the daily snapshots are monthly.
func (s *Site) figures(ctx context.Context, q search.Query, subject, searchURL string, basis search.Basis) (figuresView, market.Stats, error) {
	st, err := s.Catalog.Stats(ctx, q, basis)
	if err != nil {
		return figuresView{}, st, err
	}
	if basis == search.BasisHourly {
		return hourlyFigures(st, subject, searchURL), st, nil
	}
	// The trend comes from the store: without it the page still shows the
	// index's figures, and says the trend is missing.
	tr, err := s.Catalog.Trend(ctx, q, market.DefaultTrendDays)
	trendFailed := err != nil
	if trendFailed {
		if canceled(ctx) {
			return figuresView{}, st, err
		}
		s.Log.WarnContext(ctx, "market page: trend", slog.Any("err", err))
	}
	f := figuresView{Subject: subject, Count: st.Count, Priced: st.Priced, SearchURL: searchURL,
		FullOnly: q.Workload == listing.WorkloadFull}
	if z := st.VolumeZone; z != nil {
		f.Zone = z.Sentence()
	}
	if r := st.Rate; r != nil {
		f.Rates = []rateRow{
			{"下位25%（第1四分位）", market.ManYen(r.P25)},
			{"中央値", market.ManYen(r.Median)},
			{"上位25%（第3四分位）", market.ManYen(r.P75)},
			{"平均", market.ManYen(r.Mean)},
			{"最低", market.ManYen(r.Min)},
			{"最高", market.ManYen(r.Max)},
		}
	}
	f.Hist = rateHistogram("hist", subject, st)
	f.Remote, f.RemoteFul = remoteFigures(st, subject)
	f.Trend = trendCharts(subject, tr)
	switch {
	case len(tr.Points) > 0 && !tr.Exact:
		f.TrendNote = "推移は毎日の集計がある範囲（" + scopeName(tr.Scope) + "）のものです。"
	}
	if trendFailed {
		f.TrendNote = "推移を読み込めませんでした。しばらくしてから読み込み直してください。"
	}
	if tr.Demo {
		f.TrendNote += "デモ用に生成した日の値を含みます。"
	}
	return f, st, nil
}

// remoteFigures are the work styles of the figures: the share chart and
// the sentence of the remote shares; empty without listings.
func remoteFigures(st market.Stats, subject string) (template.HTML, string) {
	if st.Count == 0 {
		return "", ""
	}
	var parts []share
	stated := 0
	for _, r := range listing.Remotes {
		n := st.Breakdown.Remote[string(r)]
		stated += n
		parts = append(parts, share{class: "remote-" + string(r), label: remoteName(r), n: n})
	}
	if rest := st.Count - stated; rest > 0 {
		parts = append(parts, share{class: "remote-none", label: "記載なし", n: rest})
	}
	full := st.Breakdown.Remote[string(listing.RemoteFull)]
	return shareChart("remote", subject+"の働き方の内訳（"+comma(int64(st.Count))+"件）", parts, st.Count),
		"フルリモートの案件は" + percent(full, st.Count) + "、一部リモートを含めると" +
			percent(full+st.Breakdown.Remote[string(listing.RemotePartial)], st.Count) + "です。"
}

// hourlyFigures are the figures of pay per hour: the quartiles in yen an
// hour, their distribution, and the work styles.
func hourlyFigures(st market.Stats, subject, searchURL string) figuresView {
	f := figuresView{Subject: subject, Count: st.Count, Priced: st.Priced, SearchURL: searchURL, Hourly: true}
	if z := st.VolumeZone; z != nil {
		f.Zone = z.Sentence()
	}
	if r := st.Rate; r != nil {
		yen := func(n int64) string { return "時給" + comma(n) + "円" }
		f.Rates = []rateRow{
			{"下位25%（第1四分位）", yen(r.P25)},
			{"中央値", yen(r.Median)},
			{"上位25%（第3四分位）", yen(r.P75)},
			{"平均", yen(r.Mean)},
			{"最低", yen(r.Min)},
			{"最高", yen(r.Max)},
		}
	}
	f.Hist = hourlyHistogram("hist", subject+"の時給の分布（単価の記載がある"+comma(int64(st.Priced))+"件）", st)
	f.Remote, f.RemoteFul = remoteFigures(st, subject)
	return f
}

// scopeName names a snapshot scope: バックエンドエンジニアの案件全体.
func scopeName(scope string) string {
	switch {
	case strings.HasPrefix(scope, "role:"):
		return roleName(listing.Role(strings.TrimPrefix(scope, "role:"))) + "の案件全体"
	case strings.HasPrefix(scope, "skill:"):
		return skillName(strings.TrimPrefix(scope, "skill:")) + "の案件全体"
	}
	return "掲載中の案件全体"
}

// topSkillsOf lists the most frequent skills of the figures, linking
// their pages.
func topSkillsOf(st market.Stats) []topCount {
	return topOf(st.Breakdown.Skill, st.Count, skillName, func(v string) string { return "/skills/" + v })
}

// topRolesOf lists the most frequent roles, linking their pages.
func topRolesOf(st market.Stats) []topCount {
	return topOf(st.Breakdown.Role, st.Count, func(v string) string { return roleName(listing.Role(v)) },
		func(v string) string { return "/roles/" + v })
}

func topOf(counts map[string]int, total int, name, url func(string) string) []topCount {
	keys := slices.Collect(mapKeys(counts))
	slices.SortFunc(keys, func(a, b string) int { return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b)) })
	var out []topCount
	for _, k := range keys[:min(len(keys), topN)] {
		out = append(out, topCount{Name: name(k), URL: url(k), Count: counts[k], Share: percent(counts[k], total)})
	}
	return out
}

// marketForm is the filter form of /market: the search's conditions,
// editable, sent back to /market by GET.
type marketForm struct {
	Params   catalog.Params
	SkillCSV string
	Roles    []option
	Remotes  []option
	Prefs    []option
	Days     []option
	Rates    []option
	SideJob  bool
	Applied  []applied // each condition with the /market URL without it
	Clear    string
}

func (s *Site) market(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := catalog.ParseQuery(r.URL.RawQuery)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	p.Cursor, p.Sort, p.Limit, p.Facets = "", "", 0, nil // figures have no page or order
	q, err := p.Query()
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if q.Workload == "" {
		// Monthly figures are of full-workload listings unless the search
		// asks otherwise: a 週1日 side job's month is not a month's pay.
		q.Workload = listing.WorkloadFull
	}
	p.Skill = q.Skills
	cond := conditionText(p, s.agencyNames(ctx))
	subject := "掲載中の案件"
	if cond != "" {
		subject = cond + "の案件"
	}
	title := subject + "の単価相場と案件数"
	v := marketView{base: s.base(r, title), Heading: title}
	v.Fig, _, err = s.figures(ctx, q, subject, searchURL(p, func(*catalog.Params) {}), search.BasisMonthly)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v.Description = subject + "の月額単価の相場（中央値・四分位・ボリュームゾーン）、単価の分布、リモートの割合、案件数の推移。"
	v.Canonical = s.absolute(marketURL(p))
	v.NoIndex = p.Q != ""
	v.Crumbs = []crumb{{"トップ", "/"}, {"単価相場", ""}}
	v.Form = newMarketForm(p, s.agencyNames(ctx))
	s.render(w, r, http.StatusOK, "market", v)
}

// marketURL is the /market URL of p.
func marketURL(p catalog.Params) string {
	p.Cursor, p.Sort = "", ""
	if enc := p.Values().Encode(); enc != "" {
		return "/market?" + enc
	}
	return "/market"
}

func newMarketForm(p catalog.Params, agencies map[string]string) *marketForm {
	f := &marketForm{Params: p, SkillCSV: strings.Join(p.Skill, ","), SideJob: p.SideJob == "true", Clear: "/market"}
	for _, r := range listing.Roles {
		f.Roles = append(f.Roles, option{Value: string(r), Label: roleName(r), Checked: slices.Contains(p.Role, string(r)), ID: "m-role-" + string(r)})
	}
	for _, r := range listing.Remotes {
		f.Remotes = append(f.Remotes, option{Value: string(r), Label: remoteName(r), Checked: slices.Contains(p.Remote, string(r)), ID: "m-remote-" + string(r)})
	}
	f.Prefs = append(f.Prefs, option{Value: "", Label: "指定なし", Checked: len(p.Prefecture) == 0})
	for _, pr := range listing.Prefectures {
		f.Prefs = append(f.Prefs, option{Value: pr.Code, Label: prefectureName(pr.Code), Checked: slices.Contains(p.Prefecture, pr.Code)})
	}
	f.Days = append(f.Days, option{Value: "", Label: "指定なし", Checked: p.DaysMax == 0})
	for d := 1; d <= 5; d++ {
		f.Days = append(f.Days, option{Value: strconv.Itoa(d), Label: "週" + strconv.Itoa(d) + "日以下", Checked: p.DaysMax == d})
	}
	f.Rates = append(f.Rates, option{Value: "", Label: "指定なし", Checked: p.RateMin == 0})
	for _, step := range rateSteps {
		f.Rates = append(f.Rates, option{Value: strconv.FormatInt(step, 10), Label: man(step) + "円以上", Checked: p.RateMin == step})
	}
	for _, a := range appliedConditions(p, agencies) {
		a.URL = "/market" + strings.TrimPrefix(a.URL, "/search")
		f.Applied = append(f.Applied, a)
	}
	return f
}
