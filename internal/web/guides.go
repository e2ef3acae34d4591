package web

import (
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"anken/internal/guide"
	"anken/internal/market"
	"anken/internal/problem"
	"anken/internal/search"
)

// The side-job guides (副業ガイド): /guides lists the categories with their
// scores, /guides/{slug} is one guide with its score chart, income tiers,
// an income calculator (a GET form) and live figures from the category's
// side-job listings.

func (s *Site) registerGuides(mux *http.ServeMux) {
	if s.Guides == nil {
		s.Guides, _ = guide.New(nil, s.Log) // the embedded files; their tests rule out an error
	}
	mux.HandleFunc("GET /guides", s.guides)
	mux.HandleFunc("GET /guides/{slug}", s.guidePage)
}

// guidesView is the index of the guides.
type guidesView struct {
	base
	Guides   []guideCard
	Scores   []string // the five scores' names, for the comparison table's header
	MaxTotal int
}

// guideCard is one category on the index.
type guideCard struct {
	Slug, Title, Lead string
	Total, AI         int
	Scores            []guide.Score
	Monthly           string // 月4.4万〜35.2万円: the tiers' monthly estimates, lowest to highest
}

func (s *Site) guides(w http.ResponseWriter, r *http.Request) {
	gs, err := s.Guides.Guides(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v := guidesView{base: s.base(r, "副業ガイド：職種別の始め方と収入の目安"), MaxTotal: guide.MaxTotal}
	v.Description = "エンジニア・デザイナー・ライターの副業を職種別に解説。収益性や始めやすさなど5つの観点の点数、時給と月収の目安、最初の一歩をまとめています。"
	v.Canonical = s.absolute("/guides")
	v.Crumbs = []crumb{{"トップ", "/"}, {"副業ガイド", ""}}
	for _, g := range gs {
		c := guideCard{Slug: g.Slug, Title: g.Title, Lead: g.Lead, Total: g.Total, AI: g.AI, Scores: g.Scores}
		if n := len(g.Tiers); n > 0 {
			c.Monthly = "月" + man(g.Tiers[0].MonthlyMin) + "〜" + man(g.Tiers[n-1].MonthlyMax) + "円"
		}
		v.Guides = append(v.Guides, c)
	}
	if len(gs) > 0 {
		for _, sc := range gs[0].Scores {
			v.Scores = append(v.Scores, sc.Name)
		}
	}
	s.render(w, r, http.StatusOK, "guides", v)
}

// guideView is one guide's page.
type guideView struct {
	base
	G         guide.Guide
	Chart     template.HTML // the five scores and the AI affinity
	Tiers     []tierRow
	Calc      calcView
	Live      liveView
	Sections  []guide.Section // in order; the FAQ is FAQ
	FAQ       []guide.QA
	SearchURL string
	Others    []guideCard
	MaxTotal  int
	Updated   string // 2026年11月30日, when an operator edited it
}

// tierRow is a tier as the table shows it.
type tierRow struct {
	Name, Hourly, Hours, Monthly, Formula, Note string
}

// calcView is the income calculator: the form's values and its answer.
type calcView struct {
	Hourly, Hours, Days string // as typed (or the defaults)
	Errors              map[string]string
	Monthly, Annual     string // 132,000円; empty on an error
	Formula             string // 時給3,000円 × 2時間 × 22日 = 132,000円
	Asked               bool   // the form was sent
}

// liveView is the live figures of the category's side-job listings.
type liveView struct {
	Count, Priced int
	Median        string // 時給 3,750円
	Quartiles     string
	Chart         template.HTML // hourly distribution; empty when nothing is priced
	Note          string        // how the figures are computed
}

func (s *Site) guidePage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	slug := r.PathValue("slug")
	if !guide.ValidSlug(slug) {
		s.NotFound(w, r)
		return
	}
	g, err := s.Guides.Guide(ctx, slug)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v := guideView{base: s.base(r, g.Title+"の副業ガイド：収入の目安と始め方"), G: g, SearchURL: g.SearchURL(), MaxTotal: guide.MaxTotal}
	v.Description = g.Lead
	v.Canonical = s.absolute("/guides/" + slug)
	v.NoIndex = r.URL.RawQuery != "" // calculator answers are not pages of their own
	v.Crumbs = []crumb{{"トップ", "/"}, {"副業ガイド", "/guides"}, {g.Title, ""}}
	if !g.UpdatedAt.IsZero() && g.UpdatedBy != "" {
		v.Updated = dateText(g.UpdatedAt)
	}
	v.Chart = scoreChart(g)
	for _, t := range g.Tiers {
		v.Tiers = append(v.Tiers, tierRow{
			Name:    t.Name,
			Hourly:  tierYen(t.HourlyMin, t.HourlyMax),
			Hours:   tierHours(t.HoursMin, t.HoursMax) + "時間",
			Monthly: tierYen(t.MonthlyMin, t.MonthlyMax),
			Formula: "時給" + comma(t.HourlyMin) + "円 × " + strconv.Itoa(t.HoursMin) + "時間 × " + strconv.Itoa(guide.WorkDays) + "日 〜 時給" +
				comma(t.HourlyMax) + "円 × " + strconv.Itoa(t.HoursMax) + "時間 × " + strconv.Itoa(guide.WorkDays) + "日",
			Note: t.Note,
		})
	}
	v.Calc = calculate(r.URL.Query(), g)
	for _, sec := range g.Sections {
		if sec.ID != "faq" {
			v.Sections = append(v.Sections, sec)
		}
	}
	v.FAQ = g.FAQ
	v.Live, err = s.liveFigures(r, g)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if all, err := s.Guides.Guides(ctx); err == nil {
		for _, o := range all {
			if o.Slug != g.Slug {
				v.Others = append(v.Others, guideCard{Slug: o.Slug, Title: o.Title, Total: o.Total})
			}
		}
	}
	s.render(w, r, http.StatusOK, "guide", v)
}

