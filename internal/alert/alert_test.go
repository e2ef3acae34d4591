package alert

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"anken/internal/catalog"
	"anken/internal/listing"
	"anken/internal/search"
	"anken/internal/search/follow"
	"anken/internal/store"
	"anken/internal/store/storetest"
)

// clock is a settable time for the workers of a test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fixture is a store with two agencies and a verified engineer.
type fixture struct {
	t        *testing.T
	st       *store.Store
	a, b     store.Agency
	engineer store.Engineer
	clock    *clock
}

func newFixture(t *testing.T, backend string) *fixture {
	t.Helper()
	return newFixtureAt(t, backend, time.Now())
}

// newFixtureAt is newFixture with its clock, the store's and the
// workers', starting at start.
func newFixtureAt(t *testing.T, backend string, start time.Time) *fixture {
	t.Helper()
	ctx := context.Background()
	c := &clock{t: start}
	st := storetest.OpenClock(t, backend, c.Now)
	a, err := st.CreateAgency(ctx, "techlink", "テックリンク")
	if err != nil {
		t.Fatal(err)
	}
	b, err := st.CreateAgency(ctx, "freeworks", "フリーワークス")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, st: st, a: a, b: b, clock: c}
	f.engineer = f.verifiedEngineer("ren@example.com")
	return f
}

func (f *fixture) verifiedEngineer(email string) store.Engineer {
	f.t.Helper()
	ctx := context.Background()
	tok := store.Token{Hash: "verify-" + email, Purpose: store.TokenVerify, ExpiresAt: f.clock.Now().Add(time.Hour)}
	if _, err := f.st.CreateEngineer(ctx, email, "argon2id-hash", tok, store.Mail{Kind: "verify", To: email, Subject: "確認"}); err != nil {
		f.t.Fatal(err)
	}
	e, err := f.st.VerifyEngineer(ctx, tok.Hash)
	if err != nil {
		f.t.Fatal(err)
	}
	return e
}

func (f *fixture) save(e store.Engineer, name, query, alert string) store.SavedSearch {
	f.t.Helper()
	ss, err := f.st.CreateSavedSearch(context.Background(), store.SavedSearch{EngineerID: e.ID, Name: name, Query: query, Alert: alert, Hour: 8}, 100)
	if err != nil {
		f.t.Fatal(err)
	}
	return ss
}

func (f *fixture) worker(holder string) *Worker {
	return New(Config{Store: f.st, BaseURL: "https://anken.example/", Bundle: 15 * time.Minute, Holder: holder, Now: f.clock.Now})
}

func (f *fixture) put(a store.Agency, l *listing.Listing) int64 {
	f.t.Helper()
	r, err := f.st.PutListing(context.Background(), a, l)
	if err != nil {
		f.t.Fatal(err)
	}
	return r.ID
}

func (f *fixture) step(w *Worker) {
	f.t.Helper()
	if err := w.Step(context.Background()); err != nil {
		f.t.Fatal(err)
	}
}

// alerts returns the alert and digest mail in the outbox, oldest first.
func (f *fixture) alerts() []store.Mail {
	f.t.Helper()
	ms, err := f.st.Mails(context.Background(), "", 1000)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []store.Mail
	for _, m := range ms {
		if m.Kind == "alert" || m.Kind == "digest" {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b store.Mail) int { return int(a.ID - b.ID) })
	return out
}

func job(id, title, text string, remote listing.Remote, skills ...string) *listing.Listing {
	return &listing.Listing{
		ExternalID:  id,
		Title:       title,
		Description: text,
		Role:        listing.RoleBackend,
		Skills:      skills,
		Rate:        listing.Rate{Unit: listing.PerMonth, Min: 600_000, Max: 700_000, MonthlyMin: 600_000, MonthlyMax: 700_000},
		Remote:      remote,
		DaysPerWeek: listing.Range{Min: 3, Max: 5},
		Prefecture:  "JP-13",
		Status:      listing.StatusOpen,
	}
}

// listingIDs are the listing ids an alert mail links to, in order.
func listingIDs(m store.Mail) []string {
	var ids []string
	for _, line := range strings.Split(m.Text, "\n") {
		if _, id, ok := strings.Cut(strings.TrimSpace(line), "https://anken.example/listings/"); ok {
			ids = append(ids, id)
		}
	}
	return ids
}

func idsOf(ids ...int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = fmt.Sprint(id)
	}
	return out
}

