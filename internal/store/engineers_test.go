package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"anken/internal/store"
	"anken/internal/store/storetest"
)

// TestContractEngineers runs the engineers' part of the contract (accounts,
// tokens, sessions, profile, saved searches, favourites, export and
// deletion) against SQLite and PostgreSQL.
func TestContractEngineers(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			for _, c := range engineerContract {
				t.Run(c.name, func(t *testing.T) {
					c.run(t, storetest.Open(t, backend))
				})
			}
		})
	}
}

func verifyMail(to string) store.Mail {
	return store.Mail{Kind: "verify", To: to, Subject: "確認", Text: "token", HTML: "<p>token</p>"}
}

// mustEngineer creates an account with a verification token "v-"+email.
func mustEngineer(t *testing.T, s *store.Store, email string) store.Engineer {
	t.Helper()
	e, err := s.CreateEngineer(context.Background(), email, "hash-of-"+email,
		store.Token{Hash: "v-" + email, Purpose: store.TokenVerify, ExpiresAt: time.Now().Add(time.Hour)}, verifyMail(email))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

var engineerContract = []struct {
	name string
	run  func(t *testing.T, s *store.Store)
}{
	{"create writes the account, its token and its mail at once", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := mustEngineer(t, s, " Taro@Example.JP ")
		if e.ID == 0 || e.Email != "taro@example.jp" || e.Verified() || e.Recommend != "off" {
			t.Errorf("created %+v; want an id, the folded address, unverified, recommend off", e)
		}
		_, err := s.CreateEngineer(ctx, "TARO@example.jp", "h", store.Token{Hash: "x", Purpose: store.TokenVerify,
			ExpiresAt: time.Now().Add(time.Hour)}, verifyMail("taro@example.jp"))
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("second account for the address: %v, want ErrConflict", err)
		}
		mails, err := s.Mails(ctx, store.MailPending, 10)
		if err != nil || len(mails) != 1 || mails[0].EngineerID != e.ID || mails[0].Kind != "verify" {
			t.Fatalf("outbox = %+v, %v; want the one verification mail of engineer %d", mails, err, e.ID)
		}
		// A failure after the account row rolls everything back.
		_, err = s.CreateEngineer(ctx, "hanako@example.jp", "h", store.Token{Purpose: store.TokenVerify}, verifyMail("hanako@example.jp"))
		if err == nil {
			t.Fatal("a token without a hash was accepted")
		}
		if _, err := s.EngineerByEmail(ctx, "hanako@example.jp"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("account of a failed sign-up: %v, want ErrNotFound", err)
		}
		got, err := s.EngineerByEmail(ctx, "TARO@EXAMPLE.JP")
		if err != nil || got.ID != e.ID || got.PasswordHash != "hash-of- Taro@Example.JP " {
			t.Errorf("EngineerByEmail = %+v, %v", got, err)
		}
		if _, err := s.Engineer(ctx, e.ID+100); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Engineer(missing) = %v, want ErrNotFound", err)
		}
	}},
	{"tokens are single use, of one purpose, and expire", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := mustEngineer(t, s, "a@example.jp")
		if _, err := s.ConsumeToken(ctx, "v-a@example.jp", store.TokenReset); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("verify token used as reset: %v, want ErrNotFound", err)
		}
		if got, err := s.TokenEngineer(ctx, "v-a@example.jp", store.TokenVerify); err != nil || got.ID != e.ID {
			t.Errorf("TokenEngineer = %+v, %v", got, err)
		}
		got, err := s.VerifyEngineer(ctx, "v-a@example.jp")
		if err != nil || got.ID != e.ID || !got.Verified() {
			t.Fatalf("VerifyEngineer = %+v, %v", got, err)
		}
		if _, err := s.VerifyEngineer(ctx, "v-a@example.jp"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("token used twice: %v, want ErrNotFound", err)
		}
		expired := store.Token{Hash: "old", Purpose: store.TokenReset, ExpiresAt: time.Now().Add(-time.Second)}
		if err := s.IssueToken(ctx, e.ID, expired, verifyMail(e.Email)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TokenEngineer(ctx, "old", store.TokenReset); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("TokenEngineer(expired) = %v, want ErrNotFound", err)
		}
		if _, err := s.ConsumeToken(ctx, "old", store.TokenReset); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("expired token: %v, want ErrNotFound", err)
		}
		// Two requests racing for one token: exactly one wins.
		if err := s.IssueToken(ctx, e.ID, store.Token{Hash: "race", Purpose: store.TokenReset,
			ExpiresAt: time.Now().Add(time.Hour)}, verifyMail(e.Email)); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range 8 {
			wg.Go(func() {
				if id, err := s.ConsumeToken(ctx, "race", store.TokenReset); err == nil && id == e.ID {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if wins != 1 {
			t.Errorf("%d requests used one token, want 1", wins)
		}
	}},
	{"signing up again before verifying renews the password and the token", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e := mustEngineer(t, s, "a@example.jp")
		tok := store.Token{Hash: "v2", Purpose: store.TokenVerify, ExpiresAt: time.Now().Add(time.Hour)}
		if err := s.RenewUnverified(ctx, e.ID, "new-hash", tok, verifyMail(e.Email)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.VerifyEngineer(ctx, "v-a@example.jp"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the first token still verifies: %v", err)
		}
		got, err := s.VerifyEngineer(ctx, "v2")
		if err != nil || got.PasswordHash != "new-hash" {
			t.Fatalf("after renewal: %+v, %v", got, err)
		}
		if err := s.RenewUnverified(ctx, e.ID, "third", tok, verifyMail(e.Email)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("renewing a verified account: %v, want ErrNotFound", err)
		}
	}},
	{"sessions", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := mustEngineer(t, s, "a@example.jp"), mustEngineer(t, s, "b@example.jp")
		later := time.Now().Add(time.Hour)
		for _, h := range []string{"a1", "a2", "a3"} {
			if _, err := s.CreateSession(ctx, a.ID, h, later); err != nil {
				t.Fatal(err)
			}
		}
		s.CreateSession(ctx, b.ID, "b1", later)
		s.CreateSession(ctx, b.ID, "b-old", time.Now().Add(-time.Second))
		ses, e, err := s.SessionEngineer(ctx, "a1")
		if err != nil || e.ID != a.ID || ses.EngineerID != a.ID || !ses.ExpiresAt.After(time.Now()) {
			t.Errorf("SessionEngineer(a1) = %+v %+v, %v", ses, e, err)
		}
		for _, h := range []string{"b-old", "nope", ""} {
			if _, _, err := s.SessionEngineer(ctx, h); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("SessionEngineer(%q) = %v, want ErrNotFound", h, err)
			}
		}
		if err := s.DeleteSession(ctx, "a1"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SessionEngineer(ctx, "a1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleted session still works: %v", err)
		}
		if n, err := s.DeleteSessions(ctx, a.ID, "a2"); err != nil || n != 1 {
			t.Errorf("DeleteSessions(keep a2) = %d, %v; want 1", n, err)
		}
		if _, _, err := s.SessionEngineer(ctx, "a2"); err != nil {
			t.Errorf("the kept session: %v", err)
		}
		if err := s.SetPasswordHash(ctx, b.ID, "nh", ""); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SessionEngineer(ctx, "b1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("b's session after a password change: %v, want ended", err)
		}
		if _, _, err := s.SessionEngineer(ctx, "a2"); err != nil {
			t.Errorf("a's session after b's password change: %v", err)
		}
		s.CreateSession(ctx, a.ID, "a-old", time.Now().Add(-time.Second))
		if n, err := s.PruneAccounts(ctx, time.Now()); err != nil || n != 1 {
			t.Errorf("PruneAccounts = %d, %v; want the one expired session", n, err)
		}
	}},
	{"reset password ends every session", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := mustEngineer(t, s, "a@example.jp")
		s.CreateSession(ctx, a.ID, "a1", time.Now().Add(time.Hour))
		for _, h := range []string{"r1", "r2"} {
			if err := s.IssueToken(ctx, a.ID, store.Token{Hash: h, Purpose: store.TokenReset, ExpiresAt: time.Now().Add(time.Hour)},
				store.Mail{Kind: "reset", To: a.Email}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.ResetPassword(ctx, "r2", "reset-hash")
		if err != nil || got.PasswordHash != "reset-hash" || !got.Verified() {
			t.Fatalf("ResetPassword = %+v, %v", got, err)
		}
		if _, _, err := s.SessionEngineer(ctx, "a1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session after reset: %v, want ended", err)
		}
		if _, err := s.ResetPassword(ctx, "r1", "again"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("an earlier reset token after a reset: %v, want ErrNotFound", err)
		}
		if _, err := s.ResetPassword(ctx, "v-a@example.jp", "x"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("verify token used to reset: %v, want ErrNotFound", err)
		}
	}},
	{"a password change and logging out everywhere end reset links", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for _, c := range []struct {
			name string
			end  func(id int64) error
		}{
			{"SetPasswordHash", func(id int64) error { return s.SetPasswordHash(ctx, id, "new-hash", "keep") }},
			{"DeleteSessions", func(id int64) error { _, err := s.DeleteSessions(ctx, id, ""); return err }},
		} {
			a := mustEngineer(t, s, c.name+"@example.jp")
			b := mustEngineer(t, s, "other-"+c.name+"@example.jp")
			for _, tok := range []struct {
				id   int64
				hash string
			}{{a.ID, c.name + "-a"}, {b.ID, c.name + "-b"}} {
				if err := s.IssueToken(ctx, tok.id, store.Token{Hash: tok.hash, Purpose: store.TokenReset, ExpiresAt: time.Now().Add(time.Hour)},
					store.Mail{Kind: "reset", To: "x@example.jp"}); err != nil {
					t.Fatal(err)
				}
			}
			if err := c.end(a.ID); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if _, err := s.TokenEngineer(ctx, c.name+"-a", store.TokenReset); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("a reset link after %s: %v, want ErrNotFound", c.name, err)
			}
			if _, err := s.TokenEngineer(ctx, c.name+"-b", store.TokenReset); err != nil {
				t.Errorf("another engineer's reset link after %s: %v, want it kept", c.name, err)
			}
		}
	}},
	{"device tokens are kept without mail and outlive a reset", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := mustEngineer(t, s, "a@example.jp")
		if err := s.AddToken(ctx, a.ID, store.Token{Hash: "d1", Purpose: store.TokenDevice, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if err := s.AddToken(ctx, a.ID, store.Token{Hash: "d-old", Purpose: store.TokenDevice, ExpiresAt: time.Now().Add(-time.Second)}); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.MailCount(ctx, store.MailPending); n != 1 {
			t.Errorf("%d mails pending, want only the verification", n)
		}
		if _, err := s.ResetPassword(ctx, "d1", "h"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a device token used to reset: %v, want ErrNotFound", err)
		}
		if err := s.SetPasswordHash(ctx, a.ID, "h2", ""); err != nil {
			t.Fatal(err)
		}
		if e, err := s.TokenEngineer(ctx, "d1", store.TokenDevice); err != nil || e.ID != a.ID {
			t.Errorf("device token after a password change = %+v, %v; want a's", e, err)
		}
		if _, err := s.TokenEngineer(ctx, "d-old", store.TokenDevice); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("expired device token: %v, want ErrNotFound", err)
		}
	}},
	{"profile", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := mustEngineer(t, s, "a@example.jp")
		p, err := s.Profile(ctx, a.ID)
		if err != nil || p.Recommend != "off" || p.Skills == nil || len(p.Skills) != 0 {
			t.Errorf("empty profile = %+v, %v", p, err)
		}
		want := store.Profile{Skills: []string{"go", "aws"}, Role: "backend", DesiredRate: 700_000, Remote: "full",
			DaysPerWeek: 3, Prefectures: []string{"JP-13"}, SideJobOnly: true, Recommend: "weekly",
			DesiredHourly: 4000, Experience: map[string]int{"go": 5, "aws": 2}}
		if err := s.PutProfile(ctx, a.ID, want); err != nil {
			t.Fatal(err)
		}
		got, err := s.Profile(ctx, a.ID)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("Profile = %+v, %v; want %+v", got, err, want)
		}
		if e, _ := s.Engineer(ctx, a.ID); e.Recommend != "weekly" {
			t.Errorf("engineer's recommend column = %q, want weekly", e.Recommend)
		}
		if err := s.PutProfile(ctx, a.ID+100, want); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("PutProfile(missing) = %v, want ErrNotFound", err)
		}
		if _, err := s.Profile(ctx, a.ID+100); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Profile(missing) = %v, want ErrNotFound", err)
		}
	}},
	{"saved searches belong to one engineer", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := mustEngineer(t, s, "a@example.jp"), mustEngineer(t, s, "b@example.jp")
		ss, err := s.CreateSavedSearch(ctx, store.SavedSearch{EngineerID: a.ID, Name: "Go リモート", Query: "q=go&remote=full",
			Alert: "instant", Hour: 8}, 2)
		if err != nil || ss.ID == 0 || len(ss.Unsubscribe) < 32 {
			t.Fatalf("CreateSavedSearch = %+v, %v", ss, err)
		}
		other, _ := s.CreateSavedSearch(ctx, store.SavedSearch{EngineerID: a.ID, Name: "2", Query: "q=rust", Alert: "off"}, 2)
		if other.Unsubscribe == ss.Unsubscribe {
			t.Error("two saved searches share an unsubscribe token")
		}
		if _, err := s.CreateSavedSearch(ctx, store.SavedSearch{EngineerID: a.ID, Name: "3", Query: "q=3", Alert: "off"}, 2); !errors.Is(err, store.ErrTooMany) {
			t.Errorf("a third of at most 2: %v, want ErrTooMany", err)
		}
		if got, err := s.SavedSearch(ctx, a.ID, ss.ID); err != nil || got.Query != ss.Query || got.Unsubscribe != ss.Unsubscribe {
			t.Errorf("SavedSearch = %+v, %v", got, err)
		}
		// b sees none of a's: each answer is ErrNotFound, not forbidden.
		if _, err := s.SavedSearch(ctx, b.ID, ss.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("b reads a's: %v", err)
		}
		name := "b's name"
		if _, err := s.UpdateSavedSearch(ctx, b.ID, ss.ID, store.SavedSearchPatch{Name: &name}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("b renames a's: %v", err)
		}
		if err := s.DeleteSavedSearch(ctx, b.ID, ss.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("b deletes a's: %v", err)
		}
		if list, err := s.SavedSearches(ctx, b.ID); err != nil || len(list) != 0 {
			t.Errorf("b's list = %+v, %v", list, err)
		}
		alert, hour := "daily", 21
		got, err := s.UpdateSavedSearch(ctx, a.ID, ss.ID, store.SavedSearchPatch{Alert: &alert, Hour: &hour})
		if err != nil || got.Alert != "daily" || got.Hour != 21 || got.Name != "Go リモート" || got.Query != ss.Query {
			t.Errorf("UpdateSavedSearch = %+v, %v", got, err)
		}
		// One-click unsubscribe, without logging in; twice is fine.
		if found, err := s.SavedSearchByUnsubscribe(ctx, ss.Unsubscribe); err != nil || found.ID != ss.ID {
			t.Errorf("SavedSearchByUnsubscribe = %+v, %v", found, err)
		}
		for range 2 {
			if u, err := s.Unsubscribe(ctx, ss.Unsubscribe); err != nil || u.ID != ss.ID || u.Alert != "off" {
				t.Errorf("Unsubscribe = %+v, %v", u, err)
			}
		}
		for _, tok := range []string{"", "nope"} {
			if _, err := s.Unsubscribe(ctx, tok); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Unsubscribe(%q) = %v, want ErrNotFound", tok, err)
			}
			if _, err := s.SavedSearchByUnsubscribe(ctx, tok); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("SavedSearchByUnsubscribe(%q) = %v, want ErrNotFound", tok, err)
			}
		}
		if err := s.DeleteSavedSearch(ctx, a.ID, ss.ID); err != nil {
			t.Fatal(err)
		}
		if list, _ := s.SavedSearches(ctx, a.ID); len(list) != 1 || list[0].ID != other.ID {
			t.Errorf("a's list after delete = %+v", list)
		}
	}},
	{"favourites", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := mustEngineer(t, s, "a@example.jp"), mustEngineer(t, s, "b@example.jp")
		ag := mustAgency(t, s, "ag")
		l1, _ := s.PutListing(ctx, ag, sample("F-1"))
		l2, _ := s.PutListing(ctx, ag, sample("F-2"))
		for _, id := range []int64{l1.ID, l2.ID, l1.ID} {
			if err := s.PutFavorite(ctx, a.ID, id); err != nil {
				t.Fatalf("PutFavorite(%d) = %v", id, err)
			}
		}
		if err := s.PutFavorite(ctx, a.ID, l2.ID+100); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("favourite of a missing listing: %v, want ErrNotFound", err)
		}
		favs, err := s.Favorites(ctx, a.ID)
		if err != nil || len(favs) != 2 {
			t.Fatalf("Favorites = %+v, %v; want 2", favs, err)
		}
		if list, _ := s.Favorites(ctx, b.ID); len(list) != 0 {
			t.Errorf("b's favourites = %+v", list)
		}
		if err := s.DeleteFavorite(ctx, b.ID, l1.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("b deletes a's favourite: %v, want ErrNotFound", err)
		}
		if err := s.DeleteFavorite(ctx, a.ID, l1.ID); err != nil {
			t.Fatal(err)
		}
		if favs, _ := s.Favorites(ctx, a.ID); len(favs) != 1 || favs[0].ListingID != l2.ID {
			t.Errorf("after delete = %+v", favs)
		}
	}},
	{"export holds everything and deletion removes everything", func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := mustEngineer(t, s, "a@example.jp"), mustEngineer(t, s, "b@example.jp")
		ag := mustAgency(t, s, "ag")
		l, _ := s.PutListing(ctx, ag, sample("E-1"))
		for _, e := range []store.Engineer{a, b} {
			s.CreateSession(ctx, e.ID, "ses-"+e.Email, time.Now().Add(time.Hour))
			s.PutProfile(ctx, e.ID, store.Profile{Skills: []string{"go"}, Role: "backend", Recommend: "daily"})
			s.CreateSavedSearch(ctx, store.SavedSearch{EngineerID: e.ID, Name: "search of " + e.Email, Query: "q=go", Alert: "instant"}, 10)
			s.PutFavorite(ctx, e.ID, l.ID)
		}
		x, err := s.Export(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if x.Account.ID != a.ID || x.Profile.Role != "backend" || x.Profile.Recommend != "daily" || len(x.SavedSearches) != 1 ||
			len(x.Favorites) != 1 || len(x.Sessions) != 1 || len(x.Tokens) != 1 || len(x.Mail) != 1 {
			t.Fatalf("export = %+v", x)
		}
		if x.SavedSearches[0].Name != "search of a@example.jp" || x.Mail[0].To != "a@example.jp" {
			t.Errorf("export holds another's data: %+v", x)
		}
		if err := s.DeleteEngineer(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteEngineer(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleting twice: %v, want ErrNotFound", err)
		}
		if _, err := s.Export(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("export after delete: %v, want ErrNotFound", err)
		}
		if _, _, err := s.SessionEngineer(ctx, "ses-a@example.jp"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session after delete: %v", err)
		}
		mails, _ := s.Mails(ctx, store.MailPending, 10)
		for _, m := range mails {
			if strings.Contains(m.To, "a@example.jp") && m.To != "b@example.jp" {
				t.Errorf("mail to the deleted account left in the outbox: %+v", m)
			}
		}
		xb, err := s.Export(ctx, b.ID)
		if err != nil || len(xb.SavedSearches) != 1 || len(xb.Favorites) != 1 || len(xb.Sessions) != 1 || len(xb.Mail) != 1 {
			t.Errorf("b's data after a's deletion = %+v, %v", xb, err)
		}
	}},
}
