package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"anken/internal/account"
	"anken/internal/ratelimit"
	"anken/internal/server/servertest"
)

// token returns the token of the newest mail to addr with a link.
func (fx *fixture) token(t *testing.T, kind, addr string) string {
	t.Helper()
	link, err := url.Parse(fx.MailLink(t, kind, addr))
	if err != nil {
		t.Fatal(err)
	}
	return link.Query().Get("token")
}

// engineer signs addr up, verifies it and logs in; it returns the token.
func (fx *fixture) engineer(t *testing.T, addr, password string) string {
	t.Helper()
	if r := fx.Do(t, "POST", "/v1/accounts", "", fmt.Sprintf(`{"email":%q,"password":%q}`, addr, password)); r.Status != 202 {
		t.Fatalf("sign-up: %d %s", r.Status, r.Raw)
	}
	if r := fx.Do(t, "POST", "/v1/accounts/verify", "", fmt.Sprintf(`{"token":%q}`, fx.token(t, "verify", addr))); r.Status != 200 {
		t.Fatalf("verify: %d %s", r.Status, r.Raw)
	}
	return fx.login(t, addr, password)
}

func (fx *fixture) login(t *testing.T, addr, password string) string {
	t.Helper()
	r := fx.Do(t, "POST", "/v1/sessions", "", fmt.Sprintf(`{"email":%q,"password":%q}`, addr, password))
	if r.Status != 201 {
		t.Fatalf("login: %d %s", r.Status, r.Raw)
	}
	return r.Body["token"].(string)
}

func (fx *fixture) listing(t *testing.T, ext string) int64 {
	t.Helper()
	r := fx.Do(t, "PUT", "/v1/agency/listings/"+ext, fx.keyA, goodListing)
	if r.Status != 200 {
		t.Fatalf("put listing: %d %s", r.Status, r.Raw)
	}
	return int64(r.Body["id"].(float64))
}

