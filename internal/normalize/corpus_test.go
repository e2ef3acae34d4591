package normalize

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"anken/internal/listing"
)

// corpusNow is the time relative dates in the corpus are read against: a
// Thursday.
var corpusNow = time.Date(2025, 11, 20, 10, 0, 0, 0, time.UTC)

// corpusFields maps each field file to the raw field it fills.
var corpusFields = map[string]func(*listing.Raw, listing.Value){
	"rate":     func(r *listing.Raw, v listing.Value) { r.Rate = v },
	"days":     func(r *listing.Raw, v listing.Value) { r.Days = v },
	"hours":    func(r *listing.Raw, v listing.Value) { r.Hours = v },
	"remote":   func(r *listing.Raw, v listing.Value) { r.Remote = v },
	"location": func(r *listing.Raw, v listing.Value) { r.Location = v },
	"skills":   func(r *listing.Raw, v listing.Value) { r.Skills = v },
	"role":     func(r *listing.Raw, v listing.Value) { r.Role = v },
	"contract": func(r *listing.Raw, v listing.Value) { r.Contract = v },
	"side_job": func(r *listing.Raw, v listing.Value) { r.SideJob = v },
	"start":    func(r *listing.Raw, v listing.Value) { r.Start = v },
}

// sourceKey is the Sources key of each raw field.
var sourceKey = map[string]string{
	"rate": "rate", "days": "days_per_week", "hours": "hours_per_month", "remote": "remote",
	"location": "prefecture", "skills": "skills", "role": "role", "contract": "contract",
	"side_job": "side_job_ok", "start": "start",
}

// show renders one field of a result the way the corpus writes it.
func show(res Result, field string) string {
	l := res.Listing
	switch field {
	case "rate":
		r := l.Rate
		var parts []string
		if r.Unit != "" {
			parts = append(parts, string(r.Unit)+" "+showRange(r.Min, r.Max))
		}
		if r.Negotiable {
			parts = append(parts, "negotiable")
		}
		if len(parts) == 0 {
			return "-"
		}
		return strings.Join(parts, " ")
	case "days":
		return showRange(int64(l.DaysPerWeek.Min), int64(l.DaysPerWeek.Max))
	case "hours":
		return showRange(int64(l.HoursPerMonth.Min), int64(l.HoursPerMonth.Max))
	case "remote":
		return orDash(string(l.Remote))
	case "location":
		return orDash(l.Prefecture)
	case "skills":
		return orDash(strings.Join(l.Skills, ","))
	case "role":
		return orDash(string(l.Role))
	case "contract":
		return orDash(string(l.Contract))
	case "side_job":
		if _, ok := res.Sources["side_job_ok"]; !ok {
			return "-"
		}
		if l.SideJobOK {
			return "yes"
		}
		return "no"
	case "start":
		return orDash(l.Start)
	}
	return "?"
}

func showRange(lo, hi int64) string {
	switch {
	case lo == 0 && hi == 0:
		return "-"
	case lo == hi:
		return strconv.FormatInt(lo, 10)
	case hi == 0:
		return strconv.FormatInt(lo, 10) + "-"
	case lo == 0:
		return "-" + strconv.FormatInt(hi, 10)
	}
	return strconv.FormatInt(lo, 10) + "-" + strconv.FormatInt(hi, 10)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// corpusCase is one line of a testdata file.
type corpusCase struct {
	pos   string // file:line
	field string
	raw   listing.Raw
	want  string
}

// readCorpus reads testdata/*.tsv: field files ("input<TAB>want", the input
// being that raw field's text) and desc.tsv ("field<TAB>title<TAB>description<TAB>want").
func readCorpus(t testing.TB) []corpusCase {
	t.Helper()
	files, err := filepath.Glob("testdata/*.tsv")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus in testdata: %v", err)
	}
	var cases []corpusCase
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".tsv")
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			line := sc.Text()
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			cols := strings.Split(line, "\t")
			c := corpusCase{pos: file + ":" + strconv.Itoa(n)}
			switch {
			case name == "desc" && len(cols) == 4:
				c.field, c.want = cols[0], cols[3]
				c.raw = listing.Raw{ExternalID: "x", Title: unescape(cols[1]), Description: unescape(cols[2])}
				if corpusFields[c.field] == nil {
					t.Fatalf("%s: unknown field %q", c.pos, c.field)
				}
			case corpusFields[name] != nil && len(cols) == 2:
				c.field, c.want = name, cols[1]
				c.raw = listing.Raw{ExternalID: "x", Title: "案件"}
				corpusFields[name](&c.raw, listing.TextValue(cols[0]))
			default:
				t.Fatalf("%s: cannot read %q", c.pos, line)
			}
			cases = append(cases, c)
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return cases
}

