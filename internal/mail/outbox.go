package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"anken/internal/store"
)

// The outbox worker takes mail from the store's outbox to the SMTP server.
//
// Nothing is lost: a mail is claimed (state sending, with a lease) before
// any SMTP command, and marked sent only after the server's 250 to its
// data. A failure before that — the server refused the connection,
// dropped it, timed out, or answered 4xx — gives the mail back to be tried
// again with backoff; a worker that dies leaves its claims to lapse, and
// another claim (on this node or another) takes them again.
//
// Nothing is sent twice, but for one window no sender can close: the
// server answered 250 and the process died (or lost the database) before
// the commit that marks the mail sent. The mail is then sent again when its
// claim lapses, with the same Message-ID and Date, so a receiving system
// that deduplicates by Message-ID drops it. The window is one database
// write long; SMTP itself has the same one (RFC 1047) between the end of
// the data and the server's answer.
//
// A 5xx for one recipient (or for one message's content) parks that mail
// with the server's text; `anken mail retry ID` makes it pending again.

// OutboxStore is what the worker needs of the store.
type OutboxStore interface {
	ClaimMail(ctx context.Context, limit int, lease time.Duration) ([]store.Mail, error)
	MarkMailSent(ctx context.Context, m store.Mail) error
	RetryMail(ctx context.Context, m store.Mail, cause error, at time.Time) error
	ParkMail(ctx context.Context, m store.Mail, cause error) error
	MailCount(ctx context.Context, state store.MailState) (int, error)
}

// Transport sends one mail; *Sender is one. Send's errors follow Sender's
// contract: nil once the server accepted the mail, a *ReplyError for the
// server's refusal of this mail alone, any other error for a connection
// or server that failed. Close ends the connection a batch used.
type Transport interface {
	Send(ctx context.Context, m store.Mail) error
	Close() error
}

// Worker sends the outbox. Several workers, on one node or many, may run
// on one store: each mail is claimed by one of them.
type Worker struct {
	Store  OutboxStore
	Sender Transport
	Log    *slog.Logger
	// Batch is how many mails one claim takes, sent over one connection;
	// 50 when 0.
	Batch int
	// Lease is how long a claim holds; 2m when 0. A mail whose claim has
	// less than Margin left is not begun but given back: it must not be
	// sent while another worker may claim it. Margin must exceed the
	// time one send may take (the Sender's timeout); 45s when 0.
	Lease, Margin time.Duration
	// Backoff is the wait before the first retry, doubled each attempt up
	// to MaxBackoff, each wait drawn between half and all of it (jitter);
	// 30s and 1h when 0.
	Backoff, MaxBackoff time.Duration
	// Poll is the pause when nothing is due; 1s when 0.
	Poll time.Duration
	// Metrics, when set, registers the worker's counters and the pending
	// gauge.
	Metrics prometheus.Registerer
	// Now is the clock retries are scheduled by and claims are read
	// against; the store compares them with its own clock, so it must be
	// the store's (store.Config.Now). time.Now when nil.
	Now func() time.Time

	m *workerMetrics
}

type workerMetrics struct {
	sent, retried, parked prometheus.Counter
	pending               prometheus.Gauge
	countedAt             time.Time
}

func (w *Worker) defaults() {
	if w.Batch <= 0 {
		w.Batch = 50
	}
	if w.Lease <= 0 {
		w.Lease = 2 * time.Minute
	}
	if w.Margin <= 0 {
		w.Margin = 45 * time.Second
	}
	if w.Margin >= w.Lease {
		w.Margin = w.Lease / 2
	}
	if w.Backoff <= 0 {
		w.Backoff = 30 * time.Second
	}
	if w.MaxBackoff <= 0 {
		w.MaxBackoff = time.Hour
	}
	if w.Poll <= 0 {
		w.Poll = time.Second
	}
	if w.Log == nil {
		w.Log = slog.New(slog.DiscardHandler)
	}
	if w.Now == nil {
		w.Now = time.Now
	}
	if w.m == nil {
		w.m = &workerMetrics{
			sent: prometheus.NewCounter(prometheus.CounterOpts{
				Name: "anken_mail_sent_total", Help: "Mails the SMTP server accepted."}),
			retried: prometheus.NewCounter(prometheus.CounterOpts{
				Name: "anken_mail_retried_total", Help: "Mail attempts that failed for now and wait to be tried again."}),
			parked: prometheus.NewCounter(prometheus.CounterOpts{
				Name: "anken_mail_parked_total", Help: "Mails set aside after a permanent (5xx) refusal."}),
			pending: prometheus.NewGauge(prometheus.GaugeOpts{
				Name: "anken_mail_outbox_pending", Help: "Mails in the outbox waiting to be sent (pending or being sent)."}),
		}
		if w.Metrics != nil {
			w.Metrics.MustRegister(w.m.sent, w.m.retried, w.m.parked, w.m.pending)
		}
	}
}

