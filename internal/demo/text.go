package demo

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"anken/internal/listing"
	"anken/internal/skill"
)

// title is a listing title: tags in brackets and a body.
type title struct {
	tags []string
	body string
	sep  string // between tags
	tail bool   // tags after the body
}

func (t title) render(br [2]string) string {
	if len(t.tags) == 0 {
		return t.body
	}
	var b strings.Builder
	b.Grow(len(t.body) + 64)
	if t.tail {
		b.WriteString(t.body)
	}
	b.WriteString(br[0])
	for i, s := range t.tags {
		if i > 0 {
			b.WriteString(t.sep)
		}
		b.WriteString(s)
	}
	b.WriteString(br[1])
	if !t.tail {
		b.WriteString(t.body)
	}
	return b.String()
}

// len is the length of the title in characters (brackets are one each).
func (t title) len() int {
	n := utf8.RuneCountInString(t.body)
	if len(t.tags) > 0 {
		n += 2 + (len(t.tags)-1)*utf8.RuneCountInString(t.sep)
	}
	for _, s := range t.tags {
		n += utf8.RuneCountInString(s)
	}
	return n
}

// doc is a description being written: sections of sentences then a list,
// with every line kept in one slice, in order.
type doc struct {
	secs  []section
	lines []string
}

// section is one part of a description: a heading, then text sentences
// and list lines, which follow those of the sections before it in lines.
type section struct {
	label      string
	text, list int
}

func (d *doc) open(label string) { d.secs = append(d.secs, section{label: label}) }

// say adds sentences to the open section; call it before item.
func (d *doc) say(s ...string) {
	d.secs[len(d.secs)-1].text += len(s)
	d.lines = append(d.lines, s...)
}

// item adds list lines to the open section.
func (d *doc) item(s ...string) {
	d.secs[len(d.secs)-1].list += len(s)
	d.lines = append(d.lines, s...)
}

// render writes the description in agency a's style.
func (d *doc) render(a *agency) string {
	pre, suf, _ := strings.Cut(a.head, "%s")
	size := 0
	for _, s := range d.secs {
		size += 3 + len(pre) + len(s.label) + len(suf) + s.list*len(a.bullet)
	}
	for _, l := range d.lines {
		size += len(l) + 1
	}
	var b strings.Builder
	b.Grow(size)
	at := 0
	for i, s := range d.secs {
		if i > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(pre)
		b.WriteString(s.label)
		b.WriteString(suf)
		for _, l := range d.lines[at : at+s.text] {
			b.WriteByte('\n')
			b.WriteString(l)
		}
		at += s.text
		for _, l := range d.lines[at : at+s.list] {
			b.WriteByte('\n')
			b.WriteString(a.bullet)
			b.WriteString(l)
		}
		at += s.list
	}
	return b.String()
}

