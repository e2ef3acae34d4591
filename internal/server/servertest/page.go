package servertest

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
)

// Page is a fetched page, parsed.
type Page struct {
	Status int
	Header http.Header
	Body   string
	Doc    *html.Node
}

// All returns the page's elements that match the CSS selector sel.
func (p Page) All(sel string) []*html.Node { return All(p.Doc, sel) }

// First returns the page's first element that matches sel, or nil.
func (p Page) First(sel string) *html.Node { return First(p.Doc, sel) }

// Text returns the text of the page's first element that matches sel
// (Text), or "" when none does.
func (p Page) Text(sel string) string { return Text(p.First(sel)) }

// Main is the text of the page's main, or the start of its body when it
// has none: what a failure shows of a page.
func (p Page) Main() string {
	if m := p.First("main"); m != nil {
		return Text(m)
	}
	return p.Body[:min(len(p.Body), 500)]
}

// All returns the elements below and including n that match the CSS
// selector sel, in document order. A selector that does not parse is a
// bug of the test: it panics.
func All(n *html.Node, sel string) []*html.Node {
	if n == nil {
		return nil
	}
	return cascadia.QueryAll(n, cascadia.MustCompile(sel))
}

// First returns the first element of All, or nil.
func First(n *html.Node, sel string) *html.Node {
	if n == nil {
		return nil
	}
	return cascadia.Query(n, cascadia.MustCompile(sel))
}

// Text returns n's text with its white space folded to single spaces, as
// a reader sees it; "" for nil.
func Text(n *html.Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// Texts returns the Text of each node.
func Texts(ns []*html.Node) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = Text(n)
	}
	return out
}

// Attr returns the value of n's attribute key, "" when it has none.
func Attr(n *html.Node, key string) string {
	v, _ := LookupAttr(n, key)
	return v
}

// LookupAttr returns the value of n's attribute key and whether n has it.
func LookupAttr(n *html.Node, key string) (string, bool) {
	if n == nil {
		return "", false
	}
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// Browser is a browser without JavaScript: it keeps the cookies it is
// given and sends them back (by hand: they are Secure, the test server
// plain http), and does not follow redirects, so that tests see them.
type Browser struct {
	s       *Server
	cookies map[string]*http.Cookie
}

// Browser returns a browser with no cookies.
func (s *Server) Browser() *Browser {
	return &Browser{s: s, cookies: map[string]*http.Cookie{}}
}

// Cookie returns the cookie name as the server last set it, or nil.
func (b *Browser) Cookie(name string) *http.Cookie { return b.cookies[name] }

// SetCookie makes the browser send the cookie name with value from now
// on; an empty value drops it.
func (b *Browser) SetCookie(name, value string) {
	if value == "" {
		delete(b.cookies, name)
		return
	}
	b.cookies[name] = &http.Cookie{Name: name, Value: value}
}

// Do sends a request with the browser's cookies: a form when form is not
// nil, and the headers given as name, value, ….
func (b *Browser) Do(t testing.TB, method, path string, form url.Values, header ...string) Page {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.s.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	for _, c := range b.cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	for _, c := range resp.Cookies() {
		b.cookies[c.Name] = c
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		}
	}
	return read(t, method+" "+path, resp)
}

// Get fetches path.
func (b *Browser) Get(t testing.TB, path string) Page {
	t.Helper()
	return b.Do(t, http.MethodGet, path, nil)
}

// Post posts form to path.
func (b *Browser) Post(t testing.TB, path string, form url.Values) Page {
	t.Helper()
	return b.Do(t, http.MethodPost, path, form)
}

// Submit posts the form of p whose action is action, with its hidden
// inputs and the values given.
func (b *Browser) Submit(t testing.TB, p Page, action string, values url.Values) Page {
	t.Helper()
	f := p.First(`form[action="` + action + `"]`)
	if f == nil {
		t.Fatalf("no form to %s on the page:\n%s", action, p.Body)
	}
	form := url.Values{}
	for _, in := range All(f, `input[type=hidden]`) {
		form.Add(Attr(in, "name"), Attr(in, "value"))
	}
	for k, v := range values {
		form[k] = v
	}
	return b.Post(t, action, form)
}

// Get fetches path without cookies.
func (s *Server) Get(t testing.TB, path string) Page {
	t.Helper()
	resp, err := http.Get(s.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return read(t, "GET "+path, resp)
}

func read(t testing.TB, what string, resp *http.Response) Page {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	doc, err := html.Parse(strings.NewReader(string(b)))
	if err != nil {
		t.Fatalf("%s: not HTML: %v", what, err)
	}
	return Page{Status: resp.StatusCode, Header: resp.Header, Body: string(b), Doc: doc}
}
