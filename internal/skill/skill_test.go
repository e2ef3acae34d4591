package skill

import (
	"strings"
	"testing"
)

func TestTaxonomy(t *testing.T) {
	if n := len(All()); n < 300 {
		t.Errorf("taxonomy has %d skills, want at least 300", n)
	}
	// Slugs listings already store never change.
	for _, slug := range []string{"go", "java", "javascript", "typescript", "python", "ruby", "php", "csharp", "cpp", "c",
		"rust", "kotlin", "swift", "scala", "react", "vue", "nextjs", "rails", "laravel", "spring", "django", "nodejs",
		"aws", "gcp", "azure", "kubernetes", "docker", "terraform", "mysql", "postgresql", "oracle", "flutter", "figma"} {
		if _, ok := BySlug(slug); !ok {
			t.Errorf("slug %q is missing", slug)
		}
	}
	cats := map[string]bool{}
	for _, s := range All() {
		cats[s.Category] = true
		if s.Name == "" {
			t.Errorf("%s has no name", s.Slug)
		}
		for _, a := range s.Aliases {
			if a != Fold(a) || strings.TrimSpace(a) != a {
				t.Errorf("%s: alias %q is not folded", s.Slug, a)
			}
		}
		for _, x := range s.NoText {
			found := false
			for _, term := range s.Terms() {
				found = found || term == x
			}
			if !found {
				t.Errorf("%s: notext %q is not a term", s.Slug, x)
			}
		}
	}
	for _, c := range []string{"language", "framework", "database", "cloud", "infra", "mobile", "data", "ml", "design", "pm", "tool"} {
		if !cats[c] {
			t.Errorf("no skill of category %q", c)
		}
	}
}

func TestLookup(t *testing.T) {
	for term, want := range map[string]string{
		"Go": "go", "golang": "go", "Go言語": "go", "ＧＯ": "go", "JS": "javascript", "k8s": "kubernetes",
		"ポスグレ": "postgresql", "C#": "csharp", "Ｃ＃": "csharp", "C++": "cpp", "c": "c", "C言語": "c", "R": "r",
		"Ruby on Rails": "rails", "Spring Boot": "spring", "Node.js": "nodejs", "Google Cloud": "gcp",
		"React Native": "react-native", "機械学習": "machine-learning", "イラレ": "illustrator", "SQL Server": "sqlserver",
	} {
		s, ok := Lookup(term)
		if !ok || s.Slug != want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", term, s.Slug, ok, want)
		}
	}
	for _, term := range []string{"", "klingon", "google", "javas"} {
		if s, ok := Lookup(term); ok {
			t.Errorf("Lookup(%q) = %q, want none", term, s.Slug)
		}
	}
}

// TestJapaneseNames checks that skills are named in the words Japanese
// engineers use, with the English spelling kept as a search term.
func TestJapaneseNames(t *testing.T) {
	for slug, want := range map[string]struct{ name, english string }{
		"requirements-definition": {"要件定義", "Requirements Definition"},
		"basic-design":            {"基本設計", "Basic Design"},
		"detailed-design":         {"詳細設計", "Detailed Design"},
		"test-automation":         {"テスト自動化", "Test Automation"},
		"machine-learning":        {"機械学習", "Machine Learning"},
		"generative-ai":           {"生成AI", "Generative AI"},
		"shell":                   {"シェルスクリプト", "Shell Script"},
		"embedded":                {"組み込み", "Embedded"},
		"agile":                   {"アジャイル", "Agile"},
	} {
		s, ok := BySlug(slug)
		if !ok || s.Name != want.name {
			t.Errorf("%s is named %q, want %q", slug, s.Name, want.name)
		}
		if got, ok := Lookup(want.english); !ok || got.Slug != slug {
			t.Errorf("Lookup(%q) = %q, %v; want %q", want.english, got.Slug, ok, slug)
		}
	}
}

func TestTextTerms(t *testing.T) {
	c, _ := BySlug("c")
	for _, term := range c.TextTerms() {
		if term == "c" {
			t.Errorf("c must not be looked for alone in free text")
		}
	}
	g, _ := BySlug("go")
	if got := g.TextTerms(); len(got) < 3 || got[0] != "go" {
		t.Errorf("go text terms: %v", got)
	}
}

func TestParseErrors(t *testing.T) {
	for _, text := range []string{
		"go\tGo\n",                                 // too few fields
		"Go\tGo\tlanguage\n",                       // slug not folded
		"go\tGo\tlanguage\ngo\tGo\tlanguage\n",     // slug twice
		"go\tGo\tlanguage\tjs\njs\tJS\tlanguage\n", // term names two skills
		"c\tC\tlanguage\tc言語\tcc\n",                // notext not a term
		"go lang\tGo\tlanguage\n",                  // space in slug
	} {
		if _, err := parse(text); err == nil {
			t.Errorf("parse(%q): want an error", text)
		}
	}
}
