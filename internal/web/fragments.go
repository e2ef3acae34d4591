package web

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"
	"sync"
)

// Fragments. html/template escapes every value it writes through a
// reflective call, and the search page writes a few thousand: thirty-odd
// for each card, seven for each of some ninety filter options. Two parts
// of it are the same for every visitor: a card's body (title, pay,
// badges, skills, source, age; the "cardbody" template), the same for
// everyone who sees that listing in that minute, and the filter groups
// ("filtergroups"), the same for everyone who asks that search while its
// counts stay. Each is rendered once and kept, keyed by every value it
// shows, so a fragment is served only for exactly the values it was
// rendered from. What depends on the visitor (the favourite button, the
// nonce, the page's own links) is rendered each time around them.

// fragments keeps rendered fragments in two generations, so that it stays
// bounded without per-entry bookkeeping: when the current one is full it
// becomes the old one and the old one is dropped.
type fragments struct {
	mu       sync.Mutex
	cur, old map[string]template.HTML
}

// fragmentsSize is how many fragments one generation holds.
const fragmentsSize = 4096

func (b *fragments) get(key string) (template.HTML, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if h, ok := b.cur[key]; ok {
		return h, true
	}
	h, ok := b.old[key]
	if ok {
		b.putLocked(key, h)
	}
	return h, ok
}

func (b *fragments) put(key string, h template.HTML) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.putLocked(key, h)
}

func (b *fragments) putLocked(key string, h template.HTML) {
	if b.cur == nil || len(b.cur) >= fragmentsSize {
		b.old, b.cur = b.cur, make(map[string]template.HTML, fragmentsSize)
	}
	b.cur[key] = h
}

// bodyKey names every value of c its body shows.
func (c cardView) bodyKey() string {
	var k strings.Builder
	k.Grow(len(c.Title) + len(c.Rate) + len(c.RateNote) + len(c.Source) + 96)
	k.WriteString(strconv.FormatInt(c.ID, 10))
	for _, s := range []string{c.Title, c.Rate, c.RateNote, c.Source, c.Posted, c.Ago} {
		k.WriteByte(0)
		k.WriteString(s)
	}
	k.WriteByte(0)
	k.WriteString(strconv.FormatBool(c.Closed) + strconv.FormatBool(c.Grouped))
	for _, f := range c.Facts {
		k.WriteByte(1)
		k.WriteString(f.Text)
		k.WriteByte(2)
		k.WriteString(f.Class)
	}
	for _, s := range c.Skills {
		k.WriteByte(3)
		k.WriteString(s)
	}
	return k.String()
}

// cardBody returns c's body, rendered by the "cardbody" template, from
// those kept when it was rendered before.
func (s *Site) cardBody(c cardView) (template.HTML, error) {
	return s.fragment("cardbody", c.bodyKey(), c)
}

// filterGroupsHTML returns the search page's filter groups, rendered by the
// "filtergroups" template, from those kept when they were rendered before.
func (s *Site) filterGroupsHTML(gs []filterGroup) (template.HTML, error) {
	var k strings.Builder
	for _, g := range gs {
		k.WriteString(g.Param + "\x00" + g.Legend + "\x00" + g.Type + "\x00" + strconv.FormatBool(g.Open))
		for _, o := range g.Opts {
			k.WriteString("\x01" + o.ID + "\x00" + o.Value + "\x00" + o.Label + "\x00" + o.CountText + "\x00" + strconv.FormatBool(o.Checked))
		}
		k.WriteByte(2)
	}
	return s.fragment("filtergroups", k.String(), gs)
}

// fragment returns the template name rendered with v, whose values key
// names, from those kept when it was rendered before.
func (s *Site) fragment(name, key string, v any) (template.HTML, error) {
	key = name + "\x00" + key
	if h, ok := s.fragments.get(key); ok {
		return h, nil
	}
	var buf bytes.Buffer
	if err := s.parts.ExecuteTemplate(&buf, name, v); err != nil {
		return "", err
	}
	h := template.HTML(buf.String())
	s.fragments.put(key, h)
	return h, nil
}
