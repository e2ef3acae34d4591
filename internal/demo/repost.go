package demo

import (
	"slices"
	"strings"
	"time"
)

// repost makes the next item a copy of a recent original by another agency:
// the same job, its text lightly edited and its rate moved by one step. It
// reports false when no agency is left to repost the chosen job.
func (g *gen) repost() (Item, bool) {
	slot := g.r.IntN(min(g.seen, window))
	if g.hot >= 0 && g.win[g.hot].n < 3 && g.chance(0.2) {
		slot = g.hot // jobs that spread are often carried by 2–3 agencies
	}
	p := g.win[slot]
	if p.n >= 3 {
		return Item{}, false
	}
	a := g.agency(p.taken)
	if a < 0 {
		return Item{}, false
	}
	it := g.emit(a, g.edit(p.job))
	it.RepostOf = p.ref
	p.taken |= 1 << a
	p.n++
	g.hot = slot
	return it, true
}

// edit copies o with the changes another agency makes when it lists the
// same job: its own rate, tag style, a reworded or reordered sentence and a
// line of its own.
func (g *gen) edit(o *job) *job {
	j := *o
	j.doc.secs = slices.Clone(o.doc.secs)
	j.doc.lines = append(make([]string, 0, len(o.doc.lines)+1), o.doc.lines...)
	j.title.tags = slices.Clone(o.title.tags)

	j.rate = o.rate.shift(g.chance(0.5))
	if j.rateTx = j.rate.text(); j.rateTx != o.rateTx {
		for i := range j.title.tags {
			j.title.tags[i] = strings.ReplaceAll(j.title.tags[i], o.rateTx, j.rateTx)
		}
		for i, l := range j.doc.lines {
			j.doc.lines[i] = strings.ReplaceAll(l, o.rateTx, j.rateTx)
		}
	}
	j.posted = o.posted.Add(time.Duration(g.r.Int64N(int64(5 * 24 * time.Hour)))).Truncate(time.Minute)
	if j.posted.After(g.now) {
		j.posted = g.now
	}

	// The title: tags moved, reordered or separated differently.
	switch n := len(j.title.tags); {
	case n == 0:
		j.title.tags = []string{"急募"}
	case n == 1 || g.chance(0.3):
		j.title.tail = !j.title.tail
	case g.chance(0.5):
		j.title.tags[0], j.title.tags[n-1] = j.title.tags[n-1], j.title.tags[0]
	default:
		j.title.sep = one(g, []string{"／", "｜", " / "})
	}

	// The description: one or two of these edits, and always a line added.
	over := j.doc.secs[0]
	text := j.doc.lines[:over.text]
	list := j.doc.lines[over.text : over.text+over.list]
	for _, e := range g.perm(3, 1+g.r.IntN(2)) {
		switch e {
		case 0: // swap two sentences
			if n := len(text); n > 1 {
				a, b := g.r.IntN(n), g.r.IntN(n-1)
				if b >= a {
					b++
				}
				text[a], text[b] = text[b], text[a]
			}
		case 1: // reword a phrase
			s := g.r.IntN(len(rewords))
			for i := range rewords {
				if reword(text, rewords[(s+i)%len(rewords)]) {
					break
				}
			}
		case 2: // reorder the task list
			if n := len(list); n > 1 {
				copy(list, slices.Concat(list[1:], list[:1]))
			}
		}
	}
	j.doc.secs[len(j.doc.secs)-1].list++ // その他 is last
	j.doc.lines = append(j.doc.lines, one(g, repostLines))
	return &j
}

// reword replaces the first occurrence of r[0] in lines with r[1].
func reword(lines []string, r [2]string) bool {
	for i, s := range lines {
		if strings.Contains(s, r[0]) {
			lines[i] = strings.Replace(s, r[0], r[1], 1)
			return true
		}
	}
	return false
}
