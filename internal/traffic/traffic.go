// Package traffic counts, per listing and per day in Asia/Tokyo, how often
// a listing was shown on a page (an impression: its card on a search, list
// or landing page), had its page opened (a view) and was clicked through
// to apply (a click, /go/{id}/{agency}): what an agency pays an aggregator
// for. Reports reads an agency's counts back.
//
// What is kept: the store holds (day, listing, impressions, views,
// clicks) and nothing else: no address, cookie, account or time of day.
// So that one person's repeats within a day count once, the counter keeps
// in memory only a set of 64-bit hashes of (client address, User-Agent,
// listing, kind), taken with a random seed (hash/maphash) drawn afresh
// at each JST midnight and never written anywhere; the set and its seed
// are dropped together, so yesterday's hashes cannot be matched against
// anything. A client whose User-Agent calls itself a robot (see Bot) is
// not counted.
//
// Counting never waits on the store: Count adds to a map in memory under
// a mutex, and Run writes what was gathered every FlushEvery in one
// transaction (store.AddTraffic sums it with what other nodes wrote), and
// once more when it stops. A crash loses at most the counts of the last
// FlushEvery (more only while the store is not answering: counts then
// wait in memory for the next flush).
package traffic

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"anken/internal/store"
)

// Kind is what happened to a listing.
type Kind uint8

// The kinds counted.
const (
	Impression Kind = iota // its card was on a page
	View                   // its page was opened
	Click                  // it was clicked through to apply (/go)
	kinds
)

func (k Kind) String() string {
	switch k {
	case Impression:
		return "impression"
	case View:
		return "view"
	case Click:
		return "click"
	}
	return fmt.Sprintf("kind %d", uint8(k))
}

// FlushEvery is how often Run writes the counts gathered: the most a
// crash loses.
const FlushEvery = 5 * time.Second

// MaxSeen is how many (client, listing, kind) hashes a counter keeps in a
// day to count repeats once: about 40 MB at most. When the set is full it
// starts again empty, so repeats by clients seen before that count once
// more that day.
const MaxSeen = 1 << 21

// stopWait is how long the last flush, when Run stops, may take.
const stopWait = 10 * time.Second

// Writer is where the counts go: store.Store.
type Writer interface {
	AddTraffic(ctx context.Context, rows []store.TrafficRow) error
}

// Options are a counter's settings; the zero value is the production one.
type Options struct {
	Every   time.Duration    // how often Run flushes; FlushEvery when 0
	Now     func() time.Time // the clock that says which day it is; time.Now when nil
	Log     *slog.Logger     // nothing logged when nil
	MaxSeen int              // MaxSeen when 0
}

// slot is a listing's counts of a day.
type slot struct {
	day string
	id  int64
}

// Counter gathers counts in memory and writes them in batches. Its
// methods are safe for concurrent use; a nil *Counter counts nothing.
type Counter struct {
	w   Writer
	opt Options

	mu       sync.Mutex
	day      string // the JST day counts are being gathered for
	dayStart time.Time
	dayEnd   time.Time
	seed     maphash.Seed        // drawn at random for the day; never stored
	seen     map[uint64]struct{} // hashes of (client, listing, kind) counted this day
	warned   bool                // the set filled up this day (logged once)
	pending  map[slot]*[kinds]int64

	flushing sync.Mutex // one flush at a time
}

// New returns a counter writing to w.
func New(w Writer, o Options) *Counter {
	if o.Every <= 0 {
		o.Every = FlushEvery
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.MaxSeen <= 0 {
		o.MaxSeen = MaxSeen
	}
	return &Counter{w: w, opt: o, seen: map[uint64]struct{}{}, pending: map[slot]*[kinds]int64{}}
}

// Count counts the listings ids as seen once more, in kind k, by the
// client of r: once per client, listing and kind in a day; not at all
// when the client is a robot (Bot), the request a HEAD or a prefetch.
// It only touches memory.
func (c *Counter) Count(r *http.Request, k Kind, ids ...int64) {
	if c == nil || len(ids) == 0 || k >= kinds || !countable(r) {
		return
	}
	addr := r.RemoteAddr
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	ua := r.UserAgent()
	now := c.opt.Now()

	c.mu.Lock()
	defer c.mu.Unlock()
	if c.day == "" || now.Before(c.dayStart) || !now.Before(c.dayEnd) {
		c.newDay(now)
	}
	var h maphash.Hash
	h.SetSeed(c.seed)
	h.WriteString(addr)
	h.WriteByte(0)
	h.WriteString(ua)
	client := h.Sum64()
	var key [17]byte
	binary.LittleEndian.PutUint64(key[:8], client)
	key[16] = byte(k)
	for _, id := range ids {
		binary.LittleEndian.PutUint64(key[8:16], uint64(id))
		sum := maphash.Bytes(c.seed, key[:])
		if _, ok := c.seen[sum]; ok {
			continue
		}
		if len(c.seen) >= c.opt.MaxSeen {
			clear(c.seen)
			if !c.warned {
				c.warned = true
				c.opt.Log.Warn("traffic: the day's set of clients seen is full; starting it again, so some repeats count twice today",
					slog.Int("max", c.opt.MaxSeen), slog.String("day", c.day))
			}
		}
		c.seen[sum] = struct{}{}
		s := slot{c.day, id}
		p := c.pending[s]
		if p == nil {
			p = new([kinds]int64)
			c.pending[s] = p
		}
		p[k]++
	}
}

// newDay starts counting for the JST day of now: a new seed, an empty
// set of clients seen. Counts gathered for the day before stay pending
// under their day.
func (c *Counter) newDay(now time.Time) {
	t := now.In(jst)
	c.dayStart = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, jst)
	c.dayEnd = c.dayStart.AddDate(0, 0, 1)
	c.day = c.dayStart.Format(time.DateOnly)
	c.seed = maphash.MakeSeed()
	clear(c.seen)
	c.warned = false
}

