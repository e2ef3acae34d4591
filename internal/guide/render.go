package guide

import (
	"bytes"
	"html/template"
)

// HTML renders the section's blocks as HTML for a page: paragraphs,
// lists and links. Headings inside a section (the FAQ's questions) are
// h3. It goes through html/template, so every text is escaped and every
// link is checked for its context (a URL that is not http, https or a
// site path becomes #ZgotmplZ), whatever the parser let through.
func (s Section) HTML() template.HTML { return renderBlocks(s.Blocks) }

// HTML renders the answer's blocks.
func (q QA) HTML() template.HTML { return renderBlocks(q.Blocks) }

// blocksHTML is the markup of a list of blocks; "spans" is one line of
// text with its links and strong parts.
var blocksHTML = template.Must(template.New("blocks").Parse(
	`{{define "spans"}}{{range .}}{{if .URL}}<a href="{{.URL}}">{{.Text}}</a>{{else if .Strong}}<strong>{{.Text}}</strong>{{else}}{{.Text}}{{end}}{{end}}{{end}}` +
		`{{range .}}{{if eq .Kind "p"}}<p>{{template "spans" .Text}}</p>
{{else if eq .Kind "h3"}}<h3>{{template "spans" .Text}}</h3>
{{else if eq .Kind "ul"}}<ul>
{{range .Items}}<li>{{template "spans" .}}</li>
{{end}}</ul>
{{else if eq .Kind "ol"}}<ol>
{{range .Items}}<li>{{template "spans" .}}</li>
{{end}}</ol>
{{end}}{{end}}`))

func renderBlocks(blocks []Block) template.HTML {
	var b bytes.Buffer
	if err := blocksHTML.Execute(&b, blocks); err != nil {
		// The template is fixed and its data plain strings: it cannot fail
		// but on a bug, which shows as an empty section, never a panic.
		return ""
	}
	return template.HTML(b.String()) // html/template escaped it
}
