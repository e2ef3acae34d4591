package catalog

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"anken/internal/listing"
	"anken/internal/problem"
	"anken/internal/search"
	"anken/internal/skill"
)

// Params are the search parameters of GET /v1/listings, /search,
// /search.atom and saved searches, as the client wrote them. The URL query
// string is the state of a search: ParseParams reads it, Values writes it
// back, Query checks it and turns it into a search.
type Params struct {
	Q            string
	Skill        []string // slugs or names (go, golang, C#)
	Role         []string
	Remote       []string
	Prefecture   []string // ISO 3166-2:JP
	Contract     []string
	RateMin      int64 // monthly yen at the stated workload
	RateMax      int64
	HourlyMin    int64 // yen an hour
	HourlyMax    int64
	Workload     string   // "", full, part
	Agency       []string // agency slugs
	PostedWithin string   // "", 1d, 3d, 7d, 30d: first seen by anken within
	DaysMax      int
	SideJob      string // "", "true", "false"
	Sort         string // "", relevance, newest, rate
	Basis        string // "", monthly, hourly: which pay market figures describe (Basis)
	Facets       []string
	Collapse     bool
	Cursor       string
	Limit        int
}

// Limits of the parameters, shared with the API's schema.
const (
	MaxQ       = 400
	MaxSkills  = 20
	MaxRate    = 5_000_000
	MaxHourly  = listing.MaxHourlyYen
	MaxCursor  = 1000
	MaxValues  = 50 // values of one list parameter
	maxDaysMax = 7
)

// ParamNames are every parameter ParseParams reads: the search, its page,
// and basis, which only market figures read. The API's document lists
// them (a test in internal/api compares the two).
var ParamNames = []string{"q", "skill", "role", "remote", "prefecture", "contract", "rate_min", "rate_max",
	"hourly_min", "hourly_max", "workload", "agency", "posted_within", "days_max", "side_job", "sort", "facets",
	"collapse", "cursor", "limit", "basis"}

// Freshness is a value of posted_within and how far back it reaches.
type Freshness struct {
	Value string
	Span  time.Duration
}

// PostedWithin are the values of posted_within.
var PostedWithin = []Freshness{{"1d", 24 * time.Hour}, {"3d", 3 * 24 * time.Hour}, {"7d", 7 * 24 * time.Hour}, {"30d", 30 * 24 * time.Hour}}

// ListParams are the parameters that take several values, comma-separated
// or repeated.
var ListParams = []string{"skill", "role", "remote", "prefecture", "contract", "agency", "facets"}

// ParseQuery reads a URL query string into Params. A malformed query
// string (a bad percent-escape) is Invalid, never silently dropped.
func ParseQuery(raw string) (Params, error) {
	v, err := url.ParseQuery(raw)
	if err != nil {
		return Params{}, problem.Field(problem.Invalid, "query", raw, "the query string is malformed: "+err.Error())
	}
	return ParseParams(v)
}

// ParseParams reads search parameters from URL values; unknown names are
// ignored. Numbers that do not parse are Invalid; whether the values are
// acceptable is Query's to say.
func ParseParams(v url.Values) (Params, error) {
	p := Params{Q: v.Get("q"), SideJob: v.Get("side_job"), Sort: v.Get("sort"), Cursor: v.Get("cursor"), Collapse: true,
		Workload: strings.TrimSpace(v.Get("workload")), Basis: strings.TrimSpace(v.Get("basis")),
		PostedWithin: strings.TrimSpace(v.Get("posted_within"))}
	list := func(name string) []string {
		var out []string
		for _, s := range v[name] {
			for part := range strings.SplitSeq(s, ",") {
				if part = strings.TrimSpace(part); part != "" {
					out = append(out, part)
				}
			}
		}
		return out
	}
	p.Skill, p.Role, p.Remote = list("skill"), list("role"), list("remote")
	p.Prefecture, p.Contract, p.Facets = list("prefecture"), list("contract"), list("facets")
	p.Agency = list("agency")
	var err error
	num := func(name string, dst *int64) {
		s := strings.TrimSpace(v.Get(name))
		if s == "" || err != nil {
			return
		}
		n, perr := strconv.ParseInt(s, 10, 64)
		if perr != nil {
			err = problem.Field(problem.Unprocessable, "query."+name, s, "must be a whole number")
			return
		}
		*dst = n
	}
	var days, limit int64
	num("rate_min", &p.RateMin)
	num("rate_max", &p.RateMax)
	num("hourly_min", &p.HourlyMin)
	num("hourly_max", &p.HourlyMax)
	num("days_max", &days)
	num("limit", &limit)
	if err != nil {
		return Params{}, err
	}
	p.DaysMax, p.Limit = int(min(max(days, -1), 1<<20)), int(min(max(limit, -1), 1<<20))
	if s := strings.TrimSpace(v.Get("collapse")); s != "" {
		b, perr := strconv.ParseBool(s)
		if perr != nil {
			return Params{}, problem.Field(problem.Unprocessable, "query.collapse", s, "must be true or false")
		}
		p.Collapse = b
	}
	return p, nil
}

