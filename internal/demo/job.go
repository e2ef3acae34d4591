package demo

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"anken/internal/listing"
)

// job is one underlying job: the facts, the text forms chosen for them and
// the title and description written from them. A repost copies a job and
// edits it lightly.
type job struct {
	role     *roleWords
	skills   []string
	exp      []listing.Experience // years of experience its 必須 lines ask for (Truth.Experience)
	rate     rate
	rateTx   string
	remote   listing.Remote
	remoteTx string
	days     listing.Range
	daysTx   string
	hours    listing.Range // 精算幅; zero when not stated
	pref     string        // ISO code; "" when no place is stated
	city     string
	station  string // e.g. 渋谷駅徒歩5分
	contract listing.Contract
	contrTx  string
	side     bool
	start    string // Truth.Start
	startTx  string
	posted   time.Time
	valid    *time.Time

	title title
	doc   doc
}

func (j *job) truth() Truth {
	return Truth{
		Role:        j.role.role,
		Skills:      slices.Clone(j.skills),
		Experience:  slices.Clone(j.exp),
		Rate:        j.rate.truth(j.days, j.hours),
		Workload:    listing.WorkloadOf(j.days, j.hours),
		Remote:      j.remote,
		DaysPerWeek: j.days,
		Prefecture:  j.pref,
		Contract:    j.contract,
		SideJobOK:   j.side,
		Start:       j.start,
	}
}

// job chooses the facts of a new job for agency a and writes it.
func (g *gen) job(a int) *job {
	ag := &agencies[a]
	j := &job{role: g.role()}
	j.side = g.chance(0.12) || g.chance(ag.side)
	j.skills = g.skills(j.role)
	g.remote(j)
	g.days(j)
	j.rate = g.rate(j)
	j.rateTx = j.rate.text()
	g.place(j, ag)
	g.contract(j)
	g.start(j)
	j.posted = g.now.Add(-time.Duration(g.r.Int64N(int64(60 * 24 * time.Hour)))).Truncate(time.Minute)
	if g.chance(0.4) {
		v := g.now.AddDate(0, 0, 30+g.r.IntN(61))
		v = time.Date(v.Year(), v.Month(), v.Day(), 23, 59, 59, 0, jst)
		j.valid = &v
	}
	g.write(j, ag)
	return j
}

func (g *gen) role() *roleWords {
	k := g.r.IntN(roleTotal)
	for i := range roles {
		if k -= roles[i].weight; k < 0 {
			return &roles[i]
		}
	}
	return &roles[0]
}

// skills draws one stack of the role: all of its core and up to three extras.
func (g *gen) skills(rw *roleWords) []string {
	total := 0
	for _, s := range rw.stacks {
		total += s.weight
	}
	k := g.r.IntN(total)
	st := rw.stacks[0]
	for _, s := range rw.stacks {
		if k -= s.weight; k < 0 {
			st = s
			break
		}
	}
	out := make([]string, 0, len(st.core)+3)
	out = append(out, st.core...)
	if len(st.extra) > 0 {
		n := g.r.IntN(min(3, len(st.extra)) + 1)
		for _, i := range g.perm(len(st.extra), n) {
			out = append(out, st.extra[i])
		}
	}
	return out
}

func (g *gen) remote(j *job) {
	k := g.r.IntN(100)
	switch {
	case j.side && k < 75, !j.side && k < 28:
		j.remote, j.remoteTx = listing.RemoteFull, one(g, remoteFull)
	case j.side, k < 71:
		j.remote, j.remoteTx = listing.RemotePartial, one(g, remotePartial)
	default:
		j.remote, j.remoteTx = listing.RemoteOnsite, one(g, remoteOnsite)
	}
}

// Totals of the weights in roles and prefPlaces.
var roleTotal, prefTotal = func() (r, p int) {
	for _, x := range roles {
		r += x.weight
	}
	for _, x := range prefPlaces {
		p += x.weight
	}
	return r, p
}()

