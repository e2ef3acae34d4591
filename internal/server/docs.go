package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"sort"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// docsHandler renders the OpenAPI document as one readable page. It needs no
// scripts from elsewhere, so it works offline and on any phone.
func docsHandler(doc *huma.OpenAPI) (http.Handler, error) {
	type param struct {
		Name, In, Type, Doc string
		Required            bool
	}
	type op struct {
		Method, Path, ID, Summary, Description, Body string
		Secured                                      bool
		Params                                       []param
		Responses                                    []string
	}
	type schema struct {
		Name, JSON string
	}
	var ops []op
	for _, path := range sortedKeys(doc.Paths) {
		item := doc.Paths[path]
		for _, m := range []struct {
			name string
			o    *huma.Operation
		}{{"GET", item.Get}, {"PUT", item.Put}, {"POST", item.Post}, {"DELETE", item.Delete}} {
			if m.o == nil {
				continue
			}
			o := op{Method: m.name, Path: path, ID: m.o.OperationID, Summary: m.o.Summary,
				Description: m.o.Description, Secured: len(m.o.Security) > 0}
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
			ops = append(ops, o)
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
	err := docsPage.Execute(&buf, map[string]any{"Info": doc.Info, "Ops": ops, "Schemas": schemas})
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
<h2>Operations</h2>
{{range .Ops}}<div class="op" id="{{.ID}}">
<div><span class="m {{.Method}}">{{.Method}}</span> <code>{{.Path}}</code> {{if .Secured}}<span class="key">API key</span>{{end}}</div>
<p><b>{{.Summary}}</b>{{if .Description}}<br>{{.Description}}{{end}}</p>
{{if .Params}}<table><tr><th>parameter</th><th>in</th><th>type</th><th>meaning</th></tr>
{{range .Params}}<tr><td><code>{{.Name}}</code>{{if .Required}}*{{end}}</td><td>{{.In}}</td><td><code>{{.Type}}</code></td><td>{{.Doc}}</td></tr>{{end}}</table>{{end}}
{{if .Body}}<p>Body: <a href="#schema-{{.Body}}"><code>{{.Body}}</code></a></p>{{end}}
<p>Responses: {{range .Responses}}<code>{{.}}</code> {{end}}</p>
</div>{{end}}
<h2>Schemas</h2>
{{range .Schemas}}<h3 id="schema-{{.Name}}">{{.Name}}</h3><pre>{{.JSON}}</pre>{{end}}
</body></html>
`))
