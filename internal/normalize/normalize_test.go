package normalize

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"anken/internal/listing"
)

func value(t *testing.T, v any) listing.Value {
	t.Helper()
	x, err := listing.JSONValue(v)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func TestNormalizeCopies(t *testing.T) {
	raw := listing.Raw{
		ExternalID:   " A-1 ",
		Title:        "Goバックエンド",
		Description:  "API開発",
		ApplyURL:     "https://example.com/a/1",
		PostedAt:     "2025-11-01T09:00:00+09:00",
		ValidThrough: "2025-12-31",
	}
	res := NormalizeAt(raw, corpusNow)
	l := res.Listing
	if l.ExternalID != "A-1" || l.Title != raw.Title || l.Description != raw.Description || l.ApplyURL != raw.ApplyURL {
		t.Errorf("copied fields: got %+v", l)
	}
	if l.Status != listing.StatusOpen {
		t.Errorf("status: got %q, want open", l.Status)
	}
	if want := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC); !l.PostedAt.Equal(want) {
		t.Errorf("posted_at: got %v, want %v", l.PostedAt, want)
	}
	if l.ValidThrough == nil || l.ValidThrough.Format(time.DateOnly) != "2025-12-31" {
		t.Errorf("valid_through: got %v", l.ValidThrough)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings: %+v", res.Warnings)
	}
}

func TestNormalizeGiven(t *testing.T) {
	raw := listing.Raw{
		ExternalID: "g1",
		Title:      "案件",
		Rate:       value(t, map[string]any{"unit": "hour", "min": 4000, "max": 6000, "negotiable": true}),
		Days:       value(t, map[string]any{"min": 2, "max": 3}),
		Hours:      value(t, 160),
		Skills:     value(t, []string{"Golang", "k8s", "ポスグレ", "C#", "C++", "JS"}),
		Role:       listing.TextValue("backend"),
		Remote:     listing.TextValue("partial"),
		Contract:   listing.TextValue("quasi_mandate"),
		SideJob:    value(t, true),
		Start:      listing.TextValue("2026-01-05"),
		Location:   listing.TextValue("JP-13"),
	}
	res := NormalizeAt(raw, corpusNow)
	l := res.Listing
	wantRate := listing.Rate{Unit: listing.PerHour, Min: 4000, Max: 6000, MonthlyMin: 640_000, MonthlyMax: 960_000, HourlyMin: 4000, HourlyMax: 6000, Negotiable: true}
	if l.Rate != wantRate {
		t.Errorf("rate: got %+v, want %+v", l.Rate, wantRate)
	}
	if l.DaysPerWeek != (listing.Range{Min: 2, Max: 3}) || l.HoursPerMonth != (listing.Range{Min: 160, Max: 160}) {
		t.Errorf("days, hours: got %+v %+v", l.DaysPerWeek, l.HoursPerMonth)
	}
	if want := []string{"go", "kubernetes", "postgresql", "csharp", "cpp", "javascript"}; !reflect.DeepEqual(l.Skills, want) {
		t.Errorf("skills: got %v, want %v", l.Skills, want)
	}
	if l.Role != listing.RoleBackend || l.Remote != listing.RemotePartial || l.Contract != listing.ContractQuasiMandate ||
		!l.SideJobOK || l.Start != "2026-01-05" || l.Prefecture != "JP-13" {
		t.Errorf("enums: got %+v", l)
	}
	for _, k := range []string{"rate", "days_per_week", "hours_per_month", "skills", "role", "remote", "contract", "side_job_ok", "start", "prefecture"} {
		if res.Sources[k] != Given {
			t.Errorf("source of %s: got %q, want given", k, res.Sources[k])
		}
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings: %+v", res.Warnings)
	}
	if err := l.Validate(); err != nil {
		t.Errorf("validate: %v", err)
	}
}

func TestNormalizeSources(t *testing.T) {
	raw := listing.Raw{
		ExternalID:  "s1",
		Title:       "【Go/AWS】決済基盤のバックエンドエンジニア",
		Description: "【単価】月額60万〜70万円\n【稼働】週5日\n【勤務地】東京都渋谷区（渋谷駅徒歩5分）\nリモート併用\n契約形態：準委任\n開始：即日〜",
		Rate:        listing.TextValue("〜80万円/月"),
	}
	res := NormalizeAt(raw, corpusNow)
	want := map[string]Source{
		"rate": Parsed, "days_per_week": Inferred, "prefecture": Inferred, "skills": Inferred, "role": Inferred,
		"remote": Inferred, "contract": Inferred, "start": Inferred,
	}
	for k, v := range want {
		if res.Sources[k] != v {
			t.Errorf("source of %s: got %q, want %q", k, res.Sources[k], v)
		}
	}
	if res.Rate.MonthlyMax != 800_000 || res.Rate.MonthlyMin != 0 {
		t.Errorf("rate field wins over description: got %+v", res.Rate)
	}
	if res.Location != "東京都渋谷区" {
		t.Errorf("location: got %q", res.Location)
	}
	if err := res.Listing.Validate(); err != nil {
		t.Errorf("validate: %v", err)
	}
}

