package servertest

import (
	"bytes"
	"sync"
	"time"
)

// Poll calls cond every interval until it returns true, for at most
// timeout on the wall clock, and reports whether it did: how a test waits
// for a server, a process or a browser to reach a state, never a sleep of
// a fixed length.
func Poll(timeout, interval time.Duration, cond func() bool) bool {
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

// Buffer collects what a server logs or a process writes, from other
// goroutines, while the test reads it. The zero value is empty and ready.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
