package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

func TestOlderGo(t *testing.T) {
	for _, c := range []struct {
		running string
		older   bool
	}{
		{"go1.26.8", true},
		{"go1.26.0", true},
		{"go1.27", true}, // the language version: before any release of it
		{"go1.27rc1", true},
		{"go1.27.0", true},
		{"go1.27.2", true},
		{"go1.27.3", false},
		{"go1.27.3 X:nocoverageredesign", false},
		{"go1.26.8 X:nocoverageredesign", true},
		{"go1.27.10", false}, // numbers, not strings: 10 > 3
		{"go1.28rc1", false},
		{"go1.28.0", false},
		{"go2.0.0", false},
		{"devel go1.28-0123abcd Mon Jan 1 00:00:00 2027 +0000", false}, // cannot tell
		{"", false},
		{"gccgo", false},
	} {
		if got := olderGo(c.running); got != c.older {
			t.Errorf("olderGo(%q) = %v, want %v", c.running, got, c.older)
		}
		if w := goWarning(c.running); (w != "") != c.older || strings.Contains(w, "\n") {
			t.Errorf("goWarning(%q) = %q; want one line exactly when older", c.running, w)
		}
	}
	if w := goWarning("go1.26.8"); !strings.Contains(w, "go1.26.8") || !strings.Contains(w, "GOTOOLCHAIN="+ciGo) {
		t.Errorf("goWarning(go1.26.8) = %q; want it to name the Go it was built with and GOTOOLCHAIN=%s", w, ciGo)
	}
}

// TestCIGoInOnePlace: .ci/run and the Dockerfile build with ciGo, the
// release serve compares its own Go with.
func TestCIGoInOnePlace(t *testing.T) {
	for file, re := range map[string]*regexp.Regexp{
		"../../.ci/run":    regexp.MustCompile(`(?m)^export GOTOOLCHAIN="\$\{ANKEN_CI_TOOLCHAIN:-(go[0-9.]+)\}"$`),
		"../../Dockerfile": regexp.MustCompile(`(?m)^ENV GOTOOLCHAIN=(go[0-9.]+)$`),
	} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		m := re.FindSubmatch(b)
		if m == nil {
			t.Errorf("%s: no GOTOOLCHAIN line like %s", file, re)
		} else if string(m[1]) != ciGo {
			t.Errorf("%s builds with %s, ciGo (cmd/anken/toolchain.go) is %s: change them together", file, m[1], ciGo)
		}
	}
}