func TestNormalizeWarnings(t *testing.T) {
	long := strings.Repeat("高単価案件です。", 30)
	raw := listing.Raw{
		ExternalID:   "w1",
		Title:        "案件",
		Rate:         listing.TextValue(long),
		Days:         listing.TextValue("たくさん"),
		Hours:        value(t, map[string]any{"from": 140}),
		Remote:       value(t, []string{"full"}),
		Location:     listing.TextValue("どこか"),
		Skills:       value(t, []string{"Go", "Klingon"}),
		Role:         listing.TextValue("勇者"),
		Contract:     listing.TextValue("正社員"),
		SideJob:      listing.TextValue("たぶん"),
		Start:        listing.TextValue("いつか"),
		PostedAt:     "yesterday",
		ValidThrough: "2025-13-01",
	}
	res := NormalizeAt(raw, corpusNow)
	got := map[string]Warning{}
	for _, w := range res.Warnings {
		got[w.Field] = w
	}
	for _, f := range []string{"rate", "days", "hours", "remote", "location", "skills", "role", "contract", "side_job", "start", "posted_at", "valid_through"} {
		w, ok := got[f]
		if !ok {
			t.Errorf("no warning for %s", f)
			continue
		}
		if w.Reason == "" || w.Text == "" {
			t.Errorf("warning for %s: %+v", f, w)
		}
	}
	if w := got["rate"]; len([]rune(w.Text)) > 81 {
		t.Errorf("warning text not shortened: %d runes", len([]rune(w.Text)))
	}
	if w := got["skills"]; w.Text != "Klingon" {
		t.Errorf("skills warning names %q, want Klingon", w.Text)
	}
	if !reflect.DeepEqual(res.Skills, []string{"go"}) {
		t.Errorf("known skills kept: got %v", res.Skills)
	}
	l := res.Listing
	if l.Rate.Known() || l.DaysPerWeek.Known() || l.HoursPerMonth.Known() || l.Remote != "" || l.Prefecture != "" ||
		l.Role != "" || l.Contract != "" || l.Start != "" || !l.PostedAt.IsZero() || l.ValidThrough != nil {
		t.Errorf("unreadable fields must stay empty: %+v", l)
	}
	if l.Location != "どこか" {
		t.Errorf("location text kept: got %q", l.Location)
	}
}

func TestResultJSON(t *testing.T) {
	res := NormalizeAt(listing.Raw{ExternalID: "j1", Title: "Go", Rate: listing.TextValue("月額60万円"), Days: listing.TextValue("??")}, corpusNow)
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"external_id", "title", "rate", "status", "sources", "warnings"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON has no %q: %s", k, b)
		}
	}
	if _, ok := m["Listing"]; ok {
		t.Errorf("listing not embedded: %s", b)
	}
	if m["sources"].(map[string]any)["rate"] != "parsed" {
		t.Errorf("sources: %s", b)
	}
}

func TestStructuredRate(t *testing.T) {
	for _, c := range []struct {
		v    any
		want listing.Rate
		warn bool
	}{
		{map[string]any{"unit": "month", "min": 600000, "max": 700000}, listing.Rate{Unit: "month", Min: 600000, Max: 700000, MonthlyMin: 600000, MonthlyMax: 700000, HourlyMin: 3750, HourlyMax: 4375}, false},
		{map[string]any{"unit": "day", "min": 30000}, listing.Rate{Unit: "day", Min: 30000, MonthlyMin: 600000, HourlyMin: 3750}, false},
		{map[string]any{"unit": "year", "max": 9000000}, listing.Rate{Unit: "year", Max: 9000000, MonthlyMax: 750000, HourlyMax: 4687}, false},
		{map[string]any{"unit": "month", "min": 700000, "max": 600000}, listing.Rate{Unit: "month", Min: 600000, Max: 700000, MonthlyMin: 600000, MonthlyMax: 700000, HourlyMin: 3750, HourlyMax: 4375}, false},
		{map[string]any{"negotiable": true}, listing.Rate{Negotiable: true}, false},
		{700000, listing.Rate{Unit: "month", Min: 700000, Max: 700000, MonthlyMin: 700000, MonthlyMax: 700000, HourlyMin: 4375, HourlyMax: 4375}, false},
		{map[string]any{"unit": "week", "min": 1}, listing.Rate{}, true},
		{map[string]any{"unit": "month", "min": -5}, listing.Rate{}, true},
		{map[string]any{"yen": 5}, listing.Rate{}, true},
		{true, listing.Rate{}, true},
		{-3, listing.Rate{}, true},
	} {
		res := NormalizeAt(listing.Raw{ExternalID: "r", Title: "t", Rate: value(t, c.v)}, corpusNow)
		if res.Rate != c.want || (len(res.Warnings) > 0) != c.warn {
			t.Errorf("rate %v: got %+v, warnings %v; want %+v, warning %v", c.v, res.Rate, res.Warnings, c.want, c.warn)
		}
	}
}

