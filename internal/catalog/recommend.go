package catalog

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"time"

	"anken/internal/listing"
	"anken/internal/search"
	"anken/internal/store"
	"anken/internal/wording"
)

// Pick is a recommended listing with why it was picked.
type Pick struct {
	Hit
	Score int
	Why   Why
}

// Why says how a listing fits a profile.
type Why struct {
	Skills []string // the profile's skills the listing asks for (slugs)
	Role   bool     // the listing's role is the profile's
	Rate   bool     // the listing pays at least the desired monthly rate, at its stated workload
	Hourly bool     // the listing pays at least the desired hourly rate
	Remote bool     // the work style is the one wished for (or better)
	Days   bool     // it can be done in the days a week wished for
	New    bool     // posted within the last three days
	// Experience lists the listing's requirements of years of experience
	// the profile meets: set only when it meets every one it can be
	// compared with (ExperienceShort is false).
	Experience []listing.Experience
	// ExperienceShort is set when the listing asks for more years than the
	// profile gives, in a skill or in general: it ranks lower.
	ExperienceShort bool
}

// Weights of each kind of fit in a pick's score: skills weigh most, as
// engineers look for work in what they know; a new listing gains a little.
const (
	scoreSkill  = 30 // each skill matched, up to three
	scoreRole   = 20
	scoreRate   = 25
	scoreRemote = 15
	scoreDays   = 10
	scoreNew    = 10
	// scoreExperience is for meeting the years of experience a listing
	// requires; penaltyShort is taken off when the profile has fewer years
	// than it requires: such a listing is shown, below those that fit.
	scoreExperience = 20
	penaltyShort    = 30
)

// perProbe is how many of the newest listings each candidate search reads.
const perProbe = 200

// Recommend ranks open listings by how they fit the profile, best first,
// at most n, each job once (duplicates collapsed). Candidates are the
// newest listings asking for each of the profile's skills and those of its
// role; the profile's side-job wish and prefectures (for work that is not
// fully remote) are requirements, the rest adds to the score. Listings
// posted before since are left out (zero: none). A profile with neither
// skills nor role has no recommendations.
func (c *Catalog) Recommend(ctx context.Context, p store.Profile, since, now time.Time, n int) ([]Pick, error) {
	base := search.Query{Sort: search.SortNewest, Collapse: true, Limit: search.MaxLimit}
	if p.SideJobOnly {
		yes := true
		base.SideJob = &yes
	}
	var probes []search.Query
	for i, s := range p.Skills {
		if i == 10 {
			break
		}
		q := base
		q.Skills = []string{s}
		probes = append(probes, q)
	}
	if p.Role != "" {
		q := base
		q.Roles = []listing.Role{listing.Role(p.Role)}
		probes = append(probes, q)
	}
	seen := map[int64]bool{}
	var picks []Pick
	for _, q := range probes {
		for read := 0; read < perProbe; {
			page, err := c.Search(ctx, q)
			if err != nil {
				return nil, err
			}
			for _, h := range page.Hits {
				read++
				if seen[h.ID] || h.Status != listing.StatusOpen || h.PostedAt.Before(since) || !placeFits(p, &h.Listing) {
					continue
				}
				seen[h.ID] = true
				score, why := fit(p, &h.Listing, now)
				picks = append(picks, Pick{Hit: h, Score: score, Why: why})
			}
			if page.NextCursor == "" || len(page.Hits) == 0 || page.Hits[len(page.Hits)-1].PostedAt.Before(since) {
				break
			}
			q.Cursor = page.NextCursor
		}
	}
	slices.SortStableFunc(picks, func(a, b Pick) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), b.PostedAt.Compare(a.PostedAt), cmp.Compare(a.ID, b.ID))
	})
	return picks[:min(n, len(picks))], nil
}

// placeFits reports whether the listing is in one of the profile's
// prefectures, or fully remote, or the profile names none.
func placeFits(p store.Profile, l *listing.Listing) bool {
	return len(p.Prefectures) == 0 || l.Remote == listing.RemoteFull || slices.Contains(p.Prefectures, l.Prefecture)
}

