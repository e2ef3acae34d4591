package main

import (
	"testing"
	"time"

	"anken/internal/server/servertest"
)

// waitFor polls cond every 20ms until it holds, and fails the test naming
// what it waited for when it does not within timeout.
func waitFor(t testing.TB, timeout time.Duration, cond func() bool, what string) {
	t.Helper()
	if !servertest.Poll(timeout, 20*time.Millisecond, cond) {
		t.Fatalf("waited %v for %s", timeout, what)
	}
}