func TestInstantAlert(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newFixture(t, backend)
			ctx := context.Background()
			before := f.put(f.a, job("old", "Goのバックエンド開発", "決済基盤の開発。", listing.RemoteFull, "go"))
			ss := f.save(f.engineer, "Goのフルリモート", "q=決済&skill=go&remote=full", "instant")
			w := f.worker("node-1")
			f.step(w) // starts at the end of the log: "old" is not news
			if got := f.alerts(); len(got) != 0 {
				t.Fatalf("mail about listings from before alerts started: %v", got)
			}

			hit := f.put(f.a, job("a1", "【Go】決済APIの開発", "決済サービスのAPIをGoで開発します。", listing.RemoteFull, "go", "aws"))
			f.put(f.a, job("a2", "【Go】在庫管理の開発", "在庫管理システムの開発。", listing.RemoteFull, "go"))         // no 決済
			f.put(f.a, job("a3", "【Go】決済基盤の刷新", "決済基盤をGoで作り直します。", listing.RemoteOnsite, "go"))    // onsite
			gone := f.put(f.a, job("a4", "【Go】決済の不正検知", "決済の不正検知をGoで。", listing.RemoteFull, "go")) // closed before the mail
			if _, err := f.st.CloseListing(ctx, f.a, "a4"); err != nil {
				t.Fatal(err)
			}
			// The same job as a1 from another agency, in the same round:
			// one offer per mail.
			f.put(f.b, job("b1", "【Go】決済APIの開発", "決済サービスのAPIをGoで開発します。", listing.RemoteFull, "go", "aws"))
			f.step(w)

			mails := f.alerts()
			if len(mails) != 1 {
				t.Fatalf("%d alert mails, want 1", len(mails))
			}
			m := mails[0]
			if got, want := listingIDs(m), idsOf(hit); !slices.Equal(got, want) {
				t.Errorf("mail links listings %v, want %v (not %d, %d)\n%s", got, want, before, gone, m.Text)
			}
			if m.To != "ren@example.com" || m.EngineerID != f.engineer.ID || !strings.Contains(m.Subject, "Goのフルリモート") {
				t.Errorf("mail to %q (engineer %d), subject %q", m.To, m.EngineerID, m.Subject)
			}
			wantHeaders := map[string]string{
				"List-Unsubscribe":      "<https://anken.example/unsubscribe/" + ss.Unsubscribe + ">",
				"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
				"List-Id":               "anken alerts <alerts.anken.example>",
			}
			for k, v := range wantHeaders {
				if m.Headers[k] != v {
					t.Errorf("header %s = %q, want %q", k, m.Headers[k], v)
				}
			}
			if !strings.Contains(m.HTML, "https://anken.example/listings/"+fmt.Sprint(hit)) {
				t.Errorf("HTML part does not link the listing:\n%s", m.HTML)
			}

			// Within the bundle interval nothing more goes out; after it,
			// only what is new, and a repost of a job already mailed is not.
			next := f.put(f.a, job("a5", "【Go】決済ゲートウェイ開発", "決済ゲートウェイをGoで。", listing.RemoteFull, "go"))
			f.put(f.b, job("b2", "【Go】決済APIの開発", "決済サービスのAPIをGoで開発します。", listing.RemoteFull, "go", "aws"))
			f.step(w)
			if got := f.alerts(); len(got) != 1 {
				t.Fatalf("%d alert mails within the bundle interval, want 1", len(got))
			}
			f.clock.Add(16 * time.Minute)
			f.step(w)
			mails = f.alerts()
			if len(mails) != 2 {
				t.Fatalf("%d alert mails after the bundle interval, want 2", len(mails))
			}
			if got, want := listingIDs(mails[1]), idsOf(next); !slices.Equal(got, want) {
				t.Errorf("second mail links %v, want %v", got, want)
			}

			// A listing changed again is not mailed again.
			l := job("a5", "【Go】決済ゲートウェイ開発（急募）", "決済ゲートウェイをGoで。", listing.RemoteFull, "go")
			f.put(f.a, l)
			f.clock.Add(16 * time.Minute)
			f.step(w)
			if got := f.alerts(); len(got) != 2 {
				t.Fatalf("a changed listing was mailed again: %d mails", len(got))
			}
		})
	}
}

func TestAlertOffAndDeleted(t *testing.T) {
	f := newFixture(t, "sqlite")
	ctx := context.Background()
	off := f.save(f.engineer, "停止中", "q=決済", "off")
	gone := f.save(f.engineer, "消す", "q=決済", "instant")
	w := f.worker("node-1")
	f.step(w)
	if err := f.st.DeleteSavedSearch(ctx, f.engineer.ID, gone.ID); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(2 * time.Minute) // deletions are looked for once a minute
	f.put(f.a, job("a1", "決済APIの開発", "決済。", listing.RemoteFull, "go"))
	f.step(w)
	if got := f.alerts(); len(got) != 0 {
		t.Fatalf("mail for a search that is off (%d) or deleted (%d): %v", off.ID, gone.ID, got)
	}
}

