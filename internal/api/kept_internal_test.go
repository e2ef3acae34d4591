package api

import (
	"strconv"
	"testing"

	"anken/internal/search"
)

// fakePositions is an index at position at, whose writes since a position
// changed the answers of the queries in changed.
type fakePositions struct {
	at      int64
	changed map[string]bool // by query text
	asked   int
}

func (f *fakePositions) Position() int64 { return f.at }

func (f *fakePositions) Unchanged(q search.Query, since int64) (int64, bool) {
	f.asked++
	return f.at, since == f.at || !f.changed[q.Text]
}

func TestKeptPages(t *testing.T) {
	idx := &fakePositions{at: 5, changed: map[string]bool{"b": true}}
	var k keptPages
	k.put("a", search.Query{Text: "a"}, 5, []byte("A5"))
	k.put("b", search.Query{Text: "b"}, 5, []byte("B5"))
	if b, ok := k.get(idx, "a"); !ok || string(b) != "A5" || idx.asked != 0 {
		t.Fatalf("get(a) at its position = %q, %v (asked %d)", b, ok, idx.asked)
	}
	// The index moves: a's answer is unchanged by the writes, b's is not.
	idx.at = 7
	if b, ok := k.get(idx, "a"); !ok || string(b) != "A5" {
		t.Fatalf("get(a) after writes that left it = %q, %v", b, ok)
	}
	if k.by["a"].at != 7 {
		t.Errorf("a is exact at %d, want 7", k.by["a"].at)
	}
	if _, ok := k.get(idx, "b"); ok {
		t.Fatal("b served after a write changed it")
	}
	if _, ok := k.by["b"]; ok {
		t.Fatal("b's stale answer kept")
	}
	// An answer computed at an older position than one kept does not
	// replace it.
	k.put("a", search.Query{Text: "a"}, 6, []byte("A6"))
	if b, _ := k.get(idx, "a"); string(b) != "A5" {
		t.Fatalf("get(a) = %q, an answer of an older position replaced a newer one", b)
	}
	// Bounds: never more than keptPagesMax answers or keptPagesMaxBytes.
	for i := range keptPagesMax + 10 {
		k.put(strconv.Itoa(i), search.Query{}, 7, make([]byte, 100))
	}
	if len(k.by) > keptPagesMax {
		t.Fatalf("%d answers kept, at most %d", len(k.by), keptPagesMax)
	}
	for i := range 40 {
		k.put("big"+strconv.Itoa(i), search.Query{}, 7, make([]byte, keptPageMaxBytes))
		if k.bytes > keptPagesMaxBytes {
			t.Fatalf("%d bytes kept, at most %d", k.bytes, keptPagesMaxBytes)
		}
	}
	k.put("big39", search.Query{}, 7, make([]byte, 10)) // replacing an answer counts its bytes once
	total := 0
	for _, e := range k.by {
		total += len(e.b)
	}
	if total != k.bytes {
		t.Fatalf("bytes %d, answers hold %d", k.bytes, total)
	}
}