// Values writes the parameters back as a URL query, leaving out defaults,
// in a stable order: the canonical URL of a search.
func (p Params) Values() url.Values {
	v := url.Values{}
	set := func(name, s string) {
		if s != "" {
			v.Set(name, s)
		}
	}
	set("q", p.Q)
	for _, l := range []struct {
		name string
		vs   []string
	}{{"skill", p.Skill}, {"role", p.Role}, {"remote", p.Remote}, {"prefecture", p.Prefecture}, {"contract", p.Contract}} {
		set(l.name, strings.Join(l.vs, ","))
	}
	if p.RateMin > 0 {
		v.Set("rate_min", strconv.FormatInt(p.RateMin, 10))
	}
	if p.RateMax > 0 {
		v.Set("rate_max", strconv.FormatInt(p.RateMax, 10))
	}
	if p.HourlyMin > 0 {
		v.Set("hourly_min", strconv.FormatInt(p.HourlyMin, 10))
	}
	if p.HourlyMax > 0 {
		v.Set("hourly_max", strconv.FormatInt(p.HourlyMax, 10))
	}
	set("workload", p.Workload)
	set("agency", strings.Join(p.Agency, ","))
	set("posted_within", p.PostedWithin)
	if p.DaysMax > 0 {
		v.Set("days_max", strconv.Itoa(p.DaysMax))
	}
	set("side_job", p.SideJob)
	if p.Sort != "" && p.Sort != string(search.SortRelevance) {
		v.Set("sort", p.Sort)
	}
	if !p.Collapse {
		v.Set("collapse", "false")
	}
	return v
}

// Query checks the parameters and turns them into a search, reading
// posted_within back from now. Each value that is not acceptable is
// Unprocessable, naming the parameter.
func (p Params) Query() (search.Query, error) { return p.QueryAt(time.Now()) }