// Calculator limits, as /v1/estimate takes them.
const (
	calcMaxHourly = market.MaxHourly
	calcMaxHours  = 24
	calcMaxDays   = 31
)

// calculate answers the calculator's form: monthly = hourly × hours a day
// × days (market.EstimateOf, the same as /v1/estimate). Without a form it
// shows the first tier's lower end at its hours and 22 days.
func calculate(q url.Values, g guide.Guide) calcView {
	c := calcView{Days: strconv.Itoa(guide.WorkDays), Hours: "1", Hourly: "2000", Errors: map[string]string{}}
	if len(g.Tiers) > 0 {
		c.Hourly, c.Hours = strconv.FormatInt(g.Tiers[0].HourlyMin, 10), strconv.Itoa(g.Tiers[0].HoursMax)
	}
	for _, k := range []string{"hourly", "hours_per_day", "days"} {
		if q.Has(k) {
			c.Asked = true
		}
	}
	if c.Asked {
		c.Hourly, c.Hours, c.Days = strings.TrimSpace(q.Get("hourly")), strings.TrimSpace(q.Get("hours_per_day")), strings.TrimSpace(q.Get("days"))
	}
	digits := strings.NewReplacer(",", "", "，", "", "円", "")
	hourly, err := strconv.ParseInt(digits.Replace(toHalfWidth(c.Hourly)), 10, 64)
	if err != nil || hourly < 1 || hourly > calcMaxHourly {
		c.Errors["hourly"] = "時給は1〜" + comma(calcMaxHourly) + "円の整数で入力してください。"
	}
	hours, err := strconv.ParseFloat(toHalfWidth(c.Hours), 64)
	if err != nil || hours < 0.1 || hours > calcMaxHours || math.Abs(hours*10-math.Round(hours*10)) > 1e-9 {
		c.Errors["hours_per_day"] = "1日の時間は0.1〜24時間で、小数は1桁までで入力してください（例: 1.5）。"
	}
	days, err := strconv.Atoi(toHalfWidth(c.Days))
	if err != nil || days < 1 || days > calcMaxDays {
		c.Errors["days"] = "日数は1〜31日の整数で入力してください。"
	}
	if len(c.Errors) > 0 {
		return c
	}
	e, err := market.EstimateOf(market.EstimateInput{Hourly: hourly, HoursPerDay: hours, Days: days})
	if err != nil {
		c.Errors["hourly"] = "この条件では計算できません。値を見直してください。"
		return c
	}
	c.Monthly, c.Annual = comma(e.Monthly)+"円", comma(e.Annual)+"円"
	c.Formula = "時給" + comma(hourly) + "円 × " + strconv.FormatFloat(hours, 'f', -1, 64) + "時間 × " + strconv.Itoa(days) + "日 = " + c.Monthly
	return c
}

// toHalfWidth turns full-width digits and the full-width period into
// ASCII, as a Japanese keyboard may type them.
func toHalfWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return '0' + (r - '０')
		case r == '．':
			return '.'
		}
		return r
	}, s)
}

// hourlyBand is the width of the live figures' hourly bars: two of the
// hourly figures' 500円 bands.
const hourlyBand = 2 * market.HourlyBandWidth

// maxLiveBands is how many hourly bands the chart shows; the rest are
// merged into the last, "以上".
const maxLiveBands = 12