// write composes the title and the description of j.
func (g *gen) write(j *job, a *agency) {
	rw := j.role
	d := &domains[g.r.IntN(len(domains))]
	sys, client := one(g, d.systems), one(g, d.clients)
	name, work := one(g, rw.names), one(g, rw.works)
	first := ""
	if len(j.skills) > 0 {
		first = g.spell(j.skills[0])
	}

	// 業務内容
	vars := func(c byte) string {
		switch c {
		case 'c':
			return client
		case 's':
			return sys
		case 'r':
			return name
		case 'w':
			return work
		case 'k':
			if first == "" {
				return "モダンな技術"
			}
			return first
		case 'n':
			return itoa(4 + g.r.IntN(12))
		case 'm':
			return itoa(1 + g.r.IntN(4))
		case 'd':
			return d.name
		}
		return ""
	}
	doc := &j.doc
	doc.secs = make([]section, 0, 14)
	doc.lines = make([]string, 0, 48)
	doc.open(one(g, labelWork))
	opener := fill(one(g, openers), vars)
	doc.say(opener)
	if !strings.Contains(opener, name) {
		doc.say(name + "として、" + one(g, []string{"チームの中心を担っていただきます。", "幅広い業務をお任せします。", "チームに加わっていただきます。"}))
	}
	ctx := contexts
	if rw.dev && first != "" {
		ctx = devContexts
		if g.chance(0.5) {
			ctx = contexts
		}
	}
	for _, i := range g.perm(len(ctx), 2+g.r.IntN(2)) {
		doc.say(fill(ctx[i], vars))
	}
	for _, i := range g.perm(len(rw.tasks), 4+g.r.IntN(3)) {
		doc.item(rw.tasks[i])
	}

	// 必須 and 歓迎: the first skills are required, the rest welcome.
	nmust := min(len(j.skills), 1+g.r.IntN(3))
	doc.open(one(g, labelMust))
	j.exp = nil
	for _, s := range j.skills[:nmust] {
		line, years := g.skillLine(s)
		doc.item(line)
		if years > 0 {
			j.exp = addExperience(j.exp, listing.Experience{Skill: s, Years: years})
		}
	}
	for _, i := range g.perm(len(rw.must), 1+g.r.IntN(2)) {
		doc.item(rw.must[i])
		if e, ok := mustExperience[rw.must[i]]; ok {
			j.exp = addExperience(j.exp, e)
		}
	}
	doc.open(one(g, labelWant))
	for _, s := range j.skills[nmust:] {
		doc.item(g.spell(s) + one(g, skillWant))
	}
	doc.item(one(g, rw.want))
	if g.chance(0.3) {
		doc.item(d.name + "業界での開発経験")
	}
	if len(j.skills) > 0 && g.chance(0.35) {
		doc.open(one(g, labelSkills))
		doc.say(g.skillList(j.skills, one(g, []string{" / ", "、", "／"})))
	}
	if g.chance(0.5) {
		doc.open(one(g, labelTeam))
		doc.say(fill(one(g, teams), vars))
	}
	if g.chance(0.6) {
		doc.open(one(g, labelPoints))
		for _, i := range g.perm(len(points), 2+g.r.IntN(2)) {
			doc.item(points[i])
		}
	}

	// The terms: each fact stated once, as its own section or in one block.
	var place, remote string
	switch {
	case j.pref == "":
		remote = j.remoteTx
	case j.remote == listing.RemoteFull:
		remote = j.remoteTx + "／オフィス所在地：" + j.location(0)
	default:
		place, remote = j.location(one(g, []int{1, 1, 1, 1, 0, 0, 2})), j.remoteTx
	}
	if a.block {
		doc.open(one(g, labelSummary))
		doc.item("単価："+j.rateTx, "稼働："+j.daysTx)
		if j.hours.Known() {
			doc.item("精算幅：" + hoursText(j.hours))
		}
		if place != "" {
			doc.item("場所：" + place + "／" + remote)
		} else {
			doc.item("場所：" + remote)
		}
		if j.contrTx != "" {
			doc.item("契約：" + j.contrTx)
		}
		doc.item("開始：" + j.startTx)
	} else {
		doc.open(one(g, labelRate))
		doc.say(j.rateTx)
		doc.open(one(g, labelDays))
		doc.say(j.daysTx)
		if j.hours.Known() {
			doc.say("精算幅：" + hoursText(j.hours))
		}
		doc.open(one(g, labelPlace))
		switch {
		case place == "":
			doc.say(remote)
		case g.chance(0.4):
			doc.say(place)
			doc.open(one(g, labelRemote))
			doc.say(remote)
		default:
			doc.say(place, remote)
		}
		if j.contrTx != "" {
			doc.open(one(g, labelTerms))
			doc.say(j.contrTx)
		}
		doc.open(one(g, labelStart))
		doc.say(j.startTx)
	}

	// その他 comes last: reposts add their lines to it.
	doc.open(one(g, labelOther))
	if j.side {
		doc.item(one(g, sideJobText), one(g, sideExtras))
	}
	for _, i := range g.perm(len(extras), 1+g.r.IntN(3)) {
		doc.item(extras[i])
	}

	j.title = g.title(j, d, sys, work, first)
}

