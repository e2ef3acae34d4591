package guide

import (
	"html"
	"html/template"
	"strings"
)

// HTML renders the section's blocks as HTML for a page: paragraphs,
// lists and links, every text escaped. Headings inside a section (the
// FAQ's questions) are h3.
func (s Section) HTML() template.HTML { return renderBlocks(s.Blocks) }

// HTML renders the answer's blocks.
func (q QA) HTML() template.HTML { return renderBlocks(q.Blocks) }

func renderBlocks(blocks []Block) template.HTML {
	var b strings.Builder
	for _, bl := range blocks {
		switch bl.Kind {
		case "p":
			b.WriteString("<p>")
			renderSpans(&b, bl.Text)
			b.WriteString("</p>\n")
		case "h3":
			b.WriteString("<h3>")
			renderSpans(&b, bl.Text)
			b.WriteString("</h3>\n")
		case "ul", "ol":
			b.WriteString("<" + bl.Kind + ">\n")
			for _, it := range bl.Items {
				b.WriteString("<li>")
				renderSpans(&b, it)
				b.WriteString("</li>\n")
			}
			b.WriteString("</" + bl.Kind + ">\n")
		}
	}
	return template.HTML(b.String()) // every text and URL escaped below
}

func renderSpans(b *strings.Builder, spans []Span) {
	for _, s := range spans {
		text := html.EscapeString(s.Text)
		switch {
		case s.URL != "":
			// URLs are a site path or https (validURL), without quotes,
			// spaces or angle brackets; escaping keeps & and the rest safe.
			b.WriteString(`<a href="` + html.EscapeString(s.URL) + `">` + text + "</a>")
		case s.Strong:
			b.WriteString("<strong>" + text + "</strong>")
		default:
			b.WriteString(text)
		}
	}
}
