package account_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"anken/internal/account"
	"anken/internal/problem"
	"anken/internal/ratelimit"
	"anken/internal/store"
	"anken/internal/store/storetest"
)

func TestHash(t *testing.T) {
	h, err := account.Hash("correct horse battery", account.OWASP)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not argon2id at OWASP's parameters in PHC form", h)
	}
	if h2, _ := account.Hash("correct horse battery", account.OWASP); h2 == h {
		t.Error("two hashes of one password are equal: no salt")
	}
	ok, stale, err := account.Check(h, "correct horse battery", account.OWASP)
	if !ok || stale || err != nil {
		t.Errorf("Check(right) = %v, %v, %v", ok, stale, err)
	}
	if ok, _, _ := account.Check(h, "correct horse batterY", account.OWASP); ok {
		t.Error("Check(wrong) = true")
	}
	stronger := account.OWASP
	stronger.Time = 3
	if ok, stale, _ := account.Check(h, "correct horse battery", stronger); !ok || !stale {
		t.Errorf("Check with newer parameters = ok %v stale %v; want ok and stale", ok, stale)
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5", "$argon2id$v=19$m=0,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5"} {
		if _, _, err := account.Check(bad, "x", account.OWASP); err == nil {
			t.Errorf("Check(%q) took a hash it did not write", bad)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	for _, tt := range []struct {
		password string
		ok       bool
		why      string
	}{
		{"短いパス", false, "at least 10"},
		{"sevenchr", false, "at least 10"},
		{"日本語のパスワードです", true, ""}, // 11 characters, 33 bytes
		{"tr0ub4dor&3x", true, ""},
		{strings.Repeat("x", 257) + "y", false, "at most 256"},
		{"1234567890", false, "common"},
		{"QWERTYUIOP", false, "common"},
		{"password123", false, "common"},
		{"1q2w3e4r5t", false, "common"},
		{"iloveyou12", false, "common"},
		{"Password2026!", false, "common word"},
		{"zzzzzzzzzzzz", false, "repeats"},
		{"abababababab", false, "repeats"},
		{"xyzxyzxyzx", false, "repeats"},
		{"mnopqrstuvw", false, "sequence"},
		{"9876543210987", false, "sequence"},
		{"poiuytrewq", false, "sequence"},
		{"tanaka.taro2026", false, "email"},
		{"my-tanaka.taro@example.jp", false, "email"},
		{"kagami\x00biraki-2026", false, "control"},
		{"kagami\tbiraki-2026", false, "control"},
		{"kagami-biraki\n2026", false, "control"},
		{"kagami\u2028biraki-2026", false, "control"},
	} {
		err := account.CheckPassword(tt.password, "Tanaka.Taro@example.jp", "password")
		if tt.ok {
			if err != nil {
				t.Errorf("%q refused: %v", tt.password, err)
			}
			continue
		}
		var pe *problem.Error
		if !errors.As(err, &pe) || pe.Kind != problem.Unprocessable || pe.Details[0].Location != "password" ||
			!strings.Contains(err.Error(), tt.why) {
			t.Errorf("%q: %v; want Unprocessable on password saying %q", tt.password, err, tt.why)
		}
	}
}

func TestCheckEmail(t *testing.T) {
	if got, err := account.CheckEmail("  Taro@Example.JP ", "email"); err != nil || got != "taro@example.jp" {
		t.Errorf("CheckEmail = %q, %v", got, err)
	}
	for _, bad := range []string{"", "taro", "taro@", "Taro <taro@example.jp>", "taro@localhost", "a@b@example.jp",
		strings.Repeat("a", 250) + "@example.jp", "ta\x00ro@example.jp", "taro@exa\u0085mple.jp", "taro\r\n@example.jp"} {
		if _, err := account.CheckEmail(bad, "email"); problem.KindOf(err) != problem.Unprocessable {
			t.Errorf("CheckEmail(%q) = %v, want Unprocessable", bad, err)
		}
	}
}

// cheap keeps the tests fast; the parameters are checked by TestHash.
var cheap = account.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func newService(t *testing.T, limits account.Limits) (*account.Service, *store.Store) {
	t.Helper()
	st := storetest.Open(t, "sqlite")
	return account.New(st, account.Options{BaseURL: "https://anken.example/", Params: cheap, Limits: limits}), st
}

// loose limits that no test meets.
func loose() account.Limits {
	l := func() *ratelimit.Limiter { return ratelimit.New(1000, time.Millisecond) }
	return account.Limits{SignUpIP: l(), SignUpAddress: l(), LoginIP: l(), LoginAddress: l(), ResetIP: l(), ResetAddress: l()}
}

var tokenRE = regexp.MustCompile(`https://anken\.example/(verify|reset)\?token=([A-Za-z0-9_-]{43})`)

// mailTo returns the newest mail to addr and the token of its link, if any.
func mailTo(t *testing.T, st *store.Store, addr string) (store.Mail, string) {
	t.Helper()
	mails, err := st.Mails(context.Background(), "", 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mails { // newest first
		if m.To == addr {
			if sm := tokenRE.FindStringSubmatch(m.Text); sm != nil {
				return m, sm[2]
			}
			return m, ""
		}
	}
	t.Fatalf("no mail to %s", addr)
	return store.Mail{}, ""
}

func TestSignUpVerifyLogin(t *testing.T) {
	ctx := context.Background()
	svc, st := newService(t, loose())
	const pw = "kagami-mochi-2026"
	if err := svc.SignUp(ctx, "192.0.2.1", "Hanako@Example.jp", pw); err != nil {
		t.Fatal(err)
	}
	m, token := mailTo(t, st, "hanako@example.jp")
	if m.Kind != "verify" || token == "" || !strings.Contains(m.Subject, "メールアドレスの確認") || !strings.Contains(m.HTML, token) {
		t.Fatalf("verification mail = %+v", m)
	}
	// Not verified: the right password is told so, a wrong one is not.
	if _, err := svc.Login(ctx, "192.0.2.1", "hanako@example.jp", pw); problem.KindOf(err) != problem.Forbidden {
		t.Errorf("login before verifying: %v, want Forbidden", err)
	}
	if _, err := svc.Login(ctx, "192.0.2.1", "hanako@example.jp", "wrong-password-1"); problem.KindOf(err) != problem.Unauthorized {
		t.Errorf("wrong password before verifying: %v, want Unauthorized", err)
	}
	// Verifying logs in: a new session of 30 days, as a login answers,
	// and a device token for the browser that came without one.
	e, vs, err := svc.Verify(ctx, "", token)
	if err != nil {
		t.Fatal(err)
	}
	if e.Email != "hanako@example.jp" || !e.Verified() || len(vs.Token) != 43 || vs.ExpiresAt.Before(time.Now().Add(29*24*time.Hour)) || vs.Device.Token == "" {
		t.Fatalf("Verify = %+v, %+v; want the verified engineer, a session valid 30 days and a device token", e, vs)
	}
	if a, err := svc.Authenticate(ctx, vs.Token); err != nil || a.ID != e.ID {
		t.Fatalf("the session of the verification: %+v, %v", a, err)
	}
	if _, _, err := svc.Verify(ctx, "", token); problem.KindOf(err) != problem.Unprocessable {
		t.Errorf("verify twice: %v, want Unprocessable", err)
	}
	ses, err := svc.Login(ctx, "192.0.2.1", "HANAKO@example.jp", pw)
	if err != nil || len(ses.Token) != 43 || ses.ExpiresAt.Before(time.Now().Add(29*24*time.Hour)) {
		t.Fatalf("Login = %+v, %v; want a token valid 30 days", ses, err)
	}
	a, err := svc.Authenticate(ctx, ses.Token)
	if err != nil || a.Email != "hanako@example.jp" {
		t.Fatalf("Authenticate = %+v, %v", a, err)
	}
	// Unknown address and wrong password answer alike.
	_, e1 := svc.Login(ctx, "192.0.2.1", "nobody@example.jp", pw)
	_, e2 := svc.Login(ctx, "192.0.2.1", "hanako@example.jp", "not-the-password")
	if problem.KindOf(e1) != problem.Unauthorized || e1.Error() != e2.Error() {
		t.Errorf("unknown address %v and wrong password %v differ", e1, e2)
	}
	if err := svc.Logout(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, ses.Token); problem.KindOf(err) != problem.Unauthorized {
		t.Errorf("after logout: %v, want Unauthorized", err)
	}
	for _, bad := range []string{"", "x", strings.Repeat("a", 43)} {
		if _, err := svc.Authenticate(ctx, bad); problem.KindOf(err) != problem.Unauthorized {
			t.Errorf("Authenticate(%q) = %v", bad, err)
		}
	}
}

func TestSignUpTwice(t *testing.T) {
	ctx := context.Background()
	svc, st := newService(t, loose())
	if err := svc.SignUp(ctx, "ip", "a@example.jp", "first-password-1"); err != nil {
		t.Fatal(err)
	}
	_, first := mailTo(t, st, "a@example.jp")
	// Again before verifying: a new password and a new link; the old one stops.
	if err := svc.SignUp(ctx, "ip", "a@example.jp", "second-password-2"); err != nil {
		t.Fatal(err)
	}
	_, second := mailTo(t, st, "a@example.jp")
	if second == first {
		t.Fatal("no new verification link")
	}
	if _, _, err := svc.Verify(ctx, "", first); err == nil {
		t.Error("the first link still verifies")
	}
	if _, _, err := svc.Verify(ctx, "", second); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Login(ctx, "ip", "a@example.jp", "second-password-2"); err != nil {
		t.Errorf("login with the second password: %v", err)
	}
	// Again once verified: the same answer, a mail saying so, nothing changed.
	if err := svc.SignUp(ctx, "ip", "a@example.jp", "third-password-3"); err != nil {
		t.Errorf("sign-up of an existing account: %v, want the same answer as a new one", err)
	}
	m, tok := mailTo(t, st, "a@example.jp")
	if m.Kind != "account-exists" || tok != "" || !strings.Contains(m.Text, "https://anken.example/reset") {
		t.Errorf("mail for an existing account = %+v", m)
	}
	if _, err := svc.Login(ctx, "ip", "a@example.jp", "third-password-3"); err == nil {
		t.Error("a sign-up changed a verified account's password")
	}
	// Bad input is named.
	for _, c := range []struct{ email, pw, field string }{
		{"not-an-address", "long-enough-pw", "email"},
		{"b@example.jp", "short", "password"},
		{"b@example.jp", "password123", "password"},
	} {
		err := svc.SignUp(ctx, "ip", c.email, c.pw)
		var pe *problem.Error
		if !errors.As(err, &pe) || pe.Kind != problem.Unprocessable || pe.Details[0].Location != c.field {
			t.Errorf("SignUp(%q, %q) = %v; want Unprocessable on %s", c.email, c.pw, err, c.field)
		}
	}
}

func TestResetAndChange(t *testing.T) {
	ctx := context.Background()
	svc, st := newService(t, loose())
	login := verified(t, svc, st, "a@example.jp", "first-password-1")
	other, _ := svc.Login(ctx, "ip", "a@example.jp", "first-password-1")

	// A reset for an address without an account answers the same and mails nothing.
	if err := svc.RequestReset(ctx, "ip", "nobody@example.jp"); err != nil {
		t.Errorf("reset of an unknown address: %v, want nil", err)
	}
	svc.Wait()
	if n, _ := st.MailCount(ctx, store.MailPending); n != 1 {
		t.Errorf("%d mails after a reset for an unknown address, want only the verification", n)
	}
	if err := svc.RequestReset(ctx, "ip", "A@example.jp"); err != nil {
		t.Fatal(err)
	}
	svc.Wait()
	m, token := mailTo(t, st, "a@example.jp")
	if m.Kind != "reset" || token == "" {
		t.Fatalf("reset mail = %+v", m)
	}
	if _, err := svc.ConfirmReset(ctx, token, "a@example.jp-x"); problem.KindOf(err) != problem.Unprocessable {
		t.Errorf("reset to a password holding the address: %v, want Unprocessable", err)
	}
	if _, err := svc.ConfirmReset(ctx, token, "reset-password-2"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ConfirmReset(ctx, token, "reset-password-3"); problem.KindOf(err) != problem.Unprocessable {
		t.Errorf("reset token used twice: %v", err)
	}
	for _, tok := range []string{login.Token, other.Token} {
		if _, err := svc.Authenticate(ctx, tok); err == nil {
			t.Error("a session outlived the password reset")
		}
	}

	// A change needs the current password and ends the other sessions only.
	s1, _ := svc.Login(ctx, "ip", "a@example.jp", "reset-password-2")
	s2, _ := svc.Login(ctx, "ip", "a@example.jp", "reset-password-2")
	a, err := svc.Authenticate(ctx, s1.Token)
	if err != nil {
		t.Fatal(err)
	}
	var pe *problem.Error
	if err := svc.ChangePassword(ctx, a, "wrong-current", "changed-password-4"); !errors.As(err, &pe) || pe.Details[0].Location != "current" {
		t.Errorf("change with a wrong current password: %v", err)
	}
	if err := svc.ChangePassword(ctx, a, "reset-password-2", "changed-password-4"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, s1.Token); err != nil {
		t.Errorf("the session that changed the password ended: %v", err)
	}
	if _, err := svc.Authenticate(ctx, s2.Token); err == nil {
		t.Error("another session outlived the password change")
	}
	if _, err := svc.Login(ctx, "ip", "a@example.jp", "changed-password-4"); err != nil {
		t.Errorf("login with the new password: %v", err)
	}
}

func verified(t *testing.T, svc *account.Service, st *store.Store, addr, pw string) account.Session {
	t.Helper()
	ctx := context.Background()
	if err := svc.SignUp(ctx, "ip", addr, pw); err != nil {
		t.Fatal(err)
	}
	_, token := mailTo(t, st, addr)
	if _, _, err := svc.Verify(ctx, "", token); err != nil {
		t.Fatal(err)
	}
	ses, err := svc.Login(ctx, "ip", addr, pw)
	if err != nil {
		t.Fatal(err)
	}
	return ses
}

func TestRateLimits(t *testing.T) {
	ctx := context.Background()
	svc, st := newService(t, account.Limits{})
	verified(t, svc, st, "a@example.jp", "first-password-1")
	var err error
	for range 20 { // per address: 10 at once
		if _, err = svc.Login(ctx, "198.51.100.7", "a@example.jp", "wrong-password"); problem.KindOf(err) == problem.TooMany {
			break
		}
	}
	var ex *ratelimit.Exceeded
	if !errors.As(err, &ex) || ex.Seconds() < 1 || !strings.Contains(ex.What, "email address") {
		t.Fatalf("20 wrong logins for one address: %v; want TooMany for the address", err)
	}
	// The limit is the address's: another address from the same IP goes on.
	if _, err := svc.Login(ctx, "198.51.100.7", "b@example.jp", "wrong-password"); problem.KindOf(err) != problem.Unauthorized {
		t.Errorf("another address: %v, want Unauthorized", err)
	}
	for i := range 20 { // per IP: 10 sign-ups at once
		err = svc.SignUp(ctx, "203.0.113.9", "user"+string(rune('a'+i))+"@example.jp", "long-password-99")
		if problem.KindOf(err) == problem.TooMany {
			break
		}
	}
	if !errors.As(err, &ex) || !strings.Contains(ex.What, "IP address") {
		t.Errorf("20 sign-ups from one IP: %v; want TooMany for the IP", err)
	}
	for range 5 { // per address: 3 resets at once
		err = svc.RequestReset(ctx, "192.0.2.50", "a@example.jp")
	}
	if problem.KindOf(err) != problem.TooMany {
		t.Errorf("5 resets for one address: %v, want TooMany", err)
	}
	svc.Wait()
}

// recorder is a store that records the calls a password reset may make.
type recorder struct {
	account.Store
	calls []string
}

func (r *recorder) EngineerByEmail(ctx context.Context, email string) (store.Engineer, error) {
	r.calls = append(r.calls, "EngineerByEmail")
	return r.Store.EngineerByEmail(ctx, email)
}

func (r *recorder) IssueToken(ctx context.Context, id int64, tok store.Token, m store.Mail) error {
	r.calls = append(r.calls, "IssueToken")
	return r.Store.IssueToken(ctx, id, tok, m)
}

func (r *recorder) EnqueueMail(ctx context.Context, m store.Mail) (int64, error) {
	r.calls = append(r.calls, "EnqueueMail")
	return r.Store.EnqueueMail(ctx, m)
}

// TestResetAnswersFirst: a reset request is answered before the address
// is looked up, so the answer does the same work, and takes as long,
// whether or not the address has an account; the mail is written after.
func TestResetAnswersFirst(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, "sqlite")
	rec := &recorder{Store: st}
	svc := account.New(rec, account.Options{BaseURL: "https://anken.example/", Params: cheap, Limits: loose()})
	verified(t, svc, st, "known@example.jp", "first-password-1")
	held := account.HoldLater(svc)
	for _, addr := range []string{"known@example.jp", "nobody@example.jp"} {
		rec.calls = nil
		if err := svc.RequestReset(ctx, "ip", addr); err != nil {
			t.Fatalf("reset for %s: %v", addr, err)
		}
		if len(rec.calls) != 0 || held.Len() != 1 {
			t.Errorf("reset for %s answered after %v with %d jobs queued; want no store call before the answer and one job after",
				addr, rec.calls, held.Len())
		}
		held.Run()
	}
	if m, tok := mailTo(t, st, "known@example.jp"); m.Kind != "reset" || tok == "" {
		t.Errorf("mail to the known address = %+v, want the reset link", m)
	}
	mails, _ := st.Mails(ctx, "", 100)
	for _, m := range mails {
		if m.To == "nobody@example.jp" {
			t.Errorf("mail to an address without an account: %+v", m)
		}
	}
}

func TestSavedSearches(t *testing.T) {
	ctx := context.Background()
	svc, st := newService(t, loose())
	ses := verified(t, svc, st, "a@example.jp", "first-password-1")
	a, _ := svc.Authenticate(ctx, ses.Token)
	str := func(s string) *string { return &s }
	ss, err := svc.CreateSavedSearch(ctx, a.ID, account.SavedSearchInput{Query: str("?remote=full&skill=Golang&q=決済&limit=5&cursor=abc")})
	if err != nil {
		t.Fatal(err)
	}
	if ss.Query != "q=%E6%B1%BA%E6%B8%88&remote=full&skill=go" || ss.Alert != "instant" || ss.Hour != 8 || ss.Name != "「決済」・Go・フルリモート" {
		t.Errorf("saved = %+v; want the canonical query, instant, 8, a name from the query", ss)
	}
	for _, c := range []struct {
		in    account.SavedSearchInput
		field string
	}{
		{account.SavedSearchInput{}, "query"},
		{account.SavedSearchInput{Query: str("")}, "query"},
		{account.SavedSearchInput{Query: str("role=wizard")}, "query"},
		{account.SavedSearchInput{Query: str("q=%zz")}, "query"},
		{account.SavedSearchInput{Query: str("q=go"), Alert: str("hourly")}, "alert"},
		{account.SavedSearchInput{Query: str("q=go"), Hour: new(24)}, "hour"},
		{account.SavedSearchInput{Query: str("q=go"), Name: str(strings.Repeat("名", 101))}, "name"},
		{account.SavedSearchInput{Query: str("q=go"), Name: str("Go\u0085案件")}, "name"},
		{account.SavedSearchInput{Query: str("q=go"), Name: str("Go\u2028案件")}, "name"},
		{account.SavedSearchInput{Query: str("q=go"), Name: str("Go\u2029案件")}, "name"},
		{account.SavedSearchInput{Query: str("q=go"), Name: str("Go\u009b案件")}, "name"},
		{account.SavedSearchInput{Query: str("q=go"), Name: str("Go\n案件")}, "name"},
	} {
		_, err := svc.CreateSavedSearch(ctx, a.ID, c.in)
		var pe *problem.Error
		if !errors.As(err, &pe) || pe.Kind != problem.Unprocessable || pe.Details[0].Location != c.field {
			t.Errorf("CreateSavedSearch(%+v) = %v; want Unprocessable on %s", c.in, err, c.field)
		}
	}
	got, err := svc.UpdateSavedSearch(ctx, a.ID, ss.ID, account.SavedSearchInput{Name: str("決済案件"), Alert: str("daily"), Hour: new(21)})
	if err != nil || got.Name != "決済案件" || got.Alert != "daily" || got.Hour != 21 || got.Query != ss.Query {
		t.Errorf("UpdateSavedSearch = %+v, %v", got, err)
	}
	got, err = svc.UpdateSavedSearch(ctx, a.ID, ss.ID, account.SavedSearchInput{Name: str(""), Query: str("role=infra")})
	if err != nil || got.Name != "インフラ" || got.Query != "role=infra" {
		t.Errorf("rename to empty with a new query = %+v, %v", got, err)
	}
	if _, err := svc.UpdateSavedSearch(ctx, a.ID+1, ss.ID, account.SavedSearchInput{Alert: str("off")}); problem.KindOf(err) != problem.NotFound {
		t.Errorf("another engineer's: %v, want NotFound", err)
	}
	if u, err := svc.Unsubscribe(ctx, got.Unsubscribe); err != nil || u.Alert != "off" {
		t.Errorf("Unsubscribe = %+v, %v", u, err)
	}
}

func TestProfile(t *testing.T) {
	ctx := context.Background()
	svc, st := newService(t, loose())
	ses := verified(t, svc, st, "a@example.jp", "first-password-1")
	a, _ := svc.Authenticate(ctx, ses.Token)
	p, err := svc.PutProfile(ctx, a.ID, store.Profile{Skills: []string{"Golang", "go", "AWS"}, Role: "backend",
		DesiredRate: 700_000, Remote: "full", DaysPerWeek: 3, Prefectures: []string{"JP-13"}, Recommend: "weekly"})
	if err != nil || strings.Join(p.Skills, ",") != "go,aws" {
		t.Fatalf("PutProfile = %+v, %v", p, err)
	}
	for field, bad := range map[string]store.Profile{
		"skills":        {Skills: []string{"klingon"}},
		"role":          {Role: "wizard"},
		"desired_rate":  {DesiredRate: -1},
		"remote":        {Remote: "moon"},
		"days_per_week": {DaysPerWeek: 6},
		"prefectures":   {Prefectures: []string{"JP-48"}},
		"recommend":     {Recommend: "hourly"},
	} {
		_, err := svc.PutProfile(ctx, a.ID, bad)
		var pe *problem.Error
		if !errors.As(err, &pe) || pe.Kind != problem.Unprocessable || pe.Details[0].Location != field {
			t.Errorf("profile with a bad %s: %v", field, err)
		}
	}
	if got, _ := svc.Profile(ctx, a.ID); got.Recommend != "weekly" || got.DesiredRate != 700_000 {
		t.Errorf("a refused profile changed the stored one: %+v", got)
	}
}

// TestLoginLockout: guesses at an address from anywhere lock out the
// browsers that have never used the account, not its owner's: a browser
// that logged in before, or that set a new password through the reset
// mail, has a limit of its own.
func TestLoginLockout(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now } // the buckets never refill during the test
	limit := func(burst int) *ratelimit.Limiter { return ratelimit.New(burst, 3*time.Minute).Clock(clock) }
	svc, st := newService(t, account.Limits{LoginIP: limit(1000), LoginAddress: limit(10), LoginDevice: limit(10),
		ResetIP: limit(1000), ResetAddress: limit(1000), SignUpIP: limit(1000), SignUpAddress: limit(1000)})
	const addr, pw = "owner@example.jp", "kagami-biraki-1"
	first := verified(t, svc, st, addr, pw) // the owner's browser logs in once
	if first.Device.Token == "" {
		t.Fatal("a login without a device token answered none")
	}
	other := verified(t, svc, st, "other@example.jp", "setsubun-mame-2")
	for i := range 12 { // guesses from many addresses
		svc.Login(ctx, fmt.Sprintf("203.0.113.%d", i), addr, "guess-password-0")
	}
	cases := []struct {
		name, device, password string
		want                   problem.Kind
	}{
		{"a new browser with the right password", "", pw, problem.TooMany},
		{"another account's browser", other.Device.Token, pw, problem.TooMany},
		{"an unknown device token", strings.Repeat("x", 43), pw, problem.TooMany},
		{"the owner's browser", first.Device.Token, pw, problem.Internal}, // no error
	}
	for _, c := range cases {
		ses, err := svc.LoginDevice(ctx, "198.51.100.1", c.device, addr, c.password)
		if c.want == problem.Internal {
			if err != nil || ses.Token == "" || ses.Device.Token != "" {
				t.Errorf("%s: %+v, %v; want a session and no new device token", c.name, ses, err)
			}
			continue
		}
		if problem.KindOf(err) != c.want {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	// The owner's browser has a limit of its own: guesses with a stolen
	// device token get no further than guesses at the address.
	var err error
	for range 12 {
		_, err = svc.LoginDevice(ctx, "198.51.100.2", first.Device.Token, addr, "guess-password-0")
	}
	var ex *ratelimit.Exceeded
	if !errors.As(err, &ex) || !strings.Contains(ex.What, "browser") {
		t.Errorf("12 wrong passwords from the owner's browser: %v; want its own limit", err)
	}

	// A reset through the mail gets its browser in, and the address's
	// bucket is full again.
	if err := svc.RequestReset(ctx, "198.51.100.3", addr); err != nil {
		t.Fatal(err)
	}
	svc.Wait()
	_, token := mailTo(t, st, addr)
	d, err := svc.ConfirmReset(ctx, token, "after-reset-pw-2")
	if err != nil || d.Token == "" {
		t.Fatalf("ConfirmReset = %+v, %v; want a device token", d, err)
	}
	for range 12 {
		svc.Login(ctx, "203.0.113.99", addr, "guess-password-0")
	}
	if _, err := svc.LoginDevice(ctx, "198.51.100.3", d.Token, addr, "after-reset-pw-2"); err != nil {
		t.Errorf("login from the browser that reset, with the address locked again: %v", err)
	}
}
