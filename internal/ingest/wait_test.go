package ingest_test

import (
	"testing"
	"time"
)

// waitFor polls cond every 5ms until it holds, and fails the test naming
// what it waited for when it does not within timeout. It is for a state
// another goroutine reaches; a test that needs time to pass moves a fake
// clock instead (storetest.Clock).
func waitFor(t *testing.T, timeout time.Duration, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", timeout, what)
		}
		<-tick.C
	}
}