// title composes a title of about 30 to 50 characters in agency style:
// tags in brackets (skills, 副業OK, work style, days, rate …) and a body.
func (g *gen) title(j *job, d *domain, sys, work, first string) title {
	var body string
	pair := false // the body names the first two skills
	switch n := g.r.IntN(6); {
	case n == 0 && len(j.skills) > 1 && j.role.dev:
		body, pair = first+"×"+g.spell(j.skills[1])+"での"+sys+"開発", true
	case n == 1:
		body = d.name + "領域の" + sys + "における" + work
	case n == 2:
		body = one(g, d.clients) + "向け" + sys + "の" + work
	case n == 3:
		body = sys + "の" + one(g, j.role.names) + "募集"
	default:
		body = sys + "の" + work
	}
	tags := make([]string, 0, 6)
	if first != "" && !pair {
		tag := first
		if len(j.skills) > 1 && g.chance(0.35) {
			tag += "/" + g.spell(j.skills[1])
		}
		tags = append(tags, tag)
	}
	if j.side {
		tags = append(tags, one(g, sideJobText))
	}
	switch j.remote {
	case listing.RemoteFull:
		tags = append(tags, "フルリモート")
	case listing.RemotePartial:
		if g.chance(0.5) {
			tags = append(tags, "一部リモート")
		}
	}
	if j.side || j.days.Min < 5 && g.chance(0.5) {
		tags = append(tags, j.daysTx)
	}
	t := title{tags: tags, body: body, sep: "/", tail: g.chance(0.1)}
	n := t.len()
	for n > 50 && len(t.tags) > 1 {
		n -= utf8.RuneCountInString(t.tags[len(t.tags)-1]) + 1
		t.tags = t.tags[:len(t.tags)-1]
	}
	if n < 30 {
		more := make([]string, 0, 6)
		if j.rate.unit != "" && utf8.RuneCountInString(j.rateTx) <= 12 {
			more = append(more, j.rateTx)
		}
		if j.start == listing.StartImmediate {
			more = append(more, "即日〜")
		}
		if j.rate.max >= 900_000 && j.rate.unit == listing.PerMonth {
			more = append(more, "高単価")
		}
		more = append(more, "長期", "エンド直", "上流工程")
		for _, i := range g.perm(len(more), len(more)) {
			if n >= 30 {
				break
			}
			add := utf8.RuneCountInString(more[i]) + 1
			if len(t.tags) == 0 {
				add++ // the brackets, less the separator
			}
			if n+add <= 50 {
				t.tags = append(t.tags, more[i])
				n += add
			}
		}
	}
	for ; n < 30; n = t.len() {
		t.body += one(g, []string{"案件", "（長期）", "のご紹介"})
	}
	return t
}

// spell writes a skill the way listings do.
func (g *gen) spell(slug string) string {
	if s, ok := spell[slug]; ok {
		return one(g, s)
	}
	if s, ok := skill.BySlug(slug); ok {
		return s.Name
	}
	return slug
}

func (g *gen) skillList(slugs []string, sep string) string {
	var b strings.Builder
	for i, s := range slugs {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(g.spell(s))
	}
	return b.String()
}

// skillLine writes a required skill's line and the years of experience
// in it that the line asks for (0: none).
func (g *gen) skillLine(slug string) (string, int) {
	cat := ""
	if s, ok := skill.BySlug(slug); ok {
		cat = s.Category
	}
	forms, ok := skillMust[cat]
	if !ok {
		forms = skillMust[""]
	}
	name := g.spell(slug) // drawn before the form, as the output has always been
	form := one(g, forms)
	return name + form, yearsOf(form)
}

// yearsOf returns N of the 「N年以上」 a phrase of skillMust ends with, or 0.
func yearsOf(form string) int {
	rest, ok := strings.CutSuffix(form, "年以上")
	if !ok || rest == "" {
		return 0
	}
	n, err := strconv.Atoi(rest[len(rest)-1:])
	if err != nil {
		return 0
	}
	return n
}

// addExperience adds e to exp, keeping the most years of each skill.
func addExperience(exp []listing.Experience, e listing.Experience) []listing.Experience {
	for i := range exp {
		if exp[i].Skill == e.Skill {
			exp[i].Years = max(exp[i].Years, e.Years)
			return exp
		}
	}
	return append(exp, e)
}

func hoursText(h listing.Range) string { return itoa(h.Min) + "〜" + itoa(h.Max) + "h" }

// fill replaces {x} in tpl with vars(x).
func fill(tpl string, vars func(byte) string) string {
	var b strings.Builder
	b.Grow(len(tpl) + 64)
	for {
		i := strings.IndexByte(tpl, '{')
		if i < 0 || i+2 >= len(tpl) || tpl[i+2] != '}' {
			b.WriteString(tpl)
			return b.String()
		}
		b.WriteString(tpl[:i])
		b.WriteString(vars(tpl[i+1]))
		tpl = tpl[i+3:]
	}
}
