package store_test

import (
	"context"
	"testing"
	"time"

	"anken/internal/store"
	"anken/internal/store/storetest"
)

func TestPruneFinished(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			s := storetest.Open(t, backend)
			// Mail: one sent, one pending, one parked.
			for range 3 {
				if _, err := s.EnqueueMail(ctx, store.Mail{Kind: "alert", To: "ren@example.jp", Subject: "件名", Text: "本文"}); err != nil {
					t.Fatal(err)
				}
			}
			claimed, err := s.ClaimMail(ctx, 2, time.Minute)
			if err != nil || len(claimed) != 2 {
				t.Fatalf("ClaimMail = %d, %v", len(claimed), err)
			}
			if err := s.MarkMailSent(ctx, claimed[0]); err != nil {
				t.Fatal(err)
			}
			if err := s.ParkMail(ctx, claimed[1], errTest); err != nil {
				t.Fatal(err)
			}
			// Not yet: nothing finished before an hour ago.
			n, err := s.PruneFinished(ctx, map[string]time.Time{store.PruneMail: time.Now().Add(-time.Hour),
				store.PruneInbox: time.Now().Add(-time.Hour), store.PruneIdempotency: time.Now().Add(-time.Hour)})
			if err != nil || n[store.PruneMail] != 0 {
				t.Fatalf("PruneFinished an hour back = %v, %v; want nothing", n, err)
			}
			n, err = s.PruneFinished(ctx, map[string]time.Time{store.PruneMail: time.Now().Add(time.Minute)})
			if err != nil || n[store.PruneMail] != 1 {
				t.Fatalf("PruneFinished = %v, %v; want the sent mail", n, err)
			}
			if _, err := s.MailByID(ctx, claimed[0].ID); err == nil {
				t.Errorf("sent mail %d still there", claimed[0].ID)
			}
			counts, err := s.MailCounts(ctx)
			if err != nil || counts[store.MailPending] != 1 || counts[store.MailParked] != 1 {
				t.Errorf("after pruning: %v, %v; want the pending and the parked mail kept", counts, err)
			}
			if _, err := s.PruneFinished(ctx, map[string]time.Time{"listings": time.Now()}); err == nil {
				t.Error("an unknown kind pruned without error")
			}
		})
	}
}

var errTest = errString("550 no such user")

type errString string

func (e errString) Error() string { return string(e) }
