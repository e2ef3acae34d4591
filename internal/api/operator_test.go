package api_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"anken/internal/account"
	"anken/internal/api"
	"anken/internal/ingest"
	"anken/internal/operate"
	"anken/internal/ratelimit"
	"anken/internal/search"
	"anken/internal/search/follow"
	"anken/internal/store"
	"anken/internal/store/storetest"
)

type opsFixture struct {
	*meFixture
	st          *store.Store
	operatorKey string
	secret      string           // agency-a's webhook secret
	clock       *storetest.Clock // the store's
}

// newOpsFixture serves the API over a fresh store of the backend with an
// agency (keyA), an operator and engineers' accounts; every write catches
// the index up, as a node's own writes do.
func newOpsFixture(t *testing.T, backend string) *opsFixture {
	t.Helper()
	ctx := context.Background()
	clock := storetest.NewClock(time.Now())
	st := storetest.OpenClock(t, backend, clock.Now)
	a, err := st.CreateAgency(ctx, "agency-a", "A")
	if err != nil {
		t.Fatal(err)
	}
	keyA, _ := st.CreateKey(ctx, a.ID)
	secret, _ := st.NewWebhookSecret(ctx, a.ID)
	_, opKey, err := st.CreateOperator(ctx, "山田")
	if err != nil {
		t.Fatal(err)
	}
	l := func() *ratelimit.Limiter { return ratelimit.New(1000, time.Millisecond) }
	accounts := account.New(st, account.Options{BaseURL: "https://anken.example",
		Params: account.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
		Limits: account.Limits{SignUpIP: l(), SignUpAddress: l(), LoginIP: l(), LoginAddress: l(), ResetIP: l(), ResetAddress: l()}})
	log := slog.New(slog.DiscardHandler)
	idx := search.NewIndex()
	f := follow.New(st, idx, time.Hour, log)
	if err := f.Load(ctx); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	wrote := func() {
		if _, err := f.CatchUp(ctx); err != nil {
			t.Error(err)
		}
	}
	doc := api.Register(mux, api.Deps{Store: st, Index: idx, Log: log, Accounts: accounts, Wrote: wrote,
		Operate: operate.New(st, wrote), Ingest: ingest.NewWriter(st, wrote)}).OpenAPI()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	me := &meFixture{fixture: &fixture{srv: srv, keyA: keyA, follower: f}, st: st, idx: idx, doc: doc, accounts: accounts}
	return &opsFixture{meFixture: me, st: st, operatorKey: opKey, secret: secret, clock: clock}
}

// TestOperatorAuth: every /v1/operator route, as the OpenAPI document
// lists them, refuses no key (401), an agency's key (403), an engineer's
// session token (401) and a revoked operator key (401), and takes a live
// operator key.
func TestOperatorAuth(t *testing.T) {
	fx := newOpsFixture(t, "sqlite")
	ctx := context.Background()
	engineer := fx.engineer(t, "tanaka@example.jp", "correct horse battery staple 9")
	_, revoked, _ := fx.st.CreateOperator(ctx, "元オペレーター")
	if err := fx.st.RevokeOperator(ctx, "元オペレーター"); err != nil {
		t.Fatal(err)
	}
	// A concrete request for each route, with a body it accepts. Key
	// changes go to agency-z, so agency-a's key is refused (403) throughout.
	z, _ := fx.st.CreateAgency(ctx, "agency-z", "Z")
	fx.st.CreateKey(ctx, z.ID)
	keys, _ := fx.st.AgencyKeys(ctx, z.ID)
	bodies := map[string]string{
		"POST /v1/operator/agencies":       `{"slug":"new-agency","name":"新エージェント"}`,
		"POST /v1/operator/inbox/replay":   `{"all":true}`,
		"PUT /v1/operator/agencies/{slug}": `{"name":"Z社"}`,
	}
	if r := fx.do(t, "PUT", "/v1/agency/listings/X-1", fx.keyA, goodListing); r.status != 200 {
		t.Fatalf("put: %d %s", r.status, r.raw)
	}
	n := 0
	for path, item := range fx.doc.Paths {
		if !strings.HasPrefix(path, "/v1/operator/") {
			continue
		}
		for method, op := range map[string]*huma.Operation{"GET": item.Get, "POST": item.Post, "PUT": item.Put, "PATCH": item.Patch, "DELETE": item.Delete} {
			if op == nil {
				continue
			}
			n++
			id := "1" // the listing
			if strings.Contains(path, "/keys/{id}") {
				id = fmt.Sprint(keys[0].ID)
			}
			target := strings.NewReplacer("{slug}", "agency-z", "{id}", id).Replace(path)
			body := bodies[method+" "+path]
			for _, c := range []struct {
				who, key string
				want     int
			}{
				{"no key", "", 401},
				{"agency key", fx.keyA, 403},
				{"engineer token", engineer, 401},
				{"revoked operator key", revoked, 401},
				{"unknown operator key", "op_000000000000000000000000000000000000000000000000", 401},
			} {
				if r := fx.do(t, method, target, c.key, body); r.status != c.want || !strings.HasPrefix(r.ctype, "application/problem+json") {
					t.Errorf("%s %s with %s: %d %s; want %d problem+json", method, target, c.who, r.status, r.ctype, c.want)
				}
			}
			// Taken: anything but a refusal (a key revoked by another route
			// first is 404, as it should be).
			if r := fx.do(t, method, target, fx.operatorKey, body); r.status == 401 || r.status == 403 || r.status >= 500 {
				t.Errorf("%s %s with the operator key: %d %s", method, target, r.status, r.raw)
			}
		}
	}
	if n < 14 {
		t.Errorf("checked %d operator routes; want every one of at least 14", n)
	}
}

