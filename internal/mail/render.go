// Package mail writes and sends anken's mail: the messages (plain text
// and HTML, in Japanese) rendered from the templates here, and the sender
// that takes them from the store's outbox to an SMTP server.
package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"sync"
	texttemplate "text/template"
)

//go:embed templates
var files embed.FS

// Content is a rendered message: its subject and its two parts.
type Content struct {
	Subject string
	Text    string
	HTML    string
}

// Render renders the message called name with data. templates/name.txt
// holds the subject on its first line ("Subject: …"), a blank line, then
// the plain-text body; templates/name.html holds the HTML body, which
// layout.html wraps. Both see data as "." and the helpers of funcs.
func Render(name string, data any) (Content, error) {
	t, err := load()
	if err != nil {
		return Content{}, err
	}
	var txt bytes.Buffer
	if err := t.text.ExecuteTemplate(&txt, name+".txt", data); err != nil {
		return Content{}, fmt.Errorf("mail: render %s.txt: %w", name, err)
	}
	head, body, ok := strings.Cut(txt.String(), "\n\n")
	subject, found := strings.CutPrefix(head, "Subject: ")
	if !ok || !found || strings.Contains(subject, "\n") {
		return Content{}, fmt.Errorf("mail: %s.txt must start with one Subject: line and a blank line", name)
	}
	var html bytes.Buffer
	page := struct {
		Subject string
		Body    htmltemplate.HTML
	}{Subject: subject}
	var inner bytes.Buffer
	if err := t.html.ExecuteTemplate(&inner, name+".html", data); err != nil {
		return Content{}, fmt.Errorf("mail: render %s.html: %w", name, err)
	}
	page.Body = htmltemplate.HTML(inner.String()) // rendered by html/template just above
	if err := t.html.ExecuteTemplate(&html, "layout.html", page); err != nil {
		return Content{}, fmt.Errorf("mail: render layout for %s: %w", name, err)
	}
	return Content{Subject: strings.TrimSpace(subject), Text: strings.TrimSpace(body) + "\n", HTML: html.String()}, nil
}

type templates struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

var load = sync.OnceValues(func() (templates, error) {
	text, err := texttemplate.New("").Funcs(texttemplate.FuncMap(funcs)).ParseFS(files, "templates/*.txt")
	if err != nil {
		return templates{}, fmt.Errorf("mail: templates: %w", err)
	}
	html, err := htmltemplate.New("").Funcs(htmltemplate.FuncMap(funcs)).ParseFS(files, "templates/*.html")
	if err != nil {
		return templates{}, fmt.Errorf("mail: templates: %w", err)
	}
	return templates{text: text, html: html}, nil
})

// funcs are the helpers every template may call.
var funcs = map[string]any{
	// quoted quotes a saved search's name once: see Quoted.
	"quoted": Quoted,
	// yen writes an amount of yen with thousands separators: 650,000.
	"yen": func(n int64) string {
		s := fmt.Sprint(n)
		var b strings.Builder
		for i, r := range s {
			if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
				b.WriteByte(',')
			}
			b.WriteRune(r)
		}
		return b.String()
	},
}

// Quoted is a name as a sentence quotes it: in 「」, unless it already
// carries its own brackets. A name wholly in 「」 or 『』, or one that
// quotes a part of itself (the names made from a search's conditions:
// 「Go」・フルリモート), is written as it is, so that a subject never reads
// 「「Go」・フルリモート」.
func Quoted(name string) string {
	if strings.ContainsAny(name, "「」『』") {
		return name
	}
	return "「" + name + "」"
}
