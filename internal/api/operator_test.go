package api_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"anken/internal/ingest"
)

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
	if r := fx.Do(t, "PUT", "/v1/agency/listings/X-1", fx.keyA, goodListing); r.Status != 200 {
		t.Fatalf("put: %d %s", r.Status, r.Raw)
	}
	n := 0
	for _, op := range operations(fx.doc) {
		method, path := op.method, op.path
		if !strings.HasPrefix(path, "/v1/operator/") {
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
			if r := fx.Do(t, method, target, c.key, body); r.Status != c.want || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("%s %s with %s: %d %s; want %d problem+json", method, target, c.who, r.Status, r.Header.Get("Content-Type"), c.want)
			}
		}
		// Taken: anything but a refusal (a key revoked by another route
		// first is 404, as it should be).
		if r := fx.Do(t, method, target, fx.operatorKey, body); r.Status == 401 || r.Status == 403 || r.Status >= 500 {
			t.Errorf("%s %s with the operator key: %d %s", method, target, r.Status, r.Raw)
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
			if r := fx.Do(t, "PUT", "/v1/agency/listings/H-1", fx.keyA, goodListing); r.Status != 200 {
				t.Fatalf("put: %d %s", r.Status, r.Raw)
			}
			id := int64(fx.Do(t, "GET", "/v1/agency/listings/H-1", fx.keyA, "").Body["id"].(float64))
			listing := fmt.Sprintf("/v1/listings/%d", id)
			total := func() float64 { return fx.Do(t, "GET", "/v1/listings?q=決済基盤", "", "").Body["total"].(float64) }
			if total() != 1 || fx.Do(t, "GET", listing, "", "").Status != 200 {
				t.Fatal("the listing is not searchable before hiding it")
			}
			r := fx.Do(t, "POST", fmt.Sprintf("/v1/operator/listings/%d/hide", id), fx.operatorKey, "")
			if r.Status != 200 || r.Body["status"] != "hidden" || r.Body["outcome"] != "hidden" {
				t.Fatalf("hide: %d %s", r.Status, r.Raw)
			}
			if n := total(); n != 0 {
				t.Errorf("search finds %v after hiding; want 0", n)
			}
			if r := fx.Do(t, "GET", listing, "", ""); r.Status != 404 {
				t.Errorf("GET %s of a hidden listing: %d; want 404", listing, r.Status)
			}
			if r := fx.Do(t, "GET", "/v1/agency/listings/H-1", fx.keyA, ""); r.Status != 200 || r.Body["status"] != "hidden" {
				t.Errorf("the agency's read: %d %v; want its listing, status hidden", r.Status, r.Body["status"])
			}
			if r := fx.Do(t, "GET", fmt.Sprintf("/v1/operator/listings/%d", id), fx.operatorKey, ""); r.Status != 200 || r.Body["status"] != "hidden" {
				t.Errorf("the operator's read: %d %v", r.Status, r.Body["status"])
			}
			// The agency updates it: it stays hidden.
			if r := fx.Do(t, "PUT", "/v1/agency/listings/H-1", fx.keyA, strings.Replace(goodListing, "決済APIの設計", "決済APIの設計と運用", 1)); r.Status != 200 {
				t.Fatalf("put again: %d %s", r.Status, r.Raw)
			}
			if n := total(); n != 0 {
				t.Errorf("search finds %v after the agency's update of a hidden listing; want 0", n)
			}
			r = fx.Do(t, "POST", fmt.Sprintf("/v1/operator/listings/%d/restore", id), fx.operatorKey, "")
			if r.Status != 200 || r.Body["status"] != "open" || r.Body["outcome"] != "restored" {
				t.Fatalf("restore: %d %s", r.Status, r.Raw)
			}
			if n := total(); n != 1 {
				t.Errorf("search finds %v after restoring; want 1", n)
			}
			if r := fx.Do(t, "GET", listing, "", ""); r.Status != 200 {
				t.Errorf("GET %s after restoring: %d", listing, r.Status)
			}
			if r := fx.Do(t, "POST", "/v1/operator/listings/999999/hide", fx.operatorKey, ""); r.Status != 404 {
				t.Errorf("hide of an unknown listing: %d", r.Status)
			}
		})
	}
}