// QueryAt is Query with posted_within read back from now. The bound is
// cut to the minute, so searches asked within a minute share kept answers.
func (p Params) QueryAt(now time.Time) (search.Query, error) {
	q := search.Query{
		Text:      p.Q,
		RateMin:   p.RateMin,
		RateMax:   p.RateMax,
		HourlyMin: p.HourlyMin,
		HourlyMax: p.HourlyMax,
		Workload:  listing.Workload(p.Workload),
		DaysMax:   p.DaysMax,
		Sort:      search.Sort(p.Sort),
		Collapse:  p.Collapse,
		Cursor:    p.Cursor,
		Limit:     p.Limit,
	}
	bad := func(name string, value any, msg string) error {
		return problem.Field(problem.Unprocessable, "query."+name, value, msg)
	}
	switch {
	case len([]rune(p.Q)) > MaxQ:
		return q, bad("q", p.Q, "must be at most 400 characters")
	case p.RateMin < 0 || p.RateMin > MaxRate:
		return q, bad("rate_min", p.RateMin, "must be monthly yen from 0 to 5,000,000")
	case p.RateMax < 0 || p.RateMax > MaxRate:
		return q, bad("rate_max", p.RateMax, "must be monthly yen from 0 to 5,000,000")
	case p.RateMin > 0 && p.RateMax > 0 && p.RateMin > p.RateMax:
		return q, bad("rate_min", p.RateMin, "must not exceed rate_max")
	case p.HourlyMin < 0 || p.HourlyMin > MaxHourly:
		return q, bad("hourly_min", p.HourlyMin, "must be yen an hour from 0 to 625,000")
	case p.HourlyMax < 0 || p.HourlyMax > MaxHourly:
		return q, bad("hourly_max", p.HourlyMax, "must be yen an hour from 0 to 625,000")
	case p.HourlyMin > 0 && p.HourlyMax > 0 && p.HourlyMin > p.HourlyMax:
		return q, bad("hourly_min", p.HourlyMin, "must not exceed hourly_max")
	case p.Workload != "" && !slices.Contains(listing.Workloads, listing.Workload(p.Workload)):
		return q, bad("workload", p.Workload, "must be full or part")
	case p.Basis != "" && p.Basis != "monthly" && p.Basis != "hourly":
		return q, bad("basis", p.Basis, "must be monthly or hourly")
	case len(p.Agency) > MaxValues:
		return q, bad("agency", len(p.Agency), "too many values of one parameter")
	case p.DaysMax < 0 || p.DaysMax > maxDaysMax:
		return q, bad("days_max", p.DaysMax, "must be from 0 to 7")
	case p.Limit < 0 || p.Limit > search.MaxLimit:
		return q, bad("limit", p.Limit, "must be from 1 to 100")
	case len(p.Cursor) > MaxCursor:
		return q, bad("cursor", "", "is not one this server gave")
	case p.Sort != "" && !slices.Contains(search.Sorts, search.Sort(p.Sort)):
		return q, bad("sort", p.Sort, "must be relevance, newest or rate")
	case p.SideJob != "" && p.SideJob != "true" && p.SideJob != "false":
		return q, bad("side_job", p.SideJob, "must be true or false")
	case len(p.Skill) > MaxSkills:
		return q, bad("skill", len(p.Skill), "at most 20 skills")
	}
	for _, l := range [][]string{p.Role, p.Remote, p.Prefecture, p.Contract, p.Facets} {
		if len(l) > MaxValues {
			return q, bad("values", len(l), "too many values of one parameter")
		}
	}
	for _, s := range p.Skill {
		sk, ok := skill.Lookup(strings.TrimSpace(s))
		if !ok {
			return q, bad("skill", s, "not a known skill; use a slug such as go, typescript, kubernetes")
		}
		if !slices.Contains(q.Skills, sk.Slug) {
			q.Skills = append(q.Skills, sk.Slug)
		}
	}
	var err error
	if q.Roles, err = oneOf("role", p.Role, listing.Roles); err != nil {
		return q, err
	}
	if q.Remotes, err = oneOf("remote", p.Remote, listing.Remotes); err != nil {
		return q, err
	}
	if q.Prefectures, err = oneOf("prefecture", p.Prefecture, listing.PrefectureCodes); err != nil {
		return q, err
	}
	if q.Contracts, err = oneOf("contract", p.Contract, listing.Contracts); err != nil {
		return q, err
	}
	if q.Facets, err = oneOf("facets", p.Facets, search.Facets); err != nil {
		return q, err
	}
	if p.SideJob != "" {
		b := p.SideJob == "true"
		q.SideJob = &b
	}
	for _, a := range p.Agency {
		if !validSlug(a) {
			return q, bad("agency", a, "must be an agency's slug: lower-case letters, digits and hyphens")
		}
		if !slices.Contains(q.Agencies, a) {
			q.Agencies = append(q.Agencies, a)
		}
	}
	if p.PostedWithin != "" {
		i := slices.IndexFunc(PostedWithin, func(f Freshness) bool { return f.Value == p.PostedWithin })
		if i < 0 {
			return q, bad("posted_within", p.PostedWithin, "must be one of 1d, 3d, 7d, 30d")
		}
		q.SeenSince = now.Add(-PostedWithin[i].Span).Truncate(time.Minute).Unix()
	}
	return q, nil
}

// validSlug reports whether s can be an agency's slug.
func validSlug(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// StatsBasis is which pay market figures of the search describe: monthly
// (at the stated workload; the default) or hourly. Query has checked it.
func (p Params) StatsBasis() search.Basis {
	if p.Basis == "hourly" {
		return search.BasisHourly
	}
	return search.BasisMonthly
}

// oneOf checks that each value of the parameter is one of all; the error
// names the parameter, the value and every valid one.
func oneOf[T ~string](param string, values []string, all []T) ([]T, error) {
	var out []T
	for _, v := range values {
		if !slices.Contains(all, T(v)) {
			msg := "must be one of " + joinValues(all)
			if param == "prefecture" {
				msg = "must be an ISO 3166-2:JP code such as JP-13"
			}
			return nil, problem.Field(problem.Unprocessable, "query."+param, v, msg)
		}
		out = append(out, T(v))
	}
	return out, nil
}

func joinValues[T ~string](all []T) string {
	s := make([]string, len(all))
	for i, v := range all {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}
