package ratelimit

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"anken/internal/problem"
)

func TestLimiter(t *testing.T) {
	clock := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	l := New(3, time.Minute)
	l.now = func() time.Time { return clock }
	for i := range 3 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("event %d of a burst of 3 refused", i+1)
		}
	}
	ok, wait := l.Allow("a")
	if ok || wait <= 0 || wait > time.Minute {
		t.Fatalf("fourth event: ok=%v wait=%v; want refused, wait up to a minute", ok, wait)
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Error("another key shares a's bucket")
	}
	// A refused event takes nothing: after the wait there is one again.
	clock = clock.Add(wait)
	if ok, _ := l.Allow("a"); !ok {
		t.Errorf("after waiting %v: refused", wait)
	}
	if ok, _ := l.Allow("a"); ok {
		t.Error("a second event right after the refill allowed")
	}
	// Full buckets are forgotten.
	clock = clock.Add(time.Hour)
	l.Allow("c")
	if n := l.Len(); n != 1 {
		t.Errorf("after an hour the limiter remembers %d keys, want 1 (c)", n)
	}
}

func TestCheck(t *testing.T) {
	perIP, perAddr := New(10, time.Second), New(1, time.Hour)
	rules := func(addr string) []Rule {
		return []Rule{{perIP, "192.0.2.1", "attempts from this IP address"}, {perAddr, addr, "attempts for this account"}}
	}
	if err := Check(rules("a@example.jp")...); err != nil {
		t.Fatal(err)
	}
	err := Check(rules("a@example.jp")...)
	var ex *Exceeded
	if !errors.As(err, &ex) || problem.KindOf(err) != problem.TooMany || ex.What != "attempts for this account" {
		t.Fatalf("second attempt for one address: %v; want Exceeded, TooMany, naming the address rule", err)
	}
	if s := ex.Seconds(); s < 3500 || s > 3600 {
		t.Errorf("Retry-After %d s, want about an hour", s)
	}
	if err := Check(Rule{Limiter: perAddr, Key: "", What: "empty key is skipped"}); err != nil {
		t.Errorf("an empty key was charged: %v", err)
	}
}

func TestForget(t *testing.T) {
	clock := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	l := New(2, time.Hour).Clock(func() time.Time { return clock })
	for range 3 {
		l.Allow("a")
		l.Allow("b")
	}
	l.Forget("a")
	for i := range 2 {
		if ok, _ := l.Allow("a"); !ok {
			t.Errorf("event %d for a forgotten key refused", i+1)
		}
	}
	if ok, _ := l.Allow("b"); ok {
		t.Error("forgetting a filled b's bucket too")
	}
}

func BenchmarkAllow(b *testing.B) {
	l := New(5, time.Minute)
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = fmt.Sprint("198.51.100.", i)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		l.Allow(keys[i%len(keys)])
	}
}