// TestOperatorAgencies creates an agency, issues, rotates and revokes its
// keys, and issues a webhook secret, each key working until it should not.
func TestOperatorAgencies(t *testing.T) {
	fx := newOpsFixture(t, "sqlite")
	op := fx.operatorKey
	if r := fx.Do(t, "POST", "/v1/operator/agencies", op, `{"slug":"sakura","name":"さくらテック"}`); r.Status != 201 || r.Body["slug"] != "sakura" {
		t.Fatalf("create: %d %s", r.Status, r.Raw)
	}
	if r := fx.Do(t, "POST", "/v1/operator/agencies", op, `{"slug":"sakura"}`); r.Status != 409 {
		t.Errorf("create again: %d; want 409", r.Status)
	}
	if r := fx.Do(t, "POST", "/v1/operator/agencies", op, `{"slug":"Not A Slug"}`); r.Status != 422 {
		t.Errorf("create with a bad slug: %d; want 422", r.Status)
	}
	r := fx.Do(t, "POST", "/v1/operator/agencies/sakura/keys", op, "")
	k1, _ := r.Body["key"].(string)
	if r.Status != 201 || !strings.HasPrefix(k1, "ak_") || !strings.HasPrefix(k1, r.Body["prefix"].(string)) {
		t.Fatalf("issue: %d %s", r.Status, r.Raw)
	}
	put := func(key string) int { return fx.Do(t, "PUT", "/v1/agency/listings/S-1", key, goodListing).Status }
	if s := put(k1); s != 200 {
		t.Fatalf("put with the issued key: %d", s)
	}
	r = fx.Do(t, "POST", "/v1/operator/agencies/sakura/keys/rotate", op, "")
	k2, _ := r.Body["key"].(string)
	if r.Status != 200 || k2 == "" || k2 == k1 || r.Body["revoked"] != 1.0 {
		t.Fatalf("rotate: %d %s", r.Status, r.Raw)
	}
	if put(k1) != 401 || put(k2) != 200 {
		t.Errorf("after the rotation: old key %d, new key %d; want 401, 200", put(k1), put(k2))
	}
	r = fx.Do(t, "GET", "/v1/operator/agencies", op, "")
	var sakura map[string]any
	for _, a := range r.Body["agencies"].([]any) {
		if a.(map[string]any)["slug"] == "sakura" {
			sakura = a.(map[string]any)
		}
	}
	if sakura == nil || sakura["open"] != 1.0 || sakura["keys"] != 1.0 || sakura["name"] != "さくらテック" {
		t.Errorf("list: %v; want sakura with 1 open listing and 1 key", sakura)
	}
	r = fx.Do(t, "GET", "/v1/operator/agencies/sakura", op, "")
	keys, _ := r.Body["api_keys"].([]any)
	if r.Status != 200 || len(keys) != 2 || strings.Contains(r.Raw, k2) {
		t.Fatalf("detail: %d %s; want two keys, shown by prefix only", r.Status, r.Raw)
	}
	if r := fx.Do(t, "DELETE", "/v1/operator/agencies/sakura/keys", op, ""); r.Status != 200 || r.Body["revoked"] != 1.0 {
		t.Errorf("revoke all: %d %s", r.Status, r.Raw)
	}
	if put(k2) != 401 {
		t.Error("the agency still writes after every key was revoked")
	}
	r = fx.Do(t, "POST", "/v1/operator/agencies/sakura/webhook-secret", op, "")
	if s, _ := r.Body["secret"].(string); r.Status != 200 || !strings.HasPrefix(s, "whsec_") {
		t.Errorf("webhook secret: %d %s", r.Status, r.Raw)
	}
	if r := fx.Do(t, "POST", "/v1/operator/agencies/nobody/keys", op, ""); r.Status != 404 {
		t.Errorf("key for an unknown agency: %d", r.Status)
	}
	if r := fx.Do(t, "POST", "/v1/operator/inbox/replay", op, `{}`); r.Status != 422 {
		t.Errorf("replay naming nothing: %d; want 422", r.Status)
	}
	if r := fx.Do(t, "GET", "/v1/operator/agencies/agency-a/rejections", op, ""); r.Status != 200 {
		t.Errorf("rejections of agency-a: %d %s", r.Status, r.Raw)
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
	if r := fx.Do(t, "POST", "/v1/agency/listings:batch", fx.keyA, batch); r.Status != 200 {
		t.Fatalf("batch: %d %s", r.Status, r.Raw)
	}
	fx.Do(t, "PUT", "/v1/agency/listings/B-3", fx.keyA, `{"title":""}`)                      // rejected: a row
	fx.Do(t, "PUT", "/v1/agency/listings/B-3", fx.keyA, `{"external_id":"B-4","title":"x"}`) // refused before any write: no row
	fx.Do(t, "GET", "/v1/agency/listings/B-1", fx.keyA, "")                                  // a read: no row
	body := []byte(`{"id": "evt_1", "type": "listing.close", "external_id": "B-1"}`)
	if r := fx.Do(t, "POST", "/v1/webhooks/agency-a", "", string(body), "Anken-Signature", ingest.Sign(fx.secret, time.Now(), body)); r.Status != 202 {
		t.Fatalf("webhook: %d %s", r.Status, r.Raw)
	}
	if r := fx.Do(t, "POST", "/v1/agency/feeds?format=jsonl", fx.keyA, `{"external_id":"F-1","title":"Rustの案件"}`+"\n",
		"Content-Type", "application/x-ndjson"); r.Status != 202 {
		t.Fatalf("feed upload: %d %s", r.Status, r.Raw)
	}
	if r := fx.Do(t, "POST", "/v1/operator/listings/1/hide", op, ""); r.Status != 200 {
		t.Fatalf("hide: %d %s", r.Status, r.Raw)
	}
	r := fx.Do(t, "GET", "/v1/operator/audit", op, "")
	es, _ := r.Body["entries"].([]any)
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
	if r := fx.Do(t, "GET", "/v1/operator/audit?actor=agency-a&limit=2", op, ""); len(r.Body["entries"].([]any)) != 2 || r.Body["next_cursor"] == nil {
		t.Errorf("actor=agency-a&limit=2: %s", r.Raw)
	} else {
		next := fx.Do(t, "GET", "/v1/operator/audit?actor=agency-a&limit=2&before="+r.Body["next_cursor"].(string), op, "")
		if es := next.Body["entries"].([]any); len(es) != 2 || es[1].(map[string]any)["action"] != "batch-agency-listings" {
			t.Errorf("the next page: %s", next.Raw)
		}
	}
	if r := fx.Do(t, "GET", "/v1/operator/audit?action=hide-listing", op, ""); len(r.Body["entries"].([]any)) != 1 {
		t.Errorf("action=hide-listing: %s", r.Raw)
	}
	// Reading the log is not itself logged, nor is any GET.
	if r := fx.Do(t, "GET", "/v1/operator/audit", op, ""); len(r.Body["entries"].([]any)) != len(want) {
		t.Errorf("reading the log added rows: %d", len(r.Body["entries"].([]any)))
	}
}
