package guide

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"anken/internal/catalog"
)

// Kind is the kind of a piece of content.
type Kind string

const (
	KindGuide Kind = "guide" // 副業ガイド, by category slug
	KindRole  Kind = "role"  // 職種ページの記事, by listing.Role
)

// WorkDays is the days a month the monthly estimates assume (22日).
const WorkDays = 22

// MaxSource is the largest file (or edit) accepted, in bytes.
const MaxSource = 64 << 10

// Span is a run of inline text: plain, strong, or a link.
type Span struct {
	Text   string `json:"text"`
	Strong bool   `json:"strong,omitempty"`
	URL    string `json:"url,omitempty"` // a path on this site or an https URL
}

// Block is a paragraph ("p"), a sub-heading ("h3") or a list ("ul", "ol").
type Block struct {
	Kind  string   `json:"kind"`
	Text  []Span   `json:"text,omitempty"`  // p, h3
	Items [][]Span `json:"items,omitempty"` // ul, ol
}

// Section is one "## " section of a document.
type Section struct {
	ID       string  `json:"id"`
	Heading  string  `json:"heading"`
	Markdown string  `json:"markdown"`
	Blocks   []Block `json:"-"`
}

// QA is one question of a document's FAQ (よくある質問).
type QA struct {
	Question string  `json:"question"`
	Answer   string  `json:"answer"` // Markdown
	Blocks   []Block `json:"-"`
}

// sectionSpec names a required section: its id and its heading as written.
type sectionSpec struct{ ID, Heading string }

// Sections are the required sections of each kind, in the order a file
// must have them.
var Sections = map[Kind][]sectionSpec{
	KindGuide: {
		{"work", "どんな仕事か"},
		{"ai", "AIとの相性"},
		{"styles", "副業の形"},
		{"skills", "必要なスキルと収入の伸ばし方"},
		{"risks", "リスクと注意点"},
		{"first_result", "最初の成果までの期間"},
		{"tools", "よく使うツール"},
		{"first_steps", "はじめの3ステップ"},
		{"pitfalls", "つまずきやすい点"},
		{"faq", "よくある質問"},
	},
	KindRole: {
		{"what", "どんな仕事か"},
		{"differences", "近い職種との違い"},
		{"work", "主な業務"},
		{"skills", "必要なスキル"},
		{"suits", "向いている人"},
		{"start", "はじめ方"},
		{"certifications", "役立つ資格"},
		{"career", "キャリアパス"},
		{"faq", "よくある質問"},
	},
}

// Score is one of a guide's five 0–100 scores.
type Score struct {
	Key   string `json:"key"`  // income, ease, continuity, flexibility, safety
	Name  string `json:"name"` // 収益性, …
	Value int    `json:"value"`
}

// scoreNames are the five scores, in display order.
var scoreNames = []struct{ Key, Name string }{
	{"income", "収益性"},
	{"ease", "始めやすさ"},
	{"continuity", "継続性"},
	{"flexibility", "時間の柔軟性"},
	{"safety", "リスクの低さ"},
}

// MaxTotal is the highest total a guide can score (five times 100).
const MaxTotal = 500

// Tier is one income tier of a guide: who earns what per hour, for how
// many hours a day, and the monthly estimate that gives.
type Tier struct {
	ID         string `json:"id"`   // entry, mid, senior, …
	Name       string `json:"name"` // 初級, 中級, …
	HourlyMin  int64  `json:"hourly_min"`
	HourlyMax  int64  `json:"hourly_max"`
	HoursMin   int    `json:"hours_per_day_min"`
	HoursMax   int    `json:"hours_per_day_max"`
	Note       string `json:"note,omitempty"`
	MonthlyMin int64  `json:"monthly_min" doc:"hourly_min × hours_per_day_min × 22"`
	MonthlyMax int64  `json:"monthly_max" doc:"hourly_max × hours_per_day_max × 22"`
}

