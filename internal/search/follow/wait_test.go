package follow_test

import (
	"testing"
	"time"
)

// waitFor polls cond until it holds, and fails the test naming what it
// waited for when it does not within timeout: the follower is another
// goroutine, reaching a state, not time passing.
func waitFor(t *testing.T, timeout time.Duration, cond func() bool, what string) {
	t.Helper()
	if !poll(timeout, cond) {
		t.Fatalf("waited %v for %s", timeout, what)
	}
}

// poll checks cond every 10ms until it holds or timeout has passed, and
// reports whether it held.
func poll(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		<-tick.C
	}
	return true
}