// fit scores how a listing fits a profile.
func fit(p store.Profile, l *listing.Listing, now time.Time) (int, Why) {
	var w Why
	for _, s := range p.Skills {
		if slices.Contains(l.Skills, s) {
			w.Skills = append(w.Skills, s)
		}
	}
	w.Role = p.Role != "" && string(l.Role) == p.Role
	top := cmp.Or(l.Rate.MonthlyMax, l.Rate.MonthlyMin) // a month at the listing's stated workload
	w.Rate = p.DesiredRate > 0 && top >= p.DesiredRate
	hourly := cmp.Or(l.Rate.HourlyMax, l.Rate.HourlyMin)
	w.Hourly = p.DesiredHourly > 0 && hourly >= p.DesiredHourly
	switch listing.Remote(p.Remote) {
	case listing.RemoteFull:
		w.Remote = l.Remote == listing.RemoteFull
	case listing.RemotePartial:
		w.Remote = l.Remote == listing.RemoteFull || l.Remote == listing.RemotePartial
	}
	w.Days = p.DaysPerWeek > 0 && l.DaysPerWeek.Min > 0 && l.DaysPerWeek.Min <= p.DaysPerWeek
	w.New = now.Sub(l.PostedAt) < 72*time.Hour
	w.Experience, w.ExperienceShort = experienceFit(p, l.Experience)
	score := scoreSkill * min(len(w.Skills), 3)
	switch {
	case w.ExperienceShort:
		score -= penaltyShort
	case len(w.Experience) > 0:
		score += scoreExperience
	}
	for _, f := range []struct {
		ok    bool
		score int
	}{{w.Role, scoreRole}, {w.Rate || w.Hourly, scoreRate}, {w.Remote, scoreRemote}, {w.Days, scoreDays}, {w.New, scoreNew}} {
		if f.ok {
			score += f.score
		}
	}
	return score, w
}

// experienceFit compares the years of experience a listing requires with
// the profile's: a requirement in a skill with the profile's years in
// that skill, a requirement in general with the profile's most years in
// any skill. A requirement the profile gives no years for cannot be
// compared. It returns the requirements met, and whether any is not met
// (then met is nil).
func experienceFit(p store.Profile, req []listing.Experience) (met []listing.Experience, short bool) {
	most := 0
	for _, y := range p.Experience {
		most = max(most, y)
	}
	for _, r := range req {
		have := most
		if r.Skill != "" {
			have = p.Experience[r.Skill]
		}
		switch {
		case have == 0: // not said: neither met nor short
		case have >= r.Years:
			met = append(met, r)
		default:
			short = true
		}
	}
	if short {
		return nil, true
	}
	return met, false
}

// ExperienceText writes a requirement of years of experience as listings
// do: 「Go経験3年以上」, 「実務経験3年以上」 when it is in general.
func ExperienceText(e listing.Experience) string {
	what := "実務"
	if e.Skill != "" {
		what = wording.Skill(e.Skill)
	}
	return what + "経験" + strconv.Itoa(e.Years) + "年以上"
}

// WhyText says in Japanese why a listing was recommended, one phrase per
// kind of fit: "Go・AWSのスキルが一致", "Go経験3年以上の条件を満たしています",
// "希望単価以上", "希望の働き方".
func WhyText(w Why) []string {
	var out []string
	if len(w.Skills) > 0 {
		s := ""
		for i, slug := range w.Skills {
			if i > 0 {
				s += "・"
			}
			s += wording.Skill(slug)
		}
		out = append(out, s+"のスキルが一致")
	}
	if len(w.Experience) > 0 {
		s := ""
		for i, e := range w.Experience {
			if i > 0 {
				s += "・"
			}
			s += ExperienceText(e)
		}
		out = append(out, s+"の条件を満たしています")
	}
	if w.Role {
		out = append(out, "希望の職種")
	}
	if w.Rate {
		out = append(out, "希望単価以上")
	}
	if w.Hourly {
		out = append(out, "希望時給以上")
	}
	if w.Remote {
		out = append(out, "希望の働き方")
	}
	if w.Days {
		out = append(out, "希望の稼働日数で可")
	}
	if w.New {
		out = append(out, "新着")
	}
	return out
}
