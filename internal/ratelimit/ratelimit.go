// Package ratelimit limits how often one key (an IP address, an email
// address, an agency) may do something: a token bucket per key, in
// memory, from golang.org/x/time/rate. Buckets that have filled up again
// are forgotten, so memory follows the keys seen recently, not all keys
// ever seen.
//
// Limits are per process: behind several anken nodes a client gets each
// node's allowance. That is the known trade of in-memory limits; they
// still stop a single client hammering one node.
package ratelimit

import (
	"fmt"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"anken/internal/problem"
)

// Limiter allows each key Burst events at once and then one every Every.
// It is safe for concurrent use. The zero value is not usable: use New.
type Limiter struct {
	every time.Duration
	burst int

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	swept   time.Time
	now     func() time.Time
}

// New returns a limiter that allows each key burst events at once, and
// one more every every.
func New(burst int, every time.Duration) *Limiter {
	return &Limiter{every: every, burst: max(burst, 1), buckets: map[string]*rate.Limiter{}, now: time.Now}
}

// Clock makes the limiter read the time from now instead of time.Now,
// for tests that wait without sleeping. It returns l.
func (l *Limiter) Clock(now func() time.Time) *Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.now = now
	return l
}

// Allow takes one event for key. When the key has none left it takes
// nothing and returns how long until it has one.
func (l *Limiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.sweep(now)
	b, found := l.buckets[key]
	if !found {
		b = rate.NewLimiter(rate.Every(l.every), l.burst)
		l.buckets[key] = b
	}
	r := b.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// Forget gives key a full bucket again, as if it had not been seen: for a
// limit whose reason has gone (an account's login limit once its owner
// has proved who they are by a mail).
func (l *Limiter) Forget(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.buckets, key)
}

// refill is how long an emptied bucket takes to fill up again: after it,
// a bucket is the same as a new one and can be dropped.
func (l *Limiter) refill() time.Duration { return time.Duration(l.burst) * l.every }

// sweep drops the full buckets at most once per refill time, or sooner
// when many keys have been seen (a scan of addresses).
func (l *Limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < l.refill() && len(l.buckets) < 100_000 {
		return
	}
	l.swept = now
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.burst) {
			delete(l.buckets, k)
		}
	}
}

// Len returns how many keys the limiter remembers.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// Exceeded is the error of a request over its limit: kind TooMany (429),
// with how long to wait, which the API sends as Retry-After.
type Exceeded struct {
	What       string // what was limited: "sign-up attempts from this address"
	RetryAfter time.Duration
}

func (e *Exceeded) Error() string {
	return fmt.Sprintf("too many %s; retry in %d seconds", e.What, e.Seconds())
}

// Unwrap gives the error its kind.
func (e *Exceeded) Unwrap() error { return problem.TooMany }

// Seconds is RetryAfter rounded up to whole seconds, at least 1: the
// value of a Retry-After header.
func (e *Exceeded) Seconds() int {
	return max(1, int(math.Ceil(e.RetryAfter.Seconds())))
}

// Check takes one event for each key from its limiter and returns an
// *Exceeded naming what for the first that has none left; the events
// taken before it are kept, as a request refused still counts.
func Check(checks ...Rule) error {
	for _, c := range checks {
		if c.Limiter == nil || c.Key == "" {
			continue
		}
		if ok, wait := c.Limiter.Allow(c.Key); !ok {
			return &Exceeded{What: c.What, RetryAfter: wait}
		}
	}
	return nil
}

// Rule is one limit to check: a limiter, the key to charge and what it
// counts, for the error.
type Rule struct {
	Limiter *Limiter
	Key     string
	What    string
}