// liveFigures reads the hourly market figures of the guide's side-job
// listings: each listing's pay per hour as it states it (rate.hourly_min
// and hourly_max; a monthly quote divided by the hours it states).
func (s *Site) liveFigures(r *http.Request, g guide.Guide) (liveView, error) {
	q, err := g.Params().Query()
	if err != nil {
		return liveView{}, problem.Wrap(problem.Internal, err, "the guide's search is not valid")
	}
	st, err := s.Catalog.Stats(r.Context(), q, search.BasisHourly)
	if err != nil {
		return liveView{}, err
	}
	v := liveView{Count: st.Count, Priced: st.Priced,
		Note: "時給は各案件の記載どおりの時給、月額・日額の案件は記載の稼働時間（なければ週の稼働日数×8時間×4週、記載がなければ月160時間）で割った1時間あたりの額です。中央値と四分位は単価の記載がある案件で数えています。"}
	if st.Rate == nil || len(st.Histogram) == 0 {
		return v, nil
	}
	v.Median = "時給 " + comma(st.Rate.Median) + "円"
	v.Quartiles = comma(st.Rate.P25) + "円〜" + comma(st.Rate.P75) + "円"
	v.Chart = hourlyHistogram("live", g.Title+"の副業OK案件の時給の分布（"+strconv.Itoa(st.Priced)+"件）", st)
	return v, nil
}

// hourlyHistogram draws hourly figures' distribution in bands of
// hourlyBand, at most maxLiveBands of them (the last one open: "以上");
// empty when nothing is priced.
func hourlyHistogram(id, title string, st market.Stats) template.HTML {
	if st.Rate == nil || len(st.Histogram) == 0 {
		return ""
	}
	type band struct {
		from, to int64
		n        int
	}
	var bands []band
	for _, b := range st.Histogram {
		from := b.From / hourlyBand * hourlyBand
		if len(bands) == 0 || bands[len(bands)-1].from != from {
			for len(bands) > 0 && bands[len(bands)-1].to < from { // keep empty bands between
				last := bands[len(bands)-1].to
				bands = append(bands, band{from: last, to: last + hourlyBand})
			}
			bands = append(bands, band{from: from, to: from + hourlyBand})
		}
		bands[len(bands)-1].n += b.Count
	}
	open := false
	if len(bands) > maxLiveBands {
		for _, b := range bands[maxLiveBands:] {
			bands[maxLiveBands-1].n += b.n
		}
		bands, open = bands[:maxLiveBands], true
	}
	c := histogram{id: id, axis: "時給（円）", head: "時給", open: true, title: title}
	var desc []string
	for i, b := range bands {
		hb := histBar{label: comma(b.from) + "〜" + comma(b.to) + "円", n: b.n}
		if open && i == len(bands)-1 {
			hb.label = comma(b.from) + "円以上"
		}
		if b.from > 0 && (len(bands) <= 6 || b.from%(2*hourlyBand) == 0) { // every bar while they are wide
			hb.tick = comma(b.from)
		}
		c.bars = append(c.bars, hb)
		desc = append(desc, hb.label+" "+strconv.Itoa(b.n)+"件")
	}
	c.desc = strings.Join(desc, "、")
	return histogramChart(c)
}

// scoreChart draws the five scores and the AI affinity, each of 100, with
// the total of the five below the table.
func scoreChart(g guide.Guide) template.HTML {
	var bars []bar
	var desc []string
	for _, sc := range g.Scores {
		bars = append(bars, bar{label: sc.Name, value: strconv.Itoa(sc.Value), n: sc.Value, full: 100})
		desc = append(desc, sc.Name+" "+strconv.Itoa(sc.Value)+"点")
	}
	bars = append(bars, bar{label: "AIとの相性", value: strconv.Itoa(g.AI), n: g.AI, full: 100})
	desc = append(desc, "AIとの相性 "+strconv.Itoa(g.AI)+"点")
	total, of := strconv.Itoa(g.Total), strconv.Itoa(guide.MaxTotal)
	return barChart("scores", g.Title+"の副業スコア（各100点満点、合計"+total+"点／"+of+"点）", strings.Join(desc, "、"), bars,
		dataTable{caption: "スコアの内訳", head: []string{"観点", "点数（100点満点）"}, open: true,
			foot: [][]string{{"合計（" + of + "点満点）", total}},
			note: "各100点満点。合計" + total + "点（" + of + "点満点）。AIとの相性は合計に含めていません。"})
}

// tierYen writes 2,000〜3,500円, or 2,000円 when both ends agree.
func tierYen(lo, hi int64) string {
	if lo == hi {
		return comma(lo) + "円"
	}
	return comma(lo) + "〜" + comma(hi) + "円"
}

func tierHours(lo, hi int) string {
	if lo == hi {
		return strconv.Itoa(lo)
	}
	return strconv.Itoa(lo) + "〜" + strconv.Itoa(hi)
}
