package search

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestLineBookOracle enters and removes random texts, whose lines repeat
// across them as listings' do, and checks every substring answer and
// every text against the texts themselves.
func TestLineBookOracle(t *testing.T) {
	// Both ways of gathering the slots of the lines found.
	for _, dense := range []int{denseFrom, 1 << 30} {
		t.Run(fmt.Sprint("denseFrom=", dense), func(t *testing.T) {
			defer func(d int) { denseFrom = d }(denseFrom)
			denseFrom = dense
			testLineBook(t)
		})
	}
}

func testLineBook(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	words := []string{"開発", "経験", "エンジニア", "システム", "リモート", "設計", "運用", "go", "java", "週3", "・", "■", "年以上", "の", "で",
		"【", "】", "、", " ", "/"} // some end a piece
	line := func() string {
		var b strings.Builder
		for range 1 + r.IntN(4) {
			b.WriteString(words[r.IntN(len(words))])
		}
		return b.String()
	}
	// A pool of lines, so that lines repeat; a fresh one now and then.
	pool := make([]string, 12)
	for i := range pool {
		pool[i] = line()
	}
	text := func() (string, uint32, uint32) {
		pick := func() string {
			if r.IntN(5) == 0 {
				return line()
			}
			return pool[r.IntN(len(pool))]
		}
		title := pick()
		if r.IntN(8) == 0 {
			title += "\n" + pick() // a title of two lines
		}
		skills := strings.Repeat("go ", r.IntN(2)) + pick()
		var body []string
		for range r.IntN(6) {
			body = append(body, pick())
		}
		return title + "\n" + skills + "\n" + strings.Join(body, "\n"), uint32(len(title)), uint32(len(title) + 1 + len(skills))
	}
	type entry struct {
		text   string
		te, se uint32
	}
	k := newLineBook()
	texts := map[uint32]entry{}
	terms := []string{"開発経", "発経験", "エンジ", "ステム", "リモー", "設計運", "経験年", "年以上", "験の開", "■開発", "で設計", "ンジニアシ", "ムリモー", "用週3"}
	for round := range 400 {
		s := uint32(r.IntN(100))
		if _, ok := texts[s]; ok && r.IntN(3) == 0 {
			k.remove(s)
			delete(texts, s)
		} else {
			if _, ok := texts[s]; ok {
				k.remove(s)
			}
			tx, te, se := text()
			k.add(s, tx, te, se)
			texts[s] = entry{tx, te, se}
		}
		for s, e := range texts {
			if got := string(k.text(nil, s)); got != e.text {
				t.Fatalf("round %d: slot %d text %q, want %q", round, s, got, e.text)
			}
		}
		for _, term := range terms {
			if strings.ContainsFunc(term, endsPiece) {
				continue // answered from whole texts, not the book
			}
			m, err := k.substring(context.Background(), term)
			if err != nil {
				t.Fatal(err)
			}
			var hits, title, skills []uint32
			for s, e := range texts {
				h, ti, sk := inFields(e.text, e.te, e.se, func(f string) bool { return strings.Contains(f, term) })
				if h {
					hits = append(hits, s)
				}
				if ti {
					title = append(title, s)
				}
				if sk {
					skills = append(skills, s)
				}
			}
			for _, c := range []struct {
				name string
				got  []uint32
				want []uint32
			}{{"hits", m.hits.ToArray(), hits}, {"title", m.title.ToArray(), title}, {"skills", m.skills.ToArray(), skills}} {
				if g, w := fmt.Sprint(c.got), fmt.Sprint(slices.Sorted(slices.Values(c.want))); g != w {
					t.Fatalf("round %d: %q %s = %s, want %s", round, term, c.name, g, w)
				}
			}
		}
	}
	if len(k.ids) > 0 && len(k.lines) > 4*len(k.ids)+64 {
		t.Errorf("%d line ids for %d lines: freed ids are not reused", len(k.lines), len(k.ids))
	}
	for s := range texts {
		k.remove(s)
	}
	if len(k.ids) != 0 || len(k.grams) != 0 {
		t.Errorf("after every text left: %d lines and %d grams remain", len(k.ids), len(k.grams))
	}
}
