package account

import (
	"errors"
	"fmt"
	"testing"

	"anken/internal/problem"
	"anken/internal/store"
)

// TestCheckProfileExperience: years per skill are stored by slug, names
// folded as skills are, 0 dropped; an unknown skill or years outside
// 0–50 are refused naming experience.
func TestCheckProfileExperience(t *testing.T) {
	tests := []struct {
		name string
		in   map[string]int
		want string // fmt of the stored map; "" when refused
	}{
		{"none", nil, "map[]"},
		{"slugs", map[string]int{"go": 3, "aws": 1}, "map[aws:1 go:3]"},
		{"names folded to slugs", map[string]int{"Golang": 3, "ＡＷＳ": 2, " TypeScript ": 4}, "map[aws:2 go:3 typescript:4]"},
		{"two names of one skill keep the most", map[string]int{"go": 2, "Golang": 5}, "map[go:5]"},
		{"Japanese name", map[string]int{"要件定義": 5}, "map[requirements-definition:5]"},
		{"zero is not said", map[string]int{"go": 0, "java": 10}, "map[java:10]"},
		{"only zeros", map[string]int{"go": 0}, "map[]"},
		{"fifty", map[string]int{"cobol": 50}, "map[cobol:50]"},
		{"fifty-one", map[string]int{"cobol": 51}, ""},
		{"negative", map[string]int{"go": -1}, ""},
		{"unknown skill", map[string]int{"klingon": 3}, ""},
		{"empty name", map[string]int{"": 3}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := CheckProfile(store.Profile{Skills: []string{"go"}, Experience: tt.in})
			if tt.want == "" {
				var pe *problem.Error
				if !errors.As(err, &pe) || pe.Kind != problem.Unprocessable || pe.Details[0].Location != "experience" {
					t.Fatalf("CheckProfile = %+v, %v; want Unprocessable naming experience", p.Experience, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(p.Experience); got != tt.want {
				t.Errorf("experience = %s, want %s", got, tt.want)
			}
			if len(p.Experience) == 0 && p.Experience != nil {
				t.Errorf("no years kept as an empty map, not nil")
			}
		})
	}
}
