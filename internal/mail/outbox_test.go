package mail_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"anken/internal/mail"
	"anken/internal/mail/mailtest"
	"anken/internal/store"
	"anken/internal/store/storetest"
)

// fastWorker is a worker on clock, the store's, whose retries come within
// 40ms of it: waitFor moves it on that much at every look, so each retry
// is due by the next whatever the machine's speed.
func fastWorker(st *store.Store, s *mail.Sender, clock *storetest.Clock) *mail.Worker {
	return &mail.Worker{Store: st, Sender: s, Batch: 10, Backoff: 5 * time.Millisecond,
		MaxBackoff: 40 * time.Millisecond, Poll: 5 * time.Millisecond, Now: clock.Now}
}

// waitFor polls cond every 5ms of the wall clock, moving clock on by a
// fast worker's longest backoff at each look, until cond holds; it fails
// the test naming what it waited for when cond does not hold within
// timeout (on the wall clock: the worker is another goroutine).
func waitFor(t *testing.T, clock *storetest.Clock, timeout time.Duration, cond func() bool, what string) {
	t.Helper()
	if !poll(clock, timeout, cond) {
		t.Fatalf("waited %v for %s", timeout, what)
	}
}

// poll is waitFor's loop: it reports whether cond came to hold in time.
func poll(clock *storetest.Clock, timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		<-tick.C
		clock.Add(40 * time.Millisecond)
	}
	return true
}

// run runs w until the test ends.
func run(t *testing.T, w *mail.Worker) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { w.Run(ctx) })
	t.Cleanup(func() { cancel(); wg.Wait() })
}

func enqueue(t *testing.T, st *store.Store, to ...string) map[string]store.Mail {
	t.Helper()
	out := map[string]store.Mail{}
	for i, addr := range to {
		m := store.Mail{Kind: "alert", To: addr, Subject: fmt.Sprintf("新着案件のお知らせ %d", i),
			Text: "新しい案件が届きました。\n", HTML: "<p>新しい案件が届きました。</p>"}
		id, err := st.EnqueueMail(context.Background(), m)
		if err != nil {
			t.Fatal(err)
		}
		if m, err = st.MailByID(context.Background(), id); err != nil {
			t.Fatal(err)
		}
		out[m.MessageID] = m
	}
	return out
}

// waitState waits until n mails are in state (see waitFor).
func waitState(t *testing.T, st *store.Store, clock *storetest.Clock, state store.MailState, n int, timeout time.Duration) {
	t.Helper()
	got := 0
	if !poll(clock, timeout, func() bool {
		var err error
		if got, err = st.MailCount(context.Background(), state); err != nil {
			t.Fatal(err)
		}
		return got == n
	}) {
		counts, _ := st.MailCounts(context.Background())
		t.Fatalf("%d mails %s after %s, want %d (outbox: %v)", got, state, timeout, n, counts)
	}
}

// exactlyOnce checks that the server received each mail once and nothing
// else.
func exactlyOnce(t *testing.T, msgs []mailtest.Message, want map[string]store.Mail) {
	t.Helper()
	seen := map[string]int{}
	for _, m := range msgs {
		id, _, _ := strings.Cut(m.MessageID, "@")
		seen[id]++
		if w, ok := want[id]; !ok {
			t.Errorf("received a mail that was never enqueued: %q", m.MessageID)
		} else if m.Subject != w.Subject || len(m.To) != 1 || m.To[0] != w.To || m.Text != w.Text {
			t.Errorf("mail %s arrived as %q to %v, want %q to %s", id, m.Subject, m.To, w.Subject, w.To)
		}
	}
	for id := range want {
		if seen[id] != 1 {
			t.Errorf("mail %s arrived %d times, want once", id, seen[id])
		}
	}
}

// TestWorkerRecovers: the server is down, then drops connections and
// answers 4xx for a while; after it recovers every mail has arrived
// exactly once.
func TestWorkerRecovers(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			clock := storetest.NewClock(time.Now())
			st := storetest.OpenClock(t, backend, clock.Now)
			srv := mailtest.Start(t)
			srv.Stop()
			var to []string
			for i := range 60 {
				to = append(to, fmt.Sprintf("eng%d@example.jp", i))
			}
			want := enqueue(t, st, to...)
			reg := prometheus.NewRegistry()
			w := fastWorker(st, newSender(t, srv, srv.URL()), clock)
			w.Metrics = reg
			run(t, w)
			// Connection refused, a few times: a mail was claimed thrice.
			waitFor(t, clock, 10*time.Second, func() bool {
				ms, err := st.Mails(context.Background(), store.MailPending, 100)
				if err != nil {
					t.Fatal(err)
				}
				return slices.ContainsFunc(ms, func(m store.Mail) bool { return m.Attempts >= 3 })
			}, "the worker to try a stopped server three times")
			if n := len(srv.Messages()); n != 0 {
				t.Fatalf("%d mails arrived at a stopped server", n)
			}
			srv.Drop(4)
			srv.Fail4xx(7)
			srv.Resume()
			waitState(t, st, clock, store.MailSent, len(want), 20*time.Second)
			exactlyOnce(t, srv.Messages(), want)
			if sent, retried := metric(t, reg, "anken_mail_sent_total"), metric(t, reg, "anken_mail_retried_total"); sent != 60 || retried < 3 {
				t.Errorf("metrics: sent %v, retried %v; want 60 and at least 3", sent, retried)
			}
		})
	}
}

// TestWorkerParks: a 5xx for one address parks that mail alone, with the
// server's text; the others are sent. `anken mail retry` makes it pending.
func TestWorkerParks(t *testing.T) {
	clock := storetest.NewClock(time.Now())
	st := storetest.OpenClock(t, "sqlite", clock.Now)
	srv := mailtest.Start(t)
	srv.Reject("gone@example.jp")
	want := enqueue(t, st, "a@example.jp", "gone@example.jp", "b@example.jp")
	run(t, fastWorker(st, newSender(t, srv, srv.URL()), clock))
	waitState(t, st, clock, store.MailSent, 2, 5*time.Second)
	waitState(t, st, clock, store.MailParked, 1, 5*time.Second)
	parked, err := st.Mails(context.Background(), store.MailParked, 10)
	if err != nil || len(parked) != 1 {
		t.Fatalf("parked = %v, %v", parked, err)
	}
	p := parked[0]
	if p.To != "gone@example.jp" || !strings.Contains(p.LastError, "550") || !strings.Contains(p.LastError, "does not exist") || p.Attempts != 1 {
		t.Errorf("parked mail = to %s, attempt %d, error %q; want gone@example.jp at attempt 1 with the server's 550", p.To, p.Attempts, p.LastError)
	}
	delete(want, p.MessageID)
	exactlyOnce(t, srv.Messages(), want)
}

// metric reads a counter or gauge from reg.
func metric(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			m := mf.GetMetric()[0]
			if c := m.GetCounter(); c != nil {
				return c.GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}