// Run sends until ctx is done. It finishes the mail in hand (bounded by
// the Sender's timeout) and gives the rest of its batch back.
func (w *Worker) Run(ctx context.Context) {
	w.defaults()
	w.Log.Info("mail: sender started")
	for ctx.Err() == nil {
		n, err := w.Once(ctx)
		if err != nil && ctx.Err() == nil {
			w.Log.Warn("mail: outbox claim failed", slog.Any("err", err))
		}
		w.count(ctx)
		if n > 0 && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
		case <-time.After(w.Poll):
		}
	}
	w.Log.Info("mail: sender stopped")
}

// Once claims one batch and sends it over one connection. It returns how
// many mails it claimed.
func (w *Worker) Once(ctx context.Context) (int, error) {
	w.defaults()
	mails, err := w.Store.ClaimMail(ctx, w.Batch, w.Lease)
	if err != nil || len(mails) == 0 {
		return 0, err
	}
	defer w.Sender.Close()
	for i, m := range mails {
		if ctx.Err() != nil {
			w.giveBack(mails[i:], errors.New("not attempted: the sender stopped"), w.Now())
			break
		}
		if m.ClaimedUntil.Sub(w.Now()) < w.Margin {
			w.giveBack(mails[i:], errors.New("not attempted: the batch outlasted its claim"), w.Now())
			break
		}
		err := w.Sender.Send(ctx, m)
		var reply *ReplyError
		switch {
		case err == nil:
			w.markSent(m)
		case errors.As(err, &reply) && reply.Permanent():
			w.settle(m, "park", w.Store.ParkMail(context.WithoutCancel(ctx), m, err))
			w.m.parked.Inc()
			w.Log.Warn("mail: refused for good; parked", slog.Int64("mail", m.ID), slog.String("to", m.To),
				slog.String("kind", m.Kind), slog.Int("code", reply.Code), slog.String("reply", reply.Text))
		case reply != nil:
			w.retry(m, err)
		default:
			// The connection or the server failed: the rest of the batch
			// would meet the same, so it waits as long as this mail.
			at := w.retry(m, err)
			w.Log.Warn("mail: SMTP server unavailable; batch given back", slog.Any("err", err),
				slog.Int("mails", len(mails)-i), slog.Time("retry_at", at))
			w.giveBack(mails[i+1:], fmt.Errorf("not attempted: %w", err), at)
			return len(mails), nil
		}
	}
	return len(mails), nil
}

// markSent records the server's acceptance. This is the ambiguous window:
// if the commit fails the mail is sent again when its claim lapses, so
// it is tried a few times before giving up.
func (w *Worker) markSent(m store.Mail) {
	w.m.sent.Inc()
	var err error
	for try := range 5 {
		if err = w.Store.MarkMailSent(context.Background(), m); err == nil || errors.Is(err, store.ErrClaimLost) {
			break
		}
		time.Sleep(time.Duration(try+1) * 200 * time.Millisecond)
	}
	w.settle(m, "mark sent", err)
}

// retry gives m back, due after its backoff, and returns when.
func (w *Worker) retry(m store.Mail, cause error) time.Time {
	at := w.Now().Add(w.backoff(m.Attempts))
	w.settle(m, "retry", w.Store.RetryMail(context.Background(), m, cause, at))
	w.m.retried.Inc()
	w.Log.Info("mail: not sent; will retry", slog.Int64("mail", m.ID), slog.Int("attempt", m.Attempts),
		slog.Time("retry_at", at), slog.Any("err", cause))
	return at
}

// giveBack returns claimed mails not attempted, due at at.
func (w *Worker) giveBack(mails []store.Mail, cause error, at time.Time) {
	for _, m := range mails {
		w.settle(m, "give back", w.Store.RetryMail(context.Background(), m, cause, at))
	}
}

// settle logs the failure to record what became of m. The mail then keeps
// its claim until the lease lapses and is tried again.
func (w *Worker) settle(m store.Mail, what string, err error) {
	if err == nil {
		return
	}
	lvl := slog.LevelError
	if errors.Is(err, store.ErrClaimLost) {
		lvl = slog.LevelWarn
	}
	w.Log.Log(context.Background(), lvl, "mail: "+what+" not recorded", slog.Int64("mail", m.ID), slog.Any("err", err))
}

// backoff is the wait before the retry after attempt n (1 = the first):
// Backoff doubled n-1 times, at most MaxBackoff, drawn from its upper half.
func (w *Worker) backoff(n int) time.Duration {
	d := w.Backoff
	for i := 1; i < n && d < w.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, w.MaxBackoff)
	return d/2 + rand.N(d/2+1)
}

// count refreshes the pending gauge, at most every 10 seconds.
func (w *Worker) count(ctx context.Context) {
	if time.Since(w.m.countedAt) < 10*time.Second {
		return
	}
	w.m.countedAt = time.Now()
	pending, err1 := w.Store.MailCount(ctx, store.MailPending)
	sending, err2 := w.Store.MailCount(ctx, store.MailSending)
	if err := errors.Join(err1, err2); err != nil {
		return
	}
	w.m.pending.Set(float64(pending + sending))
}
