package api_test

import (
	"net/http"
	"slices"
	"testing"

	"anken/internal/api"
)

// TestTagsByAudience: the OpenAPI document's tags come in the order of
// their audiences, the search first, named in x-tagGroups; every
// operation's tags belong to one audience, and an operation only an
// operator may call (a guide's edit) is the operators'.
func TestTagsByAudience(t *testing.T) {
	doc := api.Register(http.NewServeMux(), api.Deps{}).OpenAPI()
	var names []string
	for _, tag := range doc.Tags {
		names = append(names, tag.Name)
	}
	want := []string{"listings", "market", "guides", "accounts", "me", "agency", "operator"}
	if !slices.Equal(names, want) {
		t.Errorf("tags %v, want %v", names, want)
	}
	groups, ok := doc.Extensions["x-tagGroups"].([]map[string]any)
	if !ok || len(groups) != len(api.Audiences) || groups[0]["name"] != api.Audiences[0].Name {
		t.Errorf("x-tagGroups = %#v", doc.Extensions["x-tagGroups"])
	}
	for path, item := range doc.Paths {
		ops := map[string][]string{}
		secs := map[string][]map[string][]string{}
		if item.Get != nil {
			ops["GET"], secs["GET"] = item.Get.Tags, item.Get.Security
		}
		if item.Put != nil {
			ops["PUT"], secs["PUT"] = item.Put.Tags, item.Put.Security
		}
		if item.Post != nil {
			ops["POST"], secs["POST"] = item.Post.Tags, item.Post.Security
		}
		if item.Patch != nil {
			ops["PATCH"], secs["PATCH"] = item.Patch.Tags, item.Patch.Security
		}
		if item.Delete != nil {
			ops["DELETE"], secs["DELETE"] = item.Delete.Tags, item.Delete.Security
		}
		for method, tags := range ops {
			a := api.AudienceOf(tags)
			if a == len(api.Audiences) {
				t.Errorf("%s %s: tags %v are in no audience", method, path, tags)
				continue
			}
			operatorOnly := slices.ContainsFunc(secs[method], func(req map[string][]string) bool { _, ok := req["operatorKey"]; return ok })
			if operatorOnly && api.Audiences[a].ID != "operators" {
				t.Errorf("%s %s takes an operator key but is in %s", method, path, api.Audiences[a].ID)
			}
		}
	}
	if got := api.Audiences[api.AudienceOf(doc.Paths["/v1/listings"].Get.Tags)].ID; got != "search" {
		t.Errorf("GET /v1/listings is in %s, want search", got)
	}
}
