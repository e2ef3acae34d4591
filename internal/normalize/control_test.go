package normalize

import (
	"testing"
	"time"

	"anken/internal/listing"
)

// TestTitleControlCharacters: a title is one line, whatever the agency
// sent (CR/LF, C0 and C1 controls, line separators become one space); a
// description keeps its line breaks as \n. The rule is listing.OneLine
// and listing.Lines, the one the account fields use too.
func TestTitleControlCharacters(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		title, description, wantTitle, wantDescription string
	}{
		{"【Go】決済基盤\r\nバックエンド", "一行目\r\n二行目", "【Go】決済基盤 バックエンド", "一行目\n二行目"},
		{"Go\x00\x1b[31m案件", "a\x00b", "Go [31m案件", "a b"},
		{" \tGo  \n  案件\u0085 ", "一\u2028二\r三", "Go 案件", "一\n二\n三"},
		{"リモート\u2029可", "そのまま", "リモート 可", "そのまま"},
	} {
		got := NormalizeAt(listing.Raw{ExternalID: "A-1", Title: c.title, Description: c.description}, now)
		if got.Title != c.wantTitle || got.Description != c.wantDescription {
			t.Errorf("Normalize(title %q, description %q) = %q, %q; want %q, %q",
				c.title, c.description, got.Title, got.Description, c.wantTitle, c.wantDescription)
		}
	}
}
