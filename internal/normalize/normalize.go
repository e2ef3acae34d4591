// Package normalize turns a raw listing, as an agency sends it, into a
// listing: it reads each optional field whether it came structured
// ({"unit": "month", "min": 600000}) or as free text (月額60万〜70万円), and
// infers the fields the agency left out from the title and description.
// It never fails as a whole: a field it cannot read stays empty and a
// Warning names the text. It does not validate; callers call
// Listing.Validate.
//
// Text is matched after fold (NFKC, lower case, one tilde and one dash).
// The words it looks for live in data files: skills in
// internal/skill/skills.tsv, places in internal/place/*.tsv, and the words
// of work style, role, contract, side job, pay and start in keywords.tsv.
// All of them are found in one pass over the text (dict); numbers (rates,
// days, hours, dates) are read by small hand-written parsers.
//
// Normalize is safe for concurrent use.
package normalize

import (
	"strings"
	"time"
	"unicode/utf8"

	"anken/internal/listing"
)

// Source says how a field's value was found.
type Source string

const (
	Given    Source = "given"    // structured value the agency sent
	Parsed   Source = "parsed"   // read from the agency's free text for that field
	Inferred Source = "inferred" // found in title/description, or a default
)

// Warning names raw text that could not be read; the field stays empty.
type Warning struct {
	Field  string `json:"field"` // raw field name, e.g. "rate"
	Text   string `json:"text"`  // the text (shortened to ~80 chars)
	Reason string `json:"reason"`
}

// Result is a normalized listing. It marshals to JSON as the listing's own
// fields (embedded) plus "sources" and "warnings".
type Result struct {
	listing.Listing
	// Sources is keyed by the listing's JSON field name: "rate", "remote",
	// "days_per_week", "hours_per_month", "prefecture", "skills", "role",
	// "contract", "side_job_ok", "start", "experience".
	Sources  map[string]Source `json:"sources,omitempty"`
	Warnings []Warning         `json:"warnings,omitempty"`
}

// MaxPostedAhead is how far after now a posted_at may be. Clocks and time
// zones differ by hours, not days; a later one (9999-12-31) would keep the
// listing first in the newest sort for ever, so it is dropped with a
// warning and the listing keeps its stored posted_at (now, for a new one).
// Every way in (API, webhook, feed, import) normalizes here.
const MaxPostedAhead = 24 * time.Hour

// Normalize normalizes raw, reading relative dates (来月から) against the
// current time.
func Normalize(raw listing.Raw) Result {
	return NormalizeAt(raw, time.Now())
}

// NormalizeAt normalizes raw, reading relative dates against now.
func NormalizeAt(raw listing.Raw, now time.Time) Result {
	n := normalizer{now: now}
	n.run(raw)
	return n.res
}

// normalizer holds the state of one Normalize call.
type normalizer struct {
	now      time.Time
	res      Result
	text     string // title and description, folded
	titleEnd int    // the title is text[:titleEnd]
	textHits []hit  // dictionary hits in text, read on first use
	scanned  bool
}

// hits returns the dictionary hits of the title and description.
func (n *normalizer) hits() []hit {
	if !n.scanned {
		n.textHits = lexicon.scan(n.text, false, make([]hit, 0, 32))
		n.scanned = true
	}
	return n.textHits
}

func (n *normalizer) set(field string, src Source) {
	if n.res.Sources == nil {
		n.res.Sources = make(map[string]Source, 8)
	}
	n.res.Sources[field] = src
}

func (n *normalizer) warn(field, text, reason string) {
	n.res.Warnings = append(n.res.Warnings, Warning{Field: field, Text: shorten(text), Reason: reason})
}

func (n *normalizer) run(raw listing.Raw) {
	l := &n.res.Listing
	l.ExternalID = strings.TrimSpace(raw.ExternalID)
	// Control characters by the one rule of text at the edge: a title is
	// one line, a description keeps its line breaks as \n.
	l.Title = listing.OneLine(raw.Title)
	l.Description = listing.Lines(raw.Description)
	l.ApplyURL = strings.TrimSpace(raw.ApplyURL)
	l.Status = listing.StatusOpen
	if raw.PostedAt != "" {
		switch t, ok := parseTime(raw.PostedAt); {
		case !ok:
			n.warn("posted_at", raw.PostedAt, "not an RFC 3339 time or YYYY-MM-DD date")
		case t.After(n.now.Add(MaxPostedAhead)):
			n.warn("posted_at", raw.PostedAt, "more than a day after now; the stored posted_at is kept (now for a new listing)")
		default:
			l.PostedAt = t
		}
	}
	if raw.ValidThrough != "" {
		if t, ok := parseTime(raw.ValidThrough); ok {
			l.ValidThrough = &t
		} else {
			n.warn("valid_through", raw.ValidThrough, "not an RFC 3339 time or YYYY-MM-DD date")
		}
	}
	n.fields(raw)
}

// parseTime reads an RFC 3339 time or a YYYY-MM-DD date (midnight UTC).
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	layout := time.RFC3339
	if len(s) == len(time.DateOnly) {
		layout = time.DateOnly
	}
	t, err := time.Parse(layout, s)
	return t, err == nil
}

// shorten cuts s to about 80 characters for a warning.
func shorten(s string) string {
	const max = 80
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max]) + "…"
}