func unescape(s string) string { return strings.ReplaceAll(s, `\n`, "\n") }

func TestCorpus(t *testing.T) {
	cases := readCorpus(t)
	if len(cases) < 600 {
		t.Errorf("corpus has %d cases, want at least 600", len(cases))
	}
	failed := 0
	for _, c := range cases {
		res := NormalizeAt(c.raw, corpusNow)
		got := show(res, c.field)
		if got != c.want {
			failed++
			in := c.raw.Description
			if v := fieldText(c.raw, c.field); v != "" {
				in = v
			}
			t.Errorf("%s: %s %q: got %q, want %q", c.pos, c.field, in, got, c.want)
			continue
		}
		if err := consistent(res.Listing); err != "" {
			t.Errorf("%s: %s", c.pos, err)
		}
		if got != "-" && c.field != "side_job" {
			if _, ok := res.Sources[sourceKey[c.field]]; !ok {
				t.Errorf("%s: %s read but no source recorded", c.pos, c.field)
			}
		}
	}
	if failed > 0 {
		t.Logf("%d of %d cases failed", failed, len(cases))
	}
}

// fieldText returns the text a corpus case put in field, if any.
func fieldText(r listing.Raw, field string) string {
	var v listing.Value
	switch field {
	case "rate":
		v = r.Rate
	case "days":
		v = r.Days
	case "hours":
		v = r.Hours
	case "remote":
		v = r.Remote
	case "location":
		v = r.Location
	case "skills":
		v = r.Skills
	case "role":
		v = r.Role
	case "contract":
		v = r.Contract
	case "side_job":
		v = r.SideJob
	case "start":
		v = r.Start
	}
	s, _ := v.Text()
	return s
}

// consistent checks what must hold of any normalized listing: ordered
// ranges, monthly and hourly figures that follow from the quote.
func consistent(l listing.Listing) string {
	r := l.Rate
	switch {
	case r.Min < 0 || r.Max < 0:
		return "negative rate"
	case r.Min > 0 && r.Max > 0 && r.Min > r.Max:
		return "rate min > max"
	case (r.Min > 0 || r.Max > 0) && r.Unit == "":
		return "rate amount without unit"
	case r != listing.PayOf(r, l.DaysPerWeek, l.HoursPerMonth):
		return "monthly or hourly pay does not follow from the quote, days and hours"
	case l.Workload != listing.WorkloadOf(l.DaysPerWeek, l.HoursPerMonth):
		return "workload does not follow from days and hours"
	case r.Min == 0 && (r.MonthlyMin != 0 || r.HourlyMin != 0), r.Max == 0 && (r.MonthlyMax != 0 || r.HourlyMax != 0):
		return "monthly or hourly rate without amount"
	}
	for _, g := range []listing.Range{l.DaysPerWeek, l.HoursPerMonth} {
		if g.Min < 0 || g.Max < 0 || g.Min > 0 && g.Max > 0 && g.Min > g.Max {
			return "range out of order"
		}
	}
	return ""
}
