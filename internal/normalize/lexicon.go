package normalize

import (
	_ "embed"
	"fmt"
	"strings"
	"unicode/utf8"

	"anken/internal/place"
	"anken/internal/skill"
)

//go:embed keywords.tsv
var keywordData string

// lexicon is every term the normalizer looks for: skills, places and the
// words of keywords.tsv. It is built once, then only read.
var lexicon = func() *dict {
	d, err := buildLexicon(keywordData)
	if err != nil {
		panic(err) // the embedded files are checked by tests
	}
	return d
}()

var fieldKinds = map[string]kind{
	"rate": kRate, "remote": kRemote, "role": kRole, "contract": kContract, "side_job": kSideJob, "start": kStart,
}

func buildLexicon(keywords string) (*dict, error) {
	d := newDict()
	for _, s := range skill.All() {
		for _, t := range s.TextTerms() {
			d.add(t, meaning{kind: kSkill, val: s.Slug})
		}
		for _, t := range s.NoText {
			d.add(t, meaning{kind: kSkill, val: s.Slug, strict: true})
		}
	}
	for _, p := range place.All() {
		m := meaning{kind: kPlace, val: p.Code}
		switch p.Kind {
		case place.Station:
			d.add(p.Name+"駅", m)
			if utf8.RuneCountInString(p.Name) > 1 {
				m.strict = !p.Bare
				d.add(p.Name, m)
			}
		default:
			m.strict = !p.Bare
			d.add(p.Name, m)
		}
	}
	for n, line := range strings.Split(keywords, "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			return nil, fmt.Errorf("keywords.tsv:%d: want 4 tab-separated fields, got %d", n+1, len(f))
		}
		k, ok := fieldKinds[f[0]]
		if !ok {
			return nil, fmt.Errorf("keywords.tsv:%d: unknown field %q", n+1, f[0])
		}
		if f[2] != "any" && f[2] != "strict" && (f[2] != "skill" || k != kRole) {
			return nil, fmt.Errorf("keywords.tsv:%d: where must be any or strict (or skill for a role), got %q", n+1, f[2])
		}
		if !validValue(k, f[1]) {
			return nil, fmt.Errorf("keywords.tsv:%d: %q is not a value of %s", n+1, f[1], f[0])
		}
		if f[2] == "skill" {
			if f[1] == "lead" || f[1] == "engineer" {
				return nil, fmt.Errorf("keywords.tsv:%d: %q is not a role", n+1, f[1])
			}
			for _, slug := range strings.Split(f[3], "|") {
				if _, ok := skill.BySlug(slug); !ok {
					return nil, fmt.Errorf("keywords.tsv:%d: %q is not a skill slug", n+1, slug)
				}
				if d.skillRoles[slug] != "" {
					return nil, fmt.Errorf("keywords.tsv:%d: skill %q already gives role %s", n+1, slug, d.skillRoles[slug])
				}
				d.skillRoles[slug] = f[1]
			}
			continue
		}
		for _, t := range strings.Split(f[3], "|") {
			if strings.TrimSpace(t) == "" {
				return nil, fmt.Errorf("keywords.tsv:%d: empty term", n+1)
			}
			d.add(t, meaning{kind: k, val: f[1], strict: f[2] == "strict"})
		}
	}
	return d, nil
}