func TestStructuredRanges(t *testing.T) {
	for _, c := range []struct {
		v    any
		want listing.Range
		warn bool
	}{
		{5, listing.Range{Min: 5, Max: 5}, false},
		{map[string]any{"min": 3, "max": 5}, listing.Range{Min: 3, Max: 5}, false},
		{map[string]any{"min": 5, "max": 3}, listing.Range{Min: 3, Max: 5}, false},
		{map[string]any{"min": 2}, listing.Range{Min: 2}, false},
		{map[string]any{"min": -1}, listing.Range{}, true},
		{[]int{3, 5}, listing.Range{}, true},
	} {
		res := NormalizeAt(listing.Raw{ExternalID: "d", Title: "t", Days: value(t, c.v)}, corpusNow)
		if res.DaysPerWeek != c.want || (len(res.Warnings) > 0) != c.warn {
			t.Errorf("days %v: got %+v, warnings %v; want %+v", c.v, res.DaysPerWeek, res.Warnings, c.want)
		}
	}
}

func TestNormalizeUsesNow(t *testing.T) {
	raw := listing.Raw{ExternalID: "n", Title: "t", Start: listing.TextValue("来月から")}
	now := time.Now()
	want := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	if got := Normalize(raw).Start; got != want {
		t.Errorf("Normalize start 来月から: got %q, want %q", got, want)
	}
}

func TestReadableButEmpty(t *testing.T) {
	for _, c := range []struct {
		field string
		raw   listing.Raw
	}{
		{"start", listing.Raw{Start: listing.TextValue("応相談")}},
		{"start", listing.Raw{Start: listing.TextValue("長期")}},
		{"location", listing.Raw{Location: listing.TextValue("フルリモート")}},
		{"rate", listing.Raw{Rate: listing.TextValue("要相談")}},
	} {
		c.raw.ExternalID, c.raw.Title = "e", "t"
		if res := NormalizeAt(c.raw, corpusNow); len(res.Warnings) > 0 {
			t.Errorf("%s: want no warning, got %+v", c.field, res.Warnings)
		}
	}
}

func TestLexiconErrors(t *testing.T) {
	for _, text := range []string{
		"remote\tfull\tany\n",                                // too few fields
		"colour\tred\tany\t赤\n",                              // unknown field
		"remote\tsometimes\tany\tたまに\n",                      // unknown value
		"role\tbackend\tmaybe\tバックエンド\n",                     // bad where
		"contract\tdispatch\tany\t派遣||請負\n",                  // empty term
		"role\tbackend\tskill\tno-such-skill\n",              // not a skill slug
		"remote\tfull\tskill\tgo\n",                          // skill rows are for roles
		"role\tbackend\tskill\tgo\nrole\tinfra\tskill\tgo\n", // one role a skill
	} {
		if _, err := buildLexicon(text); err == nil {
			t.Errorf("buildLexicon(%q): want an error", text)
		}
	}
	if _, err := buildLexicon(keywordData); err != nil {
		t.Errorf("keywords.tsv: %v", err)
	}
}

func TestTextOf(t *testing.T) {
	for _, s := range []string{"", "月額60万円", `quote " and \ slash`, "tab\there", "\u2028", "<>&"} {
		v := listing.TextValue(s)
		got, ok := textOf(v)
		want, _ := v.Text()
		if !ok || got != want || got != s {
			t.Errorf("textOf(%q) = %q, %v; want %q", s, got, ok, want)
		}
	}
	if _, ok := textOf(value(t, 5)); ok {
		t.Errorf("textOf(5): want not text")
	}
}

