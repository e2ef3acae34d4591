package normalize

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"anken/internal/listing"
	"anken/internal/skill"
)

// fields reads every optional field: from the agency's value when it sent
// one, else from the title and description.
func (n *normalizer) fields(raw listing.Raw) {
	n.text, n.titleEnd = foldPair(raw.Title, raw.Description)
	n.rate(raw.Rate)
	n.days(raw.Days)
	n.hours(raw.Hours)
	n.skills(raw.Skills)
	n.experience(raw.Experience)
	n.remote(raw.Remote, raw.Location)
	n.location(raw.Location)
	n.role(raw.Role)
	n.contract(raw.Contract)
	n.sideJob(raw.SideJob)
	n.start(raw.Start)
	n.res.Listing.DerivePay()
}

func (n *normalizer) rate(v listing.Value) {
	l := &n.res.Listing
	switch v.Kind() {
	case "":
		if r, ok := parseRate(n.text, n.hits(), false); ok {
			l.Rate = r
			n.set("rate", Inferred)
		}
	case "string":
		s, _ := textOf(v)
		fs := fold(s)
		if r, ok := parseRate(fs, lexicon.scan(fs, true, nil), true); ok {
			l.Rate = r
			n.set("rate", Parsed)
			return
		}
		if strings.TrimSpace(s) != "" {
			n.warn("rate", s, "no amount or スキル見合い/応相談 found")
		}
	case "number":
		a, err := strconv.ParseFloat(v.String(), 64)
		if err != nil || a <= 0 || a > 1e12 {
			n.warn("rate", v.String(), "not a positive amount of yen")
			return
		}
		amt := int64(a)
		l.Rate = rateOf(unitByAmount(amt), amt, amt, false)
		n.set("rate", Given)
	case "object":
		var r struct {
			Unit       string `json:"unit"`
			Min        int64  `json:"min"`
			Max        int64  `json:"max"`
			Negotiable bool   `json:"negotiable"`
		}
		if err := v.Decode(&r); err != nil {
			n.warn("rate", v.String(), "want {unit, min, max, negotiable}: "+err.Error())
			return
		}
		u, ok := rateUnit(r.Unit)
		if !ok && (r.Min != 0 || r.Max != 0) {
			n.warn("rate", v.String(), "unit must be month, hour, day or year")
			return
		}
		if r.Min < 0 || r.Max < 0 || r.Min > maxYen || r.Max > maxYen {
			n.warn("rate", v.String(), "amounts must be between 0 and 100億 yen")
			return
		}
		l.Rate = rateOf(u, r.Min, r.Max, r.Negotiable)
		n.set("rate", Given)
	default:
		n.warn("rate", v.String(), "want text or {unit, min, max, negotiable}")
	}
}

// textOf returns the value as a string when it was sent as one. Plain
// strings, the common case, are read without the JSON decoder.
func textOf(v listing.Value) (string, bool) {
	if v.Kind() != "string" {
		return "", false
	}
	if raw := v.String(); len(raw) >= 2 && raw[len(raw)-1] == '"' && strings.IndexByte(raw, '\\') < 0 && utf8.ValidString(raw) {
		return raw[1 : len(raw)-1], true
	}
	return v.Text()
}

// rateUnit reads a structured unit name.
func rateUnit(s string) (listing.RateUnit, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "month", "monthly", "月", "月額":
		return listing.PerMonth, true
	case "hour", "hourly", "時", "時給":
		return listing.PerHour, true
	case "day", "daily", "日", "日額":
		return listing.PerDay, true
	case "year", "yearly", "annual", "年", "年収":
		return listing.PerYear, true
	}
	return "", false
}

// rateOf builds the quote of a rate; its monthly and hourly figures
// follow from the listing's days and hours once those are read
// (listing.DerivePay). Zero min or max means that bound is open.
func rateOf(u listing.RateUnit, lo, hi int64, negotiable bool) listing.Rate {
	if lo > 0 && hi > 0 && lo > hi {
		lo, hi = hi, lo
	}
	r := listing.Rate{Negotiable: negotiable}
	if lo == 0 && hi == 0 {
		return r
	}
	r.Unit, r.Min, r.Max = u, lo, hi
	return r
}

