package server

import (
	"bytes"
	"encoding/json"
	"html/template"
	"log/slog"
	"net/http"
	"sort"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// docsHandler renders the OpenAPI document as one readable page. It needs no
// scripts from elsewhere, so it works offline and on any phone.
func docsHandler(doc *huma.OpenAPI) http.Handler {
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
		panic(err) // the template and data are fixed at start: a bug, caught by tests
	}
	page := buf.Bytes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if _, err := w.Write(page); err != nil {
			slog.DebugContext(r.Context(), "write docs", slog.Any("err", err))
		}
	})
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
<style>
body{font-family:system-ui,-apple-system,"Hiragino Sans","Noto Sans JP",sans-serif;max-width:60rem;margin:0 auto;padding:1rem;line-height:1.6;color:#1a1a1a}
h2{border-bottom:1px solid #ddd;padding-top:1rem}
.op{border:1px solid #ddd;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}
.m{display:inline-block;min-width:4.5rem;font-weight:bold;font-family:monospace}
.GET{color:#0a6}.PUT{color:#a60}.POST{color:#06a}.DELETE{color:#c22}
code,pre{font-family:ui-monospace,monospace;font-size:.9em}
pre{background:#f6f6f6;padding:.5rem;overflow:auto}
table{border-collapse:collapse;width:100%;font-size:.9em}td,th{border-top:1px solid #eee;padding:.25rem;text-align:left;vertical-align:top}
.key{font-size:.8em;background:#fde;padding:0 .3rem;border-radius:3px}
</style></head><body>
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
