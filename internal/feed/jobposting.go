package feed

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"strconv"
	"strings"

	"anken/internal/listing"
)

// jobPostingReader reads schema.org JobPosting JSON-LD: a JSON array of
// JobPosting objects, one object, an object with "@graph", or objects one
// after another (JSON Lines). Items are numbered from 1 in Row.Line.
// Arrays are streamed item by item; a "@graph" object is read whole.
type jobPostingReader struct {
	br      *bufio.Reader
	dec     *json.Decoder
	inArray bool
	started bool
	item    int
	pending []json.RawMessage // items of a @graph not yet returned
}

func newJobPosting(r io.Reader) *jobPostingReader {
	br := bufio.NewReaderSize(r, 1<<20)
	return &jobPostingReader{br: br, dec: json.NewDecoder(br)}
}

func (j *jobPostingReader) Next() (Row, error) {
	for {
		if len(j.pending) > 0 {
			raw := j.pending[0]
			j.pending = j.pending[1:]
			j.item++
			return jobPostingRow(j.item, raw), nil
		}
		if !j.started {
			j.started = true
			if first, err := firstByte(j.br); err == nil && first == '[' {
				if _, err := j.dec.Token(); err != nil {
					return Row{}, fmt.Errorf("feed: JSON-LD: %w", err)
				}
				j.inArray = true
			}
		}
		if j.inArray && !j.dec.More() {
			if _, err := j.dec.Token(); err != nil { // the closing ]
				return Row{}, fmt.Errorf("feed: JSON-LD after item %d: %w", j.item, err)
			}
			j.inArray = false
			continue
		}
		var raw json.RawMessage
		if err := j.dec.Decode(&raw); err != nil {
			if errors.Is(err, io.EOF) && !j.inArray {
				return Row{}, io.EOF
			}
			return Row{}, fmt.Errorf("feed: JSON-LD item %d: %w", j.item+1, err)
		}
		if len(raw) > MaxRow {
			j.item++
			return Row{Line: j.item, Err: &RowError{Line: j.item, Reason: fmt.Sprintf("item is longer than %d bytes", MaxRow)}}, nil
		}
		var g struct {
			Graph []json.RawMessage `json:"@graph"`
		}
		if len(raw) > 0 && raw[0] == '{' && bytes.Contains(raw, []byte(`"@graph"`)) && json.Unmarshal(raw, &g) == nil && g.Graph != nil {
			j.pending = g.Graph
			continue
		}
		j.item++
		return jobPostingRow(j.item, raw), nil
	}
}

// firstByte returns the first byte that is not white space, without
// consuming it.
func firstByte(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		if b != ' ' && b != '\t' && b != '\n' && b != '\r' && b != 0xef && b != 0xbb && b != 0xbf {
			return b, br.UnreadByte()
		}
	}
}

// jobPosting is the part of schema.org JobPosting anken reads.
type jobPosting struct {
	Type            any             `json:"@type"`
	Identifier      json.RawMessage `json:"identifier"`
	Title           string          `json:"title"`
	Description     string          `json:"description"`
	DatePosted      string          `json:"datePosted"`
	ValidThrough    string          `json:"validThrough"`
	EmploymentType  json.RawMessage `json:"employmentType"`
	JobLocationType json.RawMessage `json:"jobLocationType"`
	JobLocation     json.RawMessage `json:"jobLocation"`
	BaseSalary      *struct {
		Currency string `json:"currency"`
		Value    struct {
			Value    *float64 `json:"value"`
			MinValue *float64 `json:"minValue"`
			MaxValue *float64 `json:"maxValue"`
			UnitText string   `json:"unitText"`
		} `json:"value"`
	} `json:"baseSalary"`
	Skills               json.RawMessage `json:"skills"`
	OccupationalCategory json.RawMessage `json:"occupationalCategory"`
	URL                  string          `json:"url"`
}

