package main

import (
	"testing"
	"time"
)

// poll calls cond every interval until it returns true, for at most
// timeout on the wall clock, and reports whether it did. The tests here
// wait for other processes (a node to start, an index to catch up, a
// feed to be polled): a bounded poll, never a sleep of a fixed length.
func poll(timeout, interval time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		<-tick.C
	}
	return true
}

// waitFor polls cond every 20ms until it holds, and fails the test naming
// what it waited for when it does not within timeout.
func waitFor(t testing.TB, timeout time.Duration, cond func() bool, what string) {
	t.Helper()
	if !poll(timeout, 20*time.Millisecond, cond) {
		t.Fatalf("waited %v for %s", timeout, what)
	}
}