func TestAccountsFlow(t *testing.T) {
	fx := newMeFixture(t, account.Limits{})
	const addr, pw = "taro@example.jp", "hatsuyume-fuji-2027"
	signUp := fmt.Sprintf(`{"email":%q,"password":%q}`, addr, pw)
	first := fx.Do(t, "POST", "/v1/accounts", "", signUp)
	if first.Status != 202 {
		t.Fatalf("sign-up: %d %s", first.Status, first.Raw)
	}
	token := fx.token(t, "verify", addr)
	// Not verified: 403 with the right password, 401 with a wrong one.
	if r := fx.Do(t, "POST", "/v1/sessions", "", signUp); r.Status != 403 {
		t.Errorf("login before verifying: %d %s", r.Status, r.Raw)
	}
	if r := fx.Do(t, "POST", "/v1/sessions", "", `{"email":"taro@example.jp","password":"wrong-password-0"}`); r.Status != 401 {
		t.Errorf("wrong password before verifying: %d %s", r.Status, r.Raw)
	}
	// Verifying logs in: the answer keeps the address and its time and
	// carries a session token, as a login answers.
	v := fx.Do(t, "POST", "/v1/accounts/verify", "", fmt.Sprintf(`{"token":%q}`, token))
	if v.Status != 200 || v.Body["email"] != addr || v.Body["verified_at"] == nil || v.Body["expires_at"] == nil {
		t.Fatalf("verify: %d %s", v.Status, v.Raw)
	}
	if tok, _ := v.Body["token"].(string); tok == "" {
		t.Errorf("verify answered no session token: %s", v.Raw)
	} else if r := fx.Do(t, "GET", "/v1/me", tok, ""); r.Status != 200 || r.Body["email"] != addr {
		t.Errorf("GET /v1/me with the verification's token: %d %s", r.Status, r.Raw)
	}
	if r := fx.Do(t, "POST", "/v1/accounts/verify", "", fmt.Sprintf(`{"token":%q}`, token)); r.Status != 422 || !strings.Contains(r.Raw, "body.token") {
		t.Errorf("verify twice: %d %s", r.Status, r.Raw)
	}
	// An existing address answers as a new one does.
	again := fx.Do(t, "POST", "/v1/accounts", "", signUp)
	if again.Status != first.Status || again.Raw != first.Raw {
		t.Errorf("sign-up of an existing address answered %d %s; a new one %d %s", again.Status, again.Raw, first.Status, first.Raw)
	}
	r := fx.Do(t, "POST", "/v1/sessions", "", signUp)
	if r.Status != 201 || r.Body["token"] == nil || r.Body["expires_at"] == nil {
		t.Fatalf("login: %d %s", r.Status, r.Raw)
	}
	tok := r.Body["token"].(string)
	if r := fx.Do(t, "GET", "/v1/me", tok, ""); r.Status != 200 || r.Body["email"] != addr {
		t.Errorf("GET /v1/me: %d %s", r.Status, r.Raw)
	}

	// Bad input names the field.
	for _, c := range []struct{ method, path, body, field string }{
		{"POST", "/v1/accounts", `{"email":"nope","password":"long-enough-1"}`, "body.email"},
		{"POST", "/v1/accounts", `{"email":"x@example.jp","password":"qwertyuiop"}`, "body.password"},
		{"PUT", "/v1/me/profile", `{"skills":["klingon"]}`, "body.skills"},
		{"PUT", "/v1/me/profile", `{"role":"wizard"}`, "body.role"},
		{"PUT", "/v1/me/profile", `{"desired_rate":9000000}`, "body.desired_rate"},
		{"PUT", "/v1/me/profile", `{"remote":"moon"}`, "body.remote"},
		{"PUT", "/v1/me/profile", `{"days_per_week":6}`, "body.days_per_week"},
		{"PUT", "/v1/me/profile", `{"prefectures":["Tokyo"]}`, "body.prefectures"},
		{"PUT", "/v1/me/profile", `{"recommend":"hourly"}`, "body.recommend"},
		{"PUT", "/v1/me/profile", `{"experience":{"klingon":3}}`, "body.experience"},
		{"PUT", "/v1/me/profile", `{"experience":{"go":51}}`, "body.experience"},
		{"POST", "/v1/me/saved-searches", `{"query":"role=wizard"}`, "body.query"},
		{"POST", "/v1/me/saved-searches", `{"query":""}`, "body.query"},
		{"POST", "/v1/me/saved-searches", `{"query":"q=go","alert":"hourly"}`, "body.alert"},
		{"POST", "/v1/me/saved-searches", `{"query":"q=go","hour":24}`, "body.hour"},
		{"PUT", "/v1/me/password", `{"current":"wrong-password-9","password":"another-good-one-7"}`, "body.current"},
		{"PUT", "/v1/me/favorites/abc", ``, "path.listing_id"},
	} {
		r := fx.Do(t, c.method, c.path, tok, c.body)
		if r.Status != 422 || !strings.Contains(r.Raw, c.field) {
			t.Errorf("%s %s %s: %d %s; want 422 naming %s", c.method, c.path, c.body, r.Status, r.Raw, c.field)
		}
	}

	// Profile, saved search, favourite.
	r = fx.Do(t, "PUT", "/v1/me/profile", tok, `{"skills":["Golang","AWS"],"role":"backend","desired_rate":700000,"remote":"full","days_per_week":3,"prefectures":["JP-13"],"side_job_only":true,"recommend":"weekly","desired_hourly":4000,"experience":{"Golang":3,"aws":2,"java":0}}`)
	if r.Status != 200 || fmt.Sprint(r.Body["skills"]) != "[go aws]" || r.Body["recommend"] != "weekly" || fmt.Sprint(r.Body["experience"]) != "map[aws:2 go:3]" {
		t.Errorf("PUT profile: %d %s", r.Status, r.Raw)
	}
	if r := fx.Do(t, "GET", "/v1/me/profile", tok, ""); r.Body["desired_rate"] != 700000.0 || r.Body["side_job_only"] != true ||
		r.Body["desired_hourly"] != 4000.0 || fmt.Sprint(r.Body["experience"]) != "map[aws:2 go:3]" {
		t.Errorf("GET profile: %d %s", r.Status, r.Raw)
	}
	r = fx.Do(t, "POST", "/v1/me/saved-searches", tok, `{"query":"skill=golang&remote=full"}`)
	if r.Status != 201 || r.Body["query"] != "remote=full&skill=go" || r.Body["name"] != "Go・フルリモート" ||
		r.Body["alert"] != "instant" || r.Body["hour"] != 8.0 || strings.Contains(r.Raw, "unsubscribe") {
		t.Fatalf("POST saved search: %d %s", r.Status, r.Raw)
	}
	ssPath := fmt.Sprintf("/v1/me/saved-searches/%d", int64(r.Body["id"].(float64)))
	if r := fx.Do(t, "PATCH", ssPath, tok, `{"alert":"daily","hour":21}`); r.Status != 200 || r.Body["alert"] != "daily" || r.Body["name"] != "Go・フルリモート" {
		t.Errorf("PATCH saved search: %d %s", r.Status, r.Raw)
	}
	id := fx.listing(t, "GO-1")
	if r := fx.Do(t, "PUT", fmt.Sprintf("/v1/me/favorites/%d", id+1000), tok, ""); r.Status != 404 {
		t.Errorf("favourite of a missing listing: %d %s", r.Status, r.Raw)
	}
	for range 2 {
		if r := fx.Do(t, "PUT", fmt.Sprintf("/v1/me/favorites/%d", id), tok, ""); r.Status != 204 {
			t.Errorf("PUT favourite: %d %s", r.Status, r.Raw)
		}
	}
	if r := fx.Do(t, "GET", "/v1/me/favorites", tok, ""); r.Status != 200 || !strings.Contains(r.Raw, fmt.Sprintf(`"listing_id":%d`, id)) {
		t.Errorf("GET favourites: %d %s", r.Status, r.Raw)
	}
	x := fx.Do(t, "GET", "/v1/me/export", tok, "")
	for _, want := range []string{addr, `"skills":["go","aws"]`, "remote=full&skill=go", fmt.Sprintf(`"listing_id":%d`, id), `"sessions":[{`, `"mail":[{`} {
		if !strings.Contains(x.Raw, want) {
			t.Errorf("export lacks %s: %s", want, x.Raw)
		}
	}
	if strings.Contains(x.Raw, "argon2") || strings.Contains(x.Raw, tok) {
		t.Errorf("export holds the password hash or the session token: %s", x.Raw)
	}

	// Reset: 202 whether or not the address has an account; ends sessions.
	for _, a := range []string{"nobody@example.jp", addr} {
		if r := fx.Do(t, "POST", "/v1/accounts/password-reset", "", fmt.Sprintf(`{"email":%q}`, a)); r.Status != 202 {
			t.Errorf("reset for %s: %d %s", a, r.Status, r.Raw)
		}
	}
	reset := fx.token(t, "reset", addr)
	if r := fx.Do(t, "POST", "/v1/accounts/password-reset/confirm", "", fmt.Sprintf(`{"token":%q,"password":"shin-password-2027"}`, reset)); r.Status != 204 {
		t.Fatalf("confirm reset: %d %s", r.Status, r.Raw)
	}
	if r := fx.Do(t, "GET", "/v1/me", tok, ""); r.Status != 401 {
		t.Errorf("session after reset: %d %s", r.Status, r.Raw)
	}
	tok = fx.login(t, addr, "shin-password-2027")
	if r := fx.Do(t, "DELETE", "/v1/sessions/current", tok, ""); r.Status != 204 {
		t.Errorf("logout: %d %s", r.Status, r.Raw)
	}
	if r := fx.Do(t, "GET", "/v1/me", tok, ""); r.Status != 401 {
		t.Errorf("session after logout: %d %s", r.Status, r.Raw)
	}
	tok = fx.login(t, addr, "shin-password-2027")
	if r := fx.Do(t, "DELETE", "/v1/me", tok, ""); r.Status != 204 {
		t.Fatalf("DELETE /v1/me: %d %s", r.Status, r.Raw)
	}
	if r := fx.Do(t, "GET", "/v1/me/profile", tok, ""); r.Status != 401 {
		t.Errorf("session of a deleted account: %d %s", r.Status, r.Raw)
	}
	if x, err := fx.st.EngineerByEmail(context.Background(), addr); err == nil {
		t.Errorf("account left after DELETE /v1/me: %+v", x)
	}
}

