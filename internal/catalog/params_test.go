package catalog

import (
	"errors"
	"reflect"
	"testing"

	"anken/internal/listing"
	"anken/internal/problem"
	"anken/internal/search"
)

func TestParseQuery(t *testing.T) {
	yes := true
	tests := []struct {
		raw  string
		want search.Query
	}{
		{"", search.Query{Collapse: true}},
		{"q=Go+リモート&skill=golang,k8s&role=backend&role=sre", search.Query{Text: "Go リモート", Skills: []string{"go", "kubernetes"},
			Roles: []listing.Role{"backend", "sre"}, Collapse: true}},
		{"remote=full&prefecture=JP-13&rate_min=600000&rate_max=800000&days_max=3&side_job=true&sort=rate&limit=5",
			search.Query{Remotes: []listing.Remote{"full"}, Prefectures: []string{"JP-13"}, RateMin: 600000, RateMax: 800000,
				DaysMax: 3, SideJob: &yes, Sort: search.SortRate, Limit: 5, Collapse: true}},
		{"collapse=false&facets=role,skills&contract=quasi_mandate", search.Query{Facets: []search.Facet{"role", "skills"},
			Contracts: []listing.Contract{"quasi_mandate"}}},
		{"skill=C%23&skill=c%23", search.Query{Skills: []string{"csharp"}, Collapse: true}},
	}
	for _, tt := range tests {
		p, err := ParseQuery(tt.raw)
		if err != nil {
			t.Errorf("ParseQuery(%q): %v", tt.raw, err)
			continue
		}
		q, err := p.Query()
		if err != nil {
			t.Errorf("ParseQuery(%q).Query(): %v", tt.raw, err)
			continue
		}
		if !reflect.DeepEqual(q, tt.want) {
			t.Errorf("ParseQuery(%q) = %+v, want %+v", tt.raw, q, tt.want)
		}
	}
}

func TestParseQueryRefuses(t *testing.T) {
	tests := []struct {
		raw      string
		kind     problem.Kind
		location string
	}{
		{"q=%zz", problem.Invalid, "query"},
		{"rate_min=lots", problem.Unprocessable, "query.rate_min"},
		{"rate_min=900000&rate_max=500000", problem.Unprocessable, "query.rate_min"},
		{"rate_max=99999999", problem.Unprocessable, "query.rate_max"},
		{"days_max=9", problem.Unprocessable, "query.days_max"},
		{"limit=1000", problem.Unprocessable, "query.limit"},
		{"role=wizard", problem.Unprocessable, "query.role"},
		{"remote=moon", problem.Unprocessable, "query.remote"},
		{"prefecture=JP-99", problem.Unprocessable, "query.prefecture"},
		{"contract=forever", problem.Unprocessable, "query.contract"},
		{"facets=color", problem.Unprocessable, "query.facets"},
		{"skill=klingon", problem.Unprocessable, "query.skill"},
		{"sort=random", problem.Unprocessable, "query.sort"},
		{"side_job=maybe", problem.Unprocessable, "query.side_job"},
		{"collapse=perhaps", problem.Unprocessable, "query.collapse"},
	}
	for _, tt := range tests {
		p, err := ParseQuery(tt.raw)
		if err == nil {
			_, err = p.Query()
		}
		var pe *problem.Error
		if !errors.As(err, &pe) || pe.Kind != tt.kind || len(pe.Details) == 0 || pe.Details[0].Location != tt.location {
			t.Errorf("%q: err = %v, want %v at %s", tt.raw, err, tt.kind, tt.location)
		}
	}
}

// TestValuesRoundTrip checks that a search written back as a URL reads as
// the same search: the canonical URL of a search page.
func TestValuesRoundTrip(t *testing.T) {
	for _, raw := range []string{"q=東京+Go&skill=go,aws&remote=full,partial&rate_min=500000&days_max=3&side_job=true&sort=newest",
		"role=backend&prefecture=JP-13,JP-27&contract=work_contract&collapse=false&rate_max=900000"} {
		p, err := ParseQuery(raw)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseQuery(p.Values().Encode())
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(p, again) {
			t.Errorf("%q: %+v, after Values %+v", raw, p, again)
		}
	}
}

// FuzzParseQuery feeds the search parameters' parser what any client may
// send: it must never panic, and a search it accepts must read the same
// after being written back as its canonical URL.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"", "q=Go+リモート&skill=golang,k8s", "remote=full&rate_min=600000&rate_max=800000",
		"q=%zz", "days_max=-1&limit=0", "skill=C%23&collapse=false&sort=rate", "prefecture=JP-13,JP-99", "q=%22react+native%22+-java"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		p, err := ParseQuery(raw)
		if err != nil {
			return
		}
		q, err := p.Query()
		if err != nil {
			return
		}
		again, err := ParseQuery(p.Values().Encode())
		if err != nil {
			t.Fatalf("canonical URL of %q does not parse: %v", raw, err)
		}
		p.Cursor, p.Limit = "", 0 // not part of the canonical URL
		q2, err := again.Query()
		if err != nil {
			t.Fatalf("canonical URL of %q is refused: %v", raw, err)
		}
		q.Cursor, q.Limit = "", 0
		if !reflect.DeepEqual(q, q2) {
			t.Fatalf("%q: %+v, after its canonical URL %+v", raw, q, q2)
		}
	})
}
