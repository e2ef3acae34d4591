package demo

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"anken/internal/listing"
	"anken/internal/normalize"
)

// TestNormalize runs every item through the normalizer: each must give a
// valid listing, and the normalizer must recover the facts the generator
// wrote, from the raw field or, when it is absent, from the description.
func TestNormalize(t *testing.T) {
	type field struct {
		name  string
		same  func(want Truth, got *listing.Listing) bool
		raw   func(r *listing.Raw) listing.Value
		words []string // to show the description lines that state the fact
	}
	fields := []field{
		{"role", func(w Truth, g *listing.Listing) bool { return w.Role == g.Role },
			func(r *listing.Raw) listing.Value { return r.Role }, nil},
		{"remote", func(w Truth, g *listing.Listing) bool { return w.Remote == g.Remote },
			func(r *listing.Raw) listing.Value { return r.Remote }, []string{"リモート", "常駐", "出社"}},
		{"days_per_week", func(w Truth, g *listing.Listing) bool { return w.DaysPerWeek == g.DaysPerWeek },
			func(r *listing.Raw) listing.Value { return r.Days }, []string{"週"}},
		{"rate.monthly_min", func(w Truth, g *listing.Listing) bool { return w.Rate.MonthlyMin == g.Rate.MonthlyMin },
			func(r *listing.Raw) listing.Value { return r.Rate }, []string{"円", "見合い", "相談"}},
		{"rate.monthly_max", func(w Truth, g *listing.Listing) bool { return w.Rate.MonthlyMax == g.Rate.MonthlyMax },
			func(r *listing.Raw) listing.Value { return r.Rate }, []string{"円", "見合い", "相談"}},
		{"prefecture", func(w Truth, g *listing.Listing) bool { return w.Prefecture == g.Prefecture },
			func(r *listing.Raw) listing.Value { return r.Location }, []string{"都", "道", "府", "県", "市", "区", "駅", "オフィス"}},
		{"contract", func(w Truth, g *listing.Listing) bool { return w.Contract == g.Contract },
			func(r *listing.Raw) listing.Value { return r.Contract }, []string{"委任", "委託", "請負", "派遣", "契約"}},
		{"side_job_ok", func(w Truth, g *listing.Listing) bool { return w.SideJobOK == g.SideJobOK },
			func(r *listing.Raw) listing.Value { return r.SideJob }, []string{"副業", "週"}},
	}
	agree := make([]int, len(fields))
	fromText := make([]int, len(fields)) // items whose raw field was absent
	agreeText := make([]int, len(fields))
	examples := make([][]string, len(fields))
	invalid, start, skills, exp, stated := 0, 0, 0, 0, 0
	var expExamples []string
	for i, it := range items(t, sample, 6) {
		res := normalize.Normalize(it.Raw)
		if res.Start == it.Truth.Start {
			start++
		}
		if len(it.Truth.Experience) > 0 {
			stated++
		}
		if sameExperience(it.Truth.Experience, res.Experience) {
			exp++
		} else if len(expExamples) < 6 {
			expExamples = append(expExamples, fmt.Sprintf("item %d: want %v, got %v; read from %s",
				i, it.Truth.Experience, res.Experience, source(it, listing.Value{}, []string{"経験", "実務"})))
		}
		if !slices.ContainsFunc(it.Truth.Skills, func(s string) bool { return !slices.Contains(res.Skills, s) }) {
			skills++
		}
		if err := res.Listing.Validate(); err != nil {
			if invalid++; invalid <= 5 {
				t.Errorf("item %d (%s/%s): %v", i, it.Agency, it.ExternalID, err)
			}
		}
		for k, f := range fields {
			v := f.raw(&it.Raw)
			ok := f.same(it.Truth, &res.Listing)
			if ok {
				agree[k]++
			}
			if v.IsZero() {
				fromText[k]++
				if ok {
					agreeText[k]++
				}
			}
			if !ok && len(examples[k]) < 6 {
				examples[k] = append(examples[k], fmt.Sprintf("item %d: want %s, got %s; read from %s",
					i, fact(f.name, it.Truth), fact(f.name, res.Listing), source(it, v, f.words)))
			}
		}
	}
	// Not held to a bar: start and skills, for the normalizer's authors.
	t.Logf("%-17s agree %6.2f%%", "start", 100*float64(start)/sample)
	t.Logf("%-17s found %6.2f%% (every skill the listing asks for)", "skills", 100*float64(skills)/sample)
	if invalid > 0 {
		t.Errorf("%d of %d normalized items are invalid", invalid, sample)
	}
	t.Logf("%-17s agree %6.2f%% (%d items ask for years)", "experience", 100*float64(exp)/sample, stated)
	for _, e := range expExamples {
		t.Logf("    %s", e)
	}
	if share := float64(exp) / sample; share < 0.97 || stated == 0 {
		t.Errorf("experience: the normalizer agrees with the generator on %.2f%% of items (%d ask for years), want at least 97%%", 100*share, stated)
	}
	for k, f := range fields {
		share := float64(agree[k]) / sample
		t.Logf("%-17s agree %6.2f%% (from the description alone: %6.2f%% of %d)", f.name, 100*share,
			100*float64(agreeText[k])/float64(max(fromText[k], 1)), fromText[k])
		for _, e := range examples[k] {
			t.Logf("    %s", e)
		}
		if share < 0.97 {
			t.Errorf("%s: the normalizer agrees with the generator on %.2f%% of items, want at least 97%%", f.name, 100*share)
		}
	}
}