func TestAccountsRateLimit(t *testing.T) {
	fx := newMeFixture(t, account.Defaults())
	var last servertest.Response
	for range 15 {
		if last = fx.Do(t, "POST", "/v1/sessions", "", `{"email":"x@example.jp","password":"guess-guess-1"}`); last.Status == 429 {
			break
		}
	}
	if last.Status != 429 || last.Header.Get("Retry-After") == "" || !strings.HasPrefix(last.Header.Get("Content-Type"), "application/problem+json") {
		t.Errorf("15 logins for one address: %d, Retry-After %q; want 429 with Retry-After", last.Status, last.Header.Get("Retry-After"))
	}
}

// authCase is how one operation that needs an engineer's session is
// tried by engineer B with engineer A's ids.
type authCase struct {
	path   string // with A's ids
	body   string
	status int  // what B is answered
	last   bool // ends B's session or account: run after the others, each with a fresh login
}

// TestAuthorization walks every operation that takes an engineer's
// session, as registered: none answers without a token or with a bad
// one, B gets 404 for A's saved searches and favourites, no answer to B
// holds any of A's data, and A's data is as it was afterwards. An
// operation registered but missing from the table fails the test.
func TestAuthorization(t *testing.T) {
	fx := newMeFixture(t, account.Limits{})
	const addrA, addrB = "alice-secret@example.jp", "bob@example.jp"
	tokA := fx.engineer(t, addrA, "alice-password-1")
	bPassword := "kumo-no-ue-22"
	fx.engineer(t, addrB, bPassword)
	l1, l2 := fx.listing(t, "L-1"), fx.listing(t, "L-2")

	if r := fx.Do(t, "PUT", "/v1/me/profile", tokA, `{"skills":["rust"],"prefectures":["JP-47"],"desired_rate":1234000,"recommend":"daily"}`); r.Status != 200 {
		t.Fatal(r.Raw)
	}
	r := fx.Do(t, "POST", "/v1/me/saved-searches", tokA, `{"name":"A-secret-search","query":"q=alpha-secret"}`)
	if r.Status != 201 {
		t.Fatal(r.Raw)
	}
	ssA := int64(r.Body["id"].(float64))
	if r := fx.Do(t, "PUT", fmt.Sprintf("/v1/me/favorites/%d", l1), tokA, ""); r.Status != 204 {
		t.Fatal(r.Raw)
	}
	snapshot := func() string {
		var b strings.Builder
		for _, p := range []string{"/v1/me", "/v1/me/profile", "/v1/me/saved-searches", "/v1/me/favorites", "/v1/me/history"} {
			b.WriteString(fx.Do(t, "GET", p, tokA, "").Raw)
		}
		return b.String()
	}
	before := snapshot()
	secrets := []string{addrA, "alice", "A-secret-search", "alpha-secret", "JP-47", "1234000", tokA}

	ss := fmt.Sprintf("/v1/me/saved-searches/%d", ssA)
	fav := fmt.Sprintf("/v1/me/favorites/%d", l1)
	table := map[string]authCase{
		"GET /v1/me":                           {path: "/v1/me", status: 200},
		"DELETE /v1/me":                        {path: "/v1/me", status: 204, last: true},
		"GET /v1/me/export":                    {path: "/v1/me/export", status: 200},
		"PUT /v1/me/password":                  {path: "/v1/me/password", body: `{"current":"kumo-no-ue-22","password":"kumo-no-ue-33"}`, status: 204},
		"GET /v1/me/profile":                   {path: "/v1/me/profile", status: 200},
		"PUT /v1/me/profile":                   {path: "/v1/me/profile", body: `{"skills":["go"]}`, status: 200},
		"GET /v1/me/saved-searches":            {path: "/v1/me/saved-searches", status: 200},
		"POST /v1/me/saved-searches":           {path: "/v1/me/saved-searches", body: `{"query":"q=bob"}`, status: 201},
		"GET /v1/me/saved-searches/{id}":       {path: ss, status: 404},
		"PATCH /v1/me/saved-searches/{id}":     {path: ss, body: `{"name":"hijacked","alert":"off"}`, status: 404},
		"DELETE /v1/me/saved-searches/{id}":    {path: ss, status: 404},
		"GET /v1/me/favorites":                 {path: "/v1/me/favorites", status: 200},
		"PUT /v1/me/favorites/{listing_id}":    {path: fmt.Sprintf("/v1/me/favorites/%d", l2), status: 204}, // B's own favourite
		"DELETE /v1/me/favorites/{listing_id}": {path: fav, status: 404},                                    // A's, not B's
		"GET /v1/me/recommendations":           {path: "/v1/me/recommendations", status: 200},
		"GET /v1/me/history":                   {path: "/v1/me/history", status: 200}, // B's own
		"DELETE /v1/me/history":                {path: "/v1/me/history", status: 204}, // B's own, not A's
		"DELETE /v1/sessions/current":          {path: "/v1/sessions/current", status: 204, last: true},
		"DELETE /v1/sessions":                  {path: "/v1/sessions", status: 204, last: true}, // B's sessions, not A's
	}

	// The operations as registered: every /v1/me one, and any that takes
	// an engineer's session.
	var ops []string
	for _, op := range operations(fx.doc) {
		method, path := op.method, op.path
		secured := op.securedBy("engineerToken")
		if !secured && !strings.HasPrefix(path, "/v1/me") {
			continue
		}
		key := method + " " + path
		if !secured {
			t.Errorf("%s does not require an engineer's session", key)
		}
		ops = append(ops, key)
	}
	slices.SortFunc(ops, func(a, b string) int {
		la, lb := table[a].last, table[b].last
		switch {
		case la && !lb:
			return 1
		case !la && lb:
			return -1
		case a == "DELETE /v1/me": // the account goes last of all
			return 1
		case b == "DELETE /v1/me":
			return -1
		}
		return strings.Compare(a, b)
	})

	tokB := fx.login(t, addrB, bPassword)
	eachOperation(t, ops, table, "engineer B tries it on engineer A's data", func(t *testing.T, key, method string, c authCase) {
		for _, tok := range []string{"", "not-a-session-token", strings.Repeat("A", 43)} {
			if r := fx.Do(t, method, c.path, tok, c.body); r.Status != 401 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("with token %q: %d %s; want 401 problem", tok, r.Status, r.Raw)
			}
		}
		if c.last {
			tokB = fx.login(t, addrB, bPassword)
		}
		r := fx.Do(t, method, c.path, tokB, c.body)
		if r.Status != c.status {
			t.Errorf("engineer B: %d %s; want %d", r.Status, r.Raw, c.status)
		}
		for _, s := range secrets {
			if strings.Contains(r.Raw, s) {
				t.Errorf("engineer B's answer holds A's %q: %s", s, r.Raw)
			}
		}
		if key == "PUT /v1/me/password" && r.Status == 204 {
			bPassword = "kumo-no-ue-33"
		}
	})
	if after := snapshot(); after != before {
		t.Errorf("A's data changed while B tried it:\nbefore %s\nafter  %s", before, after)
	}
}

