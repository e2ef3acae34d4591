package api

import (
	"reflect"

	"github.com/danielgtaylor/huma/v2"

	"anken/internal/listing"
)

// rawValue documents listing.Value, a raw field an agency may send as free
// text or already structured.
type rawValue struct{}

func (rawValue) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{
		Description: "Free text as the agency writes it (\"月額60万〜70万円\", \"フルリモート\", \"週3〜5日\") " +
			"or the structured value (rate: {\"unit\": \"month\", \"min\": 600000, \"max\": 700000}; " +
			"days: {\"min\": 3, \"max\": 5}; skills: [\"go\", \"aws\"]; side_job: true).",
		OneOf: []*huma.Schema{
			{Type: huma.TypeString},
			{Type: huma.TypeObject},
			{Type: huma.TypeArray, Items: &huma.Schema{Type: huma.TypeString}},
			{Type: huma.TypeBoolean},
			{Type: huma.TypeNumber},
		},
	}
}

func registerAliases(r huma.Registry) {
	r.RegisterTypeAlias(reflect.TypeFor[listing.Value](), reflect.TypeFor[rawValue]())
}
