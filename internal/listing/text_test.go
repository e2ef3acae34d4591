package listing_test

import (
	"testing"

	"anken/internal/listing"
)

func TestControlRule(t *testing.T) {
	for _, c := range []struct {
		in, oneLine, lines string
		has                bool
	}{
		{"Go エンジニア", "Go エンジニア", "Go エンジニア", false},
		{"  padded  ", "padded", "padded", false},
		{"Go\r\nエンジニア", "Go エンジニア", "Go\nエンジニア", true},
		{"Go \n  エンジニア", "Go エンジニア", "Go \n  エンジニア", true},
		{"Go\rエンジニア", "Go エンジニア", "Go\nエンジニア", true},
		{"a\u0085b", "a b", "a\nb", true},
		{"a\u2028b\u2029c", "a b c", "a\nb\nc", true},
		{"a\x00b", "a b", "a b", true},
		{"a\x1bb\x7fc\u009fd", "a b c d", "a b c d", true},
		{"a\tb", "a b", "a\tb", true},
		{"\x00\r\n title \x07", "title", "title", true},
		{"a\x00\x00\x01b", "a b", "a   b", true},
		{"全角　スペース", "全角　スペース", "全角　スペース", false},
		{"bad \xff byte\n", "bad \xff byte", "bad \xff byte", true},
		{"\u200b zero width", "\u200b zero width", "\u200b zero width", false}, // a format character, not a control
	} {
		if got := listing.HasControl(c.in); got != c.has {
			t.Errorf("HasControl(%q) = %v, want %v", c.in, got, c.has)
		}
		if got := listing.OneLine(c.in); got != c.oneLine {
			t.Errorf("OneLine(%q) = %q, want %q", c.in, got, c.oneLine)
		}
		if got := listing.Lines(c.in); got != c.lines {
			t.Errorf("Lines(%q) = %q, want %q", c.in, got, c.lines)
		}
	}
}
