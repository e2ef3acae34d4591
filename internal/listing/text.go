package listing

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The one rule for control characters in text taken at the edge (listing
// titles and descriptions, saved-search names, passwords, addresses):
// IsControl says which characters it is about; a one-line field either
// refuses them (HasControl) or has them replaced (OneLine), and multi-line
// text keeps its line breaks as "\n" and loses the rest (Lines).

// IsControl reports whether r is a control character: a C0 control
// (U+0000–U+001F, tab and line feed included), DEL, a C1 control
// (U+0080–U+009F, NEL U+0085 among them), or the line and paragraph
// separators U+2028 and U+2029.
func IsControl(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == '\u2028' || r == '\u2029'
}

// HasControl reports whether s holds a control character (IsControl).
func HasControl(s string) bool { return strings.ContainsFunc(s, IsControl) }

// OneLine returns s as one line: each run of control characters, with the
// white space around it, becomes one space, and the ends are trimmed.
// Bytes that are not UTF-8 are kept as they are, for validation to name.
func OneLine(s string) string {
	if !HasControl(s) {
		return strings.TrimSpace(s)
	}
	buf := make([]byte, 0, len(s))
	pending := false // a run of control characters waits to be one space
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case IsControl(r):
			pending = true
		case pending && unicode.IsSpace(r): // white space after the run joins it
		default:
			if pending {
				buf = bytes.TrimRightFunc(buf, unicode.IsSpace) // and so does white space before it
				buf = append(buf, ' ')
				pending = false
			}
			buf = append(buf, s[i:i+n]...)
		}
		i += n
	}
	return strings.TrimSpace(string(buf))
}

// Lines returns multi-line text with its line breaks as "\n": CR LF, CR,
// NEL, U+2028 and U+2029 become "\n", tab stays, and every other control
// character becomes a space. The ends are trimmed. Bytes that are not
// UTF-8 are kept as they are.
func Lines(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return IsControl(r) && r != '\n' && r != '\t' }) {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\r':
			b.WriteByte('\n')
			if strings.HasPrefix(s[i+n:], "\n") {
				n++
			}
		case r == '\u0085' || r == '\u2028' || r == '\u2029':
			b.WriteByte('\n')
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case IsControl(r):
			b.WriteByte(' ')
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return strings.TrimSpace(b.String())
}