// dayForms are the days per week with their shares, for side jobs and
// others; fewer than three days a week is always a side job.
var (
	dayForms = []struct {
		d      listing.Range
		weight int
		text   []string
	}{
		{listing.Range{Min: 5, Max: 5}, 62, []string{"週5日", "週5日", "週5日（フル稼働）"}},
		{listing.Range{Min: 3, Max: 5}, 15, []string{"週3〜5日", "週3〜5日", "週3日〜5日"}},
		{listing.Range{Min: 4, Max: 5}, 13, []string{"週4〜5日", "週4日〜5日"}},
		{listing.Range{Min: 3}, 10, []string{"週3日〜"}},
	}
	sideDayForms = []struct {
		d      listing.Range
		weight int
		text   []string
	}{
		{listing.Range{Min: 2, Max: 3}, 40, []string{"週2〜3日", "週2日〜3日"}},
		{listing.Range{Min: 1}, 30, []string{"週1日〜", "週1日〜"}},
		{listing.Range{Min: 1, Max: 2}, 15, []string{"週1〜2日"}},
		{listing.Range{Min: 2}, 10, []string{"週2日〜"}},
		{listing.Range{Min: 3, Max: 3}, 5, []string{"週3日"}},
	}
)

func (g *gen) days(j *job) {
	forms := dayForms
	if j.side {
		forms = sideDayForms
	}
	k := g.r.IntN(100)
	for _, f := range forms {
		if k -= f.weight; k < 0 {
			j.days, j.daysTx = f.d, one(g, f.text)
			break
		}
	}
	if !j.side && j.days.Max == 5 && g.chance(0.45) {
		j.hours = one(g, []listing.Range{{Min: 140, Max: 180}, {Min: 140, Max: 180}, {Min: 140, Max: 200}, {Min: 160, Max: 200}})
	}
}

func (g *gen) place(j *job, ag *agency) {
	if j.remote == listing.RemoteFull && g.chance(0.7) {
		return
	}
	code := ""
	if len(ag.region) > 0 && g.chance(0.6) {
		code = one(g, ag.region)
	} else {
		k := g.r.IntN(prefTotal)
		for _, p := range prefPlaces {
			if k -= p.weight; k < 0 {
				code = p.code
				break
			}
		}
	}
	for _, p := range prefPlaces {
		if p.code == code {
			pl := one(g, p.places)
			j.pref, j.city = code, pl.city
			j.station = one(g, pl.stations) + one(g, access)
			return
		}
	}
}

func (g *gen) contract(j *job) {
	if g.chance(0.04) {
		return // not stated
	}
	k := g.r.IntN(100)
	for _, c := range contracts {
		if k -= c.weight; k < 0 {
			j.contract, j.contrTx = c.c, one(g, c.text)
			return
		}
	}
}

func (g *gen) start(j *job) {
	k := g.r.IntN(100)
	switch {
	case k < 40:
		j.start, j.startTx = listing.StartImmediate, one(g, []string{"即日〜", "即日〜", "即日から"})
	case k < 85:
		m := 1
		if k >= 65 {
			m = 2
		}
		if k >= 78 {
			m = 3
		}
		t := time.Date(g.now.Year(), g.now.Month()+time.Month(m), 1, 0, 0, 0, 0, jst)
		j.start = t.Format(time.DateOnly)
		j.startTx = strconv.Itoa(t.Year()) + "年" + strconv.Itoa(int(t.Month())) + "月〜"
	default:
		j.startTx = one(g, []string{"長期", "長期（開始時期は相談）"})
	}
}

// location is where the job is, as text in one of the forms agencies use.
func (j *job) location(form int) string {
	name := prefName(j.pref)
	switch form {
	case 0:
		return name + j.city
	case 1:
		return name + j.city + "（" + j.station + "）"
	case 2:
		return j.station
	case 3:
		if strings.Contains(j.city, "市") {
			return j.city
		}
		return name + j.city
	default:
		return name
	}
}

func prefName(code string) string {
	p, _ := listing.PrefectureByCode(code)
	return p.Name
}

func itoa(n int) string { return strconv.Itoa(n) }