func jobPostingRow(item int, raw json.RawMessage) Row {
	row := Row{Line: item}
	fail := func(field, reason, detail string) Row {
		row.Err = &RowError{Line: item, Field: field, Reason: reason, Detail: detail}
		return row
	}
	if badText(string(raw)) && !bytes.Contains(raw, []byte(`\ufffd`)) {
		return fail("", "item is not valid UTF-8", "")
	}
	var p jobPosting
	if err := json.Unmarshal(raw, &p); err != nil {
		return fail(jsonField(err), "not a JobPosting object", err.Error())
	}
	r := &row.Raw
	r.ExternalID = identifier(p.Identifier)
	if r.ExternalID == "" {
		return fail("identifier", "is required: the posting's id in your system (identifier.value)", "")
	}
	if t, _ := p.Type.(string); t != "" && t != "JobPosting" {
		return fail("@type", "is not JobPosting", fmt.Sprintf("%q", t))
	}
	r.Title = strings.TrimSpace(html.UnescapeString(p.Title))
	r.Description = strings.TrimSpace(stripHTML(p.Description))
	r.PostedAt = strings.TrimSpace(p.DatePosted)
	r.ValidThrough = strings.TrimSpace(p.ValidThrough)
	r.ApplyURL = strings.TrimSpace(p.URL)
	if s := p.BaseSalary; s != nil {
		if s.Currency != "" && !strings.EqualFold(s.Currency, "JPY") {
			return fail("baseSalary.currency", "only JPY (yen) is accepted", fmt.Sprintf("got %q", s.Currency))
		}
		unit, ok := map[string]listing.RateUnit{"HOUR": listing.PerHour, "DAY": listing.PerDay,
			"MONTH": listing.PerMonth, "YEAR": listing.PerYear}[strings.ToUpper(s.Value.UnitText)]
		if !ok {
			return fail("baseSalary.value.unitText", "want HOUR, DAY, MONTH or YEAR", fmt.Sprintf("got %q", s.Value.UnitText))
		}
		lo, hi := s.Value.MinValue, s.Value.MaxValue
		if s.Value.Value != nil {
			lo, hi = s.Value.Value, s.Value.Value
		}
		if lo == nil && hi == nil {
			return fail("baseSalary.value", "has no value, minValue or maxValue", "")
		}
		rate := map[string]any{"unit": string(unit)}
		for name, v := range map[string]*float64{"min": lo, "max": hi} {
			if v == nil {
				continue
			}
			if *v < 0 || *v > 1e12 {
				return fail("baseSalary.value", "is not an amount of yen", name+" "+strconv.FormatFloat(*v, 'f', -1, 64))
			}
			rate[name] = int64(*v)
		}
		r.Rate, _ = listing.JSONValue(rate)
	}
	types := strings.ToUpper(strings.Join(stringList(p.EmploymentType), ","))
	switch {
	case strings.Contains(types, "CONTRACTOR"):
		r.Contract = listing.TextValue("業務委託")
	}
	if strings.Contains(types, "PART_TIME") {
		r.SideJob, _ = listing.JSONValue(true)
	}
	if strings.Contains(strings.ToUpper(strings.Join(stringList(p.JobLocationType), ",")), "TELECOMMUTE") {
		r.Remote = listing.TextValue("full")
	}
	r.Location = text(address(p.JobLocation))
	if sk := stringList(p.Skills); len(sk) > 0 {
		r.Skills, _ = listing.JSONValue(sk)
	}
	if oc := stringList(p.OccupationalCategory); len(oc) > 0 {
		r.Role = text(oc[0])
	}
	return row
}

// identifier reads "identifier": a string, a number or a PropertyValue
// {"value": …}.
func identifier(b json.RawMessage) string {
	var s string
	if json.Unmarshal(b, &s) == nil {
		return strings.TrimSpace(s)
	}
	var n json.Number
	if json.Unmarshal(b, &n) == nil {
		return n.String()
	}
	var pv struct {
		Value json.RawMessage `json:"value"`
	}
	if json.Unmarshal(b, &pv) == nil && pv.Value != nil {
		return identifier(pv.Value)
	}
	return ""
}

// stringList reads a string or an array of strings.
func stringList(b json.RawMessage) []string {
	var s string
	if json.Unmarshal(b, &s) == nil {
		if s = strings.TrimSpace(s); s != "" {
			return []string{s}
		}
		return nil
	}
	var list []string
	json.Unmarshal(b, &list)
	return list
}

// address reads jobLocation: a Place (or an array of them) with a
// PostalAddress; it returns region, locality and street run together as
// Japanese addresses are written (東京都渋谷区…).
func address(b json.RawMessage) string {
	type place struct {
		Address json.RawMessage `json:"address"`
	}
	var places []place
	if json.Unmarshal(b, &places) != nil {
		var p place
		if json.Unmarshal(b, &p) != nil {
			return ""
		}
		places = []place{p}
	}
	if len(places) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(places[0].Address, &s) == nil {
		return s
	}
	var a struct {
		Region   string `json:"addressRegion"`
		Locality string `json:"addressLocality"`
		Street   string `json:"streetAddress"`
	}
	json.Unmarshal(places[0].Address, &a)
	return a.Region + a.Locality + a.Street
}

// stripHTML turns HTML into text: tags dropped (block tags become line
// breaks), entities decoded.
func stripHTML(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			b.WriteString(s[i:])
			break
		}
		tag := strings.ToLower(strings.TrimLeft(s[i+1:i+j], "/"))
		if strings.HasPrefix(tag, "br") || strings.HasPrefix(tag, "p") || strings.HasPrefix(tag, "li") || strings.HasPrefix(tag, "div") {
			b.WriteByte('\n')
		}
		s = s[i+j+1:]
	}
	return html.UnescapeString(b.String())
}
