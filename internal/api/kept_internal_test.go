package api

import (
	"strconv"
	"testing"
)

func TestKeptPages(t *testing.T) {
	var k keptPages
	k.put(5, "a", []byte("A5"))
	if b, ok := k.get(5, "a"); !ok || string(b) != "A5" {
		t.Fatalf("get(5, a) = %q, %v", b, ok)
	}
	if _, ok := k.get(6, "a"); ok {
		t.Fatal("an answer of position 5 served at 6")
	}
	// An answer computed at an older position than one already kept is
	// not kept, and does not drop the newer ones.
	k.put(7, "b", []byte("B7"))
	k.put(6, "c", []byte("C6"))
	if _, ok := k.get(6, "c"); ok {
		t.Fatal("kept an answer of a position the index had left")
	}
	if b, ok := k.get(7, "b"); !ok || string(b) != "B7" {
		t.Fatalf("get(7, b) = %q, %v", b, ok)
	}
	if _, ok := k.get(7, "a"); ok {
		t.Fatal("an answer of position 5 survived the move to 7")
	}
	// Bounds: never more than keptPagesMax answers or keptPagesMaxBytes.
	for i := range keptPagesMax + 10 {
		k.put(7, strconv.Itoa(i), make([]byte, 100))
	}
	if len(k.by) > keptPagesMax {
		t.Fatalf("%d answers kept, at most %d", len(k.by), keptPagesMax)
	}
	for i := range 40 {
		k.put(7, "big"+strconv.Itoa(i), make([]byte, keptPageMaxBytes))
		if k.bytes > keptPagesMaxBytes {
			t.Fatalf("%d bytes kept, at most %d", k.bytes, keptPagesMaxBytes)
		}
	}
	k.put(7, "big0", make([]byte, 10)) // replacing an answer counts its bytes once
	total := 0
	for _, b := range k.by {
		total += len(b)
	}
	if total != k.bytes {
		t.Fatalf("bytes %d, answers hold %d", k.bytes, total)
	}
}