// TestPostedAtWindow: a posted_at more than a day after now is dropped with
// a warning, so the store keeps the listing's stored posted_at; anything
// up to a day ahead (clocks, time zones) is taken as given.
func TestPostedAtWindow(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name, posted string
		want         time.Time // zero: dropped
		warn         bool
	}{
		{"past", "2026-11-20T10:00:00+09:00", time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC), false},
		{"now", "2026-12-01T09:00:00Z", now, false},
		{"an hour ahead", "2026-12-01T10:00:00Z", now.Add(time.Hour), false},
		{"exactly a day ahead", "2026-12-02T09:00:00Z", now.Add(24 * time.Hour), false},
		{"a day and a second ahead", "2026-12-02T09:00:01Z", time.Time{}, true},
		{"next year", "2027-12-01", time.Time{}, true},
		{"end of time", "9999-12-31", time.Time{}, true},
		{"end of time RFC 3339", "9999-12-31T23:59:59Z", time.Time{}, true},
		{"unreadable", "yesterday", time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := NormalizeAt(listing.Raw{ExternalID: "p", Title: "t", PostedAt: tt.posted}, now)
			if !res.PostedAt.Equal(tt.want) {
				t.Errorf("posted_at %q: got %v, want %v", tt.posted, res.PostedAt, tt.want)
			}
			warned := false
			for _, w := range res.Warnings {
				warned = warned || w.Field == "posted_at"
			}
			if warned != tt.warn {
				t.Errorf("posted_at %q: warned %v, want %v (%v)", tt.posted, warned, tt.warn, res.Warnings)
			}
		})
	}
}

// The worked examples of DESIGN.md "Pay", written as agencies write them,
// through the whole normalizer: the quote, the days and hours read from
// the text, and the pay derived from them.
func TestPayExamples(t *testing.T) {
	for _, c := range []struct {
		rate, days, hours      string
		workload               listing.Workload
		monthlyMin, monthlyMax int64
		hourlyMin, hourlyMax   int64
	}{
		{"月額60万〜70万円", "", "", listing.WorkloadFull, 600_000, 700_000, 3750, 4375},
		{"時給4,000円〜", "", "", listing.WorkloadFull, 640_000, 0, 4000, 0},
		{"時給2,000〜3,500円", "週1日〜", "", listing.WorkloadPart, 64_000, 112_000, 2000, 3500},
		{"時給4,500円", "週1〜2日", "", listing.WorkloadPart, 144_000, 288_000, 4500, 4500},
		{"月額10万円", "週1日", "月40時間", listing.WorkloadPart, 100_000, 100_000, 2500, 2500},
		{"日額3万円", "週3日", "", listing.WorkloadPart, 360_000, 360_000, 3750, 3750},
		{"月額80万円", "週3〜5日", "", listing.WorkloadFull, 800_000, 800_000, 6250, 6250},
		{"月額60万円", "週5日", "140〜180h", listing.WorkloadFull, 600_000, 600_000, 3750, 3750},
		{"時給5,000円", "週5日", "140〜180h", listing.WorkloadFull, 700_000, 900_000, 5000, 5000},
		{"時給3,000円", "", "月80時間", listing.WorkloadPart, 240_000, 240_000, 3000, 3000},
		{"日額4万円", "", "", listing.WorkloadFull, 800_000, 800_000, 5000, 5000},
		{"年収960万円", "週3日", "", listing.WorkloadPart, 800_000, 800_000, 8333, 8333},
	} {
		raw := listing.Raw{ExternalID: "p", Title: "案件", Rate: listing.TextValue(c.rate)}
		if c.days != "" {
			raw.Days = listing.TextValue(c.days)
		}
		if c.hours != "" {
			raw.Hours = listing.TextValue(c.hours)
		}
		res := NormalizeAt(raw, corpusNow)
		l := res.Listing
		got := [4]int64{l.Rate.MonthlyMin, l.Rate.MonthlyMax, l.Rate.HourlyMin, l.Rate.HourlyMax}
		want := [4]int64{c.monthlyMin, c.monthlyMax, c.hourlyMin, c.hourlyMax}
		if got != want || l.Workload != c.workload || len(res.Warnings) > 0 {
			t.Errorf("%s %s %s: monthly %d–%d hourly %d–%d %s (warnings %v); want monthly %d–%d hourly %d–%d %s",
				c.rate, c.days, c.hours, got[0], got[1], got[2], got[3], l.Workload, res.Warnings,
				want[0], want[1], want[2], want[3], c.workload)
		}
	}
}
