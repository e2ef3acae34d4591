package api

import (
	"slices"

	"github.com/danielgtaylor/huma/v2"
)

// Audience is who calls a group of the API's operations. The reference
// at /docs and the OpenAPI document (its tag order, and x-tagGroups as
// Redoc reads it) present the operations by audience, the search first:
// most readers come for GET /v1/listings.
type Audience struct {
	ID          string   // an anchor: search, engineers, agencies, operators
	Name        string   // the heading
	Description string   // who, and with which credentials
	Tags        []string // the tags of its operations, in order
}

// Audiences are the API's audiences in the order the documentation
// presents them. Every tag of an operation is in exactly one.
var Audiences = []Audience{
	{ID: "search", Name: "検索 Search", Tags: []string{"listings", "market", "guides"},
		Description: "Anyone, with no key: search and read listings (案件), the market figures of any search, side-job guides and job-type articles."},
	{ID: "engineers", Name: "エンジニア Engineers", Tags: []string{"accounts", "me"},
		Description: "Engineers: sign up, log in, and keep a profile, saved searches with new-listing mail and favourites, with a session token."},
	{ID: "agencies", Name: "エージェント Agencies", Tags: []string{"agency"},
		Description: "Agencies: publish and close listings, feeds and webhooks, rejections and traffic, with the agency's API key."},
	{ID: "operators", Name: "運営 Operators", Tags: []string{"operator"},
		Description: "Operators: agencies and keys, hidden listings, parked work, the audit log, and edits of guides and articles, with an operator key."},
}

// AudienceOf returns the index in Audiences of the audience of an
// operation with tags, len(Audiences) when none has them.
func AudienceOf(tags []string) int {
	for i, a := range Audiences {
		for _, t := range tags {
			if slices.Contains(a.Tags, t) {
				return i
			}
		}
	}
	return len(Audiences)
}

// groupTags orders the document's tags by audience and names the groups
// in x-tagGroups.
func groupTags(doc *huma.OpenAPI) {
	rank := func(name string) int {
		n := 0
		for _, a := range Audiences {
			if i := slices.Index(a.Tags, name); i >= 0 {
				return n + i
			}
			n += len(a.Tags)
		}
		return n
	}
	slices.SortStableFunc(doc.Tags, func(a, b *huma.Tag) int { return rank(a.Name) - rank(b.Name) })
	groups := make([]map[string]any, 0, len(Audiences))
	for _, a := range Audiences {
		groups = append(groups, map[string]any{"name": a.Name, "tags": a.Tags})
	}
	if doc.Extensions == nil {
		doc.Extensions = map[string]any{}
	}
	doc.Extensions["x-tagGroups"] = groups
}