// TestOperatorHide hides a listing and restores it, on both backends:
// hidden, it leaves search and its public read answers 404 while its
// agency still reads it; restored, it is back.
func TestOperatorHide(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			fx := newOpsFixture(t, backend)
			if r := fx.do(t, "PUT", "/v1/agency/listings/H-1", fx.keyA, goodListing); r.status != 200 {
				t.Fatalf("put: %d %s", r.status, r.raw)
			}
			id := int64(fx.do(t, "GET", "/v1/agency/listings/H-1", fx.keyA, "").body["id"].(float64))
			listing := fmt.Sprintf("/v1/listings/%d", id)
			total := func() float64 { return fx.do(t, "GET", "/v1/listings?q=決済基盤", "", "").body["total"].(float64) }
			if total() != 1 || fx.do(t, "GET", listing, "", "").status != 200 {
				t.Fatal("the listing is not searchable before hiding it")
			}
			r := fx.do(t, "POST", fmt.Sprintf("/v1/operator/listings/%d/hide", id), fx.operatorKey, "")
			if r.status != 200 || r.body["status"] != "hidden" || r.body["outcome"] != "hidden" {
				t.Fatalf("hide: %d %s", r.status, r.raw)
			}
			if n := total(); n != 0 {
				t.Errorf("search finds %v after hiding; want 0", n)
			}
			if r := fx.do(t, "GET", listing, "", ""); r.status != 404 {
				t.Errorf("GET %s of a hidden listing: %d; want 404", listing, r.status)
			}
			if r := fx.do(t, "GET", "/v1/agency/listings/H-1", fx.keyA, ""); r.status != 200 || r.body["status"] != "hidden" {
				t.Errorf("the agency's read: %d %v; want its listing, status hidden", r.status, r.body["status"])
			}
			if r := fx.do(t, "GET", fmt.Sprintf("/v1/operator/listings/%d", id), fx.operatorKey, ""); r.status != 200 || r.body["status"] != "hidden" {
				t.Errorf("the operator's read: %d %v", r.status, r.body["status"])
			}
			// The agency updates it: it stays hidden.
			if r := fx.do(t, "PUT", "/v1/agency/listings/H-1", fx.keyA, strings.Replace(goodListing, "決済APIの設計", "決済APIの設計と運用", 1)); r.status != 200 {
				t.Fatalf("put again: %d %s", r.status, r.raw)
			}
			if n := total(); n != 0 {
				t.Errorf("search finds %v after the agency's update of a hidden listing; want 0", n)
			}
			r = fx.do(t, "POST", fmt.Sprintf("/v1/operator/listings/%d/restore", id), fx.operatorKey, "")
			if r.status != 200 || r.body["status"] != "open" || r.body["outcome"] != "restored" {
				t.Fatalf("restore: %d %s", r.status, r.raw)
			}
			if n := total(); n != 1 {
				t.Errorf("search finds %v after restoring; want 1", n)
			}
			if r := fx.do(t, "GET", listing, "", ""); r.status != 200 {
				t.Errorf("GET %s after restoring: %d", listing, r.status)
			}
			if r := fx.do(t, "POST", "/v1/operator/listings/999999/hide", fx.operatorKey, ""); r.status != 404 {
				t.Errorf("hide of an unknown listing: %d", r.status)
			}
		})
	}
}