// rangeValue reads a structured {min, max} or a single number.
func rangeValue(v listing.Value) (listing.Range, bool) {
	switch v.Kind() {
	case "number":
		f, err := strconv.ParseFloat(v.String(), 64)
		if err != nil || f < 0 || f > 1e6 {
			return listing.Range{}, false
		}
		return listing.Range{Min: int(f), Max: int(f)}, true
	case "object":
		var r struct {
			Min int `json:"min"`
			Max int `json:"max"`
		}
		if err := v.Decode(&r); err != nil || r.Min < 0 || r.Max < 0 {
			return listing.Range{}, false
		}
		if r.Min > 0 && r.Max > 0 && r.Min > r.Max {
			r.Min, r.Max = r.Max, r.Min
		}
		return listing.Range{Min: r.Min, Max: r.Max}, true
	}
	return listing.Range{}, false
}

func (n *normalizer) days(v listing.Value) {
	n.rangeField(v, "days", "days_per_week", &n.res.Listing.DaysPerWeek, parseDays,
		"no days per week found (週3〜5日)")
}

func (n *normalizer) hours(v listing.Value) {
	n.rangeField(v, "hours", "hours_per_month", &n.res.Listing.HoursPerMonth, parseHours,
		"no hours per month found (140〜180h)")
}

// rangeField reads the raw field raw into dst (the listing's field named
// field): structured as given, text with parse, or when absent inferred
// from the title and description.
func (n *normalizer) rangeField(v listing.Value, raw, field string, dst *listing.Range,
	parse func(string, bool) (listing.Range, bool), notFound string) {
	switch v.Kind() {
	case "":
		if r, ok := parse(n.text, false); ok {
			*dst = r
			n.set(field, Inferred)
		}
	case "string":
		s, _ := textOf(v)
		if r, ok := parse(fold(s), true); ok {
			*dst = r
			n.set(field, Parsed)
		} else if strings.TrimSpace(s) != "" {
			n.warn(raw, s, notFound)
		}
	default:
		if r, ok := rangeValue(v); ok {
			*dst = r
			n.set(field, Given)
		} else {
			n.warn(raw, v.String(), "want text, a number or {min, max}")
		}
	}
}

func (n *normalizer) skills(v listing.Value) {
	l := &n.res.Listing
	switch v.Kind() {
	case "":
		if s := readSkills(n.hits(), false, nil); len(s) > 0 {
			l.Skills = s
			n.set("skills", Inferred)
		}
	case "string":
		s, _ := textOf(v)
		l.Skills = n.skillList([]string{s})
		if len(l.Skills) > 0 {
			n.set("skills", Parsed)
		}
	case "array":
		var names []string
		if err := v.Decode(&names); err != nil {
			n.warn("skills", v.String(), "want an array of skill names")
			return
		}
		l.Skills = n.skillList(names)
		if len(l.Skills) > 0 {
			n.set("skills", Given)
		}
	default:
		n.warn("skills", v.String(), "want an array of skill names or text")
	}
}

// skillList maps skill names, or text listing them, to slugs, warning
// about names it does not know.
func (n *normalizer) skillList(items []string) []string {
	var out []string
	for _, item := range items {
		for _, part := range splitList(item) {
			k := len(out)
			out = readSkills(lexicon.scan(fold(part), true, nil), true, out)
			if len(out) > k {
				continue
			}
			if sk, ok := skill.Lookup(part); ok {
				out = appendNew(out, sk.Slug)
			} else if wordy(part) {
				n.warn("skills", part, "unknown skill")
			}
		}
	}
	if len(out) > listing.MaxSkills {
		out = out[:listing.MaxSkills]
	}
	return out
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// splitList splits a skills text at list separators (、 , ・ | ; newline).
func splitList(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool {
		switch r {
		case ',', '、', '，', '・', '|', ';', '；', '\n', '\t', '･':
			return true
		}
		return false
	})
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// wordy reports whether s has letters or kana, so it looks like a name.
func wordy(s string) bool {
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= 0x30A0 && r <= 0x30FF {
			return true
		}
	}
	return false
}

