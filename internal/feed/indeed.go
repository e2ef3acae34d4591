package feed

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"anken/internal/listing"
)

// indeedReader reads an Indeed-style XML feed:
//
//	<source><job><referencenumber><![CDATA[…]]></referencenumber><title>…</title>…</job>…</source>
//
// Each <job> element is cut out of the stream and parsed on its own, so a
// job that is not well-formed XML is a row error and the jobs after it are
// still read. What comes before the root element is checked first: input
// that is not XML at all (random bytes, JSON, text) or is an HTML page is
// an error, not a feed without jobs.
type indeedReader struct {
	br      *bufio.Reader
	line    int // lines consumed so far
	buf     []byte
	checked bool // the prolog was read and the root element found
}

func newIndeed(r io.Reader) *indeedReader {
	return &indeedReader{br: bufio.NewReaderSize(r, 1<<20), line: 1}
}

// indeedJob is one <job>. Fields are read as text; CDATA or not.
type indeedJob struct {
	ReferenceNumber string `xml:"referencenumber"`
	Title           string `xml:"title"`
	Description     string `xml:"description"`
	Salary          string `xml:"salary"`
	City            string `xml:"city"`
	State           string `xml:"state"`
	Country         string `xml:"country"`
	RemoteType      string `xml:"remotetype"`
	ExpirationDate  string `xml:"expirationdate"`
	Date            string `xml:"date"`
	URL             string `xml:"url"`
	JobType         string `xml:"jobtype"`
	Category        string `xml:"category"`
	Skills          string `xml:"skills"`
}

func (x *indeedReader) Next() (Row, error) {
	if !x.checked {
		if err := x.prolog(); err != nil {
			return Row{}, err
		}
		x.checked = true
	}
	start, body, err := x.nextJob()
	if err != nil {
		return Row{}, err
	}
	row := Row{Line: start}
	if body == nil {
		row.Err = &RowError{Line: start, Reason: fmt.Sprintf("<job> is longer than %d bytes", MaxRow)}
		return row, nil
	}
	var j indeedJob
	if err := xml.Unmarshal(body, &j); err != nil {
		row.Err = &RowError{Line: start, Reason: "<job> is not well-formed XML", Detail: err.Error()}
		row.Raw.ExternalID = strings.TrimSpace(between(body, "<referencenumber>", "</referencenumber>"))
		return row, nil
	}
	r := &row.Raw
	r.ExternalID = strings.TrimSpace(j.ReferenceNumber)
	r.Title = strings.TrimSpace(j.Title)
	r.Description = strings.TrimSpace(stripHTML(j.Description))
	r.Rate = text(j.Salary)
	r.Location = text(strings.TrimSpace(j.State) + strings.TrimSpace(j.City))
	r.Remote = remoteType(j.RemoteType)
	r.ValidThrough = strings.TrimSpace(j.ExpirationDate)
	r.PostedAt = strings.TrimSpace(j.Date)
	r.ApplyURL = strings.TrimSpace(j.URL)
	r.Contract = text(j.JobType)
	r.Role = text(j.Category)
	r.Skills = text(j.Skills)
	for _, f := range []struct{ name, v string }{{"title", r.Title}, {"description", r.Description}, {"salary", j.Salary},
		{"city", j.City}, {"state", j.State}} {
		if badText(f.v) {
			row.Err = &RowError{Line: start, Field: f.name, Reason: "is not valid text in the feed's encoding"}
			break
		}
	}
	return row, nil
}

// prolog reads what comes before the root element (white space, the XML
// declaration, comments, a doctype) and stops at the root element's start,
// which it leaves unread. It fails on input that is not XML and on an HTML
// page, whose errors would otherwise read as a feed without jobs.
func (x *indeedReader) prolog() error {
	if b, _ := x.br.Peek(3); bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		x.br.Discard(3)
	}
	for {
		if err := x.skipSpace(); err != nil {
			if errors.Is(err, io.EOF) {
				return errors.New("feed: XML is empty: want <source> with <job> elements")
			}
			return err
		}
		head, err := x.br.Peek(64)
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
			return fmt.Errorf("feed: XML line %d: %w", x.line, err)
		}
		switch {
		case len(head) < 2 || head[0] != '<':
			return fmt.Errorf("feed: not XML: line %d starts with text, not an element: want <source> with <job> elements", x.line)
		case bytes.HasPrefix(head, []byte("<?")):
			if err := x.skipTo([]byte("?>")); err != nil {
				return fmt.Errorf("feed: not XML: line %d: an unterminated <? … ?>", x.line)
			}
		case bytes.HasPrefix(head, []byte("<!--")):
			if err := x.skipTo([]byte("-->")); err != nil {
				return fmt.Errorf("feed: not XML: line %d: an unterminated comment", x.line)
			}
		case len(head) >= 9 && strings.EqualFold(string(head[:9]), "<!DOCTYPE"):
			if isHTML(bytes.TrimLeft(head[9:], " \t\r\n")) {
				return errors.New("feed: an HTML page (<!DOCTYPE html>), not an XML feed")
			}
			if err := x.skipDoctype(); err != nil {
				return fmt.Errorf("feed: not XML: line %d: an unterminated <!DOCTYPE", x.line)
			}
		case nameStart(head[1]):
			if isHTML(head[1:]) {
				return errors.New("feed: an HTML page (<html>), not an XML feed")
			}
			return nil // the root element
		default:
			return fmt.Errorf("feed: not XML: line %d starts with a '<' that opens no element", x.line)
		}
	}
}

