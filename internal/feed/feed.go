// Package feed reads agency feeds row by row: JSON Lines, CSV (UTF-8 or
// Shift_JIS/CP932, with a header mapping), schema.org JobPosting JSON-LD and
// Indeed-style XML. Readers stream: memory is bounded by one row (at most
// MaxRow bytes), whatever the size of the feed. A row that cannot be read
// comes back with a RowError naming its line and field, and the rows after
// it are still read; only a feed broken beyond resynchronizing ends with an
// error.
package feed

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/transform"

	"anken/internal/listing"
)

// Formats anken reads.
const (
	JSONL      = "jsonl"
	CSV        = "csv"
	JobPosting = "jobposting"
	IndeedXML  = "indeed-xml"
)

// Formats lists every format name.
var Formats = []string{JSONL, CSV, JobPosting, IndeedXML}

// MaxRow is the most bytes one row may take; a longer row is rejected
// (and skipped where the format allows it).
const MaxRow = 16 << 20

// Row is one row of a feed.
type Row struct {
	Line int // line of the row's start (JSON Lines, CSV, XML) or item number (JSON-LD), from 1
	Raw  listing.Raw
	// Err is set when the row could not be read; Raw then holds what was
	// read of it (often its external_id).
	Err *RowError
}

// RowError says why a row could not be read.
type RowError struct {
	Line   int
	Field  string // raw field or feed column, when one is to blame
	Reason string // why, in anken's words: it never quotes the feed
	// Detail is the part of the explanation that quotes the feed: a
	// parser's message, a column's header, a value. It is left out where
	// the feed's content must not be shown (a feed fetched from a URL).
	Detail string
}

// Message returns the reason with its detail.
func (e *RowError) Message() string {
	if e.Detail == "" {
		return e.Reason
	}
	return e.Reason + ": " + e.Detail
}

func (e *RowError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Message())
	}
	return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Message())
}

// Reader reads a feed row by row. Next returns io.EOF after the last row,
// and any other error when the feed is broken beyond the current row.
type Reader interface {
	Next() (Row, error)
}

// Options tune the readers. The zero value works.
type Options struct {
	// Charset of a CSV or XML feed: "utf-8", "shift_jis" (read as CP932,
	// which Japanese spreadsheets export) or "" to detect it.
	Charset string `json:"charset,omitempty"`
	// Columns maps CSV header names to raw listing fields, on top of the
	// usual names (see csv.go): {"案件コード": "external_id"}.
	Columns map[string]string `json:"columns,omitempty"`
}

// NewReader returns a reader of the format over r.
func NewReader(format string, r io.Reader, o Options) (Reader, error) {
	switch format {
	case JSONL:
		return newJSONL(r), nil
	case CSV:
		rd, err := decode(r, o.Charset)
		if err != nil {
			return nil, err
		}
		return newCSV(rd, o.Columns)
	case JobPosting:
		return newJobPosting(r), nil
	case IndeedXML:
		rd, err := decode(r, o.Charset)
		if err != nil {
			return nil, err
		}
		return newIndeed(rd), nil
	default:
		return nil, fmt.Errorf("feed: unknown format %q: want %s", format, strings.Join(Formats, ", "))
	}
}

// decode returns r as UTF-8. An empty charset is detected from the first
// 64 KiB: valid UTF-8 is UTF-8 (a byte order mark is dropped), anything
// else is read as Shift_JIS (CP932).
func decode(r io.Reader, charset string) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	switch strings.ToLower(strings.ReplaceAll(charset, "-", "_")) {
	case "utf_8", "utf8":
	case "shift_jis", "sjis", "cp932", "windows_31j", "ms932":
		return transform.NewReader(br, japanese.ShiftJIS.NewDecoder()), nil
	case "":
		head, err := br.Peek(64 << 10)
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
			return nil, fmt.Errorf("feed: read: %w", err)
		}
		if !validPrefix(head) {
			return transform.NewReader(br, japanese.ShiftJIS.NewDecoder()), nil
		}
	default:
		return nil, fmt.Errorf("feed: unknown charset %q: want utf-8 or shift_jis", charset)
	}
	if b, _ := br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	return br, nil
}

// validPrefix reports whether b is UTF-8, allowing a rune cut at its end.
func validPrefix(b []byte) bool {
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n <= 1 {
			return len(b) < utf8.UTFMax && !utf8.FullRune(b)
		}
		b = b[n:]
	}
	return true
}

// badText reports whether s is not clean text: invalid UTF-8, or the
// replacement character a decoder leaves for bytes it could not read.
func badText(s string) bool {
	return !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError)
}

// text returns s as a raw Value, absent when s is blank.
func text(s string) listing.Value {
	s = strings.TrimSpace(s)
	if s == "" {
		return listing.Value{}
	}
	return listing.TextValue(s)
}
