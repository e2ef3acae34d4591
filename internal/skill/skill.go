// Package skill is the skill taxonomy: canonical slugs with their display
// names, categories and every spelling agencies use (Go / Golang / Go言語 → go).
// The data lives in skills.tsv so it can be reviewed without reading code.
package skill

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
)

// Skill is one entry of the taxonomy.
type Skill struct {
	Slug     string   // canonical, e.g. "csharp"
	Name     string   // display name, e.g. "C#"
	Category string   // language, framework, database, cloud, tool, …
	Aliases  []string // other spellings, normalized (NFKC, lower case)
	// NoText lists terms (among slug, name and aliases, normalized) that
	// Lookup accepts but free-text detection never looks for, because they
	// would hit ordinary words: c, r, less.
	NoText []string
}

// Terms returns every spelling of s, normalized: slug, name, aliases.
func (s Skill) Terms() []string {
	out := []string{s.Slug}
	if n := Fold(s.Name); n != s.Slug {
		out = append(out, n)
	}
	for _, a := range s.Aliases {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// TextTerms returns the spellings to look for in free text: Terms
// without NoText.
func (s Skill) TextTerms() []string {
	return slices.DeleteFunc(s.Terms(), func(t string) bool { return slices.Contains(s.NoText, t) })
}

//go:embed skills.tsv
var data string

var (
	all    []Skill
	bySlug = map[string]int{}
	byTerm = map[string]int{} // slug, name and aliases, normalized
)

func init() {
	var err error
	all, err = parse(data)
	if err != nil {
		panic(err) // the embedded file is checked by tests
	}
	for i, s := range all {
		bySlug[s.Slug] = i
		for _, t := range s.Terms() {
			byTerm[t] = i
		}
	}
}

// parse reads the taxonomy: one skill a line, tab-separated slug, name,
// category, aliases separated by "|" and terms kept out of free-text
// detection, separated by "|"; # starts a comment. A term may name only
// one skill.
func parse(text string) ([]Skill, error) {
	var out []Skill
	seen := map[string]int{}
	terms := map[string]string{} // term → slug
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) < 3 || len(f) > 5 {
			return nil, fmt.Errorf("skills.tsv:%d: want 3 to 5 tab-separated fields, got %d", n+1, len(f))
		}
		s := Skill{Slug: f[0], Name: f[1], Category: f[2]}
		if !validSlug(s.Slug) {
			return nil, fmt.Errorf("skills.tsv:%d: slug %q is not lower-case a-z, 0-9, + # . - _", n+1, s.Slug)
		}
		if s.Name == "" || s.Category == "" {
			return nil, fmt.Errorf("skills.tsv:%d: skill %q needs a name and a category", n+1, s.Slug)
		}
		if prev, ok := seen[s.Slug]; ok {
			return nil, fmt.Errorf("skills.tsv:%d: slug %q already on line %d", n+1, s.Slug, prev)
		}
		seen[s.Slug] = n + 1
		if len(f) >= 4 && f[3] != "" {
			for _, a := range strings.Split(f[3], "|") {
				if a = Fold(strings.TrimSpace(a)); a != "" {
					s.Aliases = append(s.Aliases, a)
				}
			}
		}
		for _, t := range s.Terms() {
			if other, ok := terms[t]; ok && other != s.Slug {
				return nil, fmt.Errorf("skills.tsv:%d: term %q of %q already names %q", n+1, t, s.Slug, other)
			}
			terms[t] = s.Slug
		}
		if len(f) == 5 && f[4] != "" {
			for _, t := range strings.Split(f[4], "|") {
				t = Fold(strings.TrimSpace(t))
				if !slices.Contains(s.Terms(), t) {
					return nil, fmt.Errorf("skills.tsv:%d: notext term %q is not a term of %q", n+1, t, s.Slug)
				}
				s.NoText = append(s.NoText, t)
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// validSlug follows the listing rules: lower-case a-z, 0-9 and + # . - _.
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

// Lookup finds the skill whose slug, name or alias is term (folded first).
func Lookup(term string) (Skill, bool) {
	i, ok := byTerm[Fold(term)]
	if !ok {
		return Skill{}, false
	}
	return all[i], true
}

// BySlug returns the skill with the canonical slug.
func BySlug(slug string) (Skill, bool) {
	i, ok := bySlug[slug]
	if !ok {
		return Skill{}, false
	}
	return all[i], true
}

// All returns every skill in file order. The caller must not modify it.
func All() []Skill { return all }
