package search

import (
	"context"
	"encoding/binary"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"

	"anken/internal/search/persist"
	"anken/internal/search/query"
)

// lineBook holds each distinct piece of the indexed texts once, with the
// slots whose text has it; in this file a "line" is such a piece. A text
// is cut after each rune that ends a piece (endsPiece): a line break or
// other white space, an opening quote, or common punctuation. A term
// that holds none of those runes occurs in a text exactly when it occurs
// in one of the text's pieces: a term asked for the first time is
// confirmed against the distinct pieces its bigrams allow, and its slots
// are the union of those pieces' slots. (A term holding punctuation that
// ends a piece is confirmed against whole texts: substringInTexts.)
//
// Listings repeat pieces: a heading, a title's bracketed tags, an
// agency's boilerplate, the same requirement in many listings. At
// 200,000 generated listings their 9.9 million pieces are 107,000
// distinct ones, 7.9 MB of 238 MB. Confirming each candidate listing's
// whole text instead cost time in proportion to the listings that hold
// the term, and a common term is in most of them.
//
// A piece is kept under its field (title, skills, description), so that
// the pieces a term is in say in which fields it is. Pieces of fewer than
// three runes, or without a rune a gram is made of, can hold no term
// that comes here, and have no postings.
type lineBook struct {
	ids   map[string]uint32 // field byte + line → id
	arena textArena         // the keys, in blocks of many
	lines []bookLine        // by id
	free  []uint32
	grams map[query.Gram]*roaring.Bitmap // line ids, by the bigrams of their line

	of [][]uint32 // by slot: the ids of its text's lines, in order
}

type bookLine struct {
	key    string          // field byte + line; "" when the id is free
	posted bool            // posted(key[1:]): it has slots and grams
	uses   uint32          // how many times slots' texts hold it
	n      uint32          // how many slots hold it
	one    uint32          // the slot holding it, while n is 1; else 0
	few    []uint32        // the slots holding it, in order, while n is 2..fewMax
	many   *roaring.Bitmap // the slots holding it, while n > fewMax
}

// fewMax is the most slots a line keeps in a list rather than a bitmap:
// a bitmap costs about a hundred bytes however few it holds, and
// gathering the slots of many small bitmaps costs an iterator each.
const fewMax = 16

// has reports whether slot s holds the line.
func (l *bookLine) has(s uint32) bool {
	switch {
	case l.n == 1:
		return l.one == s
	case l.few != nil:
		_, ok := slices.BinarySearch(l.few, s)
		return ok
	case l.many != nil:
		return l.many.Contains(s)
	}
	return false
}

// addSlot adds slot s, which does not hold the line yet.
func (l *bookLine) addSlot(s uint32) {
	switch {
	case l.n == 0:
		l.one = s
	case l.n == 1:
		l.few, l.one = []uint32{min(l.one, s), max(l.one, s)}, 0
	case l.n < fewMax:
		i, _ := slices.BinarySearch(l.few, s)
		l.few = slices.Insert(l.few, i, s)
	case l.n == fewMax:
		l.many = roaring.BitmapOf(l.few...)
		l.many.Add(s)
		l.few = nil
	default:
		l.many.Add(s)
	}
	l.n++
}

// removeSlot removes slot s, which holds the line.
func (l *bookLine) removeSlot(s uint32) {
	switch l.n--; {
	case l.n == 0:
		l.one = 0
	case l.n == 1:
		l.one = l.few[0]
		if l.one == s {
			l.one = l.few[1]
		}
		l.few = nil
	case l.n < fewMax:
		i, _ := slices.BinarySearch(l.few, s)
		l.few = slices.Delete(l.few, i, i+1)
	case l.n == fewMax:
		l.many.Remove(s)
		l.few, l.many = l.many.ToArray(), nil
	default:
		l.many.Remove(s)
	}
}

// Fields of a line, the first byte of its key.
const (
	lineTitle byte = iota
	lineSkills
	lineBody
)

func newLineBook() *lineBook {
	return &lineBook{ids: map[string]uint32{}, grams: map[query.Gram]*roaring.Bitmap{}}
}

// endsPiece reports whether r ends a piece of text: white space and
// opening quotes, which no term holds, and punctuation that titles and
// descriptions are made of and terms rarely hold (after folding, which
// makes （ ( and ／ /).
func endsPiece(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiEndsPiece[r]
	}
	if query.InNoTerm(r) {
		return true
	}
	switch r {
	case '【', '】', '」', '』', '・', '、', '。':
		return true
	}
	return false
}

// asciiEndsPiece is endsPiece for ASCII, looked up.
var asciiEndsPiece = func() (t [utf8.RuneSelf]bool) {
	for r := range rune(utf8.RuneSelf) {
		t[r] = query.InNoTerm(r) || strings.ContainsRune("()/:|,", r)
	}
	return t
}()