func (n *normalizer) remote(v, loc listing.Value) {
	l := &n.res.Listing
	switch v.Kind() {
	case "":
		if s, ok := textOf(loc); ok { // location: フルリモート
			f := fold(s)
			if r, ok := readRemote(f, lexicon.scan(f, true, nil), true); ok {
				l.Remote = r
				n.set("remote", Inferred)
				return
			}
		}
		if r, ok := readRemote(n.text, n.hits(), false); ok {
			l.Remote = r
			n.set("remote", Inferred)
		}
	case "string":
		s, _ := textOf(v)
		f := strings.TrimSpace(fold(s))
		for _, r := range listing.Remotes {
			if f == string(r) {
				l.Remote = r
				n.set("remote", Given)
				return
			}
		}
		if r, ok := readRemote(f, lexicon.scan(f, true, nil), true); ok {
			l.Remote = r
			n.set("remote", Parsed)
		} else if f != "" {
			n.warn("remote", s, "not full, partial or onsite (フルリモート, 一部リモート, 常駐)")
		}
	case "bool":
		l.Remote = listing.RemoteOnsite
		if v.String() == "true" {
			l.Remote = listing.RemoteFull
		}
		n.set("remote", Given)
	default:
		n.warn("remote", v.String(), "want full, partial, onsite or text")
	}
}

func (n *normalizer) location(v listing.Value) {
	l := &n.res.Listing
	switch v.Kind() {
	case "":
		if p, ok := readPlace(n.text, n.hits(), false, n.titleEnd, l.Remote == listing.RemoteFull); ok {
			l.Prefecture, l.Location = p.code, p.text
			n.set("prefecture", Inferred)
		}
	case "string":
		s, _ := textOf(v)
		s = strings.TrimSpace(s)
		if s == "" {
			return
		}
		if code := strings.ToUpper(s); len(code) == 5 && strings.HasPrefix(code, "JP-") {
			if p, ok := listing.PrefectureByCode(code); ok {
				l.Prefecture, l.Location = p.Code, p.Name
				n.set("prefecture", Given)
				return
			}
		}
		f := fold(s)
		hits := lexicon.scan(f, true, nil)
		if p, ok := readPlace(f, hits, true, 0, false); ok {
			l.Prefecture, l.Location = p.code, s
			n.set("prefecture", Parsed)
			return
		}
		if r, ok := readRemote(f, hits, true); ok && r == listing.RemoteFull {
			return // フルリモート: no place to find
		}
		l.Location = s
		n.warn("location", s, "no prefecture, city or station found")
	default:
		n.warn("location", v.String(), "want text such as 東京都渋谷区")
	}
}

func (n *normalizer) role(v listing.Value) {
	l := &n.res.Listing
	switch v.Kind() {
	case "":
		title := n.text[:n.titleEnd]
		if r, ok := readRole(lexicon.scan(title, true, nil), true); ok {
			l.Role = r
			n.set("role", Inferred)
		} else if r, ok := readRole(n.hits(), false); ok {
			l.Role = r
			n.set("role", Inferred)
		}
	case "string":
		s, _ := textOf(v)
		f := strings.TrimSpace(fold(s))
		for _, r := range listing.Roles {
			if f == string(r) {
				l.Role = r
				n.set("role", Given)
				return
			}
		}
		if r, ok := readRole(lexicon.scan(f, true, nil), true); ok {
			l.Role = r
			n.set("role", Parsed)
		} else if f != "" {
			n.warn("role", s, "not a known role (backend, frontend, infra, …)")
		}
	default:
		n.warn("role", v.String(), "want a role name or text")
	}
}

func (n *normalizer) contract(v listing.Value) {
	l := &n.res.Listing
	switch v.Kind() {
	case "":
		if c, _, ok := readContract(n.hits(), false); ok {
			l.Contract = c
			n.set("contract", Inferred)
		}
	case "string":
		s, _ := textOf(v)
		f := strings.TrimSpace(fold(s))
		for _, c := range listing.Contracts {
			if f == string(c) {
				l.Contract = c
				n.set("contract", Given)
				return
			}
		}
		c, employee, ok := readContract(lexicon.scan(f, true, nil), true)
		switch {
		case ok:
			l.Contract = c
			n.set("contract", Parsed)
		case employee:
			n.warn("contract", s, "names employment, not a contract type of a listing (準委任, 請負, 業務委託, 派遣)")
		case f != "":
			n.warn("contract", s, "not a known contract type (準委任, 請負, 業務委託, 派遣)")
		}
	default:
		n.warn("contract", v.String(), "want a contract type or text")
	}
}

