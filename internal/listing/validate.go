package listing

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"anken/internal/skill"
)

// Limits on what a listing may hold. They keep one bad row from costing the
// whole system memory or time, and catch amounts that cannot be real.
const (
	MaxExternalIDLen  = 200
	MaxTitleLen       = 200    // characters
	MaxDescriptionLen = 20_000 // characters
	MaxSkills         = 60
	MaxExperience     = 20 // requirements of years of experience
	MaxURLLen         = 2_000
	MinMonthlyYen     = 10_000    // 1万円 a month: the least a month at full time can pay
	MaxMonthlyYen     = 5_000_000 // 500万円 a month (年収6,000万円)
	// MinHourlyYen is the least an hour can pay (a monthly quote of 1万円
	// at 160 hours is 62円): a smaller amount is a typo. A side job of a
	// few hours a month may pay less than MinMonthlyYen in a month.
	MinHourlyYen = MinMonthlyYen / FullMonthHours
	MaxHourlyYen = MaxMonthlyYen / HoursPerDay // 62.5万円 an hour: a day's pay at 500万円
)

// The years a requirement of experience may state: 「経験0年」 asks for
// nothing, and no listing asks for more than 30 years.
const (
	MinExperienceYears = 1
	MaxExperienceYears = 30
)

// MinPostedAt is the earliest posted_at a listing may carry: nothing on
// sale today was posted before 2000, and an earlier date is a typo or a
// placeholder (1900-01-01). The latest is set when normalizing, against
// the current time (normalize.MaxPostedAhead).
var MinPostedAt = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// FieldError says which field of a listing is wrong and why.
type FieldError struct {
	Field  string // JSON name, e.g. "rate.monthly_min"
	Value  string // the offending value, shortened
	Reason string
}

func (e *FieldError) Error() string {
	if e.Value == "" {
		return e.Field + ": " + e.Reason
	}
	return fmt.Sprintf("%s: %s (got %q)", e.Field, e.Reason, e.Value)
}

// Invalid is the error Validate returns: every field that is wrong.
type Invalid []*FieldError

func (e Invalid) Error() string {
	msgs := make([]string, len(e))
	for i, fe := range e {
		msgs[i] = fe.Error()
	}
	return "invalid listing: " + strings.Join(msgs, "; ")
}

