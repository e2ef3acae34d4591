package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"anken/internal/api"
)

// docsHandler renders the OpenAPI document as one readable page. It needs no
// scripts from elsewhere, so it works offline and on any phone. The
// operations are grouped by audience (api.Audiences: the search first,
// then engineers, agencies and operators), each audience by tag in the
// document's order, and a table of contents links to every operation.
func docsHandler(doc *huma.OpenAPI) (http.Handler, error) {
	type param struct {
		Name, In, Type, Doc string
		Required            bool
	}
	type op struct {
		Method, Path, ID, Summary, Description, Body string
		Credential                                   string // what the operation needs: "" for nothing
		Params                                       []param
		Responses                                    []string
	}
	type tag struct {
		Name, Description string
		Ops               []op
	}
	type audience struct {
		ID, Name, Description string
		Tags                  []*tag
	}
	type schema struct {
		Name, JSON string
	}
	groups := make([]*audience, len(api.Audiences)+1)
	for i, a := range api.Audiences {
		groups[i] = &audience{ID: a.ID, Name: a.Name, Description: a.Description}
	}
	groups[len(api.Audiences)] = &audience{ID: "other", Name: "Other"}
	tags := map[string]*tag{}
	tagOf := func(name string) *tag {
		if t, ok := tags[name]; ok {
			return t
		}
		t := &tag{Name: name}
		tags[name] = t
		g := groups[api.AudienceOf([]string{name})]
		g.Tags = append(g.Tags, t)
		return t
	}
	for _, t := range doc.Tags { // the document's order, and descriptions
		tagOf(t.Name).Description = t.Description
	}
	for _, path := range sortedKeys(doc.Paths) {
		item := doc.Paths[path]
		for _, m := range []struct {
			name string
			o    *huma.Operation
		}{{"GET", item.Get}, {"PUT", item.Put}, {"POST", item.Post}, {"PATCH", item.Patch}, {"DELETE", item.Delete}} {
			if m.o == nil {
				continue
			}
			o := op{Method: m.name, Path: path, ID: m.o.OperationID, Summary: m.o.Summary,
				Description: m.o.Description, Credential: credential(m.o.Security)}
			for _, p := range m.o.Parameters {
				o.Params = append(o.Params, param{Name: p.Name, In: p.In, Type: typeOf(p.Schema),
					Doc: p.Description, Required: p.Required})
			}
			if m.o.RequestBody != nil {
				for _, mt := range m.o.RequestBody.Content {
					o.Body = typeOf(mt.Schema)
				}
			}
			for _, code := range sortedKeys(m.o.Responses) {
				o.Responses = append(o.Responses, code+" "+m.o.Responses[code].Description)
			}
			name := "other"
			if len(m.o.Tags) > 0 {
				name = m.o.Tags[0]
			}
			t := tagOf(name)
			t.Ops = append(t.Ops, o)
		}
	}
	var audiences []*audience
	for _, g := range groups {
		g.Tags = slices.DeleteFunc(g.Tags, func(t *tag) bool { return len(t.Ops) == 0 })
		if len(g.Tags) > 0 {
			audiences = append(audiences, g)
		}
	}
	var schemas []schema
	if doc.Components != nil && doc.Components.Schemas != nil {
		all := doc.Components.Schemas.Map()
		for _, name := range sortedKeys(all) {
			b, _ := json.MarshalIndent(all[name], "", "  ")
			schemas = append(schemas, schema{Name: name, JSON: string(b)})
		}
	}
	var buf bytes.Buffer
	err := docsPage.Execute(&buf, map[string]any{"Info": doc.Info, "Audiences": audiences, "Schemas": schemas})
	if err != nil {
		return nil, fmt.Errorf("server: docs page: %w", err)
	}
	page := buf.Bytes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if _, err := w.Write(page); err != nil {
			slog.DebugContext(r.Context(), "write docs", slog.Any("err", err))
		}
	}), nil
}

// credential names what an operation's security asks for, "" for nothing.
func credential(sec []map[string][]string) string {
	for _, req := range sec {
		for scheme := range req {
			switch scheme {
			case "agencyKey":
				return "agency key"
			case "engineerToken":
				return "session token"
			case "operatorKey":
				return "operator key"
			default:
				return "key"
			}
		}
	}
	return ""
}

func typeOf(s *huma.Schema) string {
	if s == nil {
		return ""
	}
	if s.Ref != "" {
		return s.Ref[strings.LastIndex(s.Ref, "/")+1:]
	}
	t := s.Type
	if t == huma.TypeArray && s.Items != nil {
		t = typeOf(s.Items) + "[]"
	}
	if len(s.Enum) > 0 {
		var vals []string
		for _, v := range s.Enum {
			b, _ := json.Marshal(v)
			vals = append(vals, strings.Trim(string(b), `"`))
		}
		t += " (" + strings.Join(vals, ", ") + ")"
	} else if s.Items != nil && len(s.Items.Enum) > 0 {
		return typeOf(s.Items) + "[]"
	}
	return t
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

var docsPage = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Info.Title}} {{.Info.Version}}</title>
<link rel="stylesheet" href="/static/docs.css"></head><body>
<h1>{{.Info.Title}} <small>{{.Info.Version}}</small></h1>
<p>{{.Info.Description}}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
<nav class="toc" aria-labelledby="toc"><h2 id="toc">目次 Contents</h2>
<ol>{{range .Audiences}}
<li><a href="#{{.ID}}">{{.Name}}</a>{{range .Tags}}
<ul>{{range .Ops}}<li><a href="#{{.ID}}"><span class="m {{.Method}}">{{.Method}}</span> <code>{{.Path}}</code></a> {{.Summary}}</li>{{end}}</ul>{{end}}</li>{{end}}
<li><a href="#schemas">Schemas</a></li>
</ol></nav>
{{range .Audiences}}<section aria-labelledby="{{.ID}}">
<h2 id="{{.ID}}">{{.Name}}</h2>
{{if .Description}}<p>{{.Description}}</p>{{end}}
{{range .Tags}}<h3 id="tag-{{.Name}}">{{.Name}}</h3>
{{if .Description}}<p>{{.Description}}</p>{{end}}
{{range .Ops}}<div class="op" id="{{.ID}}">
<div><span class="m {{.Method}}">{{.Method}}</span> <code>{{.Path}}</code> {{if .Credential}}<span class="key">{{.Credential}}</span>{{end}}</div>
<p><b>{{.Summary}}</b>{{if .Description}}<br>{{.Description}}{{end}}</p>
{{if .Params}}<table><tr><th>parameter</th><th>in</th><th>type</th><th>meaning</th></tr>
{{range .Params}}<tr><td><code>{{.Name}}</code>{{if .Required}}*{{end}}</td><td>{{.In}}</td><td><code>{{.Type}}</code></td><td>{{.Doc}}</td></tr>{{end}}</table>{{end}}
{{if .Body}}<p>Body: <a href="#schema-{{.Body}}"><code>{{.Body}}</code></a></p>{{end}}
<p>Responses: {{range .Responses}}<code>{{.}}</code> {{end}}</p>
<p class="top"><a href="#toc">目次へ</a></p>
</div>{{end}}{{end}}
</section>
{{end}}<h2 id="schemas">Schemas</h2>
{{range .Schemas}}<h3 id="schema-{{.Name}}">{{.Name}}</h3><pre>{{.JSON}}</pre>{{end}}
</body></html>
`))
