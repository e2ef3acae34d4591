package main

import (
	"testing"
	"time"
)

// The index's lag is the age of the oldest change-log head seen at a
// scrape that the index has not applied since.
func TestOpsCollectorIndexLag(t *testing.T) {
	c := &opsCollector{}
	t0 := time.Unix(1_000_000, 0)
	steps := []struct {
		after         time.Duration
		head, applied int64
		lag           float64
		behind        int64
	}{
		{0, 10, 10, 0, 0},                  // current
		{15 * time.Second, 20, 12, 0, 8},   // behind, but this head was only just seen
		{30 * time.Second, 30, 15, 15, 15}, // still short of the head seen 15 s ago
		{45 * time.Second, 40, 25, 15, 15}, // reached that one; the next was seen 15 s ago
		{60 * time.Second, 40, 40, 0, 0},   // caught up
	}
	for i, s := range steps {
		c.follow(t0.Add(s.after), s.head, s.applied)
		if c.lag != s.lag || c.behind != s.behind {
			t.Errorf("step %d: lag %v behind %d, want %v and %d", i, c.lag, c.behind, s.lag, s.behind)
		}
	}
}
