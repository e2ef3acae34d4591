package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"anken/internal/api"
	"anken/internal/catalog"
	"anken/internal/listing"
	"anken/internal/search"
)

// TestSearchParametersMatchParser ties the OpenAPI document's search
// parameters to the one parser that reads them (catalog.ParseParams):
// the same names, and the enums and limits of the catalog's constants.
// A parameter added to one and not the other fails here.
func TestSearchParametersMatchParser(t *testing.T) {
	doc := api.Register(http.NewServeMux(), api.Deps{}).OpenAPI()
	params := func(path string) map[string]*huma.Param {
		out := map[string]*huma.Param{}
		for _, p := range doc.Paths[path].Get.Parameters {
			if p.In == "query" {
				out[p.Name] = p
			}
		}
		return out
	}
	for _, c := range []struct {
		path string
		skip []string // parameters of the parser this operation does not take
		more []string // parameters of its own, beyond the search's
	}{
		{"/v1/listings", []string{"basis"}, nil},
		{"/v1/stats", nil, nil},
		{"/v1/stats/trend", []string{"basis"}, []string{"days"}},
	} {
		ps := params(c.path)
		var names []string
		for n := range ps {
			if !slices.Contains(c.more, n) {
				names = append(names, n)
			}
		}
		var want []string
		for _, n := range catalog.ParamNames {
			if !slices.Contains(c.skip, n) {
				want = append(want, n)
			}
		}
		slices.Sort(names)
		slices.Sort(want)
		if !slices.Equal(names, want) {
			t.Errorf("%s documents %v; the parser reads %v", c.path, names, want)
			continue
		}
		enum := func(name string, all []string) {
			t.Helper()
			s := ps[name].Schema
			if s.Type == "array" {
				s = s.Items
			}
			var got []string
			for _, v := range s.Enum {
				got = append(got, v.(string))
			}
			if !slices.Equal(got, all) {
				t.Errorf("%s %s: enum %v, the catalog's %v", c.path, name, got, all)
			}
		}
		enum("role", strs(listing.Roles))
		enum("remote", strs(listing.Remotes))
		enum("contract", strs(listing.Contracts))
		enum("workload", strs(listing.Workloads))
		var fresh []string
		for _, f := range catalog.PostedWithin {
			fresh = append(fresh, f.Value)
		}
		enum("posted_within", fresh)
		enum("sort", strs(search.Sorts))
		enum("facets", strs(search.Facets))
		limit := func(name string, got *float64, want int64) {
			t.Helper()
			if got == nil || int64(*got) != want {
				t.Errorf("%s %s: limit %v, the catalog's %d", c.path, name, got, want)
			}
		}
		limit("rate_min", ps["rate_min"].Schema.Maximum, catalog.MaxRate)
		limit("rate_max", ps["rate_max"].Schema.Maximum, catalog.MaxRate)
		limit("hourly_min", ps["hourly_min"].Schema.Maximum, catalog.MaxHourly)
		limit("hourly_max", ps["hourly_max"].Schema.Maximum, catalog.MaxHourly)
		limit("limit", ps["limit"].Schema.Maximum, search.MaxLimit)
		if n := ps["q"].Schema.MaxLength; n == nil || *n != catalog.MaxQ {
			t.Errorf("%s q: maxLength %v, the catalog's %d", c.path, n, catalog.MaxQ)
		}
		if n := ps["skill"].Schema.MaxItems; n == nil || *n != catalog.MaxSkills {
			t.Errorf("%s skill: maxItems %v, the catalog's %d", c.path, n, catalog.MaxSkills)
		}
		if n := ps["cursor"].Schema.MaxLength; n == nil || *n != catalog.MaxCursor {
			t.Errorf("%s cursor: maxLength %v, the catalog's %d", c.path, n, catalog.MaxCursor)
		}
		if d := ps["workload"].Description; !strings.Contains(d, "full") {
			t.Errorf("%s workload is not described: %q", c.path, d)
		}
	}
}

func strs[S ~string](all []S) []string {
	out := make([]string, len(all))
	for i, v := range all {
		out[i] = string(v)
	}
	return out
}