// A daily digest goes out once a day at its hour (08:00 JST here), first
// at the hour after the search is saved, whatever the time of day it was
// saved at: the store and the worker share one fake clock.
func TestDailyDigest(t *testing.T) {
	for _, saved := range []string{"00:30", "07:59", "08:00", "12:00", "23:59"} {
		t.Run(saved, func(t *testing.T) {
			at, err := time.ParseInLocation("2006-01-02 15:04", "2026-03-10 "+saved, jst)
			if err != nil {
				t.Fatal(err)
			}
			f := newFixtureAt(t, "sqlite", at)
			first := time.Date(at.Year(), at.Month(), at.Day(), 8, 0, 0, 0, jst)
			if !first.After(at) {
				first = first.AddDate(0, 0, 1)
			}
			f.save(f.engineer, "決済の案件", "q=決済", "daily")
			w := f.worker("node-1")
			f.step(w)
			id := f.put(f.a, job("a1", "決済APIの開発", "決済。", listing.RemoteFull, "go"))
			f.step(w)
			f.clock.Add(first.Sub(at) - time.Minute) // 07:59 before the first digest
			f.step(w)
			if got := f.alerts(); len(got) != 0 {
				t.Fatalf("digest before its hour (%s): %v", f.clock.Now().In(jst).Format("01-02 15:04"), got[0].Subject)
			}
			f.clock.Add(2 * time.Minute) // 08:01
			f.step(w)
			mails := f.alerts()
			if len(mails) != 1 || mails[0].Kind != "digest" {
				t.Fatalf("want one digest at %s, got %d mails", f.clock.Now().In(jst).Format("01-02 15:04"), len(mails))
			}
			if got := listingIDs(mails[0]); !slices.Equal(got, idsOf(id)) {
				t.Errorf("digest links %v, want %d", got, id)
			}
			f.put(f.a, job("a2", "決済基盤の開発", "決済。", listing.RemoteFull, "go"))
			f.clock.Add(2 * time.Hour)
			f.step(w)
			if got := f.alerts(); len(got) != 1 {
				t.Fatalf("a second digest on the same day")
			}
			f.clock.Add(22 * time.Hour) // 08:01 the next day
			f.step(w)
			if got := f.alerts(); len(got) != 2 {
				t.Fatalf("no digest the next day")
			}
		})
	}
}

// Two workers on one store, as two nodes: each hit is mailed once, by
// whichever holds the lease, and the other takes over when it stops.
func TestTwoWorkersMailOnce(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newFixture(t, backend)
			ctx := context.Background()
			f.save(f.engineer, "決済", "q=決済", "instant")
			w1, w2 := f.worker("node-1"), f.worker("node-2")
			f.step(w1)
			f.step(w2)
			var want []string
			for i, text := range []string{
				"ECサイトの決済機能をGoで開発します。",
				"クレジットカード決済の基盤を刷新するプロジェクトです。",
				"スマホ決済アプリのサーバーサイドを担当します。",
				"決済代行サービスの管理画面とAPIを作ります。",
				"請求・決済データの集計バッチをKotlinで書き直します。",
			} {
				want = append(want, fmt.Sprint(f.put(f.a, job(fmt.Sprint("x", i), fmt.Sprintf("案件%d: %s", i, text), text, listing.RemoteFull, "go"))))
			}
			var wg sync.WaitGroup
			for _, w := range []*Worker{w1, w2} {
				wg.Go(func() {
					for range 5 {
						if err := w.Step(ctx); err != nil {
							t.Error(err)
						}
					}
				})
			}
			wg.Wait()
			var got []string
			for _, m := range f.alerts() {
				got = append(got, listingIDs(m)...)
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("listings mailed %v, want each of %v once", got, want)
			}

			// The holder stops; the other takes over from its position.
			if err := f.st.ReleaseLease(ctx, leaseName, "node-1"); err != nil {
				t.Fatal(err)
			}
			if err := f.st.ReleaseLease(ctx, leaseName, "node-2"); err != nil {
				t.Fatal(err)
			}
			late := f.put(f.a, job("late", "決済の新規開発", "決済。", listing.RemoteFull, "go"))
			f.clock.Add(16 * time.Minute)
			f.step(w2)
			f.step(w1)
			mails := f.alerts()
			if n := len(mails); n != 2 || !slices.Equal(listingIDs(mails[1]), idsOf(late)) {
				t.Fatalf("after take-over: %d mails, last links %v, want one more with %d", n, listingIDs(mails[n-1]), late)
			}
		})
	}
}