// Monthly is the monthly income of hourly yen for hours a day on days a
// month: hourly × hours × days.
func Monthly(hourly int64, hours, days int) int64 { return hourly * int64(hours) * int64(days) }

// Limits of a tier.
const (
	minHourly = 500
	maxHourly = 30_000
	maxHours  = 8
	maxTiers  = 5
)

// Error is a fault in a content file: its line (1-based, 0 for the file
// as a whole) and what is wrong.
type Error struct {
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return e.Msg
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
}

func errorf(line int, format string, args ...any) *Error {
	return &Error{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// doc is a parsed file before its kind's fields are checked.
type doc struct {
	meta     map[string][]metaValue
	sections []Section
	faq      []QA
}

type metaValue struct {
	line  int
	value string
}

// frontKeys are the front-matter keys each kind takes; tier may repeat.
var frontKeys = map[Kind][]string{
	KindGuide: {"title", "lead", "search", "income", "ease", "continuity", "flexibility", "safety", "ai", "tier"},
	KindRole:  {"title", "lead"},
}

// parse reads a file of the kind: front matter, then the sections.
func parse(kind Kind, src string) (doc, error) {
	if len(src) > MaxSource {
		return doc{}, errorf(0, "the file is %d bytes; at most %d", len(src), MaxSource)
	}
	if !utf8.ValidString(src) {
		return doc{}, errorf(0, "the file is not valid UTF-8")
	}
	src = strings.ReplaceAll(src, "\r\n", "\n")
	lines := strings.Split(src, "\n")
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "---" {
		return doc{}, errorf(1, `the file must start with a "---" line opening the front matter`)
	}
	d := doc{meta: map[string][]metaValue{}}
	i := 1
	for ; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		if line == "---" {
			break
		}
		if strings.HasPrefix(line, "## ") {
			break
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" {
			return doc{}, errorf(i+1, `want "key: value" in the front matter, got %q`, line)
		}
		if !slices.Contains(frontKeys[kind], k) {
			return doc{}, errorf(i+1, "unknown key %q; a %s takes %s", k, kind, strings.Join(frontKeys[kind], ", "))
		}
		if len(d.meta[k]) > 0 && k != "tier" {
			return doc{}, errorf(i+1, "key %q given twice", k)
		}
		d.meta[k] = append(d.meta[k], metaValue{i + 1, v})
	}
	if i == len(lines) || strings.TrimSpace(lines[i]) != "---" {
		return doc{}, errorf(1, `the front matter is not closed by a "---" line`)
	}
	if err := d.parseSections(kind, lines, i+1); err != nil {
		return doc{}, err
	}
	return d, nil
}

// parseSections reads the "## " sections from lines[start:].
func (d *doc) parseSections(kind Kind, lines []string, start int) error {
	specs := Sections[kind]
	type raw struct {
		line  int
		spec  sectionSpec
		lines []string
		first int // line number of lines[0]
	}
	var secs []raw
	for n := start; n < len(lines); n++ {
		line := strings.TrimRight(lines[n], " \t")
		if h, ok := strings.CutPrefix(line, "## "); ok {
			h = strings.TrimSpace(h)
			at := slices.IndexFunc(specs, func(s sectionSpec) bool { return s.Heading == h })
			if at < 0 {
				return errorf(n+1, "unknown section %q; a %s has: %s", h, kind, headings(specs))
			}
			if len(secs) > 0 && slices.Index(specs, secs[len(secs)-1].spec) >= at {
				return errorf(n+1, "section %q is out of order or repeated; the order is: %s", h, headings(specs))
			}
			secs = append(secs, raw{line: n + 1, spec: specs[at], first: n + 2})
			continue
		}
		if len(secs) == 0 {
			if strings.TrimSpace(line) != "" {
				return errorf(n+1, `text before the first "## " section`)
			}
			continue
		}
		secs[len(secs)-1].lines = append(secs[len(secs)-1].lines, line)
	}
	for _, spec := range specs {
		if !slices.ContainsFunc(secs, func(r raw) bool { return r.spec == spec }) {
			return errorf(0, "section %q (## %s) is missing", spec.ID, spec.Heading)
		}
	}
	for _, r := range secs {
		md := strings.TrimSpace(strings.Join(r.lines, "\n"))
		if md == "" {
			return errorf(r.line, "section %q is empty", r.spec.Heading)
		}
		blocks, err := parseBlocks(r.lines, r.first)
		if err != nil {
			return err
		}
		s := Section{ID: r.spec.ID, Heading: r.spec.Heading, Markdown: md, Blocks: blocks}
		switch s.ID {
		case "faq":
			if d.faq, err = parseFAQ(r.lines, r.first); err != nil {
				return err
			}
		case "first_steps":
			lists := 0
			for _, b := range blocks {
				if b.Kind == "ol" {
					lists++
					if len(b.Items) != 3 {
						return errorf(r.line, "はじめの3ステップ lists %d steps; want exactly 3", len(b.Items))
					}
				}
			}
			if lists != 1 {
				return errorf(r.line, `はじめの3ステップ must hold one numbered list ("1. …") of three steps`)
			}
		}
		if s.ID != "faq" && slices.ContainsFunc(blocks, func(b Block) bool { return b.Kind == "h3" }) {
			return errorf(r.line, `"### " headings belong in よくある質問 only`)
		}
		d.sections = append(d.sections, s)
	}
	return nil
}

func headings(specs []sectionSpec) string {
	var hs []string
	for _, s := range specs {
		hs = append(hs, s.Heading)
	}
	return strings.Join(hs, ", ")
}

// parseFAQ reads "### question" headings, each followed by its answer.
func parseFAQ(lines []string, first int) ([]QA, error) {
	var out []QA
	var answer []string
	var qline int
	flush := func() error {
		if len(out) == 0 {
			return nil
		}
		q := &out[len(out)-1]
		q.Answer = strings.TrimSpace(strings.Join(answer, "\n"))
		if q.Answer == "" {
			return errorf(qline, "question %q has no answer", q.Question)
		}
		var err error
		q.Blocks, err = parseBlocks(answer, qline+1)
		return err
	}
	for n, line := range lines {
		if q, ok := strings.CutPrefix(line, "### "); ok {
			if err := flush(); err != nil {
				return nil, err
			}
			out = append(out, QA{Question: strings.TrimSpace(q)})
			answer, qline = nil, first+n
			continue
		}
		if len(out) == 0 {
			if strings.TrimSpace(line) != "" {
				return nil, errorf(first+n, `よくある質問 must start with a "### " question`)
			}
			continue
		}
		answer = append(answer, line)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if len(out) < 2 {
		return nil, errorf(first-1, "よくある質問 has %d questions; want at least 2", len(out))
	}
	return out, nil
}

var olItem = regexp.MustCompile(`^\d{1,2}\. `)

// parseBlocks reads paragraphs, "### " sub-headings and lists. A
// paragraph's lines are joined: without a space between Japanese text,
// with one between ASCII words.
func parseBlocks(lines []string, first int) ([]Block, error) {
	var out []Block
	var para []string
	var paraLine int
	flush := func() error {
		if len(para) == 0 {
			return nil
		}
		text := para[0]
		for _, l := range para[1:] {
			last, _ := utf8.DecodeLastRuneInString(text)
			next, _ := utf8.DecodeRuneInString(l)
			if last < utf8.RuneSelf && next < utf8.RuneSelf {
				text += " "
			}
			text += l
		}
		spans, err := parseInline(text, paraLine)
		if err != nil {
			return err
		}
		out = append(out, Block{Kind: "p", Text: spans})
		para = nil
		return nil
	}
	item := func(kind, text string, n int) error {
		spans, err := parseInline(strings.TrimSpace(text), n)
		if err != nil {
			return err
		}
		if len(out) == 0 || out[len(out)-1].Kind != kind || len(para) > 0 {
			if err := flush(); err != nil {
				return err
			}
			out = append(out, Block{Kind: kind})
		}
		out[len(out)-1].Items = append(out[len(out)-1].Items, spans)
		return nil
	}
	lastBlank := true
	for i, raw := range lines {
		n := first + i
		line := strings.TrimSpace(raw)
		switch {
		case line == "":
			if err := flush(); err != nil {
				return nil, err
			}
			lastBlank = true
			continue
		case strings.HasPrefix(line, "### "):
			if err := flush(); err != nil {
				return nil, err
			}
			spans, err := parseInline(strings.TrimSpace(line[4:]), n)
			if err != nil {
				return nil, err
			}
			out = append(out, Block{Kind: "h3", Text: spans})
		case strings.HasPrefix(line, "#"):
			return nil, errorf(n, `only "## " sections and "### " questions are headings here`)
		case strings.HasPrefix(line, "- "), strings.HasPrefix(line, "* "):
			if err := item("ul", line[2:], n); err != nil {
				return nil, err
			}
		case olItem.MatchString(line):
			_, text, _ := strings.Cut(line, ". ")
			if err := item("ol", text, n); err != nil {
				return nil, err
			}
		default:
			if !lastBlank && len(para) == 0 && len(out) > 0 && (out[len(out)-1].Kind == "ul" || out[len(out)-1].Kind == "ol") {
				// A line right under a list item continues it.
				l := &out[len(out)-1]
				spans, err := parseInline(line, n)
				if err != nil {
					return nil, err
				}
				last := &l.Items[len(l.Items)-1]
				*last = append(*last, spans...)
				break
			}
			if len(para) == 0 {
				paraLine = n
			}
			para = append(para, line)
		}
		lastBlank = false
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

// parseInline reads **strong** text and [links](/path) in s.
func parseInline(s string, line int) ([]Span, error) {
	var out []Span
	text := func(t string) {
		if t == "" {
			return
		}
		if len(out) > 0 && !out[len(out)-1].Strong && out[len(out)-1].URL == "" {
			out[len(out)-1].Text += t
			return
		}
		out = append(out, Span{Text: t})
	}
	for s != "" {
		i := strings.IndexAny(s, "*[")
		if i < 0 {
			text(s)
			break
		}
		text(s[:i])
		s = s[i:]
		switch {
		case strings.HasPrefix(s, "**"):
			end := strings.Index(s[2:], "**")
			if end <= 0 {
				return nil, errorf(line, "unclosed ** in %q", s)
			}
			out = append(out, Span{Text: s[2 : 2+end], Strong: true})
			s = s[2+end+2:]
		case s[0] == '[':
			close := strings.Index(s, "](")
			end := strings.IndexByte(s, ')')
			if close < 0 || end < close || strings.ContainsAny(s[1:close], "[]") {
				text("[")
				s = s[1:]
				continue
			}
			label, url := s[1:close], s[close+2:end]
			if !validURL(url) {
				return nil, errorf(line, "link %q: use a path on this site (/search?…) or an https:// URL", url)
			}
			if label == "" {
				return nil, errorf(line, "link to %q has no text", url)
			}
			out = append(out, Span{Text: label, URL: url})
			s = s[end+1:]
		default: // a single *
			text(s[:1])
			s = s[1:]
		}
	}
	return out, nil
}

func validURL(u string) bool {
	if strings.ContainsAny(u, " \t\"'<>`\\") {
		return false
	}
	return strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//") || strings.HasPrefix(u, "https://") && len(u) > len("https://")
}

// text returns the one value of a front-matter key.
func (d doc) text(key string, maxRunes int) (string, error) {
	vs := d.meta[key]
	if len(vs) == 0 || vs[0].value == "" {
		return "", errorf(0, "front matter: %q is missing", key)
	}
	if n := utf8.RuneCountInString(vs[0].value); n > maxRunes {
		return "", errorf(vs[0].line, "%q is %d characters; at most %d", key, n, maxRunes)
	}
	return vs[0].value, nil
}

// score returns a 0–100 front-matter value.
func (d doc) score(key string) (int, error) {
	v, err := d.text(key, 3)
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 100 {
		return 0, errorf(d.meta[key][0].line, "%q is %q; want a whole number from 0 to 100", key, v)
	}
	return n, nil
}

var tierID = regexp.MustCompile(`^[a-z][a-z0-9_]{0,19}$`)

// tiers reads the tier lines: id | name | hourly min-max | hours min-max | note.
func (d doc) tiers() ([]Tier, error) {
	vs := d.meta["tier"]
	if len(vs) == 0 {
		return nil, errorf(0, `front matter: no "tier"; a guide has 1 to %d`, maxTiers)
	}
	if len(vs) > maxTiers {
		return nil, errorf(vs[maxTiers].line, "%d tiers; at most %d", len(vs), maxTiers)
	}
	var out []Tier
	for _, v := range vs {
		f := strings.Split(v.value, "|")
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		if len(f) < 4 || len(f) > 5 {
			return nil, errorf(v.line, "tier %q: want id | name | hourly min-max | hours a day min-max | note", v.value)
		}
		t := Tier{ID: f[0], Name: f[1]}
		if len(f) == 5 {
			t.Note = f[4]
		}
		if !tierID.MatchString(t.ID) {
			return nil, errorf(v.line, "tier id %q: use a-z, 0-9 and _ (entry, mid, senior)", t.ID)
		}
		if slices.ContainsFunc(out, func(o Tier) bool { return o.ID == t.ID }) {
			return nil, errorf(v.line, "tier id %q given twice", t.ID)
		}
		if t.Name == "" || utf8.RuneCountInString(t.Name) > 20 {
			return nil, errorf(v.line, "tier %q: the name must be 1 to 20 characters", t.ID)
		}
		lo, hi, err := minMax(f[2])
		if err != nil || lo < minHourly || hi > maxHourly {
			return nil, errorf(v.line, "tier %q: hourly %q; want min-max in yen between %d and %d, min ≤ max", t.ID, f[2], minHourly, maxHourly)
		}
		t.HourlyMin, t.HourlyMax = lo, hi
		lo, hi, err = minMax(f[3])
		if err != nil || lo < 1 || hi > maxHours {
			return nil, errorf(v.line, "tier %q: hours a day %q; want min-max between 1 and %d, min ≤ max", t.ID, f[3], maxHours)
		}
		t.HoursMin, t.HoursMax = int(lo), int(hi)
		if len(out) > 0 {
			prev := out[len(out)-1]
			if t.HourlyMin <= prev.HourlyMin || t.HourlyMax < prev.HourlyMax {
				return nil, errorf(v.line, "tier %q pays no more than %q before it; list tiers from the lowest pay up", t.ID, prev.ID)
			}
		}
		t.MonthlyMin = Monthly(t.HourlyMin, t.HoursMin, WorkDays)
		t.MonthlyMax = Monthly(t.HourlyMax, t.HoursMax, WorkDays)
		out = append(out, t)
	}
	return out, nil
}

// minMax reads "2000-3500", "2,000〜3,500" or a single "3000".
func minMax(s string) (int64, int64, error) {
	s = strings.NewReplacer(",", "", "〜", "-", "~", "-", "–", "-", " ", "").Replace(s)
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		b = a
	}
	lo, err := strconv.ParseInt(a, 10, 64)
	if err != nil {
		return 0, 0, err
	}
	hi, err := strconv.ParseInt(b, 10, 64)
	if err != nil {
		return 0, 0, err
	}
	if lo > hi {
		return 0, 0, fmt.Errorf("min %d > max %d", lo, hi)
	}
	return lo, hi, nil
}

// checkSearch checks a guide's search: a valid listing search.
func checkSearch(q string, line int) error {
	p, err := catalog.ParseQuery(q)
	if err == nil {
		p.SideJob = "true"
		_, err = p.Query()
	}
	if err != nil {
		return errorf(line, "search %q is not a valid listing search: %v", q, err)
	}
	return nil
}