// TestResetLinksEnd: a reset link mailed before the password changed,
// before another link reset it, or before the engineer logged out
// everywhere no longer sets a password.
func TestResetLinksEnd(t *testing.T) {
	const pw, next = "hatsuyume-fuji-2027", "shin-password-2027"
	for i, c := range []struct {
		name string
		end  func(t *testing.T, fx *fixture, addr, tok string)
	}{
		{"password change", func(t *testing.T, fx *fixture, addr, tok string) {
			if r := fx.Do(t, "PUT", "/v1/me/password", tok, fmt.Sprintf(`{"current":%q,"password":%q}`, pw, next)); r.Status != 204 {
				t.Fatalf("change password: %d %s", r.Status, r.Raw)
			}
		}},
		{"completed reset", func(t *testing.T, fx *fixture, addr, tok string) {
			later := fx.resetLink(t, addr)
			if r := fx.Do(t, "POST", "/v1/accounts/password-reset/confirm", "", fmt.Sprintf(`{"token":%q,"password":%q}`, later, next)); r.Status != 204 {
				t.Fatalf("confirm the later link: %d %s", r.Status, r.Raw)
			}
		}},
		{"logout everywhere", func(t *testing.T, fx *fixture, addr, tok string) {
			if r := fx.Do(t, "DELETE", "/v1/sessions", tok, ""); r.Status != 204 {
				t.Fatalf("log out everywhere: %d %s", r.Status, r.Raw)
			}
			if r := fx.Do(t, "GET", "/v1/me", tok, ""); r.Status != 401 {
				t.Errorf("the session after logging out everywhere: %d %s", r.Status, r.Raw)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			fx := newMeFixture(t, account.Limits{})
			addr := fmt.Sprintf("user%d@example.jp", i)
			tok := fx.engineer(t, addr, pw)
			early := fx.resetLink(t, addr)
			c.end(t, fx, addr, tok)
			r := fx.Do(t, "POST", "/v1/accounts/password-reset/confirm", "", fmt.Sprintf(`{"token":%q,"password":"nottaken-password-99"}`, early))
			if r.Status != 422 || !strings.Contains(r.Raw, "body.token") {
				t.Errorf("the earlier reset link after the %s: %d %s; want 422 on body.token", c.name, r.Status, r.Raw)
			}
		})
	}
}

// resetLink asks for a reset mail for addr and returns its link's token.
func (fx *fixture) resetLink(t *testing.T, addr string) string {
	t.Helper()
	if r := fx.Do(t, "POST", "/v1/accounts/password-reset", "", fmt.Sprintf(`{"email":%q}`, addr)); r.Status != 202 {
		t.Fatalf("reset for %s: %d %s", addr, r.Status, r.Raw)
	}
	return fx.token(t, "reset", addr)
}

// TestLoginDeviceCookie: a login answers an anken_device cookie, and a
// login that sends it back gets in while others' guesses have locked the
// address out (429 without it).
func TestLoginDeviceCookie(t *testing.T) {
	limits := account.Defaults()
	limits.LoginIP = ratelimit.New(1000, time.Millisecond)
	fx := newMeFixture(t, limits)
	const addr, pw = "taro@example.jp", "hatsuyume-fuji-2027"
	fx.engineer(t, addr, pw) // logs in once, without a cookie
	login := func(cookie, password string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("POST", fx.URL+"/v1/sessions", strings.NewReader(fmt.Sprintf(`{"email":%q,"password":%q}`, addr, password)))
		req.Header.Set("Content-Type", "application/json")
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: "anken_device", Value: cookie})
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	resp := login("", pw)
	var device *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "anken_device" {
			device = c
		}
	}
	if resp.StatusCode != 201 || device == nil || !device.HttpOnly || device.MaxAge <= 0 {
		t.Fatalf("login: %d, Set-Cookie %q; want 201 with an HttpOnly anken_device cookie", resp.StatusCode, resp.Header.Values("Set-Cookie"))
	}
	for range 12 {
		login("", "guess-password-0")
	}
	if resp := login("", pw); resp.StatusCode != 429 {
		t.Errorf("right password without the cookie, address locked: %d, want 429", resp.StatusCode)
	}
	resp = login(device.Value, pw)
	if resp.StatusCode != 201 || len(resp.Cookies()) != 0 {
		t.Errorf("right password with the cookie, address locked: %d, Set-Cookie %q; want 201 and no new cookie", resp.StatusCode, resp.Header.Values("Set-Cookie"))
	}
}
