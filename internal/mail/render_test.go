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