func (n *normalizer) sideJob(v listing.Value) {
	l := &n.res.Listing
	switch v.Kind() {
	case "":
		if ok, found := readSideJob(n.text, n.hits(), false); found {
			l.SideJobOK = ok
			n.set("side_job_ok", Inferred)
		} else if partTime(l.DaysPerWeek, l.HoursPerMonth) || shortDays(n.text, l.DaysPerWeek, false) {
			l.SideJobOK = true
			n.set("side_job_ok", Inferred)
		}
	case "bool":
		l.SideJobOK = v.String() == "true"
		n.set("side_job_ok", Given)
	case "string":
		s, _ := textOf(v)
		f := strings.TrimSpace(fold(s))
		if yes, ok := yesNo(f); ok {
			l.SideJobOK = yes
			n.set("side_job_ok", Parsed)
			return
		}
		if yes, ok := readSideJob(f, lexicon.scan(f, true, nil), true); ok {
			l.SideJobOK = yes
			n.set("side_job_ok", Parsed)
			return
		}
		d, okd := parseDays(f, true)
		h, okh := parseHours(f, false)
		if okd || okh { // 週1日〜 suits a main job; 週3日〜 does not
			l.SideJobOK = partTime(d, h) || shortDays(f, d, true)
			n.set("side_job_ok", Parsed)
			return
		}
		if f != "" {
			n.warn("side_job", s, "not readable as yes or no (副業OK, 副業不可)")
		}
	default:
		n.warn("side_job", v.String(), "want true, false or text")
	}
}

// partTime reports whether days or hours leave room for a main job:
// from 1 or 2 days a week, or at most 80 hours a month.
func partTime(days, hours listing.Range) bool {
	return days.Min > 0 && days.Min <= 2 || days.Min == 0 && days.Max > 0 && days.Max <= 2 ||
		hours.Known() && max(hours.Min, hours.Max) <= 80
}

// shortDays reports whether s gives hours a day (1日2〜3時間) that, over
// the days of the week (5 when not said), come to at most 20 hours: 1日3時間
// × 週3日 leaves room for a main job. Five days a week never do; in a
// description the line must be about work (稼働), not a daily meeting.
func shortDays(s string, days listing.Range, field bool) bool {
	if days.Min >= 5 {
		return false
	}
	for i := 0; i < len(s); {
		k := strings.Index(s[i:], "1日")
		if k < 0 {
			return false
		}
		k += i
		i = k + len("1日")
		if k > 0 && isDigit(s[k-1]) {
			continue // 11日
		}
		j := skipSpaces(s, i)
		for _, w := range [...]string{"あたり", "当たり", ":"} {
			if strings.HasPrefix(s[j:], w) {
				j = skipSpaces(s, j+len(w))
			}
		}
		r, ok := readNums(s, j, "時間")
		if !ok {
			continue
		}
		if e := skipSpaces(s, r.end); !strings.HasPrefix(s[e:], "時間") && !strings.HasPrefix(s[e:], "h") {
			continue
		}
		if !field && !strings.Contains(s[lineStart(s, k):lineEnd(s, k)], "稼働") {
			continue
		}
		week := 5
		if days.Max > 0 {
			week = days.Max
		} else if days.Min > 0 {
			week = days.Min
		}
		return r.hi*week <= 20
	}
	return false
}

func (n *normalizer) start(v listing.Value) {
	l := &n.res.Listing
	switch v.Kind() {
	case "":
		if s, ok := parseStart(n.text, n.hits(), n.now, false); ok {
			l.Start = s
			n.set("start", Inferred)
		}
	case "string":
		s, _ := textOf(v)
		if st, ok := startText(s); ok {
			l.Start = st
			n.set("start", Given)
			return
		}
		f := fold(s)
		hits := lexicon.scan(f, true, nil)
		if st, ok := parseStart(f, hits, n.now, true); ok {
			l.Start = st
			n.set("start", Parsed)
			return
		}
		open := false
		means(hits, kStart, true, func(h hit, m meaning) { open = open || m.val == "open" })
		if !open && strings.TrimSpace(f) != "" {
			n.warn("start", s, `not "immediate", 即日, a date or a month (2026年1月〜)`)
		}
	default:
		n.warn("start", v.String(), "want text such as 即日 or 2026-01-01")
	}
}
