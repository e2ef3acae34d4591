package feed

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"anken/internal/listing"
)

// jsonlReader reads one raw listing (listing.Raw as JSON) per line. Blank
// lines are skipped; a line that is not a JSON object, not UTF-8 or longer
// than MaxRow is a row error.
type jsonlReader struct {
	br   *bufio.Reader
	line int
	buf  []byte
}

func newJSONL(r io.Reader) *jsonlReader {
	return &jsonlReader{br: bufio.NewReaderSize(r, 1<<20)}
}

func (j *jsonlReader) Next() (Row, error) {
	for {
		b, err := j.readLine()
		if errors.Is(err, errTooLong) {
			j.line++
			return Row{Line: j.line, Err: &RowError{Line: j.line, Reason: fmt.Sprintf("line is longer than %d bytes", MaxRow)}}, nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return Row{}, fmt.Errorf("feed: line %d: %w", j.line+1, err)
		}
		if len(b) == 0 && errors.Is(err, io.EOF) {
			return Row{}, io.EOF
		}
		j.line++
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		return parseJSONLine(j.line, b), nil
	}
}

// parseJSONLine reads one JSON Lines row.
func parseJSONLine(line int, b []byte) Row {
	row := Row{Line: line}
	if !utf8.Valid(b) {
		row.Err = &RowError{Line: line, Reason: "line is not valid UTF-8"}
		return row
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		row.Err = &RowError{Line: line, Reason: "not a JSON listing: want one JSON object per line"}
		return row
	}
	if err := json.Unmarshal(b, &row.Raw); err != nil {
		row.Raw = listing.Raw{}
		row.Err = &RowError{Line: line, Field: jsonField(err), Reason: "not a JSON listing", Detail: err.Error()}
	}
	return row
}

// jsonField names the field a JSON error is about, when it says.
func jsonField(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return te.Field
	}
	return ""
}

var errTooLong = errors.New("line too long")

// readLine returns the next line without its newline; a line longer than
// MaxRow is consumed and reported as errTooLong.
func (j *jsonlReader) readLine() ([]byte, error) {
	j.buf = j.buf[:0]
	for {
		chunk, err := j.br.ReadSlice('\n')
		if len(j.buf)+len(chunk) > MaxRow {
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = j.br.ReadSlice('\n')
			}
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, err
			}
			return nil, errTooLong
		}
		j.buf = append(j.buf, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		b := j.buf
		if n := len(b); n > 0 && b[n-1] == '\n' {
			b = b[:n-1]
			if n := len(b); n > 0 && b[n-1] == '\r' {
				b = b[:n-1]
			}
		}
		return b, err
	}
}
