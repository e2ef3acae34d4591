// Package skill is the skill taxonomy: canonical slugs with their display
// names, categories and every spelling agencies use (Go / Golang / Go言語 → go).
// The data lives in skills.tsv so it can be reviewed without reading code.
package skill

import (
	_ "embed"
	"fmt"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Skill is one entry of the taxonomy.
type Skill struct {
	Slug     string   // canonical, e.g. "csharp"
	Name     string   // display name, e.g. "C#"
	Category string   // language, framework, database, cloud, tool, …
	Aliases  []string // other spellings, normalized (NFKC, lower case)
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
		for _, t := range append([]string{s.Slug, Fold(s.Name)}, s.Aliases...) {
			if _, dup := byTerm[t]; !dup {
				byTerm[t] = i
			}
		}
	}
}

// parse reads the taxonomy: one skill a line, tab-separated
// slug, name, category and aliases separated by "|"; # starts a comment.
func parse(text string) ([]Skill, error) {
	var out []Skill
	seen := map[string]int{}
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) < 3 || len(f) > 4 {
			return nil, fmt.Errorf("skills.tsv:%d: want 3 or 4 tab-separated fields, got %d", n+1, len(f))
		}
		s := Skill{Slug: f[0], Name: f[1], Category: f[2]}
		if s.Slug == "" || s.Slug != Fold(s.Slug) || strings.ContainsAny(s.Slug, " \t") {
			return nil, fmt.Errorf("skills.tsv:%d: slug %q is not lower-case and folded", n+1, s.Slug)
		}
		if prev, ok := seen[s.Slug]; ok {
			return nil, fmt.Errorf("skills.tsv:%d: slug %q already on line %d", n+1, s.Slug, prev)
		}
		seen[s.Slug] = n + 1
		if len(f) == 4 && f[3] != "" {
			for _, a := range strings.Split(f[3], "|") {
				if a = Fold(strings.TrimSpace(a)); a != "" {
					s.Aliases = append(s.Aliases, a)
				}
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// Fold normalizes a term the way the taxonomy and search compare them:
// NFKC, then lower case.
func Fold(s string) string {
	return strings.ToLower(norm.NFKC.String(s))
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
