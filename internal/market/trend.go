package market

import (
	"time"

	"anken/internal/listing"
	"anken/internal/search"
	"anken/internal/store"
)

// Scopes of the daily snapshots: every listing, one role's, one skill's.
const Overall = "overall"

// RoleScope is the scope of the listings of role r: "role:backend".
func RoleScope(r listing.Role) string { return "role:" + string(r) }

// SkillScope is the scope of the listings with skill slug: "skill:go".
func SkillScope(slug string) string { return "skill:" + slug }

// ScopeOf returns the snapshot scope that answers q's trend, and whether it
// is exactly q. Snapshots are taken of collapsed searches of every open
// listing, of each role and of each skill, so a search of nothing, of one
// role alone or of one skill alone is answered exactly. Any other search
// is answered from the closest scope, never refused: the role's when it
// names one role, else the skill's when it names one or more skills (the
// first named), else every listing's; the answer says which (exact false),
// so a chart can label it ("バックエンド全体の推移").
//
// The role and skill scopes are of full-workload listings (what the
// job-type and skill pages state); the overall one of every listing.
func ScopeOf(q search.Query) (scope string, exact bool) {
	rest := q
	rest.Roles, rest.Skills = nil, nil
	rest.Sort, rest.Facets, rest.Cursor, rest.Limit = "", nil, "", 0
	plain := rest.Collapse && rest.Text == "" && len(rest.Remotes) == 0 && len(rest.Prefectures) == 0 &&
		len(rest.Contracts) == 0 && rest.RateMin == 0 && rest.RateMax == 0 && rest.DaysMax == 0 && rest.SideJob == nil &&
		rest.HourlyMin == 0 && rest.HourlyMax == 0
	full := q.Workload == listing.WorkloadFull
	switch {
	case len(q.Roles) == 1:
		return RoleScope(q.Roles[0]), plain && full && len(q.Skills) == 0
	case len(q.Skills) > 0:
		return SkillScope(q.Skills[0]), plain && full && len(q.Skills) == 1 && len(q.Roles) == 0
	}
	return Overall, plain && q.Workload == "" && len(q.Roles) == 0 && len(q.Skills) == 0
}

// Trend is one point a day of a scope's market figures.
type Trend struct {
	Scope  string  `json:"scope" doc:"The snapshots the points come from: overall, role:ROLE or skill:SLUG."`
	Exact  bool    `json:"exact" doc:"Whether scope is exactly the search asked. Snapshots exist for every open listing, each role and each skill (collapsed, as a default search); any other search is answered from the closest of them: its role when it names one, else its first skill, else every listing."`
	Demo   bool    `json:"demo,omitempty" doc:"Some points were generated for a demo, not taken from listings."`
	From   string  `json:"from" doc:"First day asked, YYYY-MM-DD (Asia/Tokyo)."`
	To     string  `json:"to" doc:"Last day asked (today), YYYY-MM-DD."`
	Points []Point `json:"points" doc:"One per day with a snapshot, oldest first; a day without one (before the first, or missed) has no point."`
	// RuleChanged is the first day taken under the current pay rule when
	// earlier points were taken under an older one.
	RuleChanged string `json:"rule_changed,omitempty" doc:"YYYY-MM-DD: the first point taken under the current pay rule (monthly pay at each listing's stated workload; role and skill scopes over full-workload listings) when earlier points were taken under the old one (every hourly rate at 160 hours, every listing). Points before it are not comparable with those from it on."`
}

// PayRule is the pay rule snapshots are taken under now (store.MarketSnapshot.PayRule).
const PayRule = 2

// Point is one day's figures of a scope.
type Point struct {
	Date       string     `json:"date" doc:"YYYY-MM-DD, Asia/Tokyo."`
	Count      int        `json:"count" doc:"Open listings of the scope that day, each job once."`
	Median     int64      `json:"median,omitempty" doc:"Median monthly rate in yen (nearest rank); absent when none stated a rate."`
	PayRule    int        `json:"pay_rule" doc:"The pay rule the point was taken under: 1 every hourly rate at 160 hours, 2 monthly pay at the stated workload (see rule_changed)."`
	VolumeZone *ZoneRange `json:"volume_zone,omitempty" doc:"The 10万円 band with the most priced listings that day; absent when none stated a rate."`
}

// ZoneRange is a volume zone without its count: monthly yen [From, To).
type ZoneRange struct {
	From int64 `json:"from"`
	To   int64 `json:"to"`
}

// TrendOf turns a scope's snapshots of from..to (oldest first) into its
// trend.
func TrendOf(scope string, exact bool, from, to string, snaps []store.MarketSnapshot) Trend {
	t := Trend{Scope: scope, Exact: exact, From: from, To: to, Points: make([]Point, 0, len(snaps))}
	for _, s := range snaps {
		p := Point{Date: s.Day, Count: s.Count, Median: s.Median, PayRule: max(s.PayRule, 1)}
		if s.ZoneTo > 0 {
			p.VolumeZone = &ZoneRange{From: s.ZoneFrom, To: s.ZoneTo}
		}
		if p.PayRule == PayRule && t.RuleChanged == "" && len(t.Points) > 0 && t.Points[len(t.Points)-1].PayRule < PayRule {
			t.RuleChanged = p.Date
		}
		t.Demo = t.Demo || s.Demo
		t.Points = append(t.Points, p)
	}
	return t
}

// Tokyo is the time zone of a snapshot's day.
var Tokyo = time.FixedZone("JST", 9*60*60)

// Day returns the day of t in Asia/Tokyo, YYYY-MM-DD.
func Day(t time.Time) string { return t.In(Tokyo).Format(time.DateOnly) }

// Window returns the first and last day of the days days up to the day of
// now, in Asia/Tokyo.
func Window(now time.Time, days int) (from, to string) {
	t := now.In(Tokyo)
	return t.AddDate(0, 0, -(days - 1)).Format(time.DateOnly), t.Format(time.DateOnly)
}

// Limits of a trend's length, in days.
const (
	DefaultTrendDays = 90
	MaxTrendDays     = 730
)