// skipSpace consumes white space, counting lines.
func (x *indeedReader) skipSpace() error {
	for {
		b, err := x.br.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return io.EOF
			}
			return fmt.Errorf("feed: XML line %d: %w", x.line, err)
		}
		switch b {
		case '\n':
			x.line++
		case ' ', '\t', '\r':
		default:
			return x.br.UnreadByte()
		}
	}
}

// skipDoctype consumes a <!DOCTYPE …> declaration, internal subset included.
func (x *indeedReader) skipDoctype() error {
	depth := 0
	for {
		b, err := x.br.ReadByte()
		if err != nil {
			return err
		}
		switch b {
		case '\n':
			x.line++
		case '[':
			depth++
		case ']':
			depth--
		case '>':
			if depth <= 0 {
				return nil
			}
		}
	}
}

// nameStart reports whether b may start an XML element name.
func nameStart(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '_' || b == ':' || b >= 0x80
}

// isHTML reports whether name, the start of an element or doctype name,
// is one that only HTML pages have as their root.
func isHTML(name []byte) bool {
	end := bytes.IndexFunc(name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == ':' || r == '.')
	})
	if end < 0 {
		end = len(name)
	}
	switch strings.ToLower(string(name[:end])) {
	case "html", "head", "body":
		return true
	}
	return false
}

// remoteType reads Indeed's remotetype ("Fully remote", "Hybrid remote")
// or Japanese text.
func remoteType(s string) listing.Value {
	l := strings.ToLower(strings.TrimSpace(s))
	switch {
	case l == "":
		return listing.Value{}
	case strings.Contains(l, "hybrid") || strings.Contains(l, "partial"):
		return listing.TextValue("partial")
	case strings.Contains(l, "remote") || strings.Contains(l, "full"):
		return listing.TextValue("full")
	}
	return listing.TextValue(strings.TrimSpace(s))
}

// nextJob returns the bytes of the next <job>…</job> element and the line
// it starts on; body is nil for a job longer than MaxRow (skipped).
func (x *indeedReader) nextJob() (int, []byte, error) {
next:
	for {
		if err := x.skipTo([]byte("<job")); err != nil {
			return 0, nil, err
		}
		start := x.line
		x.buf = append(x.buf[:0], "<job"...)
		var win [9]byte // the last bytes read, to find <![CDATA[, ]]> and </job>
		copy(win[5:], "<job")
		inCDATA, tooLong, n := false, false, 0
		for {
			b, err := x.br.ReadByte()
			if err != nil {
				if errors.Is(err, io.EOF) {
					if tooLong {
						return start, nil, nil
					}
					// A job cut off by the end of the feed fails to parse: a row error.
					return start, x.buf, nil
				}
				return 0, nil, fmt.Errorf("feed: XML line %d: %w", x.line, err)
			}
			n++
			if n == 1 && b != '>' && b != ' ' && b != '\t' && b != '\n' && b != '\r' {
				continue next // <jobs>, <jobtype>: not a job
			}
			if b == '\n' {
				x.line++
			}
			copy(win[:], win[1:])
			win[8] = b
			if !tooLong {
				x.buf = append(x.buf, b)
				tooLong = len(x.buf) > MaxRow
			}
			switch {
			case !inCDATA && bytes.HasSuffix(win[:], []byte("<![CDATA[")):
				inCDATA = true
			case inCDATA && bytes.HasSuffix(win[:], []byte("]]>")):
				inCDATA = false
			case !inCDATA && bytes.HasSuffix(win[:], []byte("</job>")):
				if tooLong {
					return start, nil, nil
				}
				return start, x.buf, nil
			}
		}
	}
}

// skipTo consumes input up to and including pat, counting lines.
func (x *indeedReader) skipTo(pat []byte) error {
	matched := 0
	for {
		b, err := x.br.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return io.EOF
			}
			return fmt.Errorf("feed: XML line %d: %w", x.line, err)
		}
		if b == '\n' {
			x.line++
		}
		switch {
		case b == pat[matched]:
			matched++
			if matched == len(pat) {
				return nil
			}
		case b == pat[0]:
			matched = 1
		default:
			matched = 0
		}
	}
}

// between returns the text between the first open and the next close.
func between(b []byte, open, close string) string {
	i := bytes.Index(b, []byte(open))
	if i < 0 {
		return ""
	}
	rest := b[i+len(open):]
	j := bytes.Index(rest, []byte(close))
	if j < 0 {
		return ""
	}
	s := string(rest[:j])
	s = strings.TrimPrefix(strings.TrimSpace(s), "<![CDATA[")
	return strings.TrimSuffix(s, "]]>")
}
