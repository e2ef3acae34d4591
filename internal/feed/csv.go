package feed

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/unicode/norm"

	"anken/internal/listing"
)

// columns are the usual header names of each raw field, compared after
// NFKC, lower-casing and dropping spaces, "_" and "-".
var columns = map[string][]string{
	"external_id":   {"externalid", "id", "案件id", "案件番号", "案件no", "求人id", "求人番号", "referencenumber"},
	"title":         {"title", "案件名", "タイトル", "件名", "求人タイトル"},
	"description":   {"description", "詳細", "案件詳細", "案件内容", "業務内容", "仕事内容"},
	"rate":          {"rate", "単価", "報酬", "月額", "月額単価", "salary"},
	"remote":        {"remote", "リモート", "リモート可否", "勤務形態"},
	"days":          {"days", "稼働日数", "稼働", "週稼働"},
	"hours":         {"hours", "精算幅", "稼働時間"},
	"location":      {"location", "勤務地", "場所", "最寄駅", "就業場所"},
	"skills":        {"skills", "スキル", "必須スキル", "言語", "使用技術"},
	"role":          {"role", "職種"},
	"contract":      {"contract", "契約形態"},
	"start":         {"start", "開始時期", "参画時期", "開始日"},
	"side_job":      {"sidejob", "副業", "副業可", "副業ok"},
	"experience":    {"experience", "経験年数", "必要経験年数", "必須経験"},
	"apply_url":     {"applyurl", "url", "応募url", "応募先"},
	"posted_at":     {"postedat", "掲載日", "公開日"},
	"valid_through": {"validthrough", "掲載期限", "締切", "募集期限"},
}

var columnOf = func() map[string]string {
	m := map[string]string{}
	for field, names := range columns {
		for _, n := range names {
			m[n] = field
		}
	}
	return m
}()

func headerKey(s string) string {
	s = strings.ToLower(norm.NFKC.String(strings.TrimSpace(s)))
	return strings.NewReplacer(" ", "", "_", "", "-", "", "　", "").Replace(s)
}

// csvReader reads a CSV feed with a header row naming its columns. The
// header is read by the first Next, so a feed whose header is wrong (an
// HTML page, another format) fails like any feed that cannot be read.
type csvReader struct {
	r         *csv.Reader
	guard     *guard
	customKey map[string]string // header key → raw field, from Options.Columns
	fields    []string          // raw field of each column, "" for ignored columns
	names     []string          // header name of each column
}

// guard fails a read when one record has taken more than MaxRow bytes, so a
// runaway quoted field cannot take all memory.
type guard struct {
	r     io.Reader
	read  int64
	start int64 // offset where the current record began
}

var errRowTooLong = fmt.Errorf("a row is longer than %d bytes", MaxRow)

func (g *guard) Read(p []byte) (int, error) {
	if g.read-g.start > MaxRow {
		return 0, errRowTooLong
	}
	n, err := g.r.Read(p)
	g.read += int64(n)
	return n, err
}

func newCSV(r io.Reader, custom map[string]string) (*csvReader, error) {
	g := &guard{r: r}
	cr := csv.NewReader(g)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	c := &csvReader{r: cr, guard: g, customKey: map[string]string{}}
	for name, field := range custom {
		if _, ok := columns[field]; !ok {
			return nil, fmt.Errorf("feed: column %q maps to %q, which is not a raw listing field", name, field)
		}
		c.customKey[headerKey(name)] = field
	}
	return c, nil
}

// readHeader reads the header row and maps its columns to raw fields.
func (c *csvReader) readHeader() error {
	head, err := c.r.Read()
	if errors.Is(err, io.EOF) {
		return errors.New("feed: CSV is empty: want a header row naming the columns")
	}
	if err != nil {
		return fmt.Errorf("feed: CSV header: %w", err)
	}
	c.guard.start = c.r.InputOffset()
	seen := map[string]string{}
	fields, names := make([]string, 0, len(head)), make([]string, 0, len(head))
	for _, h := range head {
		k := headerKey(h)
		field, ok := c.customKey[k]
		if !ok {
			field = columnOf[k]
		}
		if field != "" {
			if prev, dup := seen[field]; dup {
				return fmt.Errorf("feed: CSV columns %q and %q both map to %s", prev, h, field)
			}
			seen[field] = h
		}
		fields = append(fields, field)
		names = append(names, h)
	}
	if seen["external_id"] == "" || seen["title"] == "" {
		return fmt.Errorf("feed: CSV header %q lacks an external_id or title column: name them (e.g. 案件ID, 案件名) or map them", strings.Join(head, ","))
	}
	c.fields, c.names = fields, names
	return nil
}

func (c *csvReader) Next() (Row, error) {
	if c.fields == nil {
		if err := c.readHeader(); err != nil {
			return Row{}, err
		}
	}
	for {
		before := c.r.InputOffset()
		rec, err := c.r.Read()
		line, _ := c.r.FieldPos(0)
		c.guard.start = c.r.InputOffset()
		if errors.Is(err, io.EOF) {
			return Row{}, io.EOF
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) && !errors.Is(err, errRowTooLong) && c.r.InputOffset() > before {
			return Row{Line: pe.StartLine, Err: &RowError{Line: pe.StartLine, Reason: "not a CSV row: " + pe.Err.Error()}}, nil
		}
		if err != nil {
			return Row{}, fmt.Errorf("feed: CSV: %w", err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		return c.row(line, rec), nil
	}
}

func (c *csvReader) row(line int, rec []string) Row {
	row := Row{Line: line}
	r := &row.Raw
	for i, v := range rec {
		if i >= len(c.fields) || c.fields[i] == "" {
			continue
		}
		field := c.fields[i]
		if badText(v) && row.Err == nil {
			row.Err = &RowError{Line: line, Field: field, Reason: "is not valid text in the feed's encoding", Detail: fmt.Sprintf("column %q", c.names[i])}
		}
		v = strings.TrimSpace(v)
		switch field {
		case "external_id":
			r.ExternalID = v
		case "title":
			r.Title = v
		case "description":
			r.Description = v
		case "apply_url":
			r.ApplyURL = v
		case "posted_at":
			r.PostedAt = v
		case "valid_through":
			r.ValidThrough = v
		default:
			*rawValue(r, field) = text(v)
		}
	}
	return row
}

// rawValue returns the Value field of r named by its JSON name.
func rawValue(r *listing.Raw, field string) *listing.Value {
	switch field {
	case "rate":
		return &r.Rate
	case "remote":
		return &r.Remote
	case "days":
		return &r.Days
	case "hours":
		return &r.Hours
	case "location":
		return &r.Location
	case "skills":
		return &r.Skills
	case "role":
		return &r.Role
	case "contract":
		return &r.Contract
	case "start":
		return &r.Start
	case "side_job":
		return &r.SideJob
	case "experience":
		return &r.Experience
	}
	panic("feed: no raw field " + field)
}