func TestDigestTime(t *testing.T) {
	at := func(d, h, m int) time.Time { return time.Date(2026, 12, d, h, m, 0, 0, jst) }
	for _, c := range []struct {
		now  time.Time
		hour int
		want time.Time
	}{
		{at(1, 7, 59), 8, at(0, 8, 0)},
		{at(1, 8, 0), 8, at(1, 8, 0)},
		{at(1, 23, 0), 8, at(1, 8, 0)},
		{at(1, 0, 30), 0, at(1, 0, 0)},
		{at(1, 22, 0), 23, at(0, 23, 0)},
		{time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC), 8, at(1, 8, 0)}, // 08:30 in Tokyo
	} {
		if got := DigestTime(c.now, c.hour); !got.Equal(c.want) {
			t.Errorf("DigestTime(%v, %d) = %v, want %v", c.now, c.hour, got, c.want)
		}
	}
	// 2026-12-07 is a Monday.
	if got, want := RecommendTime(at(9, 12, 0), "weekly"), at(7, 8, 0); !got.Equal(want) {
		t.Errorf("weekly recommendations due %v, want %v", got, want)
	}
	if got, want := RecommendTime(at(9, 7, 0), "daily"), at(8, 8, 0); !got.Equal(want) {
		t.Errorf("daily recommendations due %v, want %v", got, want)
	}
}

func TestRecommendationMail(t *testing.T) {
	// Saved the evening before the recommendation hour (08:00 JST).
	f := newFixtureAt(t, "sqlite", time.Date(2026, 3, 9, 21, 0, 0, 0, jst))
	ctx := context.Background()
	if err := f.st.PutProfile(ctx, f.engineer.ID, store.Profile{Skills: []string{"go"}, DesiredRate: 650_000,
		Remote: "full", DaysPerWeek: 3, Recommend: "daily", Experience: map[string]int{"go": 4}}); err != nil {
		t.Fatal(err)
	}
	fitJob := job("a1", "Goで決済APIを開発", "決済サービスのAPIをGoで開発します。必須：Go経験3年以上", listing.RemoteFull, "go")
	fitJob.Experience = []listing.Experience{{Skill: "go", Years: 3}}
	fit := f.put(f.a, fitJob)
	other := job("a2", "Javaで基幹システム刷新", "基幹システムをJavaで作り直します。", listing.RemoteOnsite, "java")
	f.put(f.a, other)
	idx := search.NewIndex()
	follower := follow.New(f.st, idx, time.Hour, slog.New(slog.DiscardHandler))
	if err := follower.Load(ctx); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(11*time.Hour + 30*time.Minute) // 08:30
	w := New(Config{Store: f.st, Catalog: &catalog.Catalog{Store: f.st, Index: idx}, BaseURL: "https://anken.example",
		Holder: "node-1", Now: f.clock.Now})
	f.step(w)
	ms, err := f.st.Mails(ctx, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	var recs []store.Mail
	for _, m := range ms {
		if m.Kind == "recommend" {
			recs = append(recs, m)
		}
	}
	if len(recs) != 1 {
		t.Fatalf("%d recommendation mails, want 1", len(recs))
	}
	m := recs[0]
	if got := listingIDs(m); !slices.Equal(got, idsOf(fit)) {
		t.Errorf("recommended %v, want %d only\n%s", got, fit, m.Text)
	}
	for _, why := range []string{"Goのスキルが一致", "Go経験3年以上の条件を満たしています", "希望単価以上", "希望の働き方", "希望の稼働日数で可"} {
		if !strings.Contains(m.Text, why) {
			t.Errorf("mail does not say %q:\n%s", why, m.Text)
		}
	}
	// Once a day: a second round the same day writes nothing.
	f.clock.Add(2 * time.Minute)
	f.step(w)
	if ms2, _ := f.st.Mails(ctx, "", 100); len(ms2) != len(ms) {
		t.Errorf("a second recommendation mail the same day")
	}
}

// TestMailPay checks a mail's listing line: the quote first, then the
// month at the stated workload; a part-time rate never over 160 hours.
func TestMailPay(t *testing.T) {
	for _, c := range []struct {
		rate  listing.Rate
		days  listing.Range
		hours listing.Range
		want  string
	}{
		{listing.Rate{Unit: listing.PerMonth, Min: 600_000, Max: 700_000}, listing.Range{Min: 3, Max: 5}, listing.Range{}, "月額60万〜70万円"},
		{listing.Rate{Unit: listing.PerHour, Min: 4500, Max: 4500}, listing.Range{Min: 1, Max: 2}, listing.Range{}, "時給4,500円（週1〜2日で月14.4万〜28.8万円）"},
		{listing.Rate{Unit: listing.PerMonth, Min: 100_000, Max: 100_000}, listing.Range{Min: 1, Max: 1}, listing.Range{Min: 40, Max: 40}, "月額10万円（週1日・月40時間、時給換算 2,500円）"},
	} {
		l := &listing.Listing{ID: 7, Title: "案件", Rate: c.rate, DaysPerWeek: c.days, HoursPerMonth: c.hours}
		l.DerivePay()
		if got := viewOf("https://anken.example", l).Rate; got != c.want {
			t.Errorf("mail pay = %q, want %q", got, c.want)
		}
	}
}
