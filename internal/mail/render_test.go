package mail

import (
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	c, err := Render("verify", map[string]any{"Link": "https://anken.example/verify?token=a<b", "Hours": 24})
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject != "【anken】メールアドレスの確認" {
		t.Errorf("subject %q", c.Subject)
	}
	if !strings.Contains(c.Text, "https://anken.example/verify?token=a<b\n") || strings.Contains(c.Text, "Subject:") {
		t.Errorf("text part:\n%s", c.Text)
	}
	if !strings.Contains(c.HTML, `href="https://anken.example/verify?token=a%3cb"`) || !strings.Contains(c.HTML, "<title>【anken】メールアドレスの確認</title>") {
		t.Errorf("html part:\n%s", c.HTML)
	}
	if _, err := Render("no-such-mail", nil); err == nil {
		t.Error("an unknown template rendered")
	}
}

// TestQuotedName checks that a saved search's name is quoted once: a name
// with brackets of its own, like the names made from a search's
// conditions, gets no second pair.
func TestQuotedName(t *testing.T) {
	for _, c := range []struct{ name, subject, text string }{
		{"Go案件", "【新着案件】「Go案件」に3件の新しい案件があります", "「Go案件」の条件に合う"},
		{"「Go」・フルリモート", "【新着案件】「Go」・フルリモートに3件の新しい案件があります", "「Go」・フルリモートの条件に合う"},
		{"「Go フルリモート」", "【新着案件】「Go フルリモート」に3件の新しい案件があります", "「Go フルリモート」の条件に合う"},
		{"『高単価』", "【新着案件】『高単価』に3件の新しい案件があります", "『高単価』の条件に合う"},
	} {
		c2, err := Render("alert", map[string]any{"Name": c.name, "Count": 3})
		if err != nil {
			t.Fatal(err)
		}
		if c2.Subject != c.subject {
			t.Errorf("name %q: subject %q, want %q", c.name, c2.Subject, c.subject)
		}
		if !strings.HasPrefix(c2.Text, c.text) || !strings.Contains(c2.HTML, "<p>"+c.text) {
			t.Errorf("name %q: want the body to start %q:\n%s\n%s", c.name, c.text, c2.Text, c2.HTML)
		}
		d, err := Render("digest", map[string]any{"Name": c.name, "Count": 3, "Digest": true})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(d.Subject, "「「") || strings.Contains(d.Subject, "」」") || strings.Contains(d.Subject, "「『") {
			t.Errorf("name %q: digest subject %q doubles its brackets", c.name, d.Subject)
		}
	}
}