// TestOperatorAgencies creates an agency, issues, rotates and revokes its
// keys, and issues a webhook secret, each key working until it should not.
func TestOperatorAgencies(t *testing.T) {
	fx := newOpsFixture(t, "sqlite")
	op := fx.operatorKey
	if r := fx.do(t, "POST", "/v1/operator/agencies", op, `{"slug":"sakura","name":"さくらテック"}`); r.status != 201 || r.body["slug"] != "sakura" {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	if r := fx.do(t, "POST", "/v1/operator/agencies", op, `{"slug":"sakura"}`); r.status != 409 {
		t.Errorf("create again: %d; want 409", r.status)
	}
	if r := fx.do(t, "POST", "/v1/operator/agencies", op, `{"slug":"Not A Slug"}`); r.status != 422 {
		t.Errorf("create with a bad slug: %d; want 422", r.status)
	}
	r := fx.do(t, "POST", "/v1/operator/agencies/sakura/keys", op, "")
	k1, _ := r.body["key"].(string)
	if r.status != 201 || !strings.HasPrefix(k1, "ak_") || !strings.HasPrefix(k1, r.body["prefix"].(string)) {
		t.Fatalf("issue: %d %s", r.status, r.raw)
	}
	put := func(key string) int { return fx.do(t, "PUT", "/v1/agency/listings/S-1", key, goodListing).status }
	if s := put(k1); s != 200 {
		t.Fatalf("put with the issued key: %d", s)
	}
	r = fx.do(t, "POST", "/v1/operator/agencies/sakura/keys/rotate", op, "")
	k2, _ := r.body["key"].(string)
	if r.status != 200 || k2 == "" || k2 == k1 || r.body["revoked"] != 1.0 {
		t.Fatalf("rotate: %d %s", r.status, r.raw)
	}
	if put(k1) != 401 || put(k2) != 200 {
		t.Errorf("after the rotation: old key %d, new key %d; want 401, 200", put(k1), put(k2))
	}
	r = fx.do(t, "GET", "/v1/operator/agencies", op, "")
	var sakura map[string]any
	for _, a := range r.body["agencies"].([]any) {
		if a.(map[string]any)["slug"] == "sakura" {
			sakura = a.(map[string]any)
		}
	}
	if sakura == nil || sakura["open"] != 1.0 || sakura["keys"] != 1.0 || sakura["name"] != "さくらテック" {
		t.Errorf("list: %v; want sakura with 1 open listing and 1 key", sakura)
	}
	r = fx.do(t, "GET", "/v1/operator/agencies/sakura", op, "")
	keys, _ := r.body["api_keys"].([]any)
	if r.status != 200 || len(keys) != 2 || strings.Contains(r.raw, k2) {
		t.Fatalf("detail: %d %s; want two keys, shown by prefix only", r.status, r.raw)
	}
	if r := fx.do(t, "DELETE", "/v1/operator/agencies/sakura/keys", op, ""); r.status != 200 || r.body["revoked"] != 1.0 {
		t.Errorf("revoke all: %d %s", r.status, r.raw)
	}
	if put(k2) != 401 {
		t.Error("the agency still writes after every key was revoked")
	}
	r = fx.do(t, "POST", "/v1/operator/agencies/sakura/webhook-secret", op, "")
	if s, _ := r.body["secret"].(string); r.status != 200 || !strings.HasPrefix(s, "whsec_") {
		t.Errorf("webhook secret: %d %s", r.status, r.raw)
	}
	if r := fx.do(t, "POST", "/v1/operator/agencies/nobody/keys", op, ""); r.status != 404 {
		t.Errorf("key for an unknown agency: %d", r.status)
	}
	if r := fx.do(t, "POST", "/v1/operator/inbox/replay", op, `{}`); r.status != 422 {
		t.Errorf("replay naming nothing: %d; want 422", r.status)
	}
	if r := fx.do(t, "GET", "/v1/operator/agencies/agency-a/rejections", op, ""); r.status != 200 {
		t.Errorf("rejections of agency-a: %d %s", r.status, r.raw)
	}
}

// TestAuditAPI: operator writes, agency writes through the API (one row
// for a batch), an accepted webhook delivery and a feed upload each leave
// one row, with who, what and from where; a listing refused by validation
// is recorded among the rejections, so its request is audited too; reads
// and requests refused before any write leave none; the log reads newest
// first, filtered and paged.
func TestAuditAPI(t *testing.T) {
	fx := newOpsFixture(t, "sqlite")
	op := fx.operatorKey
	batch := `{"listings": [` + strings.Repeat(`{"external_id":"B-%d","title":"Goの案件","description":"Go"},`, 2) + `{"external_id":"","title":""}]}`
	batch = fmt.Sprintf(batch, 1, 2)
	if r := fx.do(t, "POST", "/v1/agency/listings:batch", fx.keyA, batch); r.status != 200 {
		t.Fatalf("batch: %d %s", r.status, r.raw)
	}
	fx.do(t, "PUT", "/v1/agency/listings/B-3", fx.keyA, `{"title":""}`)                      // rejected: a row
	fx.do(t, "PUT", "/v1/agency/listings/B-3", fx.keyA, `{"external_id":"B-4","title":"x"}`) // refused before any write: no row
	fx.do(t, "GET", "/v1/agency/listings/B-1", fx.keyA, "")                                  // a read: no row
	body := []byte(`{"id": "evt_1", "type": "listing.close", "external_id": "B-1"}`)
	req, _ := http.NewRequest("POST", fx.srv.URL+"/v1/webhooks/agency-a", strings.NewReader(string(body)))
	req.Header.Set("Anken-Signature", ingest.Sign(fx.secret, time.Now(), body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 202 {
		t.Fatalf("webhook: %v %v", resp, err)
	}
	resp.Body.Close()
	req, _ = http.NewRequest("POST", fx.srv.URL+"/v1/agency/feeds?format=jsonl", strings.NewReader(`{"external_id":"F-1","title":"Rustの案件"}`+"\n"))
	req.Header.Set("Authorization", "Bearer "+fx.keyA)
	req.Header.Set("Content-Type", "application/x-ndjson")
	if resp, err = http.DefaultClient.Do(req); err != nil || resp.StatusCode != 202 {
		t.Fatalf("feed upload: %v %v", resp, err)
	}
	resp.Body.Close()
	if r := fx.do(t, "POST", "/v1/operator/listings/1/hide", op, ""); r.status != 200 {
		t.Fatalf("hide: %d %s", r.status, r.raw)
	}
	r := fx.do(t, "GET", "/v1/operator/audit", op, "")
	es, _ := r.body["entries"].([]any)
	var got []string
	for _, e := range es {
		m := e.(map[string]any)
		got = append(got, fmt.Sprintf("%s %s %s %s | %s | %s", m["actor_kind"], m["actor"], m["action"], m["target"], m["detail"], m["ip"]))
	}
	want := []*regexp.Regexp{
		regexp.MustCompile(`^operator 山田 hide-listing listing 1 \| B-1 of agency-a: hidden \| 127\.0\.0\.1$`),
		regexp.MustCompile(`^agency agency-a upload-agency-feed feed run \d+ of agency-a \| 1 rows: 0 created, 0 updated, 0 unchanged, 0 rejected, 0 closed; received \| 127\.0\.0\.1$`),
		regexp.MustCompile(`^agency agency-a post-webhook /v1/webhooks/agency-a \| inbox item \d+ \(duplicate: false\) \| 127\.0\.0\.1$`),
		regexp.MustCompile(`^agency agency-a put-agency-listing /v1/agency/listings/B-3 \| put 1 listings: 0 accepted, 1 rejected \| 127\.0\.0\.1$`),
		regexp.MustCompile(`^agency agency-a batch-agency-listings /v1/agency/listings:batch \| put 3 listings: 2 accepted, 1 rejected \| 127\.0\.0\.1$`),
	}
	if len(got) != len(want) {
		t.Fatalf("audit log:\n%s\nwant %d rows", strings.Join(got, "\n"), len(want))
	}
	for i, re := range want {
		if !re.MatchString(got[i]) {
			t.Errorf("row %d = %q; want %s", i, got[i], re)
		}
	}
	// Filters and the cursor.
	if r := fx.do(t, "GET", "/v1/operator/audit?actor=agency-a&limit=2", op, ""); len(r.body["entries"].([]any)) != 2 || r.body["next_cursor"] == nil {
		t.Errorf("actor=agency-a&limit=2: %s", r.raw)
	} else {
		next := fx.do(t, "GET", "/v1/operator/audit?actor=agency-a&limit=2&before="+r.body["next_cursor"].(string), op, "")
		if es := next.body["entries"].([]any); len(es) != 2 || es[1].(map[string]any)["action"] != "batch-agency-listings" {
			t.Errorf("the next page: %s", next.raw)
		}
	}
	if r := fx.do(t, "GET", "/v1/operator/audit?action=hide-listing", op, ""); len(r.body["entries"].([]any)) != 1 {
		t.Errorf("action=hide-listing: %s", r.raw)
	}
	// Reading the log is not itself logged, nor is any GET.
	if r := fx.do(t, "GET", "/v1/operator/audit", op, ""); len(r.body["entries"].([]any)) != len(want) {
		t.Errorf("reading the log added rows: %d", len(r.body["entries"].([]any)))
	}
}
