package normalize

import (
	"testing"
	"time"

	"anken/internal/listing"
	"anken/internal/skill"
)

// seed adds the corpus inputs of field to f, and extra strings.
func seed(f *testing.F, field string, extra ...string) {
	for _, c := range readCorpus(f) {
		switch {
		case c.field != field:
		case fieldText(c.raw, field) != "":
			f.Add(fieldText(c.raw, field))
		default:
			f.Add(c.raw.Title + "\n" + c.raw.Description)
		}
	}
	for _, s := range extra {
		f.Add(s)
	}
}

func checkRate(t *testing.T, r listing.Rate) {
	t.Helper()
	l := listing.Listing{Rate: r, Workload: listing.WorkloadFull}
	if err := consistent(l); err != "" {
		t.Fatalf("%s: %+v", err, r)
	}
	if r.Unit != "" && r.Min == 0 && r.Max == 0 {
		t.Fatalf("unit without amount: %+v", r)
	}
}

func checkRange(t *testing.T, r listing.Range, lo, hi int) {
	t.Helper()
	if r.Min < 0 || r.Max < 0 || r.Min > 0 && r.Max > 0 && r.Min > r.Max || r.Min > hi || r.Max > hi || r.Min != 0 && r.Min < lo || r.Max != 0 && r.Max < lo {
		t.Fatalf("range %+v outside %d-%d or out of order", r, lo, hi)
	}
}

func FuzzParseRate(f *testing.F) {
	seed(f, "rate", "60万〜70万円〜80万円/月", "¥¥¥1,2,3,4万", "9999999999999999999万円", "1.99999999万円", "〜〜〜", "0円", "月額-5万円")
	f.Fuzz(func(t *testing.T, s string) {
		r, ok := ParseRate(s)
		if !ok && r != (listing.Rate{}) {
			t.Fatalf("not ok but %+v", r)
		}
		checkRate(t, r)
		f := fold(s)
		r, _ = parseRate(f, lexicon.scan(f, false, nil), false)
		checkRate(t, listing.PayOf(r, listing.Range{}, listing.Range{}))
	})
}

func FuzzParseDays(f *testing.F) {
	seed(f, "days", "週週週1〜", "週99日", "週0日", "週3〜2日", "7日/週〜")
	f.Fuzz(func(t *testing.T, s string) {
		r, ok := ParseDays(s)
		if !ok && r.Known() {
			t.Fatalf("not ok but %+v", r)
		}
		checkRange(t, r, 1, 7)
		r, _ = parseDays(fold(s), false)
		checkRange(t, r, 1, 7)
		h, _ := ParseHours(s)
		checkRange(t, h, 1, 400)
	})
}

func FuzzParseLocation(f *testing.F) {
	seed(f, "location", "東京都東京都", "駅駅駅", "渋谷渋谷区渋谷駅")
	f.Fuzz(func(t *testing.T, s string) {
		code, where, ok := ParseLocation(s)
		if !ok {
			if code != "" || where != "" {
				t.Fatalf("not ok but %q %q", code, where)
			}
			return
		}
		if _, known := listing.PrefectureByCode(code); !known {
			t.Fatalf("code %q is not a prefecture", code)
		}
		if where == "" {
			t.Fatalf("code %q without place text", code)
		}
	})
}

func FuzzSkills(f *testing.F) {
	seed(f, "skills", "c/c/c/c++", "go言語go言語", "javascriptjava", "c#c++c")
	f.Fuzz(func(t *testing.T, s string) {
		seen := map[string]bool{}
		for _, slug := range FindSkills(s) {
			if _, ok := skill.BySlug(slug); !ok {
				t.Fatalf("slug %q is not in the taxonomy", slug)
			}
			if seen[slug] {
				t.Fatalf("slug %q twice", slug)
			}
			seen[slug] = true
		}
	})
}

func FuzzParseStart(f *testing.F) {
	seed(f, "start", "9999年99月", "2026年2月30日", "来月来月")
	f.Fuzz(func(t *testing.T, s string) {
		st, ok := ParseStart(s, corpusNow)
		if !ok {
			return
		}
		if st != listing.StartImmediate {
			if _, err := time.Parse(time.DateOnly, st); err != nil {
				t.Fatalf("start %q: %v", st, err)
			}
		}
	})
}

func FuzzParseExperience(f *testing.F) {
	for _, c := range experienceCases {
		f.Add(c.text)
	}
	seed(f, "skills", "経験経験経験3年", "実務実務3年以上", "経験:::(((3年", "3年3年3年の経験", "経験99999年", "経験3年~~~", "経験十年以上", "、、経験2年")
	f.Fuzz(func(t *testing.T, s string) {
		exp := ParseExperience(s)
		l := listing.Listing{ExternalID: "f", Title: "f", Status: listing.StatusOpen, Experience: exp}
		if err := l.Validate(); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		f := fold(s)
		field := readExperience(f, lexicon.scan(f, true, nil), 0, true)
		l.Experience = field
		if err := l.Validate(); err != nil {
			t.Fatalf("%q as a field: %v", s, err)
		}
	})
}

func FuzzNormalize(f *testing.F) {
	for _, c := range readCorpus(f) {
		f.Add(c.raw.Title, c.raw.Description, fieldText(c.raw, c.field))
	}
	f.Fuzz(func(t *testing.T, title, desc, text string) {
		v := listing.TextValue(text)
		raw := listing.Raw{ExternalID: "f", Title: title, Description: desc, Rate: v, Remote: v, Days: v, Hours: v,
			Location: v, Skills: v, Role: v, Contract: v, Start: v, SideJob: v, Experience: v, PostedAt: text}
		for _, r := range []listing.Raw{raw, {ExternalID: "f", Title: title, Description: desc + text}} {
			res := NormalizeAt(r, corpusNow)
			if err := consistent(res.Listing); err != "" {
				t.Fatalf("%s: %+v", err, res.Listing)
			}
			checkRange(t, res.DaysPerWeek, 1, 7)
			checkRange(t, res.HoursPerMonth, 1, 400)
			if len(res.Skills) > listing.MaxSkills {
				t.Fatalf("%d skills", len(res.Skills))
			}
			// Whatever Validate finds, it must not be a field the normalizer
			// fills by rule: enums and codes are always valid.
			if err := res.Listing.Validate(); err != nil {
				for _, fe := range err.(listing.Invalid) {
					switch fe.Field {
					case "role", "remote", "contract", "prefecture", "start", "skills", "status", "experience", "experience.years", "experience.skill":
						t.Fatalf("normalizer made an invalid %s: %v", fe.Field, fe)
					}
				}
			}
		}
	})
}