// eachLine calls fn with the field, the piece and the piece without the
// rune that ends it, for each piece of text, whose title is text[:te] and
// skills text[te:se] (as prepare lays them out, each field after the
// first starting with its line break). The pieces, joined, are the text.
func eachLine(text string, te, se uint32, fn func(field byte, piece, inner string)) {
	a := 0
	for i, r := range text {
		if !endsPiece(r) {
			continue
		}
		end := i + utf8.RuneLen(r)
		fn(fieldAt(a, te, se), text[a:end], text[a:i])
		a = end
	}
	if a < len(text) {
		fn(fieldAt(a, te, se), text[a:], text[a:])
	}
}

// fieldAt is the field of a piece that begins at a.
func fieldAt(a int, te, se uint32) byte {
	switch {
	case a <= int(te):
		return lineTitle
	case a <= int(se):
		return lineSkills
	}
	return lineBody
}

// innerOf returns piece without the rune that ends it, if one does.
func innerOf(piece string) string {
	if r, n := utf8.DecodeLastRuneInString(piece); n > 0 && endsPiece(r) {
		return piece[:len(piece)-n]
	}
	return piece
}

// posted reports whether a line has postings: whether a substring term
// of three or more runes can be in it.
func posted(line string) bool {
	if utf8.RuneCountInString(line) < 3 {
		return false
	}
	for _, r := range line {
		if r >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// add enters slot s's text into the book.
func (k *lineBook) add(s uint32, text string, te, se uint32) {
	for int(s) >= len(k.of) {
		k.of = append(k.of, nil)
	}
	ids := k.of[s][:0]
	var key []byte
	eachLine(text, te, se, func(f byte, piece, inner string) {
		key = append(append(key[:0], f), piece...)
		id, ok := k.ids[string(key)]
		if !ok {
			id = k.intern(k.arena.string(key), len(inner))
		}
		ids = append(ids, id)
		l := &k.lines[id]
		l.uses++
		if l.posted && !l.has(s) {
			l.addSlot(s)
		}
	})
	k.of[s] = slices.Clip(ids)
}

// intern gives a new line its id and its grams' postings; key[1:inner+1]
// is the piece without the rune that ends it.
func (k *lineBook) intern(key string, inner int) uint32 {
	var id uint32
	if n := len(k.free); n > 0 {
		id, k.free = k.free[n-1], k.free[:n-1]
	} else {
		id = uint32(len(k.lines))
		k.lines = append(k.lines, bookLine{})
	}
	k.lines[id] = bookLine{key: key, posted: posted(key[1 : inner+1])}
	k.ids[key] = id
	if k.lines[id].posted {
		for _, g := range query.Grams(key[1:]) {
			addTo(k.grams, g, id)
		}
	}
	return id
}

// remove takes slot s's text out of the book, freeing the lines no other
// text holds.
func (k *lineBook) remove(s uint32) {
	for _, id := range k.of[s] {
		l := &k.lines[id]
		if l.has(s) {
			l.removeSlot(s)
		}
		if l.uses--; l.uses == 0 {
			k.drop(id)
		}
	}
	k.of[s] = nil
}

func (k *lineBook) drop(id uint32) {
	key := k.lines[id].key
	if k.lines[id].posted {
		for _, g := range query.Grams(key[1:]) {
			removeFrom(k.grams, g, id)
		}
	}
	delete(k.ids, key)
	k.lines[id] = bookLine{}
	k.free = append(k.free, id)
}

// text returns slot s's text, its pieces joined, appended to b.
func (k *lineBook) text(b []byte, s uint32) []byte {
	for _, id := range k.of[s] {
		b = append(b, k.lines[id].key[1:]...)
	}
	return b
}

// textLen returns the length of slot s's text.
func (k *lineBook) textLen(s uint32) int {
	if int(s) >= len(k.of) || len(k.of[s]) == 0 {
		return 0
	}
	n := 0
	for _, id := range k.of[s] {
		n += len(k.lines[id].key) - 1
	}
	return n
}

// linePart is how many lines one goroutine confirms at least.
const linePart = 4096

// substring returns the slots whose text holds t, a term of three or
// more runes: the lines its bigrams allow are confirmed one by one, on
// every core when there are many, and the slots of those that hold it
// are gathered by field.
func (k *lineBook) substring(ctx context.Context, t string) (termMatch, error) {
	cand := withGrams(k.grams, t).ToArray()
	f := newFinder(t, func(yield func(string) bool) {
		for i := 0; i < len(cand); i += max(1, len(cand)/256) {
			if !yield(k.lines[cand[i]].key[1:]) {
				return
			}
		}
	})
	w := min(runtime.GOMAXPROCS(0), max(1, len(cand)/linePart))
	found := make([][]uint32, w)
	slots := make([]int, w) // how many slots the lines found hold, at most
	var wg sync.WaitGroup
	for i := range w {
		part := cand[len(cand)*i/w : len(cand)*(i+1)/w]
		wg.Go(func() {
			for j, id := range part {
				if j%4096 == 0 && ctx.Err() != nil {
					return
				}
				if l := &k.lines[id]; f.in(l.key[1:]) {
					found[i] = append(found[i], id)
					slots[i] += int(l.n)
				}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return termMatch{}, err
	}
	var byField [3]*roaring.Bitmap
	if n := len(k.of); sum(slots)*denseFrom < n {
		byField = k.sparseSlots(found)
	} else {
		byField = k.denseSlots(found, n)
	}
	hits := roaring.FastOr(byField[:]...)
	return termMatch{hits: hits, title: byField[lineTitle], skills: byField[lineSkills]}, nil
}

// denseFrom decides how substring gathers the slots of the lines found:
// in a bitset of every slot when they hold more than one slot in
// denseFrom, else in a sorted list. A variable for tests.
var denseFrom = 64

// sparseSlots returns the slots of lines, by field, gathered in a list.
func (k *lineBook) sparseSlots(lines [][]uint32) [3]*roaring.Bitmap {
	var all [3][]uint32
	for _, ids := range lines {
		for _, id := range ids {
			l := &k.lines[id]
			f := l.key[0]
			switch {
			case l.n == 1:
				all[f] = append(all[f], l.one)
			case l.few != nil:
				all[f] = append(all[f], l.few...)
			default:
				all[f] = append(all[f], l.many.ToArray()...)
			}
		}
	}
	var out [3]*roaring.Bitmap
	for f := range all {
		slices.Sort(all[f])
		out[f] = roaring.New()
		out[f].AddMany(all[f])
	}
	return out
}

// denseSlots returns the slots of lines, by field, gathered in bitsets
// of n slots, one part of lines per core.
func (k *lineBook) denseSlots(lines [][]uint32, n int) [3]*roaring.Bitmap {
	words := (n + 63) / 64
	sets := make([][3][]uint64, len(lines))
	bigs := make([][3][]*roaring.Bitmap, len(lines))
	var wg sync.WaitGroup
	for i, ids := range lines {
		wg.Go(func() {
			var set [3][]uint64
			buf := make([]uint32, 4096)
			for f := range set {
				set[f] = make([]uint64, words)
			}
			for _, id := range ids {
				l := &k.lines[id]
				f := l.key[0]
				switch {
				case l.n == 1:
					set[f][l.one/64] |= 1 << (l.one % 64)
				case l.few != nil:
					for _, s := range l.few {
						set[f][s/64] |= 1 << (s % 64)
					}
				case l.n >= bigLine:
					bigs[i][f] = append(bigs[i][f], l.many)
				default:
					// Not WriteDenseTo: it copies a dense container over
					// the words instead of adding to them.
					it := l.many.ManyIterator()
					for m := it.NextMany(buf); m > 0; m = it.NextMany(buf) {
						for _, s := range buf[:m] {
							set[f][s/64] |= 1 << (s % 64)
						}
					}
				}
			}
			sets[i] = set
		})
	}
	wg.Wait()
	var out [3]*roaring.Bitmap
	for f := range out {
		set := sets[0][f]
		for _, o := range sets[1:] {
			for j, v := range o[f] {
				set[j] |= v
			}
		}
		out[f] = roaring.FromDense(set, false)
		var big []*roaring.Bitmap
		for _, b := range bigs {
			big = append(big, b[f]...)
		}
		if len(big) > 0 {
			out[f].Or(roaring.FastOr(big...))
		}
	}
	return out
}

// bigLine is how many slots a line holds from which denseSlots adds its
// bitmap as a whole (a bitmap container is ORed a word at a time) rather
// than a slot at a time.
const bigLine = 4096

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

// write writes the book for a snapshot: every line id's key (empty for a
// free id) and the free ids in the order they are taken, the slots that
// hold each line, each slot's line ids, then the lines' gram postings.
// How many times slots hold each line is counted as it is read.
func (k *lineBook) write(w *persist.Writer, slots int) {
	w.U64(uint64(len(k.lines)))
	for i := range k.lines {
		w.Str(k.lines[i].key)
	}
	w.U64(uint64(len(k.free)))
	for _, id := range k.free {
		w.U32(id)
	}
	for i := range k.lines {
		l := &k.lines[i]
		w.U32(l.n)
		switch {
		case l.n == 1:
			w.U32(l.one)
		case l.few != nil:
			for _, s := range l.few {
				w.U32(s)
			}
		case l.many != nil:
			w.Bitmap(l.many)
		}
	}
	n := 0
	for s := range slots {
		n += len(k.idsOf(uint32(s)))
	}
	w.U64(uint64(n))
	for s := range slots {
		for _, id := range k.idsOf(uint32(s)) {
			w.U32(id)
		}
	}
	writeGrams(w, k.grams)
}

// readSlots reads the slots that hold each line, of slots in all.
func (k *lineBook) readSlots(r *persist.Reader, slots int) error {
	for id := range k.lines {
		l := &k.lines[id]
		n, err := r.U32()
		if err != nil {
			return err
		}
		if n > uint32(slots) || n > 0 && !l.posted {
			return persist.Bad("line %d: held by %d slots of %d, posted %t", id, n, slots, l.posted)
		}
		l.n = n
		switch {
		case n == 1:
			if l.one, err = r.U32(); err != nil {
				return err
			}
			if l.one >= uint32(slots) {
				return persist.Bad("line %d: slot %d of %d", id, l.one, slots)
			}
		case n > 1 && n <= fewMax:
			l.few = make([]uint32, n)
			for i := range l.few {
				if l.few[i], err = r.U32(); err != nil {
					return err
				}
				if l.few[i] >= uint32(slots) || i > 0 && l.few[i] <= l.few[i-1] {
					return persist.Bad("line %d: slots out of order or range", id)
				}
			}
		case n > fewMax:
			if l.many, err = r.Bitmap(slots); err != nil {
				return err
			}
			if l.many.GetCardinality() != uint64(n) {
				return persist.Bad("line %d: %d slots, %d in its bitmap", id, n, l.many.GetCardinality())
			}
		}
	}
	return nil
}

func (k *lineBook) idsOf(s uint32) []uint32 {
	if int(s) < len(k.of) {
		return k.of[s]
	}
	return nil
}

// read reads what write wrote into k, a new book, for slots whose counts
// of lines are given (0 for a free slot), checking every bound a search
// relies on.
func (k *lineBook) read(r *persist.Reader, lines []uint32) error {
	n, err := r.Count("line ids", 1<<32-1)
	if err != nil {
		return err
	}
	k.lines = make([]bookLine, n)
	for id := range k.lines {
		key, err := r.Str(1 << 30)
		if err != nil {
			return err
		}
		if key == "" {
			continue
		}
		if key[0] > lineBody {
			return persist.Bad("line %d: field %d", id, key[0])
		}
		if _, ok := k.ids[key]; ok {
			return persist.Bad("line %d: a line twice", id)
		}
		key = k.arena.string([]byte(key))
		k.lines[id].key, k.lines[id].posted = key, posted(innerOf(key[1:]))
		k.ids[key] = uint32(id)
	}
	nfree, err := r.Count("free line ids", uint64(len(k.lines)))
	if err != nil {
		return err
	}
	k.free = make([]uint32, nfree)
	for i := range k.free {
		if k.free[i], err = r.U32(); err != nil {
			return err
		}
		if int(k.free[i]) >= len(k.lines) || k.lines[k.free[i]].key != "" {
			return persist.Bad("free line id %d: in use or of %d", k.free[i], len(k.lines))
		}
	}
	if nfree != len(k.lines)-len(k.ids) {
		return persist.Bad("%d free line ids of %d, %d in use", nfree, len(k.lines), len(k.ids))
	}
	if err := k.readSlots(r, len(lines)); err != nil {
		return err
	}
	var sum uint64
	for _, c := range lines {
		sum += uint64(c)
	}
	total, err := r.Count("lines of slots", sum)
	if err != nil {
		return err
	}
	if uint64(total) != sum {
		return persist.Bad("%d lines of slots, the slots hold %d", total, sum)
	}
	k.of = make([][]uint32, len(lines))
	all := make([]uint32, total)
	for i := 0; i < total; {
		b, err := r.Next(min(total-i, r.BufLen()/4) * 4)
		if err != nil {
			return err
		}
		for ; len(b) > 0; b, i = b[4:], i+1 {
			all[i] = binary.LittleEndian.Uint32(b)
		}
	}
	for s, c := range lines {
		ids := all[:c:c]
		all = all[c:]
		if c == 0 {
			continue
		}
		k.of[s] = ids
		for _, id := range ids {
			if int(id) >= len(k.lines) || k.lines[id].key == "" {
				return persist.Bad("slot %d: line %d, free or of %d", s, id, len(k.lines))
			}
			k.lines[id].uses++
		}
	}
	for id := range k.lines {
		if k.lines[id].key != "" && k.lines[id].uses == 0 {
			return persist.Bad("line %d: no slot holds it", id)
		}
	}
	return readGrams(r, k.grams, len(k.lines))
}