// fact formats one compared field of a Truth or a Listing.
func fact(name string, v any) string {
	switch x := v.(type) {
	case Truth:
		return factOf(name, x.Role, x.Remote, x.DaysPerWeek, x.Rate, x.Prefecture, x.Contract, x.SideJobOK)
	case listing.Listing:
		return factOf(name, x.Role, x.Remote, x.DaysPerWeek, x.Rate, x.Prefecture, x.Contract, x.SideJobOK)
	}
	return ""
}

func factOf(name string, role listing.Role, remote listing.Remote, days listing.Range, r listing.Rate,
	pref string, c listing.Contract, side bool) string {
	switch name {
	case "role":
		return fmt.Sprintf("%q", role)
	case "remote":
		return fmt.Sprintf("%q", remote)
	case "days_per_week":
		return fmt.Sprintf("%d-%d", days.Min, days.Max)
	case "rate.monthly_min", "rate.monthly_max":
		return fmt.Sprintf("%s %d-%d (monthly %d-%d)", r.Unit, r.Min, r.Max, r.MonthlyMin, r.MonthlyMax)
	case "prefecture":
		return fmt.Sprintf("%q", pref)
	case "contract":
		return fmt.Sprintf("%q", c)
	case "side_job_ok":
		return fmt.Sprint(side)
	}
	return ""
}

// source shows the text a fact was read from: the raw field, or the title
// and the description lines holding any of words.
func source(it Item, v listing.Value, words []string) string {
	if !v.IsZero() {
		return "field " + v.String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "title %q", it.Title)
	n := 0
	for l := range strings.Lines(it.Description) {
		for _, w := range words {
			if strings.Contains(l, w) && n < 4 {
				fmt.Fprintf(&b, " | %q", strings.TrimSpace(l))
				n++
				break
			}
		}
	}
	return b.String()
}

// sameExperience reports whether two lists hold the same requirements, in
// any order.
func sameExperience(a, b []listing.Experience) bool {
	if len(a) != len(b) {
		return false
	}
	for _, e := range a {
		if !slices.Contains(b, e) {
			return false
		}
	}
	return true
}

// TestMustExperience: every 必須 line the generator records years for is
// one it writes, and every one it writes with 「年以上」 has its years.
func TestMustExperience(t *testing.T) {
	written := map[string]bool{}
	for _, rw := range roles {
		for _, line := range rw.must {
			written[line] = true
			if _, ok := mustExperience[line]; strings.Contains(line, "年以上") && !ok {
				t.Errorf("%q asks for years but mustExperience does not say which", line)
			}
		}
	}
	for line := range mustExperience {
		if !written[line] {
			t.Errorf("mustExperience names %q, which no role writes", line)
		}
	}
}
