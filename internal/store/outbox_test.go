package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"anken/internal/store"
	"anken/internal/store/storetest"
)

// TestOutbox runs the outbox's contract against SQLite and PostgreSQL.
func TestOutbox(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			for _, c := range outboxContract {
				t.Run(c.name, func(t *testing.T) {
					c.run(t, storetest.Open(t, backend))
				})
			}
		})
	}
}

func enqueueMails(t *testing.T, s *store.Store, n int) []int64 {
	t.Helper()
	ids := make([]int64, n)
	for i := range ids {
		id, err := s.EnqueueMail(context.Background(), store.Mail{Kind: "alert", To: fmt.Sprintf("e%d@example.jp", i),
			Subject: fmt.Sprintf("新着案件 %d 件", i), Text: "本文", HTML: "<p>本文</p>",
			Headers: map[string]string{"List-Id": "<alerts.anken.example>"}})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id
	}
	return ids
}

var outboxContract = []struct {
	name string
	run  func(t *testing.T, s *store.Store)
}{
	{"claim, send, list", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ids := enqueueMails(t, s, 3)
		got, err := s.ClaimMail(ctx, 2, time.Minute)
		if err != nil || len(got) != 2 || got[0].ID != ids[0] || got[1].ID != ids[1] {
			t.Fatalf("ClaimMail(2) = %+v, %v; want mails %v", got, err, ids[:2])
		}
		m := got[0]
		if m.State != store.MailSending || m.Attempts != 1 || m.ClaimedUntil.Before(time.Now().Add(50*time.Second)) ||
			m.Subject != "新着案件 0 件" || m.Headers["List-Id"] != "<alerts.anken.example>" || len(m.MessageID) != 32 {
			t.Errorf("claimed mail = %+v", m)
		}
		if err := s.MarkMailSent(ctx, m); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkMailSent(ctx, m); !errors.Is(err, store.ErrClaimLost) {
			t.Errorf("MarkMailSent twice: error = %v, want ErrClaimLost", err)
		}
		sent, err := s.MailByID(ctx, m.ID)
		if err != nil || sent.State != store.MailSent || sent.SentAt.IsZero() || !sent.ClaimedUntil.IsZero() {
			t.Errorf("MailByID(sent) = %+v, %v", sent, err)
		}
		if _, err := s.MailByID(ctx, 999999); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("MailByID(missing) error = %v, want ErrNotFound", err)
		}
		all, err := s.Mails(ctx, "", 10)
		if err != nil || len(all) != 3 || all[0].ID != ids[2] || all[2].ID != ids[0] {
			t.Errorf("Mails(all) = %d mails, %v; want 3 newest first", len(all), err)
		}
		only, err := s.Mails(ctx, store.MailSent, 10)
		if err != nil || len(only) != 1 || only[0].ID != m.ID {
			t.Errorf("Mails(sent) = %+v, %v", only, err)
		}
		if few, _ := s.Mails(ctx, "", 1); len(few) != 1 {
			t.Errorf("Mails(limit 1) = %d mails", len(few))
		}
		counts, err := s.MailCounts(ctx)
		want := map[store.MailState]int{store.MailSent: 1, store.MailSending: 1, store.MailPending: 1}
		if err != nil || fmt.Sprint(counts) != fmt.Sprint(want) {
			t.Errorf("MailCounts = %v, %v; want %v", counts, err, want)
		}
		if n, err := s.MailCount(ctx, store.MailPending); err != nil || n != 1 {
			t.Errorf("MailCount(pending) = %d, %v; want 1", n, err)
		}
	}},
	{"retry waits, park stays, requeue", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		enqueueMails(t, s, 2)
		got, err := s.ClaimMail(ctx, 10, time.Minute)
		if err != nil || len(got) != 2 {
			t.Fatalf("ClaimMail = %d, %v", len(got), err)
		}
		if err := s.RetryMail(ctx, got[0], errors.New("421 try later"), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.ParkMail(ctx, got[1], errors.New("550 no such user")); err != nil {
			t.Fatal(err)
		}
		if again, err := s.ClaimMail(ctx, 10, time.Minute); err != nil || len(again) != 0 {
			t.Errorf("ClaimMail with one retry due in an hour and one parked = %+v, %v; want none", again, err)
		}
		r, _ := s.MailByID(ctx, got[0].ID)
		if r.State != store.MailPending || r.LastError != "421 try later" || r.NextAt.Before(time.Now().Add(59*time.Minute)) {
			t.Errorf("retried mail = %+v", r)
		}
		p, _ := s.MailByID(ctx, got[1].ID)
		if p.State != store.MailParked || p.LastError != "550 no such user" {
			t.Errorf("parked mail = %+v", p)
		}
		// Requeue takes only parked mail.
		n, err := s.RequeueMail(ctx, []int64{got[0].ID, got[1].ID})
		if err != nil || n != 1 {
			t.Errorf("RequeueMail = %d, %v; want 1", n, err)
		}
		back, err := s.ClaimMail(ctx, 10, time.Minute)
		if err != nil || len(back) != 1 || back[0].ID != got[1].ID || back[0].Attempts != 1 {
			t.Errorf("ClaimMail after requeue = %+v, %v; want the parked mail at attempt 1", back, err)
		}
		// A retry due now is claimed again, its attempts counted on.
		if err := s.RetryMail(ctx, back[0], errors.New("timeout"), time.Now().Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		if again, err := s.ClaimMail(ctx, 10, time.Minute); err != nil || len(again) != 1 || again[0].Attempts != 2 {
			t.Errorf("ClaimMail of a due retry = %+v, %v; want it at attempt 2", again, err)
		}
	}},
	{"lapsed claims come back", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		s, clock := onClock(t, s)
		enqueueMails(t, s, 1)
		first, err := s.ClaimMail(ctx, 10, 50*time.Millisecond)
		if err != nil || len(first) != 1 {
			t.Fatalf("ClaimMail = %d, %v", len(first), err)
		}
		if again, _ := s.ClaimMail(ctx, 10, time.Minute); len(again) != 0 {
			t.Fatalf("mail claimed again while its lease holds")
		}
		clock.Add(100 * time.Millisecond) // the lease lapses
		second, err := s.ClaimMail(ctx, 10, time.Minute)
		if err != nil || len(second) != 1 || second[0].ID != first[0].ID || second[0].Attempts != 2 {
			t.Fatalf("ClaimMail after the lease lapsed = %+v, %v; want the mail at attempt 2", second, err)
		}
		// Only the latest claim decides.
		for name, err := range map[string]error{
			"MarkMailSent": s.MarkMailSent(ctx, first[0]),
			"RetryMail":    s.RetryMail(ctx, first[0], errors.New("x"), time.Now()),
			"ParkMail":     s.ParkMail(ctx, first[0], errors.New("x")),
		} {
			if !errors.Is(err, store.ErrClaimLost) {
				t.Errorf("%s with the lapsed claim: error = %v, want ErrClaimLost", name, err)
			}
		}
		if err := s.MarkMailSent(ctx, second[0]); err != nil {
			t.Errorf("MarkMailSent with the latest claim: %v", err)
		}
	}},
	{"concurrent claimers never share a mail", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ids := enqueueMails(t, s, 300)
		var (
			mu   sync.Mutex
			seen = map[int64]int{}
			wg   sync.WaitGroup
			errs = make(chan error, 4)
		)
		for range 4 {
			wg.Go(func() {
				for {
					got, err := s.ClaimMail(ctx, 7, time.Minute)
					if err != nil {
						errs <- err
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, m := range got {
						seen[m.ID]++
					}
					mu.Unlock()
					for _, m := range got {
						if err := s.MarkMailSent(ctx, m); err != nil {
							errs <- err
							return
						}
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		for _, id := range ids {
			if seen[id] != 1 {
				t.Errorf("mail %d claimed %d times, want once", id, seen[id])
			}
		}
		if n, _ := s.MailCount(ctx, store.MailSent); n != len(ids) {
			t.Errorf("%d mails sent, want %d", n, len(ids))
		}
	}},
}
