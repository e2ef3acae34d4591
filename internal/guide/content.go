package guide

import (
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"slices"
	"strings"
	"time"

	"anken/internal/catalog"
	"anken/internal/listing"
)

//go:embed content
var contentFS embed.FS

// Doc is what guides and articles share.
type Doc struct {
	Kind     Kind      `json:"kind"`
	Slug     string    `json:"slug"`
	Title    string    `json:"title"`
	Lead     string    `json:"lead"`
	Sections []Section `json:"sections"`
	FAQ      []QA      `json:"faq"`
	// Source is the file's text, front matter included: what an operator
	// edits and sends back.
	Source    string    `json:"source"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	// UpdatedBy is the operator who wrote this version; empty when it is
	// the content file's.
	UpdatedBy string `json:"updated_by,omitempty"`
	Revision  int    `json:"revision,omitempty"`
}

// Section returns the section with the id, or a zero Section.
func (d Doc) Section(id string) Section {
	for _, s := range d.Sections {
		if s.ID == id {
			return s
		}
	}
	return Section{}
}

// Guide is a side-job guide (副業ガイド) for one category.
type Guide struct {
	Doc
	// Search is the query string of the category's listings as /search
	// takes it (role=backend); Params adds side_job=true.
	Search string  `json:"search"`
	Scores []Score `json:"scores"`
	Total  int     `json:"total" doc:"The sum of the five scores, out of 500."`
	AI     int     `json:"ai" doc:"AI との相性, 0–100; the ai section says what AI helps with."`
	Tiers  []Tier  `json:"tiers"`
}

// Params are the search parameters of the category's side-job listings.
func (g Guide) Params() catalog.Params {
	p, _ := catalog.ParseQuery(g.Search) // checked by ParseGuide
	p.SideJob = "true"
	return p
}

// SearchURL is the search page of the category's side-job listings.
func (g Guide) SearchURL() string {
	v, _ := url.ParseQuery(g.Search)
	v.Set("side_job", "true")
	return "/search?" + v.Encode()
}

// Article is the article of a job-type page (職種ページ) for one role.
type Article struct {
	Doc
	Role listing.Role `json:"role"`
}

// ParseGuide reads a guide's file and checks every rule of the format.
func ParseGuide(slug, src string) (Guide, error) {
	if !ValidSlug(slug) {
		return Guide{}, errorf(0, "guide slug %q: use 1-40 characters of a-z, 0-9 and inner hyphens", slug)
	}
	d, err := parse(KindGuide, src)
	if err != nil {
		return Guide{}, err
	}
	g := Guide{Doc: Doc{Kind: KindGuide, Slug: slug, Source: src, Sections: d.sections, FAQ: d.faq}}
	if g.Title, err = d.text("title", 40); err != nil {
		return Guide{}, err
	}
	if g.Lead, err = d.text("lead", 200); err != nil {
		return Guide{}, err
	}
	if g.Search, err = d.text("search", 400); err != nil {
		return Guide{}, err
	}
	if err := checkSearch(g.Search, d.meta["search"][0].line); err != nil {
		return Guide{}, err
	}
	for _, s := range scoreNames {
		v, err := d.score(s.Key)
		if err != nil {
			return Guide{}, err
		}
		g.Scores = append(g.Scores, Score{Key: s.Key, Name: s.Name, Value: v})
		g.Total += v
	}
	if g.AI, err = d.score("ai"); err != nil {
		return Guide{}, err
	}
	if g.Tiers, err = d.tiers(); err != nil {
		return Guide{}, err
	}
	return g, nil
}

// ParseArticle reads a role's article file and checks every rule of the
// format.
func ParseArticle(role listing.Role, src string) (Article, error) {
	if !slices.Contains(listing.Roles, role) {
		return Article{}, errorf(0, "role %q is not one of listing.Roles", role)
	}
	d, err := parse(KindRole, src)
	if err != nil {
		return Article{}, err
	}
	a := Article{Doc: Doc{Kind: KindRole, Slug: string(role), Source: src, Sections: d.sections, FAQ: d.faq}, Role: role}
	if a.Title, err = d.text("title", 40); err != nil {
		return Article{}, err
	}
	if a.Lead, err = d.text("lead", 200); err != nil {
		return Article{}, err
	}
	return a, nil
}

// ValidSlug reports whether s can name a guide: 1–40 characters of a-z,
// 0-9 and inner hyphens.
func ValidSlug(s string) bool {
	if s == "" || len(s) > 40 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// embedded is the content as the files in the binary have it.
type embedded struct {
	guides   []Guide // in GuideOrder, then by slug
	articles map[listing.Role]Article
}

// GuideOrder is the order the guides are listed in; a guide not named
// here comes after them, by slug.
var GuideOrder = []string{"backend", "frontend", "infra", "data", "mobile", "design", "writing", "qa"}

// loadEmbedded parses every embedded file. Every role must have an
// article.
func loadEmbedded() (embedded, error) {
	e := embedded{articles: map[listing.Role]Article{}}
	files, err := fs.Glob(contentFS, "content/guides/*.md")
	if err != nil {
		return e, err
	}
	for _, f := range files {
		b, err := contentFS.ReadFile(f)
		if err != nil {
			return e, err
		}
		g, err := ParseGuide(strings.TrimSuffix(strings.TrimPrefix(f, "content/guides/"), ".md"), string(b))
		if err != nil {
			return e, fmt.Errorf("guide: %s: %w", f, err)
		}
		e.guides = append(e.guides, g)
	}
	slices.SortFunc(e.guides, func(a, b Guide) int { return compareSlugs(a.Slug, b.Slug) })
	for _, role := range listing.Roles {
		f := "content/roles/" + string(role) + ".md"
		b, err := contentFS.ReadFile(f)
		if err != nil {
			return e, fmt.Errorf("guide: role %s has no article: %w", role, err)
		}
		a, err := ParseArticle(role, string(b))
		if err != nil {
			return e, fmt.Errorf("guide: %s: %w", f, err)
		}
		e.articles[role] = a
	}
	return e, nil
}

// compareSlugs orders guides by GuideOrder, then by slug.
func compareSlugs(a, b string) int {
	ia, ib := slices.Index(GuideOrder, a), slices.Index(GuideOrder, b)
	if ia < 0 {
		ia = len(GuideOrder)
	}
	if ib < 0 {
		ib = len(GuideOrder)
	}
	if ia != ib {
		return ia - ib
	}
	return strings.Compare(a, b)
}
