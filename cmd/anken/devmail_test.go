package main

import (
	"testing"

	"anken/internal/store"
)

// TestDevMailOnlyWithoutSMTP: /dev/mail is served under --demo only when
// mail goes nowhere else: with ANKEN_SMTP_URL the mail reaches people,
// and a page showing it (reset links included) would hand accounts over.
func TestDevMailOnlyWithoutSMTP(t *testing.T) {
	st := &store.Store{}
	for _, c := range []struct {
		demo  bool
		smtp  string
		serve bool
	}{
		{true, "", true},
		{true, "smtp://mail.example.jp:587", false},
		{false, "", false},
		{false, "smtp://mail.example.jp:587", false},
	} {
		if got := devMailStore(c.demo, c.smtp, st) != nil; got != c.serve {
			t.Errorf("devMailStore(demo %v, ANKEN_SMTP_URL %q) serves /dev/mail: %v, want %v", c.demo, c.smtp, got, c.serve)
		}
	}
}
