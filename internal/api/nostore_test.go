package api_test

import (
	"fmt"
	"regexp"
	"slices"
	"testing"

	"anken/internal/account"
)

// TestNoStore: answers with personal data, keys or tokens carry
// Cache-Control: no-store, errors included: every operation that takes
// credentials and every account operation. Public reads do not.
func TestNoStore(t *testing.T) {
	fx := newMeFixture(t, account.Limits{})
	const addr, pw = "taro@example.jp", "hatsuyume-fuji-2027"
	tok := fx.engineer(t, addr, pw)
	fx.listing(t, "GO-1")
	send := func(method, path, bearer, body string) (int, string) {
		t.Helper()
		r := fx.Do(t, method, path, bearer, body)
		return r.Status, r.Header.Get("Cache-Control")
	}
	login := fmt.Sprintf(`{"email":%q,"password":%q}`, addr, pw)
	for _, c := range []struct {
		method, path, bearer, body string
		status                     int
		noStore                    bool
	}{
		{"GET", "/v1/me", tok, "", 200, true},
		{"GET", "/v1/me/export", tok, "", 200, true},
		{"GET", "/v1/me/profile", tok, "", 200, true},
		{"GET", "/v1/me/saved-searches", tok, "", 200, true},
		{"POST", "/v1/sessions", "", login, 201, true},
		{"POST", "/v1/sessions", "", `{"email":"taro@example.jp","password":"wrong-password-0"}`, 401, true},
		{"POST", "/v1/accounts/password-reset", "", `{"email":"taro@example.jp"}`, 202, true},
		{"GET", "/v1/agency/listings/GO-1", fx.keyA, "", 200, true},
		{"GET", "/v1/listings?q=Go", "", "", 200, false},
		{"GET", "/v1/listings/1", "", "", 200, false},
	} {
		status, cc := send(c.method, c.path, c.bearer, c.body)
		if status != c.status || (cc == "no-store") != c.noStore {
			t.Errorf("%s %s: %d, Cache-Control %q; want %d, no-store %v", c.method, c.path, status, cc, c.status, c.noStore)
		}
	}

	// Every operation that takes credentials or is an account's, as
	// registered, says no-store even when it fails.
	param := regexp.MustCompile(`\{[^}]+\}`)
	walked := 0
	for _, op := range operations(fx.doc) {
		method, path := op.method, op.path
		secured := slices.ContainsFunc(op.Security, func(s map[string][]string) bool { return len(s) > 0 })
		if !secured && !slices.Contains(op.Tags, "accounts") && !slices.Contains(op.Tags, "me") {
			continue
		}
		body := ""
		if method != "GET" && method != "DELETE" {
			body = "{}"
		}
		walked++
		status, cc := send(method, param.ReplaceAllString(path, "1"), "", body)
		if cc != "no-store" {
			t.Errorf("%s %s without credentials: %d with Cache-Control %q, want no-store", method, path, status, cc)
		}
	}
	if walked < 30 {
		t.Errorf("walked %d operations that take credentials or are an account's; the document has more", walked)
	}
}
