package main

import (
	"fmt"
	"go/version"
	"strings"
)

// ciGo is the Go release anken is built and tested with for release: CI
// (.ci/run: export GOTOOLCHAIN=go1.27.3) and the Dockerfile (ENV
// GOTOOLCHAIN=go1.27.3) ask the go command for it, because govulncheck
// finds standard-library vulnerabilities fixed since Go 1.26.8, in code
// anken calls. go.mod asks only for 1.26, so that the machine's Go runs
// and tests anken as it is. Change the three together: a test holds
// .ci/run and the Dockerfile to this constant.
const ciGo = "go1.27.3"

// olderGo reports whether running, a runtime.Version(), is a Go release
// older than ciGo. A development build (devel …) or a version that cannot
// be read is not: nothing is known about it.
func olderGo(running string) bool {
	running, _, _ = strings.Cut(running, " ") // "go1.27.3 X:experiment"
	return version.IsValid(running) && version.Compare(running, ciGo) < 0
}

// goWarning is the line serve logs at start when built with a Go older
// than ciGo; "" when it is not.
func goWarning(running string) string {
	if !olderGo(running) {
		return ""
	}
	return fmt.Sprintf("built with %s, older than the %s that CI and the Dockerfile build with: govulncheck reports "+
		"standard-library vulnerabilities fixed since; fine for trying anken, but build what you deploy with GOTOOLCHAIN=%s",
		strings.Fields(running)[0], ciGo, ciGo)
}