// Validate checks that l obeys the listing rules and returns Invalid when it
// does not. Fields anken sets itself (id, agency, updated_at) are not checked.
func (l *Listing) Validate() error {
	var errs Invalid
	add := func(field, value, reason string) {
		errs = append(errs, &FieldError{Field: field, Value: shorten(value), Reason: reason})
	}

	switch n := utf8.RuneCountInString(l.ExternalID); {
	case n == 0:
		add("external_id", "", "is required")
	case len(l.ExternalID) > MaxExternalIDLen:
		add("external_id", l.ExternalID, fmt.Sprintf("is longer than %d bytes", MaxExternalIDLen))
	case !utf8.ValidString(l.ExternalID):
		add("external_id", l.ExternalID, "is not valid UTF-8")
	case strings.ContainsFunc(l.ExternalID, func(r rune) bool { return r < 0x21 || r == 0x7f || r == '/' }):
		add("external_id", l.ExternalID, "must not contain spaces, control characters or '/'")
	}
	if strings.TrimSpace(l.Title) == "" {
		add("title", "", "is required")
	} else if n := utf8.RuneCountInString(l.Title); n > MaxTitleLen {
		add("title", l.Title, fmt.Sprintf("has %d characters, more than %d", n, MaxTitleLen))
	}
	if n := utf8.RuneCountInString(l.Description); n > MaxDescriptionLen {
		add("description", "", fmt.Sprintf("has %d characters, more than %d", n, MaxDescriptionLen))
	}
	if !utf8.ValidString(l.Title) || !utf8.ValidString(l.Description) {
		add("description", "", "is not valid UTF-8")
	}
	if l.Role != "" && !slices.Contains(Roles, l.Role) {
		add("role", string(l.Role), "is not a known role")
	}
	if len(l.Skills) > MaxSkills {
		add("skills", "", fmt.Sprintf("has %d skills, more than %d", len(l.Skills), MaxSkills))
	}
	for _, s := range l.Skills {
		if !validSlug(s) {
			add("skills", s, "is not a skill slug (lower-case a-z, 0-9, + # . -)")
		}
	}
	errs = append(errs, validateExperience(l.Experience)...)
	errs = append(errs, l.Rate.validate()...)
	if l.Workload != "" && !slices.Contains(Workloads, l.Workload) {
		add("workload", string(l.Workload), "must be full or part")
	}
	if l.Remote != "" && !slices.Contains(Remotes, l.Remote) {
		add("remote", string(l.Remote), "must be full, partial or onsite")
	}
	if err := l.DaysPerWeek.validate("days_per_week", 1, 7); err != nil {
		errs = append(errs, err)
	}
	if err := l.HoursPerMonth.validate("hours_per_month", 1, 400); err != nil {
		errs = append(errs, err)
	}
	if l.Prefecture != "" {
		if _, ok := PrefectureByCode(l.Prefecture); !ok {
			add("prefecture", l.Prefecture, "is not an ISO 3166-2:JP code such as JP-13")
		}
	}
	if l.Contract != "" && !slices.Contains(Contracts, l.Contract) {
		add("contract", string(l.Contract), "is not a known contract type")
	}
	if l.Start != "" && l.Start != StartImmediate {
		if _, err := time.Parse(time.DateOnly, l.Start); err != nil {
			add("start", l.Start, `must be "immediate" or a date YYYY-MM-DD`)
		}
	}
	if l.Status != StatusOpen && l.Status != StatusClosed {
		add("status", string(l.Status), "must be open or closed")
	}
	if l.ApplyURL != "" {
		if len(l.ApplyURL) > MaxURLLen {
			add("apply_url", l.ApplyURL, fmt.Sprintf("is longer than %d bytes", MaxURLLen))
		} else if u, err := url.Parse(l.ApplyURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			add("apply_url", l.ApplyURL, "must be an absolute http or https URL")
		}
	}
	if !l.PostedAt.IsZero() && l.PostedAt.Before(MinPostedAt) {
		add("posted_at", l.PostedAt.Format(time.RFC3339), "is before 2000-01-01")
	}
	if l.ValidThrough != nil && !l.PostedAt.IsZero() && l.ValidThrough.Before(l.PostedAt) {
		add("valid_through", l.ValidThrough.Format(time.RFC3339), "is before posted_at")
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

func (r Rate) validate() Invalid {
	var errs Invalid
	add := func(field string, v int64, reason string) {
		errs = append(errs, &FieldError{Field: field, Value: fmt.Sprint(v), Reason: reason})
	}
	if r.Unit != "" && !slices.Contains(RateUnits, r.Unit) {
		errs = append(errs, &FieldError{Field: "rate.unit", Value: string(r.Unit), Reason: "must be month, hour, day or year"})
	}
	if (r.Min != 0 || r.Max != 0) && r.Unit == "" {
		errs = append(errs, &FieldError{Field: "rate.unit", Reason: "is required with an amount"})
	}
	for _, f := range []struct {
		name string
		v    int64
	}{{"rate.monthly_min", r.MonthlyMin}, {"rate.monthly_max", r.MonthlyMax}} {
		if f.v != 0 && (f.v < 1 || f.v > MaxMonthlyYen) {
			add(f.name, f.v, fmt.Sprintf("must be between 1 and %d yen a month", MaxMonthlyYen))
		}
	}
	for _, f := range []struct {
		name string
		v    int64
	}{{"rate.hourly_min", r.HourlyMin}, {"rate.hourly_max", r.HourlyMax}} {
		if f.v != 0 && (f.v < MinHourlyYen || f.v > MaxHourlyYen) {
			add(f.name, f.v, fmt.Sprintf("must be between %d and %d yen an hour", MinHourlyYen, MaxHourlyYen))
		}
	}
	if r.Min < 0 || r.Max < 0 {
		add("rate.min", min(r.Min, r.Max), "must not be negative")
	}
	if r.Min > 0 && r.Max > 0 && r.Min > r.Max {
		add("rate.min", r.Min, "is greater than rate.max")
	}
	return errs
}

// validateExperience checks the requirements of years of experience:
// years in range, skills known to the taxonomy, each skill (and general
// experience) once.
func validateExperience(exp []Experience) Invalid {
	var errs Invalid
	if len(exp) > MaxExperience {
		errs = append(errs, &FieldError{Field: "experience", Reason: fmt.Sprintf("has %d requirements, more than %d", len(exp), MaxExperience)})
	}
	for i, e := range exp {
		if e.Years < MinExperienceYears || e.Years > MaxExperienceYears {
			errs = append(errs, &FieldError{Field: "experience.years", Value: fmt.Sprint(e.Years),
				Reason: fmt.Sprintf("must be from %d to %d years", MinExperienceYears, MaxExperienceYears)})
		}
		if e.Skill != "" {
			if _, ok := skill.BySlug(e.Skill); !ok {
				errs = append(errs, &FieldError{Field: "experience.skill", Value: shorten(e.Skill), Reason: "is not a known skill slug"})
			}
		}
		if slices.ContainsFunc(exp[:i], func(x Experience) bool { return x.Skill == e.Skill }) {
			errs = append(errs, &FieldError{Field: "experience.skill", Value: shorten(e.Skill), Reason: "is named twice (empty: general experience)"})
		}
	}
	return errs
}

func (r Range) validate(field string, lo, hi int) *FieldError {
	switch {
	case !r.Known():
		return nil
	case r.Min != 0 && (r.Min < lo || r.Min > hi), r.Max != 0 && (r.Max < lo || r.Max > hi):
		return &FieldError{Field: field, Value: fmt.Sprintf("%d-%d", r.Min, r.Max), Reason: fmt.Sprintf("must be within %d-%d", lo, hi)}
	case r.Min != 0 && r.Max != 0 && r.Min > r.Max:
		return &FieldError{Field: field, Value: fmt.Sprintf("%d-%d", r.Min, r.Max), Reason: "min is greater than max"}
	}
	return nil
}

func validSlug(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, r := range s {
		if !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || strings.ContainsRune("+#.-_", r)) {
			return false
		}
	}
	return true
}

func shorten(s string) string {
	const max = 80
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max]) + "…"
}

// ErrInvalid matches any Invalid error with errors.Is.
var ErrInvalid = errors.New("invalid listing")

// Is lets errors.Is(err, ErrInvalid) match.
func (e Invalid) Is(target error) bool { return target == ErrInvalid }