// Run writes the counts gathered every Options.Every until ctx ends, and
// then once more (with its own deadline), so that stopping loses nothing.
// A flush that fails keeps its counts for the next.
func (c *Counter) Run(ctx context.Context) {
	t := time.NewTicker(c.opt.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			last, cancel := context.WithTimeout(context.WithoutCancel(ctx), stopWait)
			defer cancel()
			if err := c.Flush(last); err != nil {
				c.opt.Log.Error("traffic: last flush failed; these counts are lost", slog.Int("rows", c.Pending()), slog.Any("err", err))
			}
			return
		case <-t.C:
			if err := c.Flush(ctx); err != nil && ctx.Err() == nil {
				c.opt.Log.Warn("traffic: flush failed; the counts wait for the next", slog.Int("rows", c.Pending()), slog.Any("err", err))
			}
		}
	}
}

// Flush writes the counts gathered so far in one transaction. When the
// store fails, they are kept and added to the next flush.
func (c *Counter) Flush(ctx context.Context) error {
	if c == nil {
		return nil
	}
	c.flushing.Lock()
	defer c.flushing.Unlock()
	c.mu.Lock()
	batch := c.pending
	c.pending = make(map[slot]*[kinds]int64, len(batch))
	c.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	rows := make([]store.TrafficRow, 0, len(batch))
	for s, n := range batch {
		rows = append(rows, store.TrafficRow{ListingID: s.id, Day: s.day,
			TrafficCounts: store.TrafficCounts{Impressions: n[Impression], Views: n[View], Clicks: n[Click]}})
	}
	if err := c.w.AddTraffic(ctx, rows); err != nil {
		c.mu.Lock()
		for s, n := range batch {
			if p := c.pending[s]; p != nil {
				for k := range n {
					p[k] += n[k]
				}
			} else {
				c.pending[s] = n
			}
		}
		c.mu.Unlock()
		return fmt.Errorf("traffic: flush %d rows: %w", len(rows), err)
	}
	return nil
}

// Pending is how many (listing, day) counts wait for a flush.
func (c *Counter) Pending() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pending)
}

// countable reports whether r is a person's: not a robot, not a HEAD,
// not a prefetch the browser made before anyone asked for the page.
func countable(r *http.Request) bool {
	if r.Method == http.MethodHead || Bot(r.UserAgent()) {
		return false
	}
	for _, h := range []string{"Sec-Purpose", "Purpose", "X-Moz"} {
		if strings.Contains(strings.ToLower(r.Header.Get(h)), "prefetch") {
			return false
		}
	}
	return true
}

// Bot reports whether a client with this User-Agent is not counted: it
// sends none (every browser does), or it calls itself a robot, in any
// case: bot (Googlebot, bingbot, Applebot, GPTBot, Slackbot, AhrefsBot),
// crawl, spider (Baiduspider), slurp (Yahoo! Slurp) or headless
// (HeadlessChrome).
func Bot(userAgent string) bool {
	if strings.TrimSpace(userAgent) == "" {
		return true
	}
	var buf [512]byte // lower-cased here: no allocation for a usual User-Agent
	lower := append(buf[:0], userAgent...)
	for i, ch := range lower {
		if 'A' <= ch && ch <= 'Z' {
			lower[i] = ch + 'a' - 'A'
		}
	}
	for _, w := range botWords {
		if bytes.Contains(lower, w) {
			return true
		}
	}
	return false
}

var botWords = [][]byte{[]byte("bot"), []byte("crawl"), []byte("spider"), []byte("slurp"), []byte("headless")}

// jst is Asia/Tokyo, which has had no daylight saving time since 1951.
var jst = time.FixedZone("Asia/Tokyo", 9*60*60)

// Day is the JST day of t, YYYY-MM-DD: the day its counts belong to.
func Day(t time.Time) string { return t.In(jst).Format(time.DateOnly) }
