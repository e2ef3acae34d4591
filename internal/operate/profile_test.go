package operate_test

import (
	"errors"
	"strings"
	"testing"

	"anken/internal/operate"
	"anken/internal/store"
)

func TestCheckAgencyProfile(t *testing.T) {
	ok := store.AgencyProfile{Name: "さくらテック", Description: "Go の案件が中心です。", SiteURL: "https://sakura.example/"}
	with := func(f func(*store.AgencyProfile)) store.AgencyProfile {
		p := ok
		f(&p)
		return p
	}
	for _, c := range []struct {
		name  string
		in    store.AgencyProfile
		field string // the refused field; "" when accepted
		want  store.AgencyProfile
	}{
		{"as given", ok, "", ok},
		{"trimmed", with(func(p *store.AgencyProfile) { p.Name, p.SiteURL = "  さくらテック ", " https://sakura.example/ " }), "", ok},
		{"no site", with(func(p *store.AgencyProfile) { p.SiteURL = "" }), "", with(func(p *store.AgencyProfile) { p.SiteURL = "" })},
		{"http site", with(func(p *store.AgencyProfile) { p.SiteURL = "http://sakura.example/jobs?a=1" }), "",
			with(func(p *store.AgencyProfile) { p.SiteURL = "http://sakura.example/jobs?a=1" })},
		{"line breaks kept, CR LF folded", with(func(p *store.AgencyProfile) { p.Description = "一行目\r\n二行目\r三行目\n" }), "",
			with(func(p *store.AgencyProfile) { p.Description = "一行目\n二行目\n三行目" })},
		{"2,000 characters", with(func(p *store.AgencyProfile) { p.Description = strings.Repeat("案", 2000) }), "",
			with(func(p *store.AgencyProfile) { p.Description = strings.Repeat("案", 2000) })},
		{"2,001 characters", with(func(p *store.AgencyProfile) { p.Description = strings.Repeat("案", 2001) }), "description", store.AgencyProfile{}},
		{"a tab in the description", with(func(p *store.AgencyProfile) { p.Description = "Go\tTypeScript" }), "description", store.AgencyProfile{}},
		{"NUL in the description", with(func(p *store.AgencyProfile) { p.Description = "Go\x00" }), "description", store.AgencyProfile{}},
		{"NEL in the description", with(func(p *store.AgencyProfile) { p.Description = "Go\u0085TS" }), "description", store.AgencyProfile{}},
		{"bad UTF-8", with(func(p *store.AgencyProfile) { p.Description = "Go\xff" }), "description", store.AgencyProfile{}},
		{"no name", with(func(p *store.AgencyProfile) { p.Name = "  " }), "name", store.AgencyProfile{}},
		{"a line break in the name", with(func(p *store.AgencyProfile) { p.Name = "さくら\nテック" }), "name", store.AgencyProfile{}},
		{"a long name", with(func(p *store.AgencyProfile) { p.Name = strings.Repeat("さ", 201) }), "name", store.AgencyProfile{}},
		{"javascript: site", with(func(p *store.AgencyProfile) { p.SiteURL = "javascript:alert(1)" }), "site_url", store.AgencyProfile{}},
		{"relative site", with(func(p *store.AgencyProfile) { p.SiteURL = "/jobs" }), "site_url", store.AgencyProfile{}},
		{"ftp site", with(func(p *store.AgencyProfile) { p.SiteURL = "ftp://sakura.example/" }), "site_url", store.AgencyProfile{}},
		{"no host", with(func(p *store.AgencyProfile) { p.SiteURL = "https:///jobs" }), "site_url", store.AgencyProfile{}},
		{"a space in the site", with(func(p *store.AgencyProfile) { p.SiteURL = "https://sakura.example/a b" }), "site_url", store.AgencyProfile{}},
		{"user in the site", with(func(p *store.AgencyProfile) { p.SiteURL = "https://me:pw@sakura.example/" }), "site_url", store.AgencyProfile{}},
		{"site over 2,000 bytes", with(func(p *store.AgencyProfile) { p.SiteURL = "https://sakura.example/" + strings.Repeat("a", 1980) }), "site_url", store.AgencyProfile{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := operate.CheckAgencyProfile(c.in)
			if c.field == "" {
				if err != nil || got != c.want {
					t.Fatalf("CheckAgencyProfile = %+v, %v; want %+v", got, err, c.want)
				}
				return
			}
			var pe *operate.ProfileError
			if !errors.As(err, &pe) || pe.Field != c.field {
				t.Fatalf("CheckAgencyProfile error = %v; want a ProfileError of %s", err, c.field)
			}
		})
	}
}
