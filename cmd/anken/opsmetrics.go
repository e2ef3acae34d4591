package main

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"anken/internal/search/follow"
	"anken/internal/store"
)

// opsCollector exports, at each scrape, what the alert rules of
// deploy/prometheus/alerts.yml watch and no request counter shows: the
// store's queues (shared by every node), whether the store answers, and
// how far this node's search index is behind the change log. It reads the
// store at most once per opsCacheFor, whatever the number of scrapers.
type opsCollector struct {
	st     *store.Store
	f      *follow.Follower
	mail   bool // a mail sender runs (ANKEN_SMTP_URL): the outbox's age means something
	mu     sync.Mutex
	at     time.Time
	b      store.Backlog
	err    error
	heads  []seenHead // change-log heads seen at earlier scrapes that the index had not applied yet, oldest first
	lag    float64
	behind int64
}

// seenHead is the change log's newest sequence number at a moment.
type seenHead struct {
	at  time.Time
	seq int64
}

const opsCacheFor = 10 * time.Second

var (
	descStoreUp      = prometheus.NewDesc("anken_store_up", "1 when the store answered the last backlog query, 0 when it did not.", nil, nil)
	descInboxPending = prometheus.NewDesc("anken_inbox_pending_items", "Inbox items (webhook deliveries, feed rows) waiting for a worker, retries included.", nil, nil)
	descInboxOldest  = prometheus.NewDesc("anken_inbox_oldest_pending_age_seconds", "Age of the oldest pending inbox item: how long accepted input has waited to be stored (0 when none waits).", nil, nil)
	descInboxParked  = prometheus.NewDesc("anken_inbox_parked_items", "Inbox items parked after failing repeatedly (anken inbox replay).", nil, nil)
	descMailOldest   = prometheus.NewDesc("anken_mail_outbox_oldest_pending_age_seconds", "Age of the oldest mail pending or being sent (0 when none); only with a sender (ANKEN_SMTP_URL).", nil, nil)
	descMailParked   = prometheus.NewDesc("anken_mail_outbox_parked", "Mails parked after a permanent refusal (anken mail retry).", nil, nil)
	descHeldRuns     = prometheus.NewDesc("anken_feed_runs_held", "Full feed runs held until the agency or an operator confirms them (anken feed confirm).", nil, nil)
	descIndexReady   = prometheus.NewDesc("anken_index_ready", "1 once this node's search index is loaded.", nil, nil)
	descIndexBehind  = prometheus.NewDesc("anken_index_changes_behind", "Change-log sequence numbers this node's index has not applied yet.", nil, nil)
	descIndexLag     = prometheus.NewDesc("anken_index_lag_seconds", "How long ago the store had a change this node's index has not applied yet (0 when current), to the scrape's resolution.", nil, nil)
	descIndexSeq     = prometheus.NewDesc("anken_index_seq", "The last change-log sequence number this node's index applied.", nil, nil)
	opsDescs         = []*prometheus.Desc{descStoreUp, descInboxPending, descInboxOldest, descInboxParked, descMailOldest,
		descMailParked, descHeldRuns, descIndexReady, descIndexBehind, descIndexLag, descIndexSeq}
)

const (
	maxSeenHeads      = 1000
	opsCollectTimeout = 5 * time.Second
)

func (c *opsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range opsDescs {
		ch <- d
	}
}

func (c *opsCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if now.Sub(c.at) >= opsCacheFor {
		ctx, cancel := context.WithTimeout(context.Background(), opsCollectTimeout)
		c.b, c.err = c.st.Backlog(ctx)
		cancel()
		c.at = now
		if c.err == nil && c.f.Ready() {
			c.follow(now, c.b.LastSeq, c.f.Seq())
		}
	}
	gauge := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	age := func(t time.Time) float64 {
		if t.IsZero() {
			return 0
		}
		return max(0, now.Sub(t).Seconds())
	}
	ready := c.f.Ready()
	gauge(descIndexReady, b2f(ready))
	gauge(descIndexSeq, float64(c.f.Seq()))
	if c.err != nil {
		gauge(descStoreUp, 0)
		return
	}
	gauge(descStoreUp, 1)
	gauge(descInboxPending, float64(c.b.InboxPending))
	gauge(descInboxOldest, age(c.b.InboxOldest))
	gauge(descInboxParked, float64(c.b.InboxParked))
	if c.mail {
		gauge(descMailOldest, age(c.b.MailOldest))
	}
	gauge(descMailParked, float64(c.b.MailParked))
	gauge(descHeldRuns, float64(c.b.HeldRuns))
	if ready {
		gauge(descIndexBehind, float64(c.behind))
		gauge(descIndexLag, c.lag)
	}
}

// follow notes the change log's head and what the index applied: the lag
// is the age of the oldest head seen that the index has not reached.
func (c *opsCollector) follow(now time.Time, head, applied int64) {
	if n := len(c.heads); (n == 0 || c.heads[n-1].seq < head) && n < maxSeenHeads {
		c.heads = append(c.heads, seenHead{now, head})
	}
	i := 0
	for i < len(c.heads) && c.heads[i].seq <= applied {
		i++
	}
	c.heads = c.heads[i:]
	c.behind = max(0, head-applied)
	c.lag = 0
	if len(c.heads) > 0 {
		c.lag = now.Sub(c.heads[0].at).Seconds()
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
