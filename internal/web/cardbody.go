package web

import (
	"bytes"
	"html/template"
	"strconv"
	"strings"
	"sync"
)

// Card bodies. A card's body — its title, pay, badges, skills, source and
// age — is the same for every visitor who sees the same listing at the
// same minute, and the pages that list listings (search above all) show a
// few thousand distinct ones far more often than that. html/template
// escapes each of a card's thirty-odd values through a reflective call, so
// the body is rendered once (the "cardbody" template) and kept, keyed by
// every value it shows: a body is served only for exactly the values it
// was rendered from. The favourite button, which depends on the visitor,
// is rendered each time around it.

// cardBodies keeps rendered card bodies in two generations, so that it
// stays bounded without per-entry bookkeeping: when the current one is
// full it becomes the old one and the old one is dropped.
type cardBodies struct {
	mu       sync.Mutex
	cur, old map[string]template.HTML
}

// cardBodiesSize is how many bodies one generation holds.
const cardBodiesSize = 4096

func (b *cardBodies) get(key string) (template.HTML, bool) {
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

func (b *cardBodies) put(key string, h template.HTML) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.putLocked(key, h)
}

func (b *cardBodies) putLocked(key string, h template.HTML) {
	if b.cur == nil || len(b.cur) >= cardBodiesSize {
		b.old, b.cur = b.cur, make(map[string]template.HTML, cardBodiesSize)
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
	key := c.bodyKey()
	if h, ok := s.bodies.get(key); ok {
		return h, nil
	}
	var buf bytes.Buffer
	if err := s.cardTmpl.ExecuteTemplate(&buf, "cardbody", c); err != nil {
		return "", err
	}
	h := template.HTML(buf.String())
	s.bodies.put(key, h)
	return h, nil
}
