package mail_test

import (
	"context"
	"testing"
	"time"

	"anken/internal/mail"
	"anken/internal/mail/mailtest"
	"anken/internal/store"
	"anken/internal/store/storetest"
)

// BenchmarkSender sends mails over one connection to the in-process
// server: the SMTP side alone.
func BenchmarkSender(b *testing.B) {
	srv := mailtest.Start(b)
	s := newSender(b, srv, srv.URL())
	m := alertMail(1, "taro@example.jp")
	b.ReportAllocs()
	start := time.Now()
	for i := 0; b.Loop(); i++ {
		m.ID = int64(i)
		if err := s.Send(context.Background(), m); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "mails/s")
}

// BenchmarkWorker takes mails from a SQLite outbox to the in-process
// server as `anken serve` does: claim a batch, send each, mark it sent.
func BenchmarkWorker(b *testing.B) {
	st := storetest.Open(b, "sqlite")
	srv := mailtest.Start(b)
	ctx := context.Background()
	m := alertMail(0, "taro@example.jp")
	m.MessageID = ""
	for range b.N {
		if _, err := st.EnqueueMail(ctx, m); err != nil {
			b.Fatal(err)
		}
	}
	w := &mail.Worker{Store: st, Sender: newSender(b, srv, srv.URL())}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for sent := 0; sent < b.N; {
		n, err := w.Once(ctx)
		if err != nil {
			b.Fatal(err)
		}
		sent += n
	}
	elapsed := time.Since(start)
	b.StopTimer()
	if n, _ := st.MailCount(ctx, store.MailSent); n != b.N {
		b.Fatalf("%d mails sent, want %d", n, b.N)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "mails/s")
}
