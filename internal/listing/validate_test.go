package listing

import (
	"errors"
	"testing"
	"time"
)

// TestValidateFields: each case breaks at most one rule and must be refused
// naming that field.
func TestValidateFields(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(l *Listing)
		field string // the field named in the error; "" for valid
	}{
		{"valid", func(l *Listing) {}, ""},
		{"no posted_at", func(l *Listing) { l.PostedAt = time.Time{} }, ""},
		{"posted 2000-01-01", func(l *Listing) { l.PostedAt = MinPostedAt }, ""},
		{"posted 1999-12-31", func(l *Listing) { l.PostedAt = time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC) }, "posted_at"},
		{"posted 1900", func(l *Listing) { l.PostedAt = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC) }, "posted_at"},
		{"external_id not UTF-8", func(l *Listing) { l.ExternalID = "A-\xff" }, "external_id"},
		{"external_id cut rune", func(l *Listing) { l.ExternalID = "案件"[:4] }, "external_id"},
		{"external_id Japanese", func(l *Listing) { l.ExternalID = "案件-1" }, ""},
		{"experience", func(l *Listing) { l.Experience = []Experience{{Skill: "go", Years: 2}, {Years: 3}} }, ""},
		{"experience 1 and 30 years", func(l *Listing) { l.Experience = []Experience{{Skill: "aws", Years: 1}, {Years: 30}} }, ""},
		{"experience 0 years", func(l *Listing) { l.Experience = []Experience{{Skill: "go", Years: 0}} }, "experience.years"},
		{"experience 31 years", func(l *Listing) { l.Experience = []Experience{{Years: 31}} }, "experience.years"},
		{"experience negative", func(l *Listing) { l.Experience = []Experience{{Years: -2}} }, "experience.years"},
		{"experience unknown skill", func(l *Listing) { l.Experience = []Experience{{Skill: "golang-x", Years: 2}} }, "experience.skill"},
		{"experience skill name, not slug", func(l *Listing) { l.Experience = []Experience{{Skill: "Go", Years: 2}} }, "experience.skill"},
		{"experience skill twice", func(l *Listing) { l.Experience = []Experience{{Skill: "go", Years: 2}, {Skill: "go", Years: 3}} }, "experience.skill"},
		{"experience general twice", func(l *Listing) { l.Experience = []Experience{{Years: 2}, {Years: 3}} }, "experience.skill"},
		{"experience too many", func(l *Listing) {
			for _, s := range []string{"go", "java", "python", "php", "ruby", "rust", "aws", "gcp", "azure", "docker", "kubernetes",
				"react", "vue", "typescript", "javascript", "mysql", "postgresql", "swift", "kotlin", "terraform", "linux"} {
				l.Experience = append(l.Experience, Experience{Skill: s, Years: 1})
			}
		}, "experience"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := Listing{ExternalID: "A-1", Title: "Go開発", Status: StatusOpen,
				PostedAt: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)}
			tt.edit(&l)
			err := l.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var inv Invalid
			if !errors.As(err, &inv) || len(inv) != 1 || inv[0].Field != tt.field {
				t.Fatalf("Validate: %v, want one error on %s", err, tt.field)
			}
		})
	}
}
